import Foundation

/// Locates the programs the interop tests drive: the `carephone` binary this package builds,
/// and the real peers (SIPp, baresip, sqlite3) installed from Debian packages.
enum Binary {
    /// The package root, found from this file's path (Tests/InteropTests/Binary.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `.build/debug/carephone`; fails with what to do when it has not been built.
    static func carephone() throws -> String {
        let path = packageRoot.appendingPathComponent(".build/debug/carephone").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw HarnessError(
                "the server binary \(path) does not exist: run swift build first (cd \(packageRoot.path) && swift build)"
            )
        }
        return path
    }

    /// The folder of SIPp scenario files written for these tests.
    static var scenarios: URL {
        packageRoot.appendingPathComponent("Tests/InteropTests/Scenarios")
    }

    /// A peer program from PATH (or the usual system folders); fails, never skips, when missing.
    static func tool(_ name: String, install: String = "apt-get install sip-tester baresip") throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/usr/sbin"]
        for folder in folders {
            let candidate = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw HarnessError("\(name) is not installed: \(install) (Scripts/test.sh installs it)")
    }

    static func sipp() throws -> String { try tool("sipp") }
    static func baresip() throws -> String { try tool("baresip") }
    static func sqlite3() throws -> String { try tool("sqlite3", install: "apt-get install sqlite3") }
}

/// A harness failure that reaches the test log as a readable message.
struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
