import Crypto
import Foundation
import SIPCore
import Voicemail

/// Message audio encrypted at rest (the design's PHI rule): AES-256-GCM with a key from a key
/// file kept outside the data folder, so a copy of `data/` alone reveals no voicemail.
///
/// File layout: `CPV1` (format marker), then AES-GCM's combined form: 12-byte nonce,
/// ciphertext, 16-byte tag. The file's path relative to `voicemail/` is authenticated with it
/// (associated data), so a file moved or swapped to another message fails to open instead of
/// playing someone else's message. Files without the marker are read as they are (plain WAVE
/// files written before encryption, or placed by hand).
struct EncryptedAudioStore: MessageAudioStore {
    static let marker: [UInt8] = Array("CPV1".utf8)
    let folder: URL
    /// The key's bytes (`SymmetricKey` is not `Sendable`; one is made per use, which is cheap).
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    init(folder: URL, key: SymmetricKey) {
        self.folder = folder
        keyBytes = key.withUnsafeBytes { Array($0) }
    }

    func store(_ wav: [UInt8], at path: String) throws {
        let sealed = try AES.GCM.seal(wav, using: key, authenticating: Array(path.utf8))
        guard let combined = sealed.combined else { throw AudioStoreError.encryption(path) }
        try DurableFile.write(Self.marker + [UInt8](combined), to: folder.appendingPathComponent(path))
    }

    func load(_ path: String) throws -> [UInt8] {
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(path)))
        guard bytes.starts(with: Self.marker) else { return bytes }
        do {
            let box = try AES.GCM.SealedBox(combined: bytes.dropFirst(Self.marker.count))
            return [UInt8](try AES.GCM.open(box, using: key, authenticating: Array(path.utf8)))
        } catch {
            throw AudioStoreError.decryption(path)
        }
    }

    func remove(_ path: String) {
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(path))
    }
}

enum AudioStoreError: Error, CustomStringConvertible {
    case encryption(String)
    case decryption(String)

    var description: String {
        switch self {
        case .encryption(let path): "could not encrypt \(path)"
        case .decryption(let path):
            "could not decrypt \(path): wrong key file (encryption_key_file), or the file was altered or moved"
        }
    }
}

/// The 256-bit key for audio at rest, in a file of its own (64 hex digits). Made on first start
/// with mode 0600; keep a copy apart from backups of the data folder.
enum EncryptionKeyFile {
    static func loadOrCreate(_ path: String) throws -> (key: SymmetricKey, created: Bool) {
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let hex = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard hex.count == 64, let bytes = Hex.decode(hex) else {
                throw ConfigurationError("\(path): the encryption key file must hold 64 hex digits (a 256-bit key)")
            }
            return (SymmetricKey(data: bytes), false)
        }
        let key = SymmetricKey(size: .bits256)
        let hex = key.withUnsafeBytes { Hex.encode($0) }
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try DurableFile.write(Array((hex + "\n").utf8), to: url)
        } catch {
            throw ConfigurationError("\(path): cannot create the encryption key file (\(error)); set encryption_key_file")
        }
        return (key, true)
    }
}
