import Foundation
import SIPCore

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny SIP client over POSIX sockets for the system tests: sends raw bytes over UDP or TCP
/// and reads what comes back with a timeout. SIPCore parses responses and computes digests;
/// nothing here retransmits, so a lost answer is seen as a lost answer.
final class SIPTestClient: @unchecked Sendable {
    enum Transport: String, Sendable { case udp = "UDP", tcp = "TCP" }

    let transport: Transport
    let server: SocketAddress
    let local: SocketAddress
    private var fd: Int32
    private var streamBuffer: [UInt8] = []
    private let parser = SIPParser()
    /// Where the last UDP datagram came from.
    private(set) var lastSender: SocketAddress?

    /// Opens a socket bound to `bindHost:bindPort` (port 0: any) and, for TCP, connects it to `server`.
    init(transport: Transport, server: SocketAddress, bindHost: String? = nil, bindPort: UInt16 = 0) throws {
        self.transport = transport
        self.server = server
        let host = bindHost ?? (server.isIPv6 ? "::1" : "127.0.0.1")
        let type = transport == .udp ? socketType(SOCK_DGRAM) : socketType(SOCK_STREAM)
        let fd = try SocketAddress(host: host, port: bindPort).boundSocket(type: type)
        self.fd = fd
        if transport == .tcp {
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = server.storage
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, server.length) }
            }
            if result != 0 {
                let message = String(cString: strerror(errno))
                Glibc.close(fd)
                throw HarnessError("TCP connect to \(server) failed: \(message)")
            }
        }
        local = try SocketAddress.local(of: fd)
    }

    deinit { close() }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    /// The Via sent-by for this socket, e.g. `127.0.0.1:40000` or `[::1]:40000`.
    var sentBy: String { local.description }

    // MARK: bytes

    func send(_ bytes: [UInt8]) throws {
        guard fd >= 0 else { throw HarnessError("socket closed") }
        switch transport {
        case .udp:
            var address = server.storage
            let sent = bytes.withUnsafeBytes { raw in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, raw.baseAddress, raw.count, 0, $0, server.length)
                    }
                }
            }
            guard sent == bytes.count else {
                throw HarnessError("sendto \(server): \(String(cString: strerror(errno)))")
            }
        case .tcp:
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes {
                    Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                guard n > 0 else { throw HarnessError("TCP send to \(server): \(String(cString: strerror(errno)))") }
                offset += n
            }
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Waits up to `timeout` for the socket to be readable.
    private func readable(until deadline: Date) -> Bool {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return false }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&p, 1, Int32(max(1, min(remaining * 1000, 1000))))
            if r > 0 { return true }
            if r < 0, errno != EINTR { return false }
        }
    }

    /// The next datagram (UDP) or the next framed SIP message (TCP), or nil after `timeout` seconds.
    func receiveBytes(timeout: TimeInterval) -> [UInt8]? {
        guard fd >= 0 else { return nil }
        let deadline = Date().addingTimeInterval(timeout)
        switch transport {
        case .udp:
            guard readable(until: deadline) else { return nil }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &length)
                    }
                }
            }
            guard n >= 0 else { return nil }
            lastSender = SocketAddress(storage: storage, length: length)
            return Array(buffer[0..<n])
        case .tcp:
            while true {
                // Skip CRLF keep-alive pongs, then frame by Content-Length.
                let start = SIPParser.skipKeepAlives(streamBuffer, from: 0)
                if start > 0 { streamBuffer.removeFirst(start) }
                if let (_, end) = try? parser.parseStream(streamBuffer, from: 0) {
                    let message = Array(streamBuffer[0..<end])
                    streamBuffer.removeFirst(end)
                    return message
                }
                guard readable(until: deadline) else { return nil }
                var chunk = [UInt8](repeating: 0, count: 65_536)
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { return nil }  // closed or failed
                streamBuffer.append(contentsOf: chunk[0..<n])
            }
        }
    }

    /// TCP: reads until the peer closes or `timeout` passes (for HTTP/1.0).
    func readUntilClosed(timeout: TimeInterval) -> [UInt8] {
        let deadline = Date().addingTimeInterval(timeout)
        var all = streamBuffer
        streamBuffer = []
        while readable(until: deadline) {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            all.append(contentsOf: chunk[0..<n])
        }
        return all
    }

    /// The next SIP message, parsed; nil on timeout. Throws when what arrived does not parse.
    func receiveMessage(timeout: TimeInterval) throws -> SIPMessage? {
        guard let bytes = receiveBytes(timeout: timeout) else { return nil }
        do { return try parser.parseDatagram(bytes) } catch {
            throw HarnessError(
                "received something that does not parse as SIP (\(error)): \(String(decoding: bytes.prefix(300), as: UTF8.self).debugDescription)"
            )
        }
    }

    /// The next final response (1xx skipped), or nil after `timeout` seconds in all.
    func receiveFinalResponse(timeout: TimeInterval) throws -> SIPResponse? {
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            guard let message = try receiveMessage(timeout: deadline.timeIntervalSinceNow) else { return nil }
            if case .response(let r) = message, r.statusCode >= 200 { return r }
        }
        return nil
    }

    /// Sends `request` and waits for its final response.
    func transact(_ request: String, timeout: TimeInterval = 3) throws -> SIPResponse? {
        try send(request)
        return try receiveFinalResponse(timeout: timeout)
    }

    // MARK: requests

    static func token() -> String { String(UInt64.random(in: 1...UInt64.max), radix: 36) }

    /// A request from this client's socket: Via with `;rport`, and Content-Length set.
    func request(
        _ method: String, uri: String, from: String, to: String, callID: String, cseq: Int,
        headers: [String] = [], body: String = "", fromTag: String? = nil
    ) -> String {
        var lines = [
            "\(method) \(uri) SIP/2.0",
            "Via: SIP/2.0/\(transport.rawValue) \(sentBy);branch=z9hG4bK\(Self.token());rport",
            "Max-Forwards: 70",
            "From: <\(from)>;tag=\(fromTag ?? Self.token())",
            "To: <\(to)>",
            "Call-ID: \(callID)",
            "CSeq: \(cseq) \(method)",
        ]
        lines += headers
        lines.append("Content-Length: \(body.utf8.count)")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// The outcome of a digest REGISTER: the challenge (if any) and the final response.
    struct RegisterOutcome {
        var challenge: SIPResponse?
        var final: SIPResponse
    }

    /// REGISTER for `user@domain` with the server's digest dance: sends without credentials,
    /// answers a 401 with `password` (preferring `algorithm` among the offered challenges),
    /// and returns the final response. `contact` defaults to this socket's address.
    func register(
        user: String, password: String, domain: String, requestURI: String? = nil, expires: Int? = 3600,
        contact: String? = nil, algorithm: DigestAlgorithm? = nil, authUser: String? = nil,
        extraHeaders: [String] = [], callID: String? = nil, firstCSeq: Int = 1, timeout: TimeInterval = 3
    ) throws -> RegisterOutcome {
        let uri = requestURI ?? "sip:\(domain)"
        let aor = "sip:\(user)@\(domain)"
        let callID = callID ?? "\(Self.token())@test"
        let tag = Self.token()
        var headers = ["Contact: \(contact ?? "<sip:\(user)@\(sentBy);transport=\(transport.rawValue.lowercased())>")"]
        if let expires { headers.append("Expires: \(expires)") }
        headers += extraHeaders
        let first = request(
            "REGISTER", uri: uri, from: aor, to: aor, callID: callID, cseq: firstCSeq, headers: headers, fromTag: tag)
        guard let challenge = try transact(first, timeout: timeout) else {
            throw HarnessError(
                "no answer within \(timeout) s to REGISTER \(aor) over \(transport.rawValue) to \(server)")
        }
        guard challenge.statusCode == 401 else { return RegisterOutcome(challenge: nil, final: challenge) }
        let credentials = try Self.answer(
            challenge, header: "WWW-Authenticate", user: authUser ?? user, password: password, method: "REGISTER",
            uri: uri,
            algorithm: algorithm)
        let second = request(
            "REGISTER", uri: uri, from: aor, to: aor, callID: callID, cseq: firstCSeq + 1,
            headers: headers + ["Authorization: \(credentials.headerValue)"], fromTag: tag)
        guard let final = try transact(second, timeout: timeout) else {
            throw HarnessError(
                "no answer within \(timeout) s to the authenticated REGISTER \(aor) over \(transport.rawValue) to \(server)"
            )
        }
        return RegisterOutcome(challenge: challenge, final: final)
    }

    /// Digest credentials answering the challenge in `response` (the first one, or the one
    /// with `algorithm`).
    static func answer(
        _ response: SIPResponse, header: String, user: String, password: String, method: String, uri: String,
        algorithm: DigestAlgorithm? = nil
    ) throws -> DigestCredentials {
        let challenges = try response.headers.values(header).map { value in
            do { return try DigestChallenge(parsing: value) } catch {
                throw HarnessError("cannot parse \(header): \(value) (\(error))")
            }
        }
        let chosen = algorithm.map { a in challenges.first { $0.algorithm == a } } ?? challenges.first
        guard let challenge = chosen else {
            throw HarnessError(
                "\(response.statusCode) carries no \(header) for \(algorithm?.rawValue ?? "any algorithm"): \(response.headers.values(header))"
            )
        }
        return DigestCredentials(
            answering: challenge, username: user, password: password, method: method, uri: uri, cnonce: token(),
            nonceCount: 1)
    }
}

extension SIPResponse {
    /// `200 OK` style, for messages.
    var statusLine: String { "\(statusCode) \(reasonPhrase)" }
    /// The whole response as text, for failure messages.
    var text: String { String(decoding: serialized(), as: UTF8.self) }
}
