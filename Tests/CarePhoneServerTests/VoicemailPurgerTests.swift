import Foundation
import Logging
import Testing
import Voicemail

@testable import CarePhoneServer

/// Deleted voicemail is kept for the undelete window, then its row and its audio go.
@Suite struct VoicemailPurgerTests {
    final class Store: MailboxStore, @unchecked Sendable {
        var messages: [VoicemailMessage]
        init(_ messages: [VoicemailMessage]) { self.messages = messages }
        func createMailbox(_ mailbox: Mailbox) throws -> Mailbox { mailbox }
        func mailbox(organisationID: Int64, number: String) throws -> Mailbox? { nil }
        func mailboxes(ofUser userID: Int64) throws -> [Mailbox] { [] }
        func setPINHash(_ hash: String?, mailboxID: Int64) throws {}
        func insert(_ message: VoicemailMessage) throws { messages.append(message) }
        func messages(mailboxID: Int64, includingDeleted: Bool) throws -> [VoicemailMessage] { messages }
        func setHeard(_ heard: Bool, messageID: String) throws {}
        func setDeleted(_ at: Date?, messageID: String) throws {}
        func purge(deletedBefore cutoff: Date) throws -> [VoicemailMessage] {
            let gone = messages.filter { ($0.deletedAt ?? .distantFuture) < cutoff }
            messages.removeAll { ($0.deletedAt ?? .distantFuture) < cutoff }
            return gone
        }
    }

    @Test func purgesOnlyAfterTheRetention() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("purge-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("1"), withIntermediateDirectories: true)
        let now = Date()
        func message(_ id: String, deletedDaysAgo: Double?) throws -> VoicemailMessage {
            try Data([1, 2, 3]).write(to: folder.appendingPathComponent("1/\(id).wav"))
            return VoicemailMessage(
                id: id, mailboxID: 1, callerNumber: "1001", callerName: "", receivedAt: now, duration: 2,
                deletedAt: deletedDaysAgo.map { now.addingTimeInterval(-$0 * 86_400) }, audioFile: "1/\(id).wav")
        }
        let store = Store([try message("old", deletedDaysAgo: 31), try message("recent", deletedDaysAgo: 2), try message("kept", deletedDaysAgo: nil)])
        let purger = VoicemailPurger(store: store, audio: PlainAudioStore(folder: folder), retention: 30 * 86_400, logger: Logger(label: "test"))
        #expect(purger.purge(now: now) == 1)
        #expect(store.messages.map(\.id) == ["recent", "kept"])
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("1/old.wav").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("1/recent.wav").path))
    }
}
