import Foundation
import Voicemail

/// Voicemail mailboxes and messages on SQLite (tables `mailboxes`, `mailbox_members`,
/// `voicemail_messages`). Every write is one transaction, durable when it returns.
public struct SQLiteMailboxStore: MailboxStore {
    public let database: SQLiteDatabase

    /// `database` must have been migrated (``SQLiteDatabase/open(path:options:migrations:)``).
    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func createMailbox(_ mailbox: Mailbox) throws -> Mailbox {
        try database.transaction { connection in
            try connection.execute(
                "INSERT INTO mailboxes (organisation_id, number, shared, pin_hash) VALUES (?, ?, ?, ?)",
                [.integer(mailbox.organisationID), .text(mailbox.number), SQLiteValue(mailbox.shared), SQLiteValue(mailbox.pinHash)])
            var created = mailbox
            created.id = connection.lastInsertRowID
            for user in Set(mailbox.memberUserIDs).sorted() {
                try connection.execute(
                    "INSERT INTO mailbox_members (mailbox_id, user_id) VALUES (?, ?)", [.integer(created.id), .integer(user)])
            }
            created.memberUserIDs = Set(mailbox.memberUserIDs).sorted()
            return created
        }
    }

    public func mailbox(organisationID: Int64, number: String) throws -> Mailbox? {
        guard let row = try database.queryFirst(
            "SELECT id, organisation_id, number, shared, pin_hash FROM mailboxes WHERE organisation_id = ? AND number = ?",
            [.integer(organisationID), .text(number)], Self.mailboxRow)
        else { return nil }
        return try withMembers(row)
    }

    public func mailboxes(ofUser userID: Int64) throws -> [Mailbox] {
        try database.query(
            """
            SELECT m.id, m.organisation_id, m.number, m.shared, m.pin_hash FROM mailboxes m
            JOIN mailbox_members mm ON mm.mailbox_id = m.id WHERE mm.user_id = ? ORDER BY m.number
            """, [.integer(userID)], Self.mailboxRow
        ).map(withMembers)
    }

    public func setPINHash(_ hash: String?, mailboxID: Int64) throws {
        try database.execute("UPDATE mailboxes SET pin_hash = ? WHERE id = ?", [SQLiteValue(hash), .integer(mailboxID)])
    }

    public func insert(_ message: VoicemailMessage) throws {
        try database.execute(
            """
            INSERT INTO voicemail_messages (id, mailbox_id, caller_number, caller_name, received_at, duration_ms, heard,
                deleted_at, audio_file)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(message.id), .integer(message.mailboxID), .text(message.callerNumber), .text(message.callerName),
                .integer(Milliseconds.from(message.receivedAt)), .integer(Int64((message.duration * 1000).rounded())),
                SQLiteValue(message.heard), SQLiteValue(message.deletedAt.map(Milliseconds.from)), .text(message.audioFile),
            ])
    }

    public func messages(mailboxID: Int64, includingDeleted: Bool) throws -> [VoicemailMessage] {
        try database.query(
            "SELECT \(Self.messageColumns) FROM voicemail_messages WHERE mailbox_id = ?"
                + (includingDeleted ? "" : " AND deleted_at IS NULL") + " ORDER BY received_at, id",
            [.integer(mailboxID)], Self.messageRow)
    }

    public func setHeard(_ heard: Bool, messageID: String) throws {
        try database.execute("UPDATE voicemail_messages SET heard = ? WHERE id = ?", [SQLiteValue(heard), .text(messageID)])
    }

    public func setDeleted(_ at: Date?, messageID: String) throws {
        try database.execute(
            "UPDATE voicemail_messages SET deleted_at = ? WHERE id = ?", [SQLiteValue(at.map(Milliseconds.from)), .text(messageID)])
    }

    public func purge(deletedBefore cutoff: Date) throws -> [VoicemailMessage] {
        try database.transaction { connection in
            let gone = try connection.query(
                "SELECT \(Self.messageColumns) FROM voicemail_messages WHERE deleted_at IS NOT NULL AND deleted_at < ?",
                [.integer(Milliseconds.from(cutoff))], Self.messageRow)
            try connection.execute(
                "DELETE FROM voicemail_messages WHERE deleted_at IS NOT NULL AND deleted_at < ?", [.integer(Milliseconds.from(cutoff))])
            return gone
        }
    }

    // MARK: rows

    private func withMembers(_ mailbox: Mailbox) throws -> Mailbox {
        var full = mailbox
        full.memberUserIDs = try database.query(
            "SELECT user_id FROM mailbox_members WHERE mailbox_id = ? ORDER BY user_id", [.integer(mailbox.id)]
        ) { try $0.int64(0) }
        return full
    }

    private static func mailboxRow(_ row: SQLiteRow) throws -> Mailbox {
        Mailbox(
            id: try row.int64(0), organisationID: try row.int64(1), number: try row.string(2), memberUserIDs: [],
            shared: try row.int64(3) != 0, pinHash: try row.optionalString(4))
    }

    private static let messageColumns =
        "id, mailbox_id, caller_number, caller_name, received_at, duration_ms, heard, deleted_at, audio_file"

    private static func messageRow(_ row: SQLiteRow) throws -> VoicemailMessage {
        VoicemailMessage(
            id: try row.string(0), mailboxID: try row.int64(1), callerNumber: try row.string(2), callerName: try row.string(3),
            receivedAt: Milliseconds.date(try row.int64(4)), duration: Double(try row.int64(5)) / 1000, heard: try row.int64(6) != 0,
            deletedAt: try row.optionalInt64(7).map(Milliseconds.date), audioFile: try row.string(8))
    }

}
