import Foundation
import SIPCore
import Testing

extension InteropTests {
    /// Transports and registrar rules seen from the wire: TCP, IPv6, rport, Min-Expires,
    /// OPTIONS, `Contact: *` and expiry.
    @Suite(.serialized) struct TransportTests {
        /// A demo server in a fresh scratch folder; `body` gets it with the demo passwords.
        static func withDemoServer(
            _ label: String, bind: [String] = ["127.0.0.1"], arguments: [String] = [],
            _ body: (ServerProcess, _ passwords: [String: String], _ domain: String) throws -> Void
        ) throws {
            let scratch = try Scratch(label)
            defer { scratch.remove() }
            let server = try ServerProcess(
                scratch: scratch, dataDirectory: try scratch.folder("data"), bind: bind,
                arguments: ["--demo"] + arguments)
            try server.start()
            defer { server.stop() }
            let passwords = server.demoPasswords
            guard passwords.count == 3, let domain = server.demoDomain else {
                throw HarnessError("--demo printed no passwords or domain: \(server.stdout)")
            }
            try body(server, passwords, domain)
        }

        @Test func registerOverTCP() throws {
            try Self.withDemoServer("tcp") { server, passwords, domain in
                let client = try SIPTestClient(transport: .tcp, server: try server.sipAddress)
                defer { client.close() }
                let outcome = try client.register(user: "1001", password: passwords["1001"]!, domain: "127.0.0.1")
                #expect(outcome.challenge?.statusCode == 401)
                #expect(outcome.final.statusCode == 200, "REGISTER over TCP: \(outcome.final.text)")
                #expect(
                    outcome.final.headers.values("Contact").contains {
                        $0.contains(client.sentBy) && $0.contains("expires=")
                    })
                let list = try server.registrations()
                #expect(
                    list.contains {
                        $0.aor == "sip:1001@\(domain)" && $0.transport == "tcp" && $0.source == client.sentBy
                    }, "\(list)")
                // The same connection carries the next transaction too.
                let options = client.request(
                    "OPTIONS", uri: "sip:127.0.0.1", from: "sip:1001@127.0.0.1", to: "sip:127.0.0.1",
                    callID: SIPTestClient.token(), cseq: 1)
                let response = try client.transact(options)
                #expect(response?.statusCode == 200, "OPTIONS over TCP: \(response?.statusLine ?? "no answer")")
            }
        }

        @Test func registerOverIPv6UDPAndTCP() throws {
            // ::1 first: the HTTP API listens on the first address, so it is checked over IPv6 too.
            try Self.withDemoServer("ipv6", bind: ["::1", "127.0.0.1"]) { server, passwords, domain in
                #expect(
                    server.stdout.contains("udp [::1]:\(server.sipPort)")
                        && server.stdout.contains("tcp [::1]:\(server.sipPort)"), "ready line: \(server.stdout)")
                #expect(server.stdout.contains("udp 127.0.0.1:\(server.sipPort)"), "ready line: \(server.stdout)")
                let v6 = try SocketAddress(host: "::1", port: server.sipPort)
                let udp = try SIPTestClient(transport: .udp, server: v6)
                defer { udp.close() }
                let overUDP = try udp.register(user: "1001", password: passwords["1001"]!, domain: "[::1]")
                #expect(overUDP.final.statusCode == 200, "REGISTER over UDP/IPv6: \(overUDP.final.text)")
                #expect(
                    udp.lastSender?.isIPv6 == true && udp.lastSender?.port == server.sipPort,
                    "answer came from \(udp.lastSender?.description ?? "nowhere")")

                let tcp = try SIPTestClient(transport: .tcp, server: v6)
                defer { tcp.close() }
                let overTCP = try tcp.register(user: "1002", password: passwords["1002"]!, domain: "[::1]")
                #expect(overTCP.final.statusCode == 200, "REGISTER over TCP/IPv6: \(overTCP.final.text)")

                // IPv4 on the same port still works.
                let v4 = try SIPTestClient(
                    transport: .udp, server: try SocketAddress(host: "127.0.0.1", port: server.sipPort))
                defer { v4.close() }
                let overV4 = try v4.register(user: "1003", password: passwords["1003"]!, domain: "127.0.0.1")
                #expect(overV4.final.statusCode == 200, "REGISTER over UDP/IPv4 next to IPv6: \(overV4.final.text)")

                // The source of an IPv6 binding: "::1:port" today; "[::1]:port" would be clearer.
                func isV6Source(_ source: String, _ port: UInt16) -> Bool {
                    source == "::1:\(port)" || source == "[::1]:\(port)"
                }
                let list = try server.registrations()
                #expect(
                    list.contains {
                        $0.aor == "sip:1001@\(domain)" && $0.transport == "udp" && isV6Source($0.source, udp.local.port)
                    }, "\(list)")
                #expect(
                    list.contains {
                        $0.aor == "sip:1002@\(domain)" && $0.transport == "tcp" && isV6Source($0.source, tcp.local.port)
                    }, "\(list)")
                let overHTTP = try server.httpRegistrations()
                #expect(
                    Set(overHTTP.map(\.aor)) == ["sip:1001@\(domain)", "sip:1002@\(domain)", "sip:1003@\(domain)"],
                    "GET /api/registrations over IPv6: \(overHTTP)")
            }
        }

        /// RFC 3581: with `;rport` the answer goes to the port the request came from, whatever
        /// the Via says; without it, to the Via's port (RFC 3261 §18.2.2).
        @Test func rportAnswersGoToTheSourcePort() throws {
            try Self.withDemoServer("rport") { server, passwords, _ in
                let client = try SIPTestClient(transport: .udp, server: try server.sipAddress)
                defer { client.close() }
                let elsewhere = try SIPTestClient(transport: .udp, server: try server.sipAddress)
                defer { elsewhere.close() }

                func options(via: String) -> String {
                    [
                        "OPTIONS sip:127.0.0.1 SIP/2.0", "Via: SIP/2.0/UDP \(via)", "Max-Forwards: 70",
                        "From: <sip:probe@127.0.0.1>;tag=\(SIPTestClient.token())", "To: <sip:127.0.0.1>",
                        "Call-ID: \(SIPTestClient.token())@rport", "CSeq: 1 OPTIONS", "Content-Length: 0", "", "",
                    ].joined(separator: "\r\n")
                }
                // The Via names the other socket's port, and asks for rport: the answer must come here.
                try client.send(
                    options(via: "127.0.0.1:\(elsewhere.local.port);branch=z9hG4bK\(SIPTestClient.token());rport"))
                let withRport = try client.receiveFinalResponse(timeout: 2)
                #expect(
                    withRport?.statusCode == 200,
                    "OPTIONS with rport: \(withRport?.statusLine ?? "no answer at the source port")")
                let via = withRport?.headers.values("Via").first ?? ""
                #expect(
                    via.contains("rport=\(client.local.port)") && via.contains("received=127.0.0.1"),
                    "top Via of the answer: \(via)")
                #expect(elsewhere.receiveBytes(timeout: 0.3) == nil, "the answer with rport also went to the Via port")

                // Without rport, the same request is answered at the Via's port.
                try client.send(
                    options(via: "127.0.0.1:\(elsewhere.local.port);branch=z9hG4bK\(SIPTestClient.token())"))
                let atViaPort = try elsewhere.receiveFinalResponse(timeout: 2)
                #expect(
                    atViaPort?.statusCode == 200,
                    "OPTIONS without rport: \(atViaPort?.statusLine ?? "no answer at the Via port")")

                // A REGISTER with rport and a Via port nobody listens on: the whole digest exchange works.
                let outcome = try client.register(
                    user: "1001", password: passwords["1001"]!, domain: "127.0.0.1",
                    contact: "<sip:1001@\(client.sentBy)>")
                #expect(outcome.final.statusCode == 200, "REGISTER: \(outcome.final.text)")
            }
        }

        @Test func shortExpiresGets423WithMinExpires() throws {
            try Self.withDemoServer("423") { server, passwords, domain in
                let client = try SIPTestClient(transport: .udp, server: try server.sipAddress)
                defer { client.close() }
                let outcome = try client.register(
                    user: "1001", password: passwords["1001"]!, domain: "127.0.0.1", expires: 30)
                #expect(outcome.final.statusCode == 423, "Expires 30: \(outcome.final.text)")
                #expect(
                    outcome.final.headers["Min-Expires"] == "60",
                    "Min-Expires: \(outcome.final.headers["Min-Expires"] ?? "missing")")
                #expect(try server.registrations().filter { $0.aor == "sip:1001@\(domain)" }.isEmpty)
            }
        }

        @Test func optionsGets200() throws {
            try Self.withDemoServer("options") { server, _, _ in
                for transport in [SIPTestClient.Transport.udp, .tcp] {
                    let client = try SIPTestClient(transport: transport, server: try server.sipAddress)
                    defer { client.close() }
                    let request = client.request(
                        "OPTIONS", uri: "sip:127.0.0.1:\(server.sipPort)", from: "sip:probe@127.0.0.1",
                        to: "sip:127.0.0.1",
                        callID: SIPTestClient.token(), cseq: 1)
                    let response = try client.transact(request)
                    #expect(
                        response?.statusCode == 200, "OPTIONS over \(transport): \(response?.statusLine ?? "no answer")"
                    )
                    #expect(response?.headers["Allow"]?.contains("REGISTER") == true)
                }
            }
        }

        @Test func wildcardContactWithExpires0RemovesAllBindings() throws {
            try Self.withDemoServer("wildcard") { server, passwords, domain in
                let client = try SIPTestClient(transport: .udp, server: try server.sipAddress)
                defer { client.close() }
                let password = passwords["1001"]!
                let callID = "\(SIPTestClient.token())@wildcard"
                for (i, contact) in ["<sip:1001@127.0.0.1:40001>", "<sip:1001@127.0.0.1:40002>"].enumerated() {
                    let outcome = try client.register(
                        user: "1001", password: password, domain: "127.0.0.1", contact: contact,
                        callID: "\(i)-\(callID)")
                    #expect(outcome.final.statusCode == 200, "REGISTER \(contact): \(outcome.final.text)")
                }
                let other = try client.register(user: "1002", password: passwords["1002"]!, domain: "127.0.0.1")
                #expect(other.final.statusCode == 200)
                let aor = "sip:1001@\(domain)"
                #expect(try server.registrations().filter { $0.aor == aor }.count == 2)

                let removal = try client.register(
                    user: "1001", password: password, domain: "127.0.0.1", expires: 0, contact: "*",
                    callID: "2-\(callID)")
                #expect(removal.final.statusCode == 200, "Contact: * with Expires: 0: \(removal.final.text)")
                #expect(
                    removal.final.headers.values("Contact").isEmpty,
                    "the 200 still lists bindings: \(removal.final.text)")
                let after = try server.registrations()
                #expect(!after.contains { $0.aor == aor }, "bindings of \(aor) left: \(after)")
                #expect(after.contains { $0.aor == "sip:1002@\(domain)" }, "1002's binding went too: \(after)")
                #expect(!(try server.httpRegistrations()).contains { $0.aor == aor })
            }
        }

        /// The check as specified: `{"registrar": {"min_expires": 1}}`, a binding with expires=2
        /// is gone from `carephone registrations` within about 4 s.
        @Test func bindingExpiresOnTime() throws {
            try Self.expectBindingExpires(minExpires: 1, expires: 2)
        }

        /// The same expiry check with min_expires 2, so that the expiry itself is still checked
        /// when the config loader refuses the value 1 (see bindingExpiresOnTime).
        @Test func bindingExpiresOnTimeWithMinExpires2() throws {
            try Self.expectBindingExpires(minExpires: 2, expires: 2)
        }

        static func expectBindingExpires(minExpires: Int, expires: Int) throws {
            let scratch = try Scratch("expiry-config")
            defer { scratch.remove() }
            let config = try scratch.write("config.json", #"{"registrar": {"min_expires": \#(minExpires)}}"#)
            try Self.withDemoServer("expiry", arguments: ["--config", config]) { server, passwords, domain in
                let client = try SIPTestClient(transport: .udp, server: try server.sipAddress)
                defer { client.close() }
                let outcome = try client.register(
                    user: "1001", password: passwords["1001"]!, domain: "127.0.0.1", expires: expires)
                #expect(
                    outcome.final.statusCode == 200,
                    "Expires \(expires) with min_expires \(minExpires): \(outcome.final.text)")
                #expect(
                    outcome.final.headers.values("Contact").contains {
                        $0.contains("expires=\(expires)") || $0.contains("expires=\(expires - 1)")
                    })
                let aor = "sip:1001@\(domain)"
                let registered = Date()
                #expect(try server.registrations().contains { $0.aor == aor }, "not listed right after its 200")
                let list = try server.waitForRegistrations(timeout: Double(expires) + 2) {
                    !$0.contains { $0.aor == aor }
                }
                #expect(
                    !list.contains { $0.aor == aor },
                    "binding with expires=\(expires) still listed after \(Date().timeIntervalSince(registered)) s: \(list)"
                )
                #expect(
                    !(try server.httpRegistrations()).contains { $0.aor == aor },
                    "GET /api/registrations still lists it")
            }
        }
    }
}
