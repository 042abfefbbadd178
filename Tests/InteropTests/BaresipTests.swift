import Foundation
import SIPCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

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
    ///   - audioFile: a WAV (8 kHz mono) the phone sends in calls; with it, what each call sends
    ///     and receives is written to `soundFolder` (sndfile), calls are answered automatically
    ///     and the phone takes commands on `controlPort` (ctrl_tcp, PEERS.md).
    ///   - mwi: subscribe to message waiting (`mwi.so`, `;mwi=yes`); baresip prints every
    ///     message-summary body it gets (`----- MWI for ... -----`).
    init(
        scratch: Scratch, name: String, user: String, password: String, server: ServerProcess, tcp: Bool = false,
        audioFile: String? = nil, mwi: Bool = false
    ) throws {
        let baresip = try Binary.baresip()
        configFolder = try scratch.folder("baresip-\(name)")
        // sip_listen P also opens SIP/TLS on P+1; the control socket goes on P+2.
        listenPort = try FreePort.pick(consecutive: 3)
        var config = """
            poll_method\t\tepoll
            sip_listen\t\t127.0.0.1:\(listenPort)
            net_interface\t\t127.0.0.1
            audio_player\t\talsa,null
            module_path\t\t/usr/lib/baresip/modules
            module\t\t\tg711.so
            module\t\t\taccount.so

            """
        if mwi {
            config += "module_app\t\tmwi.so\n"
            if audioFile == nil { config += "module\t\t\tmenu.so\n" }
        }
        if let audioFile {
            config += """
                audio_source\t\taufile,\(audioFile)
                ausrc_srate\t\t8000
                ausrc_channels\t\t1
                snd_path\t\t\(try scratch.folder("baresip-\(name)-sound"))
                module\t\t\taufile.so
                module\t\t\tsndfile.so
                module\t\t\tmenu.so
                module\t\t\tctrl_tcp.so
                ctrl_tcp_listen\t\t127.0.0.1:\(listenPort + 2)

                """
        }
        try Data(config.utf8).write(to: URL(fileURLWithPath: configFolder + "/config"))
        let transport = tcp ? ";transport=tcp" : ""
        let calls = audioFile == nil ? "" : ";answermode=auto;audio_codecs=PCMU"
        let account =
            "<sip:\(user)@127.0.0.1\(transport)>;auth_pass=\(password);outbound=\"sip:127.0.0.1:\(server.sipPort)\(transport)\";regint=600\(calls)\(mwi ? ";mwi=yes" : "")\n"
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

    var soundFolder: String { configFolder + "-sound" }
    var controlPort: UInt16 { listenPort + 2 }

    /// Sends one ctrl_tcp command (netstring JSON) and returns baresip's answer and the events
    /// that came with it. One connection per command: ctrl_tcp serves one client at a time.
    func command(_ name: String, _ params: String = "") throws -> String {
        let fd = try SocketAddress(host: "127.0.0.1", port: 0).boundSocket(type: socketType(SOCK_STREAM))
        defer { Glibc.close(fd) }
        var address = try SocketAddress(host: "127.0.0.1", port: controlPort).storage
        let length = try SocketAddress(host: "127.0.0.1", port: controlPort).length
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        guard connected == 0 else { throw HarnessError("cannot connect to baresip's ctrl_tcp on \(controlPort)") }
        let json = try JSONSerialization.data(withJSONObject: ["command": name, "params": params, "token": "t"])
        let frame = Array("\(json.count):".utf8) + Array(json) + Array(",".utf8)
        _ = frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, frame.count, 0) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 4096, 0) }
            if n <= 0 { break }
            received += chunk[0..<n]
            if String(decoding: received, as: UTF8.self).contains("\"response\":true") { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Waits (bounded) until baresip's output contains `text`.
    func waitForOutput(_ text: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if output.contains(text) { return true }
            usleep(100_000)
        } while Date() < deadline
        return output.contains(text)
    }
}

/// 16-bit mono WAV files: a test tone to send, and what a phone recorded.
enum WAV {
    /// Writes `seconds` of a sine tone at `frequency` Hz, 8 kHz mono.
    static func writeTone(path: String, frequency: Double, seconds: Int) throws {
        let rate = 8000
        var samples = [Int16](repeating: 0, count: rate * seconds)
        for i in samples.indices { samples[i] = Int16(8000 * sin(2 * Double.pi * frequency * Double(i) / Double(rate))) }
        var data = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + samples.count * 2)); data.append(contentsOf: Array("WAVE".utf8))
        data.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(UInt32(rate)); u32(UInt32(rate * 2)); u16(2); u16(16)
        data.append(contentsOf: Array("data".utf8)); u32(UInt32(samples.count * 2))
        samples.withUnsafeBytes { data.append(contentsOf: $0) }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// The samples of a 16-bit PCM WAV file (the `data` chunk).
    static func samples(path: String) throws -> [Int16] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
            if id == "data" {
                let end = min(bytes.count, offset + 8 + size)
                return stride(from: offset + 8, to: end - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
            }
            offset += 8 + size + (size & 1)
        }
        throw HarnessError("\(path) has no data chunk")
    }

    /// Seconds of sound (20 ms blocks louder than an RMS of 500) and the dominant frequency of
    /// those blocks, from zero crossings.
    static func analyse(_ samples: [Int16], rate: Int = 8000) -> (soundSeconds: Double, frequency: Double) {
        let block = rate / 50
        var loud = 0
        var crossings = 0
        var loudSamples = 0
        for start in stride(from: 0, to: samples.count - block, by: block) {
            let slice = samples[start..<start + block]
            let rms = sqrt(slice.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(block))
            guard rms > 500 else { continue }
            loud += 1
            loudSamples += block
            var previous = slice.first!
            for s in slice.dropFirst() {
                if (previous < 0) != (s < 0) { crossings += 1 }
                previous = s
            }
        }
        let seconds = Double(loudSamples) / Double(rate)
        return (Double(loud) / 50, seconds > 0 ? Double(crossings) / 2 / seconds : 0)
    }
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
