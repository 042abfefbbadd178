import Foundation
import SIPCore
import Testing

extension InteropTests {
    /// Editing the dialplan folder while the server runs: a broken edit leaves the old plan
    /// routing calls and is shown by `carephone dialplan status` with file:line:column; a good
    /// edit takes effect within 2 s, with no restart.
    @Suite(.serialized) struct DialplanReloadTests {
        static let original = """
            context internal {
              match 1XXX { ring ${exten} for 20s }
              match 7777 { hangup busy }
            }

            """

        @Test func brokenEditKeepsOldPlanAndGoodEditTakesEffect() throws {
            let bed = try PlanBed("dialplan-reload", plan: Self.original)
            defer { bed.close() }
            let (scratch, data, file, server, caller) = (bed.scratch, bed.data, bed.file, bed.server, bed.caller)
            let pid = server.pid
            #expect(try caller.invite("7777").final.statusCode == 486)

            // Broken: a goto to a context that does not exist, on line 3 column 21 (the name).
            let broken = """
                context internal {
                  match 1XXX { ring ${exten} for 20s }
                  match 7777 { goto nowhere }
                }

                """
            try Data(broken.utf8).write(to: URL(fileURLWithPath: file))
            let status = try waitForStatus(data: data, scratch: scratch, exit: 1, containing: "clinic.dialplan:3:")
            #expect(status.stdout.contains("\(file):3:21: unknown context `nowhere`"), "dialplan status: \(status.stdout)")
            #expect(status.stdout.contains("nowhere"), "dialplan status: \(status.stdout)")
            #expect(status.stdout.contains("state: error"), "dialplan status: \(status.stdout)")
            // Calls are still routed by the old plan.
            #expect(try caller.invite("7777").final.statusCode == 486)
            #expect(server.stderr.contains("dialplan rejected"), "no log line for the rejected plan")

            // A good edit is in use within 2 s.
            let fixed = """
                context internal {
                  match 1XXX { ring ${exten} for 20s }
                  match 7777 { hangup declined }
                }

                """
            let written = Date()
            try Data(fixed.utf8).write(to: URL(fileURLWithPath: file))
            var code = 0
            while Date().timeIntervalSince(written) < 2.0 {
                code = try caller.invite("7777").final.statusCode
                if code == 603 { break }
                usleep(100_000)
            }
            #expect(code == 603, "the fixed plan was not in use 2 s after the edit (last answer \(code))")
            let ok = try waitForStatus(data: data, scratch: scratch, exit: 0, containing: "state: ok")
            #expect(ok.stdout.contains(file), "\(ok.stdout)")
            #expect(server.pid == pid && server.isRunning, "the server restarted")
        }

        /// A half-saved (empty) file or an emptied folder compiles to a plan that routes nothing:
        /// the server refuses it like a broken one and keeps the plan in use.
        @Test func emptiedFilesNeverBreakRouting() throws {
            let bed = try PlanBed("dialplan-empty", plan: Self.original)
            defer { bed.close() }
            let (scratch, data, file, caller) = (bed.scratch, bed.data, bed.file, bed.caller)
            #expect(try caller.invite("7777").final.statusCode == 486)

            try Data().write(to: URL(fileURLWithPath: file))
            let empty = try waitForStatus(data: data, scratch: scratch, exit: 1, containing: "no context `internal`")
            #expect(empty.stdout.contains("state: error"), "\(empty.stdout)")
            #expect(try caller.invite("7777").final.statusCode == 486, "an empty file broke routing")

            try FileManager.default.removeItem(atPath: file)
            _ = try waitForStatus(data: data, scratch: scratch, exit: 1, containing: "no *.dialplan files")
            #expect(try caller.invite("7777").final.statusCode == 486, "an emptied folder broke routing")
        }

        /// Time conditions run in the server on the real clock, in the plan's time zone: a holiday
        /// of today (in Rome and in New York, whatever the UTC date) closes hours that are open
        /// all day.
        @Test(arguments: ["Europe/Rome", "America/New_York"]) func hoursAndHolidaysInTheRunningServer(zone: String) throws {
            let scratch = try Scratch("dialplan-hours")
            defer { scratch.remove() }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = try #require(TimeZone(identifier: zone))
            let today = calendar.dateComponents([.year, .month, .day], from: Date())
            let date = String(format: "%04d-%02d-%02d", today.year!, today.month!, today.day!)
            let folder = try scratch.folder("dialplans")
            let plan = """
                timezone \(zone)
                hours open { daily 00:00-24:00 }
                hours holiday { daily 00:00-24:00; closed \(date) }
                context internal {
                  match 7001 { when open { hangup busy } otherwise { hangup declined } }
                  match 7002 { when holiday { hangup busy } otherwise { hangup declined } }
                }

                """
            try Data(plan.utf8).write(to: URL(fileURLWithPath: folder + "/hours.dialplan"))
            let server = try ServerProcess(scratch: scratch, dataDirectory: try scratch.folder("data"), arguments: ["--demo", "--dialplans", folder])
            try server.start()
            defer { server.stop() }
            let caller = try TestPhone(user: "1001", password: try #require(server.demoPasswords["1001"]), server: try server.sipAddress)
            defer { caller.close() }
            #expect(try caller.invite("7001").final.statusCode == 486, "open all day")
            #expect(try caller.invite("7002").final.statusCode == 603, "closed today (\(date) in \(zone))")
        }

        @Test func checkCommandReportsEveryError() throws {
            let scratch = try Scratch("dialplan-check")
            defer { scratch.remove() }
            let file = try scratch.write(
                "bad.dialplan",
                """
                hours office { mon-fri 18:00-08:30 }
                context internal {
                  match 1XXX { ring 1002 for 20s }
                  match 1001 { ring 1001 }
                  match 0 { goto reception }
                }

                """)
            let result = try ChildProcess.run(try Binary.carephone(), ["dialplan", "check", file], in: scratch)
            #expect(result.status == 1, "exit status \(result.status): \(result.stdout)")
            #expect(result.stdout.contains("\(file):1:"), "\(result.stdout)")
            #expect(result.stdout.contains("\(file):4:"), "no unreachable-pattern error: \(result.stdout)")
            #expect(result.stdout.contains("\(file):5:"), "no unknown-context error: \(result.stdout)")
            // With a data folder, a `ring` of an extension nobody has is an error.
            let data = try scratch.folder("data")
            let server = try ServerProcess(scratch: scratch, dataDirectory: data, arguments: ["--demo", "--dialplans", Repository.dialplans])
            try server.start()
            #expect(server.stop())
            let ringing = try scratch.write("ring.dialplan", "context internal {\n  match 1 { ring 1002 }\n  match 2 { ring 1999 }\n}\n")
            let checked = try ChildProcess.run(try Binary.carephone(), ["dialplan", "check", "--data", data, ringing], in: scratch)
            #expect(checked.status == 1, "\(checked.stdout)")
            #expect(checked.stdout.contains("\(ringing):3:") && checked.stdout.contains("1999"), "\(checked.stdout)")
            #expect(!checked.stdout.contains("\(ringing):2:"), "1002 exists: \(checked.stdout)")
            let good = try ChildProcess.run(try Binary.carephone(), ["dialplan", "check", "--data", scratch.path("none"), Repository.dialplans + "/default.dialplan"], in: scratch)
            #expect(good.status == 0, "the shipped default plan: \(good.stdout) \(good.stderr)")
        }

        /// A server running the plan in `clinic.dialplan` of its own folder, and 1001 as a caller.
        final class PlanBed: @unchecked Sendable {
            let scratch: Scratch
            let data: String
            let file: String
            let server: ServerProcess
            let caller: TestPhone

            init(_ name: String, plan: String) throws {
                scratch = try Scratch(name)
                let folder = try scratch.folder("dialplans")
                file = folder + "/clinic.dialplan"
                try Data(plan.utf8).write(to: URL(fileURLWithPath: file))
                data = try scratch.folder("data")
                server = try ServerProcess(scratch: scratch, dataDirectory: data, arguments: ["--demo", "--dialplans", folder])
                try server.start()
                caller = try TestPhone(user: "1001", password: server.demoPasswords["1001"] ?? "", server: try server.sipAddress)
            }

            func close() {
                caller.close()
                server.stop()
                scratch.remove()
            }
        }

        private func waitForStatus(data: String, scratch: Scratch, exit: Int32, containing text: String) throws -> (status: Int32, stdout: String) {
            let deadline = Date().addingTimeInterval(5)
            var last: (status: Int32, stdout: String, stderr: String) = (0, "", "")
            repeat {
                last = try ChildProcess.run(try Binary.carephone(), ["dialplan", "status", "--data", data], in: scratch)
                if last.status == exit && last.stdout.contains(text) { return (last.status, last.stdout) }
                usleep(200_000)
            } while Date() < deadline
            throw HarnessError("dialplan status did not show \(text) with exit \(exit) within 5 s: \(last.status) \(last.stdout) \(last.stderr)")
        }
    }
}
