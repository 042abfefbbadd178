import Foundation

/// A scratch folder under the system temporary directory, removed by `remove()` (call it in a
/// `defer`). Every file a test makes (data folder, logs, CSVs, SIPp stats) goes in here.
final class Scratch: @unchecked Sendable {
    let url: URL

    init(_ label: String) throws {
        let name = "carephone-interop-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        url = FileManager.default.temporaryDirectory.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the folder (not created).
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Creates the sub-folder `name` and returns its path.
    func folder(_ name: String) throws -> String {
        let p = path(name)
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    /// Writes `text` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let p = path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    /// Removes the folder and everything in it. Set CAREPHONE_KEEP_SCRATCH=1 to keep it for a
    /// post-mortem.
    func remove() {
        if ProcessInfo.processInfo.environment["CAREPHONE_KEEP_SCRATCH"] == "1" {
            print("scratch kept: \(url.path)")
            return
        }
        try? FileManager.default.removeItem(at: url)
    }
}
