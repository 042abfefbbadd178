import ArgumentParser
import CarePhoneServer
import Calls
import Foundation
import Storage

struct CallsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calls", abstract: "List call detail records (newest first) stored in the data folder.")

    @OptionGroup var dataOption: DataOption
    @Option(name: .long, help: "How many records.") var limit = 50
    @Flag(name: .long, help: "Print JSON instead of a table.") var json = false

    func run() throws {
        let database = try dataOption.openExistingDatabase()
        defer { database.close() }
        let records = try SQLiteCallRecordStore(database: database).recent(limit: max(1, limit))
        let formatter = ISO8601DateFormatter()
        if json {
            let rows: [[String: Any]] = records.map { r in
                var row: [String: Any] = [
                    "id": r.id, "caller": r.caller, "caller_name": r.callerName, "dialed": r.dialed, "callee": r.callee,
                    "started_at": formatter.string(from: r.startedAt), "ended_at": formatter.string(from: r.endedAt),
                    "outcome": r.outcome.rawValue, "duration_seconds": (r.duration * 1000).rounded() / 1000,
                ]
                if let a = r.answeredAt { row["answered_at"] = formatter.string(from: a) }
                if let c = r.failureCode { row["failure_code"] = c }
                if let b = r.answeredBy { row["answered_by"] = b }
                if let e = r.endedBy { row["ended_by"] = e }
                if let t = r.inboundTrunk { row["inbound_trunk"] = t }
                if let q = r.quality {
                    var quality: [String: Any] = [
                        "packets_from_caller": q.packetsFromCaller, "packets_from_callee": q.packetsFromCallee,
                        "loss_percent": (q.lossPercent * 1000).rounded() / 1000, "jitter_ms": (q.jitterMilliseconds * 100).rounded() / 100, "mos": q.mos,
                    ]
                    if let rtt = q.roundTripMilliseconds { quality["round_trip_ms"] = (rtt * 100).rounded() / 100 }
                    row["quality"] = quality
                }
                return row
            }
            let data = try JSONSerialization.data(withJSONObject: ["calls": rows], options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        if records.isEmpty {
            print("No calls recorded.")
            return
        }
        print("STARTED\tCALLER\tDIALED\tCALLEE\tOUTCOME\tDURATION\tANSWERED_BY")
        for r in records {
            let outcome = r.failureCode.map { "\(r.outcome.rawValue) (\($0))" } ?? r.outcome.rawValue
            print("\(formatter.string(from: r.startedAt))\t\(r.caller)\t\(r.dialed)\t\(r.callee)\t\(outcome)\t\(String(format: "%.1fs", r.duration))\t\(r.answeredBy ?? "-")")
        }
        print("\(records.count) call(s).")
    }
}
