import Foundation
import Testing

extension InteropTests {
    /// SIPp as a crowd of phones: 1,000 imported users register with digest authentication
    /// (Scenarios/register_auth.xml), and wrong passwords get nothing but 401s.
    @Suite(.serialized) struct SIPpRegistrationTests {
        static let domain = "load.carephone.test"

        /// A user of the load test: extension and password.
        struct LoadUser {
            let ext: String
            let password: String
        }

        /// Users `first ..< first + count` with random passwords (16 characters).
        static func makeUsers(first: Int, count: Int) -> [LoadUser] {
            (first..<(first + count)).map {
                LoadUser(ext: String($0), password: "pw\($0)-\(SIPTestClient.token().prefix(10))")
            }
        }

        /// The import CSV (`extension,display_name,sip_password,email`).
        static func importCSV(_ users: [LoadUser]) -> String {
            (["extension,display_name,sip_password,email"]
                + users.map { "\($0.ext),Load User \($0.ext),\($0.password),u\($0.ext)@load.invalid" })
                .joined(separator: "\n") + "\n"
        }

        /// The SIPp injection file: user; domain; the whole authentication keyword.
        static func injectionCSV(_ users: [LoadUser], password: (LoadUser) -> String) -> String {
            (["SEQUENTIAL"]
                + users.map { "\($0.ext);\(domain);[authentication username=\($0.ext) password=\(password($0))]" })
                .joined(separator: "\n") + "\n"
        }

        /// What SIPp's `-trace_stat` file says in its last row.
        struct SIPpStats {
            let successful: Int
            let failed: Int
            let row: [String: String]
        }

        /// Runs SIPp with the register scenario against the server; returns its last statistics row.
        static func runSIPp(
            server: ServerProcess, injection: String, calls: Int, rate: Int, scratch: Scratch, name: String,
            timeout: TimeInterval
        ) throws -> (stats: SIPpStats, exitStatus: Int32, screen: String) {
            let sipp = try Binary.sipp()
            let folder = try scratch.folder("sipp-\(name)")
            let localPort = try FreePort.pick()
            let statFile = (folder as NSString).appendingPathComponent("stat.csv")
            let scenario = Binary.scenarios.appendingPathComponent("register_auth.xml").path
            let arguments = [
                "-sf", scenario, "-inf", injection, "-auth_uri", domain,
                "-i", "127.0.0.1", "-p", String(localPort), "-t", "u1",
                "-r", String(rate), "-m", String(calls), "-l", String(max(2 * rate, 100)),
                "-buff_size", "4194304", "-recv_timeout", "10000", "-max_retrans", "5", "-nostdin",
                "-timeout", "\(Int(timeout))s",
                "-trace_stat", "-stf", statFile, "-fd", "1",
                "-trace_err", "-error_file", (folder as NSString).appendingPathComponent("errors.log"),
                "127.0.0.1:\(server.sipPort)",
            ]
            let child = ChildProcess(
                sipp, arguments, stdout: (folder as NSString).appendingPathComponent("screen.log"),
                stderr: (folder as NSString).appendingPathComponent("stderr.log"), currentDirectory: folder)
            try child.start()
            defer { child.stop(timeout: 3) }
            if !child.waitForExit(timeout: timeout + 15) {
                throw HarnessError("sipp still running after \(Int(timeout + 15)) s: \(child.commandLine)")
            }
            guard let text = try? String(contentsOfFile: statFile, encoding: .utf8) else {
                throw HarnessError(
                    "sipp wrote no statistics file (exit \(child.exitStatus ?? -1)): \(child.stderr.suffix(2000)) \(child.stdout.suffix(2000))"
                )
            }
            let lines = text.split(whereSeparator: \.isNewline).filter { !$0.isEmpty }
            guard lines.count >= 2 else {
                throw HarnessError("sipp statistics file has no data row: \(text.prefix(500))")
            }
            let header = lines[0].split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            let last = lines[lines.count - 1].split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            var row: [String: String] = [:]
            for (i, name) in header.enumerated() where i < last.count { row[name] = last[i] }
            guard let ok = row["SuccessfulCall(C)"].flatMap({ Int($0) }),
                let failed = row["FailedCall(C)"].flatMap({ Int($0) })
            else {
                throw HarnessError("sipp statistics lack SuccessfulCall(C)/FailedCall(C): \(header.prefix(40))")
            }
            return (SIPpStats(successful: ok, failed: failed, row: row), child.exitStatus ?? -1, child.stdout)
        }

        @Test func thousandUsersRegisterWithDigest() throws {
            _ = try Binary.sipp()
            let scratch = try Scratch("sipp-1000")
            defer { scratch.remove() }
            let data = try scratch.folder("data")
            let users = Self.makeUsers(first: 20000, count: 1000)
            let csv = try scratch.write("users.csv", Self.importCSV(users))
            let imported = try ServerProcess.importUsers(csv: csv, data: data, domain: Self.domain, scratch: scratch)
            #expect(imported.contains("1000"), "users import said: \(imported)")

            let server = try ServerProcess(scratch: scratch, dataDirectory: data)
            try server.start()
            defer { server.stop() }
            let injection = try scratch.write("inject.csv", Self.injectionCSV(users) { $0.password })

            let started = Date()
            let run = try Self.runSIPp(
                server: server, injection: injection, calls: 1000, rate: 200, scratch: scratch, name: "ok", timeout: 60)
            let seconds = Date().timeIntervalSince(started)
            #expect(
                run.stats.successful == 1000,
                "SuccessfulCall(C) = \(run.stats.successful) (\(seconds) s); server log: \(server.stderr.suffix(1500))")
            #expect(
                run.stats.failed == 0,
                "FailedCall(C) = \(run.stats.failed): \(run.stats.row.filter { $0.key.hasPrefix("Failed") && $0.value != "0" })"
            )
            #expect(run.exitStatus == 0, "sipp exit status \(run.exitStatus)")
            #expect(server.isRunning, "the server died during the load: \(server.stderr.suffix(2000))")

            let registrations = try server.registrations()
            let expected = Set(users.map { "sip:\($0.ext)@\(Self.domain)" })
            #expect(registrations.count == 1000, "carephone registrations lists \(registrations.count) bindings")
            #expect(
                Set(registrations.map(\.aor)) == expected,
                "missing: \(expected.subtracting(registrations.map(\.aor)).sorted().prefix(10))")
            #expect(
                registrations.allSatisfy {
                    $0.transport == "udp" && $0.expires_in > 3500 && $0.user_agent == "SIPp InteropTests"
                })
        }

        @Test func wrongPasswordsGet401AndNoBinding() throws {
            _ = try Binary.sipp()
            let scratch = try Scratch("sipp-wrong")
            defer { scratch.remove() }
            let data = try scratch.folder("data")
            let users = Self.makeUsers(first: 20000, count: 10)
            let csv = try scratch.write("users.csv", Self.importCSV(users))
            _ = try ServerProcess.importUsers(csv: csv, data: data, domain: Self.domain, scratch: scratch)
            let server = try ServerProcess(scratch: scratch, dataDirectory: data)
            try server.start()
            defer { server.stop() }

            // Five wrong passwords: below the throttle's default slow-down (10 failures).
            let wrong = Array(users.prefix(5))
            let injection = try scratch.write("inject.csv", Self.injectionCSV(wrong) { "wrong-\($0.password)" })
            let run = try Self.runSIPp(
                server: server, injection: injection, calls: 5, rate: 10, scratch: scratch, name: "wrong", timeout: 20)
            #expect(
                run.stats.failed == 5,
                "FailedCall(C) = \(run.stats.failed), SuccessfulCall(C) = \(run.stats.successful)")
            #expect(run.stats.successful == 0)
            #expect(
                run.stats.row["FailedUnexpectedMessage(C)"] == "5",
                "failures should be the unexpected 401s: \(run.stats.row.filter { $0.key.hasPrefix("Failed") })")
            #expect(try server.registrations().isEmpty, "wrong passwords created bindings")
            #expect(try server.httpRegistrations().isEmpty)
        }
    }
}
