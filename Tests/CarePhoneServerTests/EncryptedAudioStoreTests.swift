import Crypto
import Foundation
import Testing

@testable import CarePhoneServer

/// Voicemail at rest: AES-256-GCM with the path authenticated, plain files still readable, and
/// a key file made once and reused.
@Suite struct EncryptedAudioStoreTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vault-\(UUID().uuidString)")

    @Test func storedAudioIsUnreadableWithoutTheKey() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let wav = Array("RIFF....WAVEfmt a message from a patient".utf8)
        let store = EncryptedAudioStore(folder: folder, key: SymmetricKey(size: .bits256))
        try store.store(wav, at: "1/m1.wav")
        let onDisk = [UInt8](try Data(contentsOf: folder.appendingPathComponent("1/m1.wav")))
        #expect(onDisk.starts(with: Array("CPV1".utf8)) && onDisk.count == 4 + 12 + wav.count + 16)
        #expect(!String(decoding: onDisk, as: UTF8.self).contains("patient"), "no plaintext on disk")
        #expect(try store.load("1/m1.wav") == wav)

        // Another key, an altered byte, or the file moved to another message's name: refused.
        #expect(throws: AudioStoreError.self) { try EncryptedAudioStore(folder: folder, key: SymmetricKey(size: .bits256)).load("1/m1.wav") }
        var altered = onDisk
        altered[30] ^= 1
        try Data(altered).write(to: folder.appendingPathComponent("1/m2.wav"))
        #expect(throws: AudioStoreError.self) { try store.load("1/m2.wav") }
        try FileManager.default.copyItem(at: folder.appendingPathComponent("1/m1.wav"), to: folder.appendingPathComponent("1/m3.wav"))
        #expect(throws: AudioStoreError.self) { try store.load("1/m3.wav") }

        // A plain WAVE file (written before encryption) is served as it is.
        try Data(wav).write(to: folder.appendingPathComponent("1/old.wav"))
        #expect(try store.load("1/old.wav") == wav)
        store.remove("1/m1.wav")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("1/m1.wav").path))
    }

    @Test func theKeyFileIsMadeOnceWithOwnerOnlyAccess() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("keys/carephone.key").path
        let (first, created) = try EncryptionKeyFile.loadOrCreate(path)
        #expect(created)
        let (again, createdAgain) = try EncryptionKeyFile.loadOrCreate(path)
        #expect(!createdAgain && first == again)
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        try "not a key\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try EncryptionKeyFile.loadOrCreate(path) }
    }
}
