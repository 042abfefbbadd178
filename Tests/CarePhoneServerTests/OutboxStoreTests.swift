import Foundation
import Messaging
import Testing

/// The SQLite outbox: idempotent queuing, the sending hand-over, retries, forward-only delivery
/// reports, unsettled texts, and durability across reopening the file.
@Suite struct OutboxStoreTests {
    func message(_ key: String, at: Date, text: String = "Hello") -> OutboxMessage {
        OutboxMessage(idempotencyKey: key, organisationID: 1, patientID: 1, appointmentID: 7, purpose: .reminder, to: "+393471234567",
                      text: text, sendAt: at, expiresAt: nil, createdAt: at)
    }

    @Test func queuingTheSameKeyTwiceKeepsOne() throws {
        let f = try CalendarFixture()
        let now = f.clock.read()
        #expect(try f.outbox.enqueue([message("a", at: now), message("b", at: now)]).count == 2)
        #expect(try f.outbox.enqueue([message("a", at: now), message("c", at: now)]).map(\.idempotencyKey) == ["c"])
        #expect(try f.outbox.due(at: now, limit: 10).count == 3)
    }

    @Test func theHandOverAndDeliveryReportsMoveForwardOnly() throws {
        let f = try CalendarFixture()
        let now = f.clock.read()
        let m = try #require(try f.outbox.enqueue([message("a", at: now, text: "您好")]).first)
        #expect(m.encoding == .ucs2 && m.segments == 1)
        #expect(try f.outbox.claim(id: m.id, at: now))
        #expect(try f.outbox.claim(id: m.id, at: now) == false)
        #expect(try f.outbox.due(at: now, limit: 10).isEmpty)
        #expect(try f.outbox.unsettled(startedBefore: now.addingTimeInterval(1)).map(\.id) == [m.id])
        // A report for a text still `sending` (the server died before recording) settles it.
        #expect(try f.outbox.recordDelivery(id: m.id, state: .delivered, at: now))
        #expect(try f.outbox.message(id: m.id)?.state == .delivered)
        _ = try f.outbox.recordDelivery(id: m.id, state: .submitted, at: now)
        #expect(try f.outbox.message(id: m.id)?.state == .delivered)
        #expect(try f.outbox.recordDelivery(id: "nope", state: .delivered, at: now) == false)
    }

    @Test func retriesWaitAndTheStateSurvivesReopening() throws {
        let f = try CalendarFixture()
        let now = f.clock.read()
        let m = try #require(try f.outbox.enqueue([message("a", at: now)]).first)
        #expect(try f.outbox.claim(id: m.id, at: now))
        try f.outbox.markRetry(id: m.id, error: "503", next: now.addingTimeInterval(30), at: now)
        #expect(try f.outbox.due(at: now, limit: 10).isEmpty)
        #expect(try f.outbox.due(at: now.addingTimeInterval(30), limit: 10).map(\.attempts) == [1])
        #expect(try f.outbox.nextSendTime() == now.addingTimeInterval(30))
        let reopened = try SQLiteDatabaseReopen.outbox(at: f.database.path)
        #expect(try reopened.message(id: m.id)?.lastError == "503")
    }
}

import Storage

/// A second connection to the same file, as after a restart.
enum SQLiteDatabaseReopen {
    static func outbox(at path: String) throws -> SQLiteOutboxStore {
        SQLiteOutboxStore(database: try SQLiteDatabase.open(path: path))
    }
}
