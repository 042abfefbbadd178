import Foundation
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
