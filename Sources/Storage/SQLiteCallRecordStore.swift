import Calls
import Foundation

/// Call detail records on SQLite (table `call_records`).
public struct SQLiteCallRecordStore: CallRecordStore {
    public let database: SQLiteDatabase

    /// `database` must have been migrated (``SQLiteDatabase/open(path:options:migrations:)``).
    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func insert(_ records: [CallRecord]) throws {
        guard !records.isEmpty else { return }
        try database.transaction { connection in
            for record in records { try Self.insert(record, connection) }
        }
    }

    private static func insert(_ record: CallRecord, _ connection: SQLiteConnection) throws {
        try connection.execute(
            """
            INSERT INTO call_records (id, organisation_id, caller, caller_name, dialed, callee, inbound_trunk,
                started_at, answered_at, ended_at, outcome, failure_code, answered_by, ended_by,
                packets_from_caller, packets_from_callee, loss_percent, jitter_ms, round_trip_ms, mos)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(record.id), .integer(record.organisationID), .text(record.caller), .text(record.callerName),
                .text(record.dialed), .text(record.callee), SQLiteValue(record.inboundTrunk),
                .integer(Milliseconds.from(record.startedAt)), SQLiteValue(record.answeredAt.map(Milliseconds.from)),
                .integer(Milliseconds.from(record.endedAt)), .text(record.outcome.rawValue), SQLiteValue(record.failureCode),
                SQLiteValue(record.answeredBy), SQLiteValue(record.endedBy),
                SQLiteValue(record.quality?.packetsFromCaller), SQLiteValue(record.quality?.packetsFromCallee),
                SQLiteValue(record.quality?.lossPercent), SQLiteValue(record.quality?.jitterMilliseconds),
                SQLiteValue(record.quality?.roundTripMilliseconds), SQLiteValue(record.quality?.mos),
            ])
    }

    public func recent(limit: Int) throws -> [CallRecord] {
        try database.query(
            """
            SELECT id, organisation_id, caller, caller_name, dialed, callee, inbound_trunk, started_at, answered_at,
                ended_at, outcome, failure_code, answered_by, ended_by,
                packets_from_caller, packets_from_callee, loss_percent, jitter_ms, round_trip_ms, mos
            FROM call_records ORDER BY started_at DESC, id DESC LIMIT ?
            """, [.integer(Int64(limit))]
        ) { row in
            let outcomeText = try row.string(10)
            guard let outcome = CallOutcome(rawValue: outcomeText) else {
                throw SQLiteError.decoding("call_records.outcome \(outcomeText) is not known", sql: row.sql)
            }
            return CallRecord(
                id: try row.string(0), organisationID: try row.int64(1), caller: try row.string(2),
                callerName: try row.string(3), dialed: try row.string(4), callee: try row.string(5),
                inboundTrunk: try row.optionalString(6), startedAt: Milliseconds.date(try row.int64(7)),
                answeredAt: try row.optionalInt64(8).map(Milliseconds.date), endedAt: Milliseconds.date(try row.int64(9)),
                outcome: outcome, failureCode: try row.optionalInt(11), answeredBy: try row.optionalString(12),
                endedBy: try row.optionalString(13), quality: try Self.quality(row))
        }
    }

    private static func quality(_ row: SQLiteRow) throws -> MediaQuality? {
        guard let fromCaller = try row.optionalInt(14), let mos = try row.optionalDouble(19) else { return nil }
        return MediaQuality(
            packetsFromCaller: fromCaller, packetsFromCallee: try row.optionalInt(15) ?? 0, lossPercent: try row.optionalDouble(16) ?? 0,
            jitterMilliseconds: try row.optionalDouble(17) ?? 0, roundTripMilliseconds: try row.optionalDouble(18), mos: mos)
    }
}
