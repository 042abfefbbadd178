import Directory
import Foundation
import Testing
import Voicemail

@testable import Storage

@Suite("SQLiteMailboxStore")
struct SQLiteMailboxStoreTests {
    let folder = TemporaryFolder()

    /// A clinic with users 1001 and 1002, and the stores on one database file.
    func clinic() throws -> (SQLiteMailboxStore, Organisation, [String: Int64]) {
        let database = try folder.open()
        let directory = SQLiteDirectoryStore(database: database)
        let organisation = try directory.createOrganisation(Organisation(name: "Clinic", sipDomain: "clinic.example"))
        _ = try directory.importUsers(
            ["1001", "1002"].map {
                UserImportRow(extension: $0, displayName: "User \($0)", password: "password-\($0)", email: "\($0)@clinic.example")
            }, organisationID: organisation.id)
        let users = Dictionary(uniqueKeysWithValues: try directory.users(organisationID: organisation.id).map { ($0.extension, $0.id) })
        return (SQLiteMailboxStore(database: database), organisation, users)
    }

    @Test func personalAndSharedMailboxes() throws {
        let (store, clinic, users) = try clinic()
        let own = try store.createMailbox(Mailbox(organisationID: clinic.id, number: "1002", memberUserIDs: [users["1002"]!]))
        let reception = try store.createMailbox(
            Mailbox(organisationID: clinic.id, number: "1900", memberUserIDs: [users["1001"]!, users["1002"]!], shared: true))
        #expect(try store.mailbox(organisationID: clinic.id, number: "1900") == reception)
        #expect(try store.mailboxes(ofUser: users["1002"]!).map(\.number) == ["1002", "1900"])
        #expect(try store.mailboxes(ofUser: users["1001"]!).map(\.number) == ["1900"])
        #expect(own.id != reception.id)
        #expect(throws: (any Error).self) {
            try store.createMailbox(Mailbox(organisationID: clinic.id, number: "1002", memberUserIDs: []))
        }
        try store.setPINHash(PINHash.make("2468"), mailboxID: own.id)
        let pin = try #require(try store.mailbox(organisationID: clinic.id, number: "1002")?.pinHash)
        #expect(PINHash.verify("2468", against: pin))
    }

    @Test func messagesHeardDeletedUndeletedAndPurged() throws {
        let (store, clinic, users) = try clinic()
        let box = try store.createMailbox(Mailbox(organisationID: clinic.id, number: "1002", memberUserIDs: [users["1002"]!]))
        let first = VoicemailMessage(
            mailboxID: box.id, callerNumber: "+390612345678", callerName: "Rossi", receivedAt: Date(timeIntervalSince1970: 1_800_000_000),
            duration: 12.48, audioFile: "1/a.wav")
        let second = VoicemailMessage(
            mailboxID: box.id, callerNumber: "1001", callerName: "Reception", receivedAt: Date(timeIntervalSince1970: 1_800_000_060),
            duration: 3, audioFile: "1/b.wav")
        try store.insert(first)
        try store.insert(second)
        #expect(try store.messages(mailboxID: box.id, includingDeleted: false) == [first, second])
        #expect(try store.summary(mailboxID: box.id) == MessageCounts(new: 2, old: 0))

        try store.setHeard(true, messageID: first.id)
        #expect(try store.summary(mailboxID: box.id) == MessageCounts(new: 1, old: 1))
        let deletedAt = Date(timeIntervalSince1970: 1_800_000_100)
        try store.setDeleted(deletedAt, messageID: second.id)
        #expect(try store.summary(mailboxID: box.id) == MessageCounts(new: 0, old: 1))
        #expect(try store.messages(mailboxID: box.id, includingDeleted: true).count == 2)
        try store.setDeleted(nil, messageID: second.id)
        #expect(try store.summary(mailboxID: box.id) == MessageCounts(new: 1, old: 1))

        try store.setDeleted(deletedAt, messageID: second.id)
        #expect(try store.purge(deletedBefore: deletedAt).isEmpty, "purged before its time")
        #expect(try store.purge(deletedBefore: deletedAt.addingTimeInterval(1)).map(\.id) == [second.id])
        #expect(try store.messages(mailboxID: box.id, includingDeleted: true).map(\.id) == [first.id])
    }

    @Test func aStoredMessageSurvivesReopening() throws {
        let (store, clinic, users) = try clinic()
        let box = try store.createMailbox(Mailbox(organisationID: clinic.id, number: "1002", memberUserIDs: [users["1002"]!]))
        let message = VoicemailMessage(
            mailboxID: box.id, callerNumber: "1001", callerName: "Reception", receivedAt: Date(timeIntervalSince1970: 1_800_000_000),
            duration: 7.5, audioFile: "1/c.wav")
        try store.insert(message)
        store.database.close()
        let reopened = SQLiteMailboxStore(database: try folder.open())
        #expect(try reopened.messages(mailboxID: box.id, includingDeleted: false) == [message])
    }
}
