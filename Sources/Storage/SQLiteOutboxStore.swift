import Foundation
import Messaging

/// The SMS outbox on SQLite (table `sms_outbox`, schema v7). Every call is one transaction.
public struct SQLiteOutboxStore: OutboxStore {
    public let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func enqueue(_ messages: [OutboxMessage]) throws -> [OutboxMessage] {
        guard !messages.isEmpty else { return [] }
        return try database.transaction { c in
            var queued: [OutboxMessage] = []
            for m in messages {
                try c.execute(
                    """
                    INSERT OR IGNORE INTO sms_outbox (id, idempotency_key, organisation_id, patient_id, appointment_id, purpose,
                        to_number, text, encoding, segments, send_at, expires_at, state, attempts, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
                    """,
                    [
                        .text(m.id), .text(m.idempotencyKey), .integer(m.organisationID), SQLiteValue(m.patientID),
                        SQLiteValue(m.appointmentID), .text(m.purpose.rawValue), .text(m.to), .text(m.text), .text(m.encoding.rawValue),
                        SQLiteValue(m.segments), .integer(Milliseconds.from(m.sendAt)), SQLiteValue(m.expiresAt.map(Milliseconds.from)),
                        .text(OutboxState.queued.rawValue), .integer(Milliseconds.from(m.createdAt)),
                        .integer(Milliseconds.from(m.updatedAt)),
                    ])
                if c.changes == 1 { queued.append(m) }
            }
            return queued
        }
    }

    public func existingKeys(_ keys: [String]) throws -> Set<String> {
        var found: Set<String> = []
        var start = 0
        while start < keys.count {
            let chunk = Array(keys[start..<min(start + 500, keys.count)])
            start += 500
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            for key in try database.query(
                "SELECT idempotency_key FROM sms_outbox WHERE idempotency_key IN (\(marks))", chunk.map { .text($0) }, { try $0.string(0) })
            {
                found.insert(key)
            }
        }
        return found
    }

    public func cancelQueued(appointmentID: Int64, keeping: Set<String>, at: Date) throws -> Int {
        try database.transaction { c in
            let keys = try c.query(
                "SELECT id, idempotency_key FROM sms_outbox WHERE appointment_id = ? AND state = 'queued'", [.integer(appointmentID)]
            ) { (try $0.string(0), try $0.string(1)) }
            var count = 0
            for (id, key) in keys where !keeping.contains(key) {
                try c.execute(
                    "UPDATE sms_outbox SET state = 'cancelled', last_error = ?, updated_at = ? WHERE id = ? AND state = 'queued'",
                    [.text("the visit changed"), .integer(Milliseconds.from(at)), .text(id)])
                count += c.changes
            }
            return count
        }
    }

    public func due(at: Date, limit: Int) throws -> [OutboxMessage] {
        try database.query(
            "SELECT \(Self.columns) FROM sms_outbox WHERE state = 'queued' AND send_at <= ? ORDER BY send_at, id LIMIT ?",
            [.integer(Milliseconds.from(at)), SQLiteValue(limit)], Self.row)
    }

    public func nextSendTime() throws -> Date? {
        try database.queryFirst("SELECT MIN(send_at) FROM sms_outbox WHERE state = 'queued'") { try $0.optionalInt64(0) }?
            .map(Milliseconds.date)
    }

    public func claim(id: String, at: Date) throws -> Bool {
        try database.transaction { c in
            try c.execute(
                """
                UPDATE sms_outbox SET state = 'sending', attempts = attempts + 1, attempt_started_at = ?, updated_at = ?
                WHERE id = ? AND state = 'queued'
                """, [.integer(Milliseconds.from(at)), .integer(Milliseconds.from(at)), .text(id)])
            return c.changes == 1
        }
    }

    public func markSent(id: String, gateway: String, gatewayMessageID: String?, at: Date) throws {
        try database.execute(
            """
            UPDATE sms_outbox SET state = 'sent', gateway = ?, gateway_message_id = ?, sent_at = ?, last_error = NULL, updated_at = ?
            WHERE id = ? AND state = 'sending'
            """, [.text(gateway), SQLiteValue(gatewayMessageID), .integer(Milliseconds.from(at)), .integer(Milliseconds.from(at)), .text(id)])
    }

    public func markRetry(id: String, error: String, next: Date, at: Date) throws {
        try database.execute(
            "UPDATE sms_outbox SET state = 'queued', last_error = ?, send_at = ?, updated_at = ? WHERE id = ? AND state = 'sending'",
            [.text(error), .integer(Milliseconds.from(next)), .integer(Milliseconds.from(at)), .text(id)])
    }

    public func finish(id: String, state: OutboxState, reason: String, at: Date) throws {
        try database.execute(
            "UPDATE sms_outbox SET state = ?, last_error = ?, updated_at = ? WHERE id = ? AND state IN ('queued', 'sending')",
            [.text(state.rawValue), .text(reason), .integer(Milliseconds.from(at)), .text(id)])
    }

    public func recordDelivery(id: String, state: DeliveryState, at: Date) throws -> Bool {
        // Order of progress; a report never moves a message back (type 8 may arrive after type 1).
        let rank: [String: Int] = ["queued": 0, "sending": 1, "sent": 2, "submitted": 3, "delivered": 4, "failed": 4]
        let target: OutboxState =
            switch state {
            case .accepted: .sent
            case .submitted: .submitted
            case .delivered: .delivered
            case .failed: .failed
            }
        return try database.transaction { c in
            guard let current = try c.queryFirst("SELECT state FROM sms_outbox WHERE id = ?", [.text(id)], { try $0.string(0) })
            else { return false }
            guard let from = rank[current], let to = rank[target.rawValue], to > from else { return true }
            try c.execute(
                """
                UPDATE sms_outbox SET state = ?, sent_at = COALESCE(sent_at, ?), updated_at = ?,
                    last_error = CASE WHEN ? = 'failed' THEN 'the delivery report says it was not delivered' ELSE last_error END
                WHERE id = ?
                """,
                [.text(target.rawValue), .integer(Milliseconds.from(at)), .integer(Milliseconds.from(at)), .text(target.rawValue), .text(id)])
            return true
        }
    }

    public func unsettled(startedBefore cutoff: Date) throws -> [OutboxMessage] {
        try database.query(
            "SELECT \(Self.columns) FROM sms_outbox WHERE state = 'sending' AND attempt_started_at < ? ORDER BY send_at",
            [.integer(Milliseconds.from(cutoff))], Self.row)
    }

    public func message(id: String) throws -> OutboxMessage? {
        try database.queryFirst("SELECT \(Self.columns) FROM sms_outbox WHERE id = ?", [.text(id)], Self.row)
    }

    public func messages(organisationID: Int64, appointmentID: Int64?, patientID: Int64?, limit: Int) throws -> [OutboxMessage] {
        var sql = "SELECT \(Self.columns) FROM sms_outbox WHERE organisation_id = ?"
        var values: [SQLiteValue] = [.integer(organisationID)]
        if let appointmentID {
            sql += " AND appointment_id = ?"
            values.append(.integer(appointmentID))
        }
        if let patientID {
            sql += " AND patient_id = ?"
            values.append(.integer(patientID))
        }
        return try database.query(sql + " ORDER BY send_at DESC, id LIMIT ?", values + [SQLiteValue(limit)], Self.row)
    }

    private static let columns =
        "id, idempotency_key, organisation_id, patient_id, appointment_id, purpose, to_number, text, encoding, segments, send_at, "
        + "expires_at, state, attempts, last_error, gateway, gateway_message_id, created_at, sent_at, updated_at"

    private static func row(_ r: SQLiteRow) throws -> OutboxMessage {
        var m = OutboxMessage(
            id: try r.string(0), idempotencyKey: try r.string(1), organisationID: try r.int64(2), patientID: try r.optionalInt64(3),
            appointmentID: try r.optionalInt64(4), purpose: OutboxPurpose(rawValue: try r.string(5)) ?? .reminder, to: try r.string(6),
            text: try r.string(7), sendAt: Milliseconds.date(try r.int64(10)), expiresAt: try r.optionalInt64(11).map(Milliseconds.date),
            createdAt: Milliseconds.date(try r.int64(17)))
        m.encoding = SMSEncoding(rawValue: try r.string(8)) ?? m.encoding
        m.segments = try r.int(9)
        m.state = OutboxState(rawValue: try r.string(12)) ?? .queued
        m.attempts = try r.int(13)
        m.lastError = try r.optionalString(14)
        m.gateway = try r.optionalString(15)
        m.gatewayMessageID = try r.optionalString(16)
        m.sentAt = try r.optionalInt64(18).map(Milliseconds.date)
        m.updatedAt = Milliseconds.date(try r.int64(19))
        return m
    }
}
