import Foundation
import SIPCore
import Testing

/// One RFC 4475 torture message and what the running server must answer (expected.tsv).
struct TortureMessage: Sendable, CustomStringConvertible {
    let file: String
    let section: String
    let parserValid: Bool
    /// A status code, or nil for "drop" (no answer).
    let serverAnswer: Int?
    let bytes: [UInt8]
    var description: String { "\(file) (§\(section))" }
    var expected: String { serverAnswer.map(String.init) ?? "drop" }

    /// Tests/SIPCoreTests/RFC4475: the messages and expected.tsv, the contract for the server.
    static func all() throws -> [TortureMessage] {
        let folder = Binary.packageRoot.appendingPathComponent("Tests/SIPCoreTests/RFC4475")
        let table = try String(contentsOf: folder.appendingPathComponent("expected.tsv"), encoding: .utf8)
        return try table.split(separator: "\n").compactMap { line -> TortureMessage? in
            if line.hasPrefix("#") || line.isEmpty { return nil }
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 4 else { throw HarnessError("expected.tsv: malformed line \(line)") }
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(f[0] + ".dat")))
            return TortureMessage(
                file: f[0], section: f[1], parserValid: f[2] == "valid", serverAnswer: Int(f[3]), bytes: bytes)
        }
    }

    /// The top Via as the server will read it, from the parsed message or, for messages that
    /// do not parse, from the header lines the way the 400 responder reads them.
    var topVia: Via? {
        if let message = try? SIPParser().parseDatagram(bytes),
            let first = message.headers.listElements(HeaderName.via).first
        {
            return try? Via(parsing: first)
        }
        return rawHeader(HeaderName.via).flatMap { HeaderList.split($0).first }.flatMap { try? Via(parsing: $0) }
    }

    /// The Call-ID, read leniently from the header lines (also for messages that do not parse).
    var callID: String? { rawHeader(HeaderName.callID) }

    /// The first value of header `name` (compact forms too), from the unfolded header lines.
    func rawHeader(_ name: String) -> String? {
        var unfolded: [String] = []
        for raw in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .dropFirst()
        {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            if line.isEmpty { break }
            if line.first == " " || line.first == "\t", !unfolded.isEmpty {
                unfolded[unfolded.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                unfolded.append(line)
            }
        }
        for line in unfolded {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if HeaderName.canonicalize(line[..<colon].trimmingCharacters(in: .whitespaces)) == name {
                return String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// Whether the message parses and carries a Content-Length (so it can be framed on TCP).
    var hasContentLength: Bool {
        guard let message = try? SIPParser().parseDatagram(bytes) else { return false }
        return message.headers[HeaderName.contentLength] != nil
    }
}

extension InteropTests {
    /// Every RFC 4475 message, byte for byte, to the running server; the answer must be the
    /// one expected.tsv names, and the server must survive all of them.
    @Suite(.serialized) struct RFC4475ServerTests {
        /// What came back for one message.
        struct Outcome: CustomStringConvertible {
            let message: TortureMessage
            let got: String
            /// What else was wrong with the answer (wrong Call-ID, wrong sender), if anything.
            var problems: [String] = []
            var detail = ""
            var ok: Bool { got == message.expected && problems.isEmpty }
            var description: String {
                "\(message.file): expected \(message.expected), got \(got)\(detail)"
                    + (problems.isEmpty ? "" : "; " + problems.joined(separator: "; "))
            }
        }

        /// Over UDP the server answers to the packet's source address and to the Via's port (or
        /// 5060) unless the Via has `rport` (RFC 3261 §18.2.2, RFC 3581). The messages' Via hosts
        /// are fake, so the test sends each one from a socket bound to the port its Via names
        /// (5060 when it names none) on a loopback address of its own, a fresh 127.x.y.z per
        /// message (never 127.0.0.1, so nothing else on 5060 is in the way, and the server's
        /// retransmissions of earlier 4xx answers to INVITEs go elsewhere): whichever rule the
        /// server follows, its answer reaches the sending socket. The answer must carry the
        /// message's Call-ID and come from the server's SIP port; for "drop", nothing at all may
        /// arrive within 1 s (not even a 100 Trying).
        @Test func everyMessageOverUDP() throws {
            let messages = try TortureMessage.all()
            #expect(messages.count == 50, "expected.tsv lists \(messages.count) messages")
            let scratch = try Scratch("rfc4475-udp")
            defer { scratch.remove() }
            let server = try ServerProcess(
                scratch: scratch, dataDirectory: try scratch.folder("data"), arguments: ["--demo"])
            try server.start()
            defer { server.stop() }
            let pid = server.pid

            var outcomes: [Outcome] = []
            for message in messages {
                let port = UInt16(message.topVia?.port ?? 5060)
                let alias = try Self.freeLoopbackAlias(port: port)
                let client = try SIPTestClient(
                    transport: .udp, server: try server.sipAddress, bindHost: alias, bindPort: port)
                defer { client.close() }
                try client.send(message.bytes)
                outcomes.append(try Self.outcome(of: message, on: client, serverPort: server.sipPort))
                #expect(server.isRunning, "the server exited after \(message.file): \(server.stderr.suffix(2000))")
                if !server.isRunning { break }
            }
            for outcome in outcomes {
                #expect(outcome.ok, "\(outcome)")
            }
            try Self.expectStillServing(server, pid: pid)
        }

        /// Each parsable message with a Content-Length, framed on its own TCP connection: the
        /// answer comes back on that connection and must be the same as over UDP.
        @Test func messagesWithContentLengthOverTCP() throws {
            let messages = try TortureMessage.all().filter { $0.parserValid && $0.hasContentLength }
            #expect(messages.count >= 20, "only \(messages.count) valid messages have a Content-Length")
            let scratch = try Scratch("rfc4475-tcp")
            defer { scratch.remove() }
            let server = try ServerProcess(
                scratch: scratch, dataDirectory: try scratch.folder("data"), arguments: ["--demo"])
            try server.start()
            defer { server.stop() }
            let pid = server.pid

            for message in messages {
                let client = try SIPTestClient(transport: .tcp, server: try server.sipAddress)
                defer { client.close() }
                try client.send(message.bytes)
                let outcome = try Self.outcome(of: message, on: client, serverPort: nil)
                #expect(outcome.ok, "over TCP: \(outcome)")
                #expect(
                    server.isRunning, "the server exited after \(message.file) over TCP: \(server.stderr.suffix(2000))")
                if !server.isRunning { break }
            }
            try Self.expectStillServing(server, pid: pid)
        }

        /// After the torture: same process, still answering OPTIONS.
        static func expectStillServing(_ server: ServerProcess, pid: Int32) throws {
            #expect(
                server.isRunning && server.pid == pid,
                "the server process \(pid) is gone: \(server.stderr.suffix(2000))")
            let client = try SIPTestClient(transport: .udp, server: try server.sipAddress)
            defer { client.close() }
            let options = client.request(
                "OPTIONS", uri: "sip:127.0.0.1:\(server.sipPort)", from: "sip:probe@127.0.0.1", to: "sip:127.0.0.1",
                callID: "\(SIPTestClient.token())@probe", cseq: 1)
            let response = try client.transact(options, timeout: 3)
            #expect(
                response?.statusCode == 200,
                "OPTIONS after the torture messages: \(response?.statusLine ?? "no answer within 3 s")")
        }

        /// Reads the server's answer to `message`: a final response within 3 s (1xx skipped),
        /// or, when a drop is expected, 1 s in which nothing at all may arrive.
        static func outcome(of message: TortureMessage, on client: SIPTestClient, serverPort: UInt16?) throws -> Outcome
        {
            if message.serverAnswer == nil {
                guard let bytes = client.receiveBytes(timeout: 1) else { return Outcome(message: message, got: "drop") }
                let text = String(decoding: bytes.prefix(200), as: UTF8.self)
                let status = text.hasPrefix("SIP/2.0 ") ? String(text.dropFirst(8).prefix(3)) : "a non-response"
                return Outcome(message: message, got: status, detail: " (\(text.debugDescription))")
            }
            guard let response = try client.receiveFinalResponse(timeout: 3) else {
                return Outcome(message: message, got: "drop", detail: " (no answer within 3 s)")
            }
            var outcome = Outcome(
                message: message, got: String(response.statusCode), detail: " (\(response.statusLine))")
            if let callID = message.callID, response.headers[HeaderName.callID] != callID {
                outcome.problems.append(
                    "answer for Call-ID \(response.headers[HeaderName.callID] ?? "none"), not \(callID)")
            }
            if let serverPort, let sender = client.lastSender, sender.port != serverPort {
                outcome.problems.append("answer from port \(sender.port), not the server's \(serverPort)")
            }
            return outcome
        }

        /// A loopback address 127.x.y.z (not 127.0.0.x) where `port` is free for UDP and TCP.
        static func freeLoopbackAlias(port: UInt16) throws -> String {
            for _ in 0..<50 {
                let alias = "127.\(Int.random(in: 100...200)).\(Int.random(in: 1...254)).\(Int.random(in: 1...254))"
                if FreePort.isFree(host: alias, port: port) { return alias }
            }
            throw HarnessError("no loopback address 127.x.y.z with port \(port) free")
        }
    }
}
