import Foundation
import Messaging

/// Texts patients sent, and what was made of them (table `sms_inbox`, schema v7).
public struct SQLiteInboxStore: InboxStore {
    public let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func insert(_ message: InboundSMS) throws -> InboundSMS {
        try database.transaction { c in
            try c.execute(
                """
                INSERT INTO sms_inbox (organisation_id, patient_id, from_number, to_number, text, received_at, reply, appointment_id,
                    outcome, needs_staff) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    SQLiteValue(message.organisationID), SQLiteValue(message.patientID), .text(message.from), .text(message.to),
                    .text(message.text), .integer(Milliseconds.from(message.receivedAt)), .text(message.reply.rawValue),
                    SQLiteValue(message.appointmentID), .text(message.outcome), SQLiteValue(message.needsStaff),
                ])
            var stored = message
            stored.id = c.lastInsertRowID
            return stored
        }
    }

    public func inbox(organisationID: Int64, onlyNeedingStaff: Bool, limit: Int) throws -> [InboundSMS] {
        try database.query(
            """
            SELECT id, organisation_id, patient_id, from_number, to_number, text, received_at, reply, appointment_id, outcome,
                needs_staff, handled_at, handled_by
            FROM sms_inbox WHERE organisation_id = ?\(onlyNeedingStaff ? " AND needs_staff = 1 AND handled_at IS NULL" : "") ORDER BY received_at DESC, id DESC LIMIT ?
            """, [.integer(organisationID), SQLiteValue(limit)]
        ) { r in
            var m = InboundSMS(
                id: try r.int64(0), organisationID: try r.optionalInt64(1), patientID: try r.optionalInt64(2), from: try r.string(3),
                to: try r.string(4), text: try r.string(5), receivedAt: Milliseconds.date(try r.int64(6)),
                reply: Reply(rawValue: try r.string(7)) ?? .other, appointmentID: try r.optionalInt64(8), outcome: try r.string(9),
                needsStaff: try r.int64(10) != 0)
            m.handledAt = try r.optionalInt64(11).map(Milliseconds.date)
            m.handledBy = try r.optionalInt64(12)
            return m
        }
    }

    public func markHandled(id: Int64, organisationID: Int64, by userID: Int64, at: Date) throws -> Bool {
        try database.transaction { c in
            try c.execute(
                "UPDATE sms_inbox SET handled_at = ?, handled_by = ? WHERE id = ? AND organisation_id = ?",
                [.integer(Milliseconds.from(at)), .integer(userID), .integer(id), .integer(organisationID)])
            return c.changes == 1
        }
    }
}
