import Directory
import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import Registrar
import Storage

/// The data folder: the SQLite database and the nonce secret.
public struct DataFolder: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public var databasePath: String { (path as NSString).appendingPathComponent("carephone.sqlite") }

    /// Opens (creating and migrating) the database.
    public func openDatabase(synchronous: String = "FULL") throws -> SQLiteDatabase {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var options = SQLiteDatabase.Options()
        options.synchronous = synchronous == "NORMAL" ? .normal : .full
        return try SQLiteDatabase.open(path: databasePath, options: options)
    }

    /// The secret that signs digest nonces, kept in the data folder so nonces stay valid
    /// across restarts. Created with mode 0600 on first use.
    public func nonceSecret() throws -> [UInt8] {
        let file = (path as NSString).appendingPathComponent("nonce.key")
        if let data = FileManager.default.contents(atPath: file), data.count >= 32 { return [UInt8](data) }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        // open(2) with mode 0600 from the start (FileManager.createFile writes through a
        // TemporaryDirectory in /tmp on Linux and leaves it behind).
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw ConfigurationError("cannot write \(file)") }
        defer { close(fd) }
        guard secret.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == secret.count, fsync(fd) == 0 else {
            throw ConfigurationError("cannot write \(file)")
        }
        return secret
    }

    /// The secret SMS gateway callbacks carry (`?secret=`), made on first use like the nonce secret.
    public func callbackSecret() throws -> String {
        let file = (path as NSString).appendingPathComponent("sms-callback.key")
        if let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8),
            text.trimmingCharacters(in: .whitespacesAndNewlines).count >= 16
        {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<20).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw ConfigurationError("cannot write \(file)") }
        defer { close(fd) }
        let bytes = Array(secret.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count, fsync(fd) == 0 else {
            throw ConfigurationError("cannot write \(file)")
        }
        return secret
    }
}
