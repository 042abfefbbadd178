import Foundation
import SIPCore

/// A scripted SIP user agent on a raw socket (`SIPTestClient`): registers, places calls with
/// digest answers to 407, and answers what the server sends it. Every wait is bounded.
final class TestPhone: @unchecked Sendable {
    let client: SIPTestClient
    let user: String
    let password: String
    let domain: String

    init(user: String, password: String, domain: String = "127.0.0.1", server: SocketAddress) throws {
        self.client = try SIPTestClient(transport: .udp, server: server)
        self.user = user
        self.password = password
        self.domain = domain
    }

    var contact: String { "sip:\(user)@\(client.sentBy)" }

    func register() throws {
        let outcome = try client.register(user: user, password: password, domain: domain, contact: "<\(contact)>")
        guard outcome.final.statusCode == 200 else { throw HarnessError("REGISTER \(user): \(outcome.final.text)") }
    }

    func close() { client.close() }

    /// SUBSCRIBE to `event` for `mailbox` (default: own), answering the 401; the final response.
    func subscribe(event: String = "message-summary", mailbox: String? = nil, expires: Int = 600) throws -> SIPResponse {
        let uri = "sip:\(mailbox ?? user)@\(domain)"
        let callID = "\(SIPTestClient.token())@subscribe"
        let tag = SIPTestClient.token()
        let headers = ["Contact: <\(contact)>", "Event: \(event)", "Accept: application/simple-message-summary", "Expires: \(expires)"]
        try client.send(client.request("SUBSCRIBE", uri: uri, from: "sip:\(user)@\(domain)", to: uri, callID: callID, cseq: 1, headers: headers, fromTag: tag))
        guard let challenge = try receiveResponse(timeout: 5) else { throw HarnessError("no answer to SUBSCRIBE \(uri)") }
        guard challenge.statusCode == 401 else { return challenge }
        let credentials = try SIPTestClient.answer(challenge, header: "WWW-Authenticate", user: user, password: password, method: "SUBSCRIBE", uri: uri)
        try client.send(client.request("SUBSCRIBE", uri: uri, from: "sip:\(user)@\(domain)", to: uri, callID: callID, cseq: 2, headers: headers + ["Authorization: \(credentials.headerValue)"], fromTag: tag))
        guard let final = try receiveResponse(timeout: 5) else { throw HarnessError("no answer to the authenticated SUBSCRIBE \(uri)") }
        return final
    }

    // MARK: receiving

    /// The next request with `method` (others are skipped, responses too); nil after `timeout`.
    func receiveRequest(_ method: String, timeout: TimeInterval = 5) throws -> SIPRequest? {
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            guard let message = try client.receiveMessage(timeout: deadline.timeIntervalSinceNow) else { return nil }
            if case .request(let r) = message, r.method.rawValue == method { return r }
        }
        return nil
    }

    /// The next response with `status` (or any final one when nil); nil after `timeout`.
    func receiveResponse(status: Int? = nil, callID: String? = nil, timeout: TimeInterval = 5) throws -> SIPResponse? {
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            guard let message = try client.receiveMessage(timeout: deadline.timeIntervalSinceNow) else { return nil }
            if case .response(let r) = message {
                // A late retransmission for an earlier call is not this call's answer.
                if let callID, r.headers["Call-ID"] != callID { continue }
                if let status, r.statusCode == status { return r }
                if status == nil, r.statusCode >= 200 { return r }
            }
        }
        return nil
    }

    // MARK: sending

    /// Answers `request` (Via, From, To with `toTag`, Call-ID and CSeq copied).
    func respond(to request: SIPRequest, status: Int, reason: String = "OK", toTag: String?, headers: [String] = [], body: String = "") throws {
        var lines = ["SIP/2.0 \(status) \(reason)"]
        for via in request.headers.values("Via") { lines.append("Via: \(via)") }
        lines.append("From: \(request.headers["From"] ?? "")")
        var to = request.headers["To"] ?? ""
        if let toTag, !to.contains("tag=") { to += ";tag=\(toTag)" }
        lines.append("To: \(to)")
        lines.append("Call-ID: \(request.headers["Call-ID"] ?? "")")
        lines.append("CSeq: \(request.headers["CSeq"] ?? "")")
        lines += headers
        if !body.isEmpty { lines.append("Content-Type: application/sdp") }
        lines.append("Content-Length: \(body.utf8.count)")
        try client.send(lines.joined(separator: "\r\n") + "\r\n\r\n" + body)
    }

    /// An SDP offer or answer for an audio stream on `port` (nothing listens: no media here).
    static func sdp(port: Int, direction: String = "sendrecv", session: Int = 1) -> String {
        [
            "v=0", "o=- \(session) \(session) IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
            "m=audio \(port) RTP/AVP 0", "a=rtpmap:0 PCMU/8000", "a=\(direction)", "",
        ].joined(separator: "\r\n")
    }

    /// A dialog as the caller sees it after the 200 OK.
    struct CallerDialog {
        var callID: String
        var fromTag: String
        var toHeader: String
        var remoteTarget: String
        var cseq: Int
        var ok: SIPResponse
    }

    /// INVITE `number`, answering the server's 407; returns the final response (after 1xx) and
    /// the dialog details. `extraHeaders` go on both INVITEs.
    func invite(_ number: String, body: String = TestPhone.sdp(port: 40000), extraHeaders: [String] = [], timeout: TimeInterval = 10) throws -> (final: SIPResponse, provisional: [SIPResponse], dialog: CallerDialog) {
        let uri = "sip:\(number)@\(domain)"
        let callID = "\(SIPTestClient.token())@phone"
        let tag = SIPTestClient.token()
        let headers = ["Contact: <\(contact)>", "Content-Type: application/sdp"] + extraHeaders
        func send(_ text: String) throws {
            // A Max-Forwards among the extra headers replaces the default one.
            try client.send(extraHeaders.contains { $0.hasPrefix("Max-Forwards:") } ? text.replacingOccurrences(of: "Max-Forwards: 70\r\n", with: "") : text)
        }
        try send(client.request("INVITE", uri: uri, from: "sip:\(user)@\(domain)", to: uri, callID: callID, cseq: 1, headers: headers, body: body, fromTag: tag))
        guard let challenge = try receiveResponse(callID: callID, timeout: 5) else { throw HarnessError("no answer to INVITE \(number)") }
        guard challenge.statusCode == 407 else { return (challenge, [], CallerDialog(callID: callID, fromTag: tag, toHeader: "", remoteTarget: "", cseq: 1, ok: challenge)) }
        try ack(uri: uri, callID: callID, fromTag: tag, to: challenge.headers["To"] ?? "", cseq: 1)
        let credentials = try SIPTestClient.answer(challenge, header: "Proxy-Authenticate", user: user, password: password, method: "INVITE", uri: uri)
        try send(client.request("INVITE", uri: uri, from: "sip:\(user)@\(domain)", to: uri, callID: callID, cseq: 2, headers: headers + ["Proxy-Authorization: \(credentials.headerValue)"], body: body, fromTag: tag))
        var provisional: [SIPResponse] = []
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            guard let message = try client.receiveMessage(timeout: deadline.timeIntervalSinceNow) else { break }
            guard case .response(let r) = message, r.headers["Call-ID"] == callID else { continue }
            if r.statusCode < 200 { provisional.append(r); continue }
            let target = r.headers["Contact"].flatMap { try? NameAddress(parsing: $0).uri.description } ?? uri
            let dialog = CallerDialog(callID: callID, fromTag: tag, toHeader: r.headers["To"] ?? "", remoteTarget: target, cseq: 2, ok: r)
            if r.statusCode >= 300 { try ack(uri: uri, callID: callID, fromTag: tag, to: r.headers["To"] ?? "", cseq: 2) }
            return (r, provisional, dialog)
        }
        throw HarnessError("no final answer to INVITE \(number) within \(timeout) s; provisional: \(provisional.map(\.statusLine))")
    }

    /// Calls `number` with `media`'s offer, expects the server (or a phone) to answer 200, ACKs
    /// it, and returns the dialog and where the answer wants RTP.
    func answeredCall(_ number: String, media: RTPPeer) throws -> (dialog: CallerDialog, mediaAddress: (host: String, port: UInt16)) {
        let (ok, _, dialog) = try invite(number, body: media.offer)
        guard ok.statusCode == 200, let address = RTPPeer.mediaAddress(ok) else { throw HarnessError("\(number) was not answered with SDP: \(ok.text)") }
        try ack(uri: dialog.remoteTarget, callID: dialog.callID, fromTag: dialog.fromTag, to: dialog.toHeader, cseq: 2)
        return (dialog, address)
    }

    func ack(uri: String, callID: String, fromTag: String, to: String, cseq: Int, body: String = "") throws {
        var lines = [
            "ACK \(uri) SIP/2.0", "Via: SIP/2.0/UDP \(client.sentBy);branch=z9hG4bK\(SIPTestClient.token());rport",
            "Max-Forwards: 70", "From: <sip:\(user)@\(domain)>;tag=\(fromTag)", "To: \(to)", "Call-ID: \(callID)",
            "CSeq: \(cseq) ACK",
        ]
        if !body.isEmpty { lines.append("Content-Type: application/sdp") }
        lines.append("Content-Length: \(body.utf8.count)")
        try client.send(lines.joined(separator: "\r\n") + "\r\n\r\n" + body)
    }

    /// A request inside the caller's dialog (re-INVITE, BYE, ...), bumping its CSeq.
    func inDialog(_ method: String, _ dialog: inout CallerDialog, body: String = "", contentType: String = "application/sdp", headers: [String] = []) throws {
        if method != "ACK" { dialog.cseq += 1 }
        var lines = [
            "\(method) \(dialog.remoteTarget) SIP/2.0",
            "Via: SIP/2.0/UDP \(client.sentBy);branch=z9hG4bK\(SIPTestClient.token());rport", "Max-Forwards: 70",
            "From: <sip:\(user)@\(domain)>;tag=\(dialog.fromTag)", "To: \(dialog.toHeader)", "Call-ID: \(dialog.callID)",
            "CSeq: \(dialog.cseq) \(method)", "Contact: <\(contact)>",
        ]
        lines += headers
        if !body.isEmpty { lines.append("Content-Type: \(contentType)") }
        lines.append("Content-Length: \(body.utf8.count)")
        try client.send(lines.joined(separator: "\r\n") + "\r\n\r\n" + body)
    }

    /// A request in the dialog the server opened towards this phone (the callee side): From
    /// and To swapped, sent to the server's Contact.
    func calleeRequest(_ method: String, invite: SIPRequest, toTag: String, cseq: Int, body: String = "") throws {
        let target = invite.headers["Contact"].flatMap { try? NameAddress(parsing: $0).uri.description } ?? ""
        var lines = [
            "\(method) \(target) SIP/2.0", "Via: SIP/2.0/UDP \(client.sentBy);branch=z9hG4bK\(SIPTestClient.token());rport",
            "Max-Forwards: 70", "From: \(invite.headers["To"] ?? "");tag=\(toTag)", "To: \(invite.headers["From"] ?? "")",
            "Call-ID: \(invite.headers["Call-ID"] ?? "")", "CSeq: \(cseq) \(method)",
        ]
        if !body.isEmpty { lines.append("Content-Type: application/sdp") }
        lines.append("Content-Length: \(body.utf8.count)")
        try client.send(lines.joined(separator: "\r\n") + "\r\n\r\n" + body)
    }
}

/// `carephone calls --json` rows, for tests.
struct CallRow: Decodable {
    let id: String
    let caller: String
    let dialed: String
    let callee: String
    let outcome: String
    let duration_seconds: Double
    let failure_code: Int?
    let answered_by: String?
    let ended_by: String?
    let inbound_trunk: String?
    let quality: Quality?

    struct Quality: Decodable {
        let packets_from_caller: Int
        let packets_from_callee: Int
        let loss_percent: Double
        let jitter_ms: Double
        let round_trip_ms: Double?
        let mos: Double
    }

    private struct List: Decodable { let calls: [CallRow] }

    static func list(data: String, scratch: Scratch) throws -> [CallRow] {
        let result = try ChildProcess.run(try Binary.carephone(), ["calls", "--data", data, "--json"], in: scratch, timeout: 30)
        guard result.status == 0 else { throw HarnessError("carephone calls failed: \(result.stderr)") }
        return try JSONDecoder().decode(List.self, from: Data(result.stdout.utf8)).calls
    }

    /// Polls (bounded) until `condition` holds on the list.
    static func wait(data: String, scratch: Scratch, timeout: TimeInterval = 5, until condition: ([CallRow]) -> Bool) throws -> [CallRow] {
        let deadline = Date().addingTimeInterval(timeout)
        var rows = try list(data: data, scratch: scratch)
        while !condition(rows), Date() < deadline {
            usleep(200_000)
            rows = try list(data: data, scratch: scratch)
        }
        return rows
    }
}
