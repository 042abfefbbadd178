import Foundation
import SIPCore
import Testing

/// One SIPp process running a call scenario once (`-m 1`), as a caller (UAC) or a device or
/// provider (UAS), stopped by PID at the end.
final class SIPpCall: @unchecked Sendable {
    let child: ChildProcess
    let folder: String
    let port: UInt16

    /// - Parameters:
    ///   - scenario: a file in `Scenarios/`.
    ///   - server: where a UAC sends its requests (nil for a UAS, which answers whoever calls).
    ///   - extra: more SIPp arguments (`-s`, `-inf`, `-auth_uri`, `-au`/`-ap`, ...).
    init(_ scenario: String, scratch: Scratch, name: String, port: UInt16? = nil, server: ServerProcess? = nil, bind: String = "127.0.0.1", extra: [String] = []) throws {
        let sipp = try Binary.sipp()
        folder = try scratch.folder("sipp-\(name)")
        self.port = try port ?? FreePort.pick()
        var arguments = [
            "-sf", Binary.scenarios.appendingPathComponent(scenario).path, "-i", bind, "-p", String(self.port), "-t", "u1",
            "-m", "1", "-nostdin", "-timeout", "40s", "-recv_timeout", "20000",
            "-trace_err", "-error_file", folder + "/errors.log", "-trace_msg", "-message_file", folder + "/messages.log",
        ] + extra
        if let server { arguments.append("127.0.0.1:\(server.sipPort)") }
        child = ChildProcess(sipp, arguments, stdout: folder + "/screen.log", stderr: folder + "/stderr.log", currentDirectory: folder)
    }

    func start() throws {
        try child.start()
        // Give a UAS a moment to open its socket before anything is sent to it.
        usleep(300_000)
    }

    /// Waits (bounded) for SIPp to finish; true when it exited 0 (every call successful).
    func succeeded(timeout: TimeInterval = 45) -> Bool {
        guard child.waitForExit(timeout: timeout) else {
            child.stop(timeout: 2)
            return false
        }
        return child.exitStatus == 0
    }

    func stop() { child.stop(timeout: 2) }

    /// What SIPp exchanged and complained about, for failure messages.
    var diagnostics: String {
        let errors = (try? String(contentsOfFile: folder + "/errors.log", encoding: .utf8)) ?? ""
        let messages = (try? String(contentsOfFile: folder + "/messages.log", encoding: .utf8)) ?? ""
        return "exit \(child.exitStatus.map(String.init) ?? "running"); errors: \(errors.suffix(1500)); messages: \(messages.suffix(3000))"
    }
}

extension InteropTests {
    /// SIPp phones and providers calling through the running server (issue acceptance list):
    /// answered, busy, cancelled while ringing, unknown number, unregistered user, one user with
    /// two devices, and a trunk out (with digest auth) and in (to a DID).
    @Suite(.serialized) struct SIPpCallTests {
        /// A running server with the demo users, and helpers to make SIPp phones.
        final class Setup: @unchecked Sendable {
            let scratch: Scratch
            let data: String
            let server: ServerProcess
            let domain: String
            let passwords: [String: String]

            init(_ name: String, dialplan: String? = nil, config: String? = nil) throws {
                scratch = try Scratch(name)
                data = try scratch.folder("data")
                var arguments = ["--demo"]
                if let dialplan {
                    let folder = try scratch.folder("dialplans")
                    try Data(dialplan.utf8).write(to: URL(fileURLWithPath: folder + "/test.dialplan"))
                    arguments += ["--dialplans", folder]
                } else {
                    arguments += ["--dialplans", Repository.dialplans]
                }
                if let config { arguments += ["--config", try scratch.write("config.json", config)] }
                server = try ServerProcess(scratch: scratch, dataDirectory: data, arguments: arguments)
                try server.start()
                domain = server.demoDomain ?? "carephone.local"
                passwords = server.demoPasswords
            }

            func close() {
                server.stop()
                scratch.remove()
            }

            /// A SIPp caller placing one call as `user` to `number`.
            func caller(_ scenario: String, user: String = "1001", number: String) throws -> SIPpCall {
                let injection = try scratch.write(
                    "users-\(user)-\(number).csv",
                    "SEQUENTIAL\n\(user);\(domain);[authentication username=\(user) password=\(passwords[user] ?? "")]\n")
                return try SIPpCall(scenario, scratch: scratch, name: "uac-\(scenario)-\(number)", server: server, extra: ["-inf", injection, "-auth_uri", domain, "-s", number])
            }

            /// A SIPp device for `user`: registered with its own address (the REGISTER leaves
            /// from the port SIPp then listens on, as a phone's would), then answering as `scenario`.
            func device(_ scenario: String, user: String = "1002", name: String) throws -> SIPpCall {
                let port = try FreePort.pick()
                let registering = try SIPTestClient(transport: .udp, server: try server.sipAddress, bindPort: port)
                let outcome = try registering.register(user: user, password: passwords[user] ?? "", domain: domain, contact: "<sip:\(user)@127.0.0.1:\(port)>")
                registering.close()
                guard outcome.final.statusCode == 200 else { throw HarnessError("REGISTER \(user) for \(name): \(outcome.final.text)") }
                let device = try SIPpCall(scenario, scratch: scratch, name: "uas-\(name)", port: port, extra: ["-s", user])
                try device.start()
                return device
            }

            func calls(until condition: ([CallRow]) -> Bool) throws -> [CallRow] {
                try CallRow.wait(data: data, scratch: scratch, until: condition)
            }
        }

        @Test func answeredCall() throws {
            let setup = try Setup("sipp-answered")
            defer { setup.close() }
            let device = try setup.device("uas_answer.xml", name: "1002")
            defer { device.stop() }
            let caller = try setup.caller("call_answered_uac.xml", number: "1002")
            try caller.start()
            defer { caller.stop() }
            #expect(caller.succeeded(), "caller: \(caller.diagnostics)")
            #expect(device.succeeded(), "device: \(device.diagnostics)")
            let row = try #require(try setup.calls { !$0.isEmpty }.first)
            #expect(row.outcome == "answered" && row.ended_by == "caller", "\(row)")
            #expect(row.duration_seconds >= 1.5 && row.duration_seconds < 6, "duration \(row.duration_seconds)")

            // The same record over HTTP, and a bad parameter named in a 400.
            let server = setup.server
            let (status, body) = try HTTPGet.fetch(host: "127.0.0.1", port: server.httpPort, path: "/api/calls?limit=5")
            #expect(status == 200 && body.contains("\"id\":\"\(row.id)\"") && body.contains("\"outcome\":\"answered\""), "GET /api/calls: \(status) \(body)")
            let bad = try HTTPGet.fetch(host: "127.0.0.1", port: server.httpPort, path: "/api/calls?limit=lots")
            #expect(bad.status == 400 && bad.body.contains("\"field\":\"limit\""), "GET /api/calls?limit=lots: \(bad)")
            let plan = try HTTPGet.fetch(host: "127.0.0.1", port: server.httpPort, path: "/api/dialplan/status")
            #expect(plan.status == 200 && plan.body.contains("\"state\" : \"ok\""), "GET /api/dialplan/status: \(plan)")
        }

        /// Ringing without a voicemail step, so failures reach the caller as they are.
        static let ringOnly = "context internal { match 1XXX { ring ${exten} for 30s } }"

        @Test func busyCallee() throws {
            // A plan without voicemail: the caller hears the callee's busy (voicemail on busy is
            // in VoicemailDepositTests).
            let setup = try Setup("sipp-busy", dialplan: Self.ringOnly)
            defer { setup.close() }
            let device = try setup.device("uas_busy.xml", name: "1002")
            defer { device.stop() }
            let caller = try setup.caller("call_busy_uac.xml", number: "1002")
            try caller.start()
            defer { caller.stop() }
            #expect(caller.succeeded(), "caller: \(caller.diagnostics)")
            #expect(device.succeeded(), "device: \(device.diagnostics)")
            let row = try #require(try setup.calls { !$0.isEmpty }.first)
            #expect(row.outcome == "busy" && row.failure_code == 486, "\(row)")
        }

        @Test func callerCancelsWhileRinging() throws {
            let setup = try Setup("sipp-cancel")
            defer { setup.close() }
            let device = try setup.device("uas_ring_cancelled.xml", name: "1002")
            defer { device.stop() }
            let caller = try setup.caller("call_cancel_uac.xml", number: "1002")
            try caller.start()
            defer { caller.stop() }
            #expect(caller.succeeded(), "caller: \(caller.diagnostics)")
            #expect(device.succeeded(), "device (must get CANCEL): \(device.diagnostics)")
            let row = try #require(try setup.calls { !$0.isEmpty }.first)
            #expect(row.outcome == "cancelled" && row.failure_code == 487, "\(row)")
        }

        @Test func unknownNumberAndUnregisteredUser() throws {
            let setup = try Setup("sipp-404-480", dialplan: Self.ringOnly)
            defer { setup.close() }
            let unknown = try setup.caller("call_notfound_uac.xml", number: "4444")
            try unknown.start()
            defer { unknown.stop() }
            #expect(unknown.succeeded(), "404: \(unknown.diagnostics)")
            let unregistered = try setup.caller("call_unavailable_uac.xml", number: "1003")
            try unregistered.start()
            defer { unregistered.stop() }
            #expect(unregistered.succeeded(), "480: \(unregistered.diagnostics)")
            let rows = try setup.calls { $0.count >= 2 }
            #expect(rows.contains { $0.dialed == "4444" && $0.outcome == "failed" && $0.failure_code == 404 }, "\(rows)")
            #expect(rows.contains { $0.dialed == "1003" && $0.outcome == "failed" && $0.failure_code == 480 }, "\(rows)")
        }

        @Test func secondDeviceAnswersAndFirstGetsCancel() throws {
            let setup = try Setup("sipp-fork")
            defer { setup.close() }
            let ringing = try setup.device("uas_ring_forever.xml", name: "1002-desk")
            defer { ringing.stop() }
            let answering = try setup.device("uas_answer.xml", name: "1002-mobile")
            defer { answering.stop() }
            let caller = try setup.caller("call_answered_uac.xml", number: "1002")
            try caller.start()
            defer { caller.stop() }
            #expect(caller.succeeded(), "caller: \(caller.diagnostics)")
            #expect(answering.succeeded(), "answering device: \(answering.diagnostics)")
            #expect(ringing.succeeded(), "the other device must get CANCEL: \(ringing.diagnostics)")
            let row = try #require(try setup.calls { !$0.isEmpty }.first)
            #expect(row.outcome == "answered", "\(row)")
            #expect(row.answered_by?.contains("127.0.0.1:\(answering.port)") == true, "answered_by \(row.answered_by ?? "nil")")
        }

        static let trunkPlan = """
            context internal {
              match 9X. { trunk carrier strip 1 for 30s }
              match ZXXX { ring ${exten} for 20s }
            }
            context from-trunk {
              match +390612345600 { ring 1002 for 20s }
            }

            """

        @Test func callOutThroughTrunkWithDigestAuth() throws {
            let providerPort = try FreePort.pick()
            let config = """
                {"trunks": [{"name": "carrier", "host": "127.0.0.1", "port": \(providerPort), "transport": "udp",
                  "username": "clinic", "password": "trunk-secret", "caller_id": "+390612345600"}]}
                """
            let setup = try Setup("sipp-trunk-out", dialplan: Self.trunkPlan, config: config)
            defer { setup.close() }
            let providerLog = setup.scratch.path("provider-credentials.log")
            let provider = try SIPpCall(
                "trunk_provider_uas.xml", scratch: setup.scratch, name: "provider", port: providerPort,
                extra: ["-key", "trunk_user", "clinic", "-key", "trunk_pass", "trunk-secret", "-trace_logs", "-log_file", providerLog])
            try provider.start()
            defer { provider.stop() }
            let caller = try setup.caller("call_answered_uac.xml", number: "90612345678")
            try caller.start()
            defer { caller.stop() }
            #expect(caller.succeeded(), "caller: \(caller.diagnostics)")
            #expect(provider.succeeded(), "provider (checks the digest): \(provider.diagnostics)")
            let messages = (try? String(contentsOfFile: provider.folder + "/messages.log", encoding: .utf8)) ?? ""
            #expect(messages.contains("INVITE sip:0612345678@127.0.0.1:\(providerPort)"), "the number was not rewritten (strip 1): \(messages.prefix(1500))")
            #expect(messages.contains("<sip:+390612345600@"), "the organisation's number was not presented: \(messages.prefix(1500))")
            // SIPp checks the shape of Proxy-Authorization; the password is checked here.
            let logged = (try? String(contentsOfFile: providerLog, encoding: .utf8)) ?? ""
            let header = try #require(
                logged.split(separator: "\n").first { $0.hasPrefix("credentials:") }.map { $0.dropFirst("credentials:".count).trimmingCharacters(in: .whitespaces) },
                "the provider logged no credentials: \(logged.prefix(500))")
            let credentials = try DigestCredentials(parsing: header.replacingOccurrences(of: "Proxy-Authorization:", with: "").trimmingCharacters(in: .whitespaces))
            let ha1 = DigestAlgorithm.md5.ha1(username: "clinic", realm: "provider.test", password: "trunk-secret")
            #expect(credentials.hasValidResponse(ha1: ha1, method: "INVITE"), "wrong digest answer to the provider: \(header)")
            let row = try #require(try setup.calls { !$0.isEmpty }.first)
            #expect(row.outcome == "answered" && row.callee == "trunk carrier 0612345678", "\(row)")
        }

        @Test func trunkRegistersAndCallsInFromItsAddressAreAccepted() throws {
            let providerPort = try FreePort.pick()
            let config = """
                {"trunks": [{"name": "carrier", "host": "127.0.0.1", "port": \(providerPort), "transport": "udp",
                  "username": "clinic", "password": "trunk-secret", "register": true, "register_expires": 600}]}
                """
            // The provider's registrar must listen before the server starts registering.
            let scratch = try Scratch("sipp-trunk-register-provider")
            defer { scratch.remove() }
            let registrar = try SIPpCall(
                "trunk_registrar_uas.xml", scratch: scratch, name: "registrar", port: providerPort,
                extra: ["-key", "trunk_user", "clinic", "-key", "trunk_pass", "trunk-secret"])
            try registrar.start()
            defer { registrar.stop() }
            let setup = try Setup("sipp-trunk-register", dialplan: Self.trunkPlan, config: config)
            defer { setup.close() }
            #expect(registrar.succeeded(timeout: 15), "the provider did not accept our REGISTER (verifyauth checks the password): \(registrar.diagnostics)")
            #expect(setup.server.waitForStderr(containing: "registered to trunk", timeout: 5), "no log line for the trunk registration")

            // A call in from the provider's registered address (same host and port), no inbound_sources.
            let device = try setup.device("uas_answer.xml", name: "1002")
            defer { device.stop() }
            let provider = try SIPpCall("trunk_inbound_uac.xml", scratch: setup.scratch, name: "provider-in", port: providerPort, server: setup.server, extra: ["-s", "+390612345600"])
            try provider.start()
            defer { provider.stop() }
            #expect(provider.succeeded(), "provider: \(provider.diagnostics)")
            #expect(device.succeeded(), "device: \(device.diagnostics)")
            let row = try #require(try setup.calls { !$0.isEmpty }.first)
            #expect(row.outcome == "answered" && row.inbound_trunk == "carrier", "\(row)")
        }

        /// The dialplan's calendar conditions through the running server: a patient calling from
        /// the number on file (0211234567, on file as +390211234567) 10 minutes before their visit
        /// reaches the provider directly; while the provider is in blocked time, `in-appointment`
        /// turns the call away busy.
        @Test func calendarConditionsRouteCallsFromTheTrunk() throws {
            let plan = """
                context internal {
                  match ZXXX { ring ${exten} for 20s }
                }
                context from-trunk {
                  match +390612345600 {
                    when visit-within 15 { ring ${visit_provider} for 20s }
                    ring 1003 for 20s
                  }
                  match +390612345601 {
                    when in-appointment 1002 { hangup busy }
                    ring 1002 for 20s
                  }
                }

                """
            let config = """
                {"trunks": [{"name": "carrier", "host": "127.0.0.2", "inbound_sources": ["127.0.0.2"], "inbound_context": "from-trunk"}]}
                """
            let setup = try Setup("sipp-calendar-routing", dialplan: plan, config: config)
            defer { setup.close() }
            let cli = CarePhoneCLI(data: setup.data, scratch: setup.scratch)
            try cli.run(["providers", "add", "--extension", "1002", "--time-zone", "Europe/Rome"])
            try cli.run([
                "patients", "add", "--as", "1002", "--first-name", "Paolo", "--last-name", "Neri", "--mobile", "+390211234567",
                "--time-zone", "Europe/Rome",
            ])
            let soon = ISO8601DateFormatter().string(from: Date().addingTimeInterval(600))
            try cli.run(["visits", "book", "--as", "1002", "--provider", "1002", "--patient", "1", "--start", soon, "--minutes", "30"])

            let device = try setup.device("uas_answer.xml", name: "1002")
            defer { device.stop() }
            let patient = try SIPpCall("trunk_inbound_uac.xml", scratch: setup.scratch, name: "patient-in", server: setup.server, bind: "127.0.0.2", extra: ["-s", "+390612345600"])
            try patient.start()
            defer { patient.stop() }
            #expect(patient.succeeded(), "patient: \(patient.diagnostics)")
            #expect(device.succeeded(), "the provider's phone: \(device.diagnostics)")
            let first = try #require(try setup.calls { !$0.isEmpty }.first)
            #expect(first.outcome == "answered" && first.callee == "1002" && first.caller == "0211234567", "\(first)")

            let now = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
            try cli.run(["visits", "book", "--as", "1002", "--provider", "1002", "--start", now, "--minutes", "5", "--kind", "blocked"])
            let busy = try SIPpCall("trunk_inbound_uac.xml", scratch: setup.scratch, name: "caller-busy", server: setup.server, bind: "127.0.0.2", extra: ["-s", "+390612345601"])
            try busy.start()
            defer { busy.stop() }
            _ = busy.succeeded()
            let rows = try setup.calls { $0.count >= 2 }
            #expect(rows.contains { $0.dialed == "+390612345601" && $0.outcome == "busy" && $0.failure_code == 486 }, "\(rows)")
        }

        @Test func callInFromTrunkToDID() throws {
            let config = """
                {"trunks": [{"name": "carrier", "host": "127.0.0.2", "inbound_sources": ["127.0.0.2"], "inbound_context": "from-trunk"}]}
                """
            let setup = try Setup("sipp-trunk-in", dialplan: Self.trunkPlan, config: config)
            defer { setup.close() }
            let device = try setup.device("uas_answer.xml", name: "1002")
            defer { device.stop() }
            let provider = try SIPpCall("trunk_inbound_uac.xml", scratch: setup.scratch, name: "provider-in", server: setup.server, bind: "127.0.0.2", extra: ["-s", "+390612345600"])
            try provider.start()
            defer { provider.stop() }
            #expect(provider.succeeded(), "provider: \(provider.diagnostics)")
            #expect(device.succeeded(), "device: \(device.diagnostics)")
            let row = try #require(try setup.calls { !$0.isEmpty }.first)
            #expect(row.outcome == "answered" && row.inbound_trunk == "carrier" && row.dialed == "+390612345600", "\(row)")
        }
    }
}
