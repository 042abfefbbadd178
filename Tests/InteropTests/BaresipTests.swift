import Foundation
import SIPCore
import Testing

/// baresip, headless (no sound card, no terminal), with one account, from a config folder in
/// the scratch folder (PEERS.md).
final class BaresipPhone: @unchecked Sendable {
    let configFolder: String
    let listenPort: UInt16
    let process: ChildProcess

    /// - Parameters:
    ///   - user, password: the SIP account; it registers to `127.0.0.1` (the server's address)
    ///     through the server as outbound proxy.
    ///   - tcp: register over TCP (`;transport=tcp` on both URIs).
    init(scratch: Scratch, name: String, user: String, password: String, server: ServerProcess, tcp: Bool = false)
        throws
    {
        let baresip = try Binary.baresip()
        configFolder = try scratch.folder("baresip-\(name)")
        // sip_listen P also opens SIP/TLS on P+1.
        listenPort = try FreePort.pick(consecutive: 2)
        let config = """
            poll_method\t\tepoll
            sip_listen\t\t127.0.0.1:\(listenPort)
            net_interface\t\t127.0.0.1
            audio_player\t\talsa,null
            module_path\t\t/usr/lib/baresip/modules
            module\t\t\tg711.so
            module\t\t\taccount.so

            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: configFolder + "/config"))
        let transport = tcp ? ";transport=tcp" : ""
        let account =
            "<sip:\(user)@127.0.0.1\(transport)>;auth_pass=\(password);outbound=\"sip:127.0.0.1:\(server.sipPort)\(transport)\";regint=600\n"
        try Data(account.utf8).write(to: URL(fileURLWithPath: configFolder + "/accounts"))
        process = ChildProcess(
            baresip, ["-f", configFolder], stdout: scratch.path("baresip-\(name).out"),
            stderr: scratch.path("baresip-\(name).err"))
    }

    func start() throws { try process.start() }

    /// Waits (bounded) for baresip to print that its REGISTER got `200 OK`.
    func waitForRegistration(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if process.stdout.contains("200 OK") { return true }
            if !process.isRunning { return false }
            usleep(100_000)
        } while Date() < deadline
        return process.stdout.contains("200 OK")
    }

    var output: String { process.stdout + process.stderr }
}

extension InteropTests {
    /// A real softphone (baresip) registers; its binding survives a graceful restart, and a
    /// registration acknowledged just before a `kill -9` survives the crash.
    @Suite(.serialized) struct BaresipTests {
        @Test func udpRegistrationSurvivesRestartAndKill9() throws {
            _ = try Binary.baresip()
            let scratch = try Scratch("baresip-udp")
            defer { scratch.remove() }
            let server = try ServerProcess(
                scratch: scratch, dataDirectory: try scratch.folder("data"), arguments: ["--demo"])
            try server.start()
            defer { server.stop() }
            let passwords = server.demoPasswords
            let domain = try #require(server.demoDomain, "no SIP domain in the --demo output: \(server.stdout)")
            let password1001 = try #require(passwords["1001"], "no demo password for 1001 in: \(server.stdout)")
            let password1002 = try #require(passwords["1002"], "no demo password for 1002 in: \(server.stdout)")

            let phone = try BaresipPhone(
                scratch: scratch, name: "1001", user: "1001", password: password1001, server: server)
            try phone.start()
            defer { phone.process.stop() }
            #expect(
                phone.waitForRegistration(timeout: 10), "baresip did not report 200 OK: \(phone.output.suffix(1500))")
            let aor = "sip:1001@\(domain)"
            let listed = try server.waitForRegistrations(timeout: 5) { $0.contains { $0.aor == aor } }
            let binding = try #require(listed.first { $0.aor == aor }, "no binding for \(aor): \(listed)")
            #expect(binding.transport == "udp")
            #expect(
                binding.contact.hasPrefix("sip:1001-") && binding.contact.hasSuffix("@127.0.0.1:\(phone.listenPort)"),
                "contact \(binding.contact)")
            #expect(binding.source == "127.0.0.1:\(phone.listenPort)")
            #expect(binding.user_agent?.hasPrefix("baresip") == true)
            #expect(
                server.stderr.contains("aor=\(aor)") && server.stderr.contains("registered"),
                "no registered line in the log")

            // SIGKILL on purpose: a graceful stop would unregister, and the binding must come
            // back from storage alone, with no phone to register it again.
            phone.process.kill9()

            // A challenge taken before the restart can be answered after it: the nonce secret
            // lives in the data folder.
            let early = try SIPTestClient(transport: .udp, server: try server.sipAddress)
            defer { early.close() }
            let aor1003 = "sip:1003@127.0.0.1"
            let earlyHeaders = ["Contact: <sip:1003@\(early.sentBy)>", "Expires: 600"]
            let earlyChallenge = try #require(
                try early.transact(
                    early.request(
                        "REGISTER", uri: "sip:127.0.0.1", from: aor1003, to: aor1003, callID: "early@test", cseq: 1,
                        headers: earlyHeaders)),
                "no challenge for 1003")

            // Graceful restart on the same data folder and ports.
            #expect(server.stop(), "the server did not stop within 10 s of SIGTERM")
            #expect(
                server.exitStatus == 0, "exit status after SIGTERM: \(server.exitStatus.map(String.init) ?? "running")")
            try server.start()
            let health = try server.health()
            #expect(health.status == 200 && health.body.contains("ok"), "GET /health: \(health)")
            let afterRestart = try server.registrations()
            #expect(
                afterRestart.contains { $0.aor == aor && $0.contact == binding.contact },
                "after a restart: \(afterRestart)")
            let overHTTP = try server.httpRegistrations()
            #expect(
                overHTTP.contains { $0.aor == aor && $0.contact == binding.contact },
                "GET /api/registrations after a restart: \(overHTTP)")

            let password1003 = try #require(passwords["1003"])
            let credentials = try SIPTestClient.answer(
                earlyChallenge, header: "WWW-Authenticate", user: "1003", password: password1003, method: "REGISTER",
                uri: "sip:127.0.0.1")
            let late = try early.transact(
                early.request(
                    "REGISTER", uri: "sip:127.0.0.1", from: aor1003, to: aor1003, callID: "early@test", cseq: 2,
                    headers: earlyHeaders + ["Authorization: \(credentials.headerValue)"]))
            // Nonce counts are kept in memory (replay protection), so an answer to a challenge from
            // before the restart is not accepted blindly: it gets a fresh challenge with stale=true
            // (RFC 7616 §3.3), which a phone answers without asking its user for anything.
            let lateResponse = try #require(late, "no answer to a challenge from before the restart")
            #expect(lateResponse.statusCode == 401, "answer to a challenge from before the restart: \(lateResponse.text)")
            let fresh = try DigestChallenge(parsing: try #require(lateResponse.headers["WWW-Authenticate"]))
            #expect(fresh.stale, "the new challenge must say stale=true: \(lateResponse.text)")
            let retry = try SIPTestClient.answer(
                lateResponse, header: "WWW-Authenticate", user: "1003", password: password1003, method: "REGISTER",
                uri: "sip:127.0.0.1")
            let accepted = try early.transact(
                early.request(
                    "REGISTER", uri: "sip:127.0.0.1", from: aor1003, to: aor1003, callID: "early@test", cseq: 3,
                    headers: earlyHeaders + ["Authorization: \(retry.headerValue)"]))
            #expect(accepted?.statusCode == 200, "answer to the stale challenge: \(accepted?.text ?? "no answer")")

            // A new registration, acknowledged, then kill -9 at once: it must survive.
            let client = try SIPTestClient(transport: .udp, server: try server.sipAddress)
            defer { client.close() }
            let contact1002 = "sip:1002@\(client.sentBy)"
            let outcome = try client.register(
                user: "1002", password: password1002, domain: "127.0.0.1", contact: "<\(contact1002)>")
            #expect(outcome.final.statusCode == 200, "REGISTER 1002: \(outcome.final.text)")
            server.kill9()
            try server.start()
            let afterCrash = try server.registrations()
            #expect(
                afterCrash.contains { $0.aor == "sip:1002@\(domain)" && $0.contact == contact1002 },
                "after kill -9: \(afterCrash)")
            #expect(
                afterCrash.contains { $0.aor == aor && $0.contact == binding.contact },
                "1001 lost after kill -9: \(afterCrash)")
            let afterCrashHTTP = try server.httpRegistrations()
            #expect(
                afterCrashHTTP.contains { $0.aor == "sip:1002@\(domain)" && $0.contact == contact1002 },
                "GET /api/registrations after kill -9: \(afterCrashHTTP)")
        }

        @Test func tcpRegistration() throws {
            _ = try Binary.baresip()
            let scratch = try Scratch("baresip-tcp")
            defer { scratch.remove() }
            let server = try ServerProcess(
                scratch: scratch, dataDirectory: try scratch.folder("data"), arguments: ["--demo"])
            try server.start()
            defer { server.stop() }
            let domain = try #require(server.demoDomain)
            let password = try #require(server.demoPasswords["1003"], "no demo password for 1003 in: \(server.stdout)")

            let phone = try BaresipPhone(
                scratch: scratch, name: "1003-tcp", user: "1003", password: password, server: server, tcp: true)
            try phone.start()
            defer { phone.process.stop() }
            #expect(
                phone.waitForRegistration(timeout: 10),
                "baresip over TCP did not report 200 OK: \(phone.output.suffix(1500))")
            #expect(phone.output.contains("TCP"), "baresip did not use TCP: \(phone.output.suffix(500))")
            let aor = "sip:1003@\(domain)"
            let listed = try server.waitForRegistrations(timeout: 5) { $0.contains { $0.aor == aor } }
            let binding = try #require(listed.first { $0.aor == aor }, "no binding for \(aor): \(listed)")
            #expect(binding.transport == "tcp")
            #expect(binding.contact.contains("transport=tcp"), "contact \(binding.contact)")
            #expect(try server.httpRegistrations().contains { $0.aor == aor && $0.transport == "tcp" })

            // baresip unregisters when stopped gracefully (SIGTERM): the binding goes.
            #expect(phone.process.stop(timeout: 5), "baresip did not stop on SIGTERM")
            let after = try server.waitForRegistrations(timeout: 5) { !$0.contains { $0.aor == aor } }
            #expect(!after.contains { $0.aor == aor }, "binding still listed after baresip unregistered: \(after)")
        }
    }
}
