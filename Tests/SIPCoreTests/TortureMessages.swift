import Foundation

/// The RFC 4475 messages and the expected outcome of each (RFC4475/expected.tsv).
struct TortureCase: Sendable, CustomStringConvertible {
    let file: String
    let section: String
    let parserValid: Bool
    /// A status code, or nil for "drop".
    let serverAnswer: Int?
    let bytes: [UInt8]
    var description: String { "\(file) (§\(section))" }

    static let all: [TortureCase] = {
        let folder = Bundle.module.resourceURL!.appendingPathComponent("RFC4475")
        let table = try! String(contentsOf: folder.appendingPathComponent("expected.tsv"), encoding: .utf8)
        return table.split(separator: "\n").compactMap { line in
            if line.hasPrefix("#") { return nil }
            let f = line.split(separator: "\t").map(String.init)
            let bytes = [UInt8](try! Data(contentsOf: folder.appendingPathComponent(f[0] + ".dat")))
            return TortureCase(file: f[0], section: f[1], parserValid: f[2] == "valid", serverAnswer: Int(f[3]), bytes: bytes)
        }
    }()
}
