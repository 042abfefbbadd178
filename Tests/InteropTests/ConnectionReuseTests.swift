import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SIPCore
import Testing

extension InteropTests {
    /// Requests from the server towards a phone reuse the phone's own TCP connection (the only
    /// way through NAT), and UDP requests go where the REGISTER came from. The server's OPTIONS
    /// keep-alive ("qualify") is such a request.
    @Suite(.serialized) struct ConnectionReuseTests {
        @Test func optionsReachATCPPhoneOverItsOwnConnection() throws {
            let scratch = try Scratch("reuse")
            defer { scratch.remove() }
            let config = try scratch.write("config.json", "{\"qualify_interval\": 1}")
            try TransportTests.withDemoServer("reuse-tcp", arguments: ["--config", config]) { server, passwords, _ in
                let client = try SIPTestClient(transport: .tcp, server: try server.sipAddress)
                defer { client.close() }
                let outcome = try client.register(user: "1001", password: passwords["1001"]!, domain: "127.0.0.1")
                #expect(outcome.final.statusCode == 200)
                // Within a few qualify rounds an OPTIONS request arrives on this very connection.
                var options: SIPRequest?
                let deadline = Date().addingTimeInterval(5)
                while options == nil, Date() < deadline {
                    if case .request(let r)? = try client.receiveMessage(timeout: 1), r.method == .options { options = r }
                }
                let request = try #require(options, "no OPTIONS arrived on the registered TCP connection")
                #expect(request.uriString.hasPrefix("sip:1001@"))
                #expect(request.headers[HeaderName.via]?.hasPrefix("SIP/2.0/TCP ") == true)
                // Answer it; the server logs the contact as reachable and sends no retransmission over TCP.
                var reply = SIPResponse(replyingTo: request, statusCode: 200, toTag: "phone")
                reply.headers.add(HeaderName.allow, "INVITE, ACK, BYE, CANCEL, OPTIONS")
                try client.send(reply.serialized())
            }
        }

        /// One address cannot hold more than 64 TCP connections (file descriptors are finite).
        @Test func tcpConnectionsPerAddressAreLimited() throws {
            try TransportTests.withDemoServer("tcp-limit") { server, _, _ in
                var clients: [SIPTestClient] = []
                defer { clients.forEach { $0.close() } }
                for _ in 0..<64 { clients.append(try SIPTestClient(transport: .tcp, server: try server.sipAddress)) }
                // The 64 connections work.
                let options = clients[63].request("OPTIONS", uri: "sip:127.0.0.1", from: "sip:a@127.0.0.1", to: "sip:127.0.0.1", callID: SIPTestClient.token(), cseq: 1)
                #expect(try clients[63].transact(options)?.statusCode == 200)
                // The 65th is closed by the server at once.
                let extra = try SIPTestClient(transport: .tcp, server: try server.sipAddress)
                defer { extra.close() }
                let started = Date()
                _ = extra.readUntilClosed(timeout: 5)
                #expect(Date().timeIntervalSince(started) < 4, "the 65th connection was not closed")
                // Another address is not affected.
                let other = try SIPTestClient(transport: .tcp, server: try server.sipAddress, bindHost: "127.0.0.2")
                defer { other.close() }
                let ping = other.request("OPTIONS", uri: "sip:127.0.0.1", from: "sip:b@127.0.0.2", to: "sip:127.0.0.1", callID: SIPTestClient.token(), cseq: 1)
                #expect(try other.transact(ping)?.statusCode == 200)
            }
        }

        /// RFC 3261 §18.2.2: when the phone's connection has closed before the response is ready,
        /// the response comes over a new connection to the Via sent-by port, where it listens.
        @Test func responseAfterTheConnectionClosedGoesToTheViaPort() throws {
            let scratch = try Scratch("tcp-fallback")
            defer { scratch.remove() }
            // One failure makes later answers to this source wait 800 ms: time to hang up first.
            let config = try scratch.write("config.json", "{\"auth_throttle\": {\"slow_after_failures\": 1, \"block_after_failures\": 100, \"delay_milliseconds\": 800}}")
            try TransportTests.withDemoServer("tcp-fallback", arguments: ["--config", config]) { server, passwords, _ in
                // The phone's listening socket, named in its Via.
                let listener = try SocketAddress(host: "127.0.0.1", port: 0).boundSocket(type: socketType(SOCK_STREAM))
                defer { Glibc.close(listener) }
                #expect(listen(listener, 4) == 0)
                let listening = try SocketAddress.local(of: listener)
                let client = try SIPTestClient(transport: .tcp, server: try server.sipAddress)
                func register(cseq: Int, authorization: String?) -> String {
                    var lines = [
                        "REGISTER sip:127.0.0.1 SIP/2.0",
                        "Via: SIP/2.0/TCP \(listening);branch=z9hG4bK\(SIPTestClient.token())",
                        "Max-Forwards: 70", "From: <sip:1001@127.0.0.1>;tag=fb1", "To: <sip:1001@127.0.0.1>",
                        "Call-ID: fallback@test", "CSeq: \(cseq) REGISTER", "Contact: <sip:1001@\(listening);transport=tcp>",
                    ]
                    if let authorization { lines.append("Authorization: \(authorization)") }
                    return lines.joined(separator: "\r\n") + "\r\nContent-Length: 0\r\n\r\n"
                }
                let challenge = try #require(try client.transact(register(cseq: 1, authorization: nil)))
                #expect(challenge.statusCode == 401)
                let wrong = try SIPTestClient.answer(challenge, header: "WWW-Authenticate", user: "1001", password: passwords["1001"]! + "x", method: "REGISTER", uri: "sip:127.0.0.1")
                try client.send(register(cseq: 2, authorization: wrong.headerValue))
                client.close()  // hang up before the (delayed) 401 is sent
                // The 401 arrives on a new connection to the listening port.
                var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 5000) == 1 else {
                    Issue.record("the server did not connect to the Via port within 5 s")
                    return
                }
                let accepted = accept(listener, nil, nil)
                guard accepted >= 0 else {
                    Issue.record("accept failed")
                    return
                }
                defer { Glibc.close(accepted) }
                var received: [UInt8] = []
                let deadline = Date().addingTimeInterval(5)
                while Date() < deadline, !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
                    var reader = pollfd(fd: accepted, events: Int16(POLLIN), revents: 0)
                    guard poll(&reader, 1, 500) == 1 else { continue }
                    var chunk = [UInt8](repeating: 0, count: 4096)
                    let n = chunk.withUnsafeMutableBytes { recv(accepted, $0.baseAddress, $0.count, 0) }
                    if n <= 0 { break }
                    received += chunk[0..<n]
                }
                let text = String(decoding: received, as: UTF8.self)
                #expect(text.hasPrefix("SIP/2.0 401 "), "got: \(text)")
                #expect(text.contains("CSeq: 2 REGISTER"), "got: \(text)")
            }
        }

        @Test func optionsReachAUDPPhoneAtItsSourceAddress() throws {
            let scratch = try Scratch("reuse-udp")
            defer { scratch.remove() }
            let config = try scratch.write("config.json", "{\"qualify_interval\": 1}")
            try TransportTests.withDemoServer("reuse-udp", arguments: ["--config", config]) { server, passwords, _ in
                let client = try SIPTestClient(transport: .udp, server: try server.sipAddress)
                defer { client.close() }
                // The Contact names a port nobody listens on: the server must use the source address.
                let outcome = try client.register(user: "1002", password: passwords["1002"]!, domain: "127.0.0.1", contact: "<sip:1002@127.0.0.1:9>")
                #expect(outcome.final.statusCode == 200)
                var options: SIPRequest?
                let deadline = Date().addingTimeInterval(5)
                while options == nil, Date() < deadline {
                    if case .request(let r)? = try client.receiveMessage(timeout: 1), r.method == .options { options = r }
                }
                let request = try #require(options, "no OPTIONS arrived at the UDP source address")
                #expect(request.uriString == "sip:1002@127.0.0.1:9")
            }
        }
    }
}
