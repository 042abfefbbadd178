import Foundation

/// Where message audio is kept, by path relative to the data folder's `voicemail/`. The
/// server's implementation encrypts at rest (AES-GCM with a key kept outside the data folder, as
/// the design's PHI rules ask); tests may keep plain files.
public protocol MessageAudioStore: Sendable {
    /// Stores a WAVE file durably (synced, with its directory entry) before returning: a message
    /// row may only be written after this.
    func store(_ wav: [UInt8], at path: String) throws
    /// The WAVE file at `path`, decrypted.
    func load(_ path: String) throws -> [UInt8]
    /// Removes it (purge); a missing file is not an error.
    func remove(_ path: String)
}

/// Plain WAVE files (tests, or a deployment that encrypts the disk underneath).
public struct PlainAudioStore: MessageAudioStore {
    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    public func store(_ wav: [UInt8], at path: String) throws {
        try DurableFile.write(wav, to: folder.appendingPathComponent(path))
    }

    public func load(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: folder.appendingPathComponent(path)))
    }

    public func remove(_ path: String) {
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(path))
    }
}

/// Write-then-rename with fsync of the file and of its directory: after `write` returns, the
/// file is whole on disk under its name, or (if it threw) absent.
public enum DurableFile {
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let draft = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).part")
        let fd = open(draft.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: draft.path]) }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else {
                _ = close(fd)
                unlink(draft.path)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: draft.path])
            }
            written += n
        }
        let synced = fsync(fd) == 0
        _ = close(fd)
        guard synced, rename(draft.path, url.path) == 0 else {
            unlink(draft.path)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let dir = open(directory.path, O_RDONLY)
        if dir >= 0 {
            _ = fsync(dir)
            _ = close(dir)
        }
    }
}
