import Calls
import Foundation
import Testing

@testable import Storage

@Suite("SQLiteCallRecordStore")
struct SQLiteCallRecordStoreTests {
    let folder = TemporaryFolder()

    static func record(_ id: String, startedAt: Double, outcome: CallOutcome = .answered) -> CallRecord {
        CallRecord(
            id: id, organisationID: 1, caller: "1001", callerName: "Reception", dialed: "1002", callee: "1002",
            startedAt: Date(timeIntervalSince1970: startedAt),
            answeredAt: outcome == .answered ? Date(timeIntervalSince1970: startedAt + 2.5) : nil,
            endedAt: Date(timeIntervalSince1970: startedAt + 62.5), outcome: outcome,
            failureCode: outcome == .answered ? nil : 486, answeredBy: outcome == .answered ? "sip:1002@x (Yealink)" : nil,
            endedBy: outcome == .answered ? "caller" : nil)
    }

    @Test func recordsRoundTripNewestFirst() throws {
        let store = SQLiteCallRecordStore(database: try folder.open())
        var inbound = Self.record("c3", startedAt: 1_800_000_300, outcome: .busy)
        inbound.inboundTrunk = "carrier"
        let batch = [Self.record("c1", startedAt: 1_800_000_000), Self.record("c2", startedAt: 1_800_000_100, outcome: .noAnswer), inbound]
        try store.insert(batch)
        let listed = try store.recent(limit: 10)
        #expect(listed == batch.reversed())
        #expect(listed.last?.duration == 60)
        #expect(try store.recent(limit: 1).map(\.id) == ["c3"])
    }

    @Test func aBatchIsAllOrNothing() throws {
        let store = SQLiteCallRecordStore(database: try folder.open())
        try store.insert([Self.record("c1", startedAt: 1_800_000_000)])
        // The second record repeats an id: the whole batch is refused, the first of it too.
        #expect(throws: (any Error).self) {
            try store.insert([Self.record("c2", startedAt: 1_800_000_100), Self.record("c1", startedAt: 1_800_000_200)])
        }
        #expect(try store.recent(limit: 10).map(\.id) == ["c1"])
    }

    @Test func survivesReopening() throws {
        let database = try folder.open()
        try SQLiteCallRecordStore(database: database).insert([Self.record("c1", startedAt: 1_800_000_000)])
        database.close()
        #expect(try SQLiteCallRecordStore(database: try folder.open()).recent(limit: 5).map(\.id) == ["c1"])
    }
}
