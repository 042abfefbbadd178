import Dialplan
import Foundation
import SIPCore
import SIPTransaction
import Testing

@testable import Calls

/// A B2BUA with fake signalling and directory, a dialplan compiled from text, and the CDRs it wrote.
final class CallTestbed {
    let signalling = FakeSignalling()
    let directory = FakeDirectory()
    let b2bua: B2BUA
    private(set) var records: [CallRecord] = []
    var caller = CallerIdentity(
        organisationID: 1, organisationDomain: "clinic.example", number: "1001", displayName: "Reception")
    private var callCounter = 0

    init(dialplan text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let compilation = DialplanCompiler.compile(
            [DialplanSource(path: "test.dialplan", text: text)],
            environment: DialplanEnvironment(defaultTimeZone: TimeZone(identifier: "UTC")!))
        let plan = try #require(compilation.plan, "\(compilation.diagnostics)", sourceLocation: sourceLocation)
        b2bua = B2BUA(signalling: signalling, directory: directory, plan: { plan })
        b2bua.recordCall = { [unowned self] in records.append($0) }
        signalling.onTerminate = { [unowned self] in b2bua.transactionTerminated($0) }
    }

    // MARK: the caller's side

    /// An initial INVITE from extension 1001's phone to `number`; nil `sdp` is a late offer.
    @discardableResult
    func placeCall(
        to number: String, sdp: String? = SDP.callerOffer, maxForwards: Int = 70, extraVias: [String] = [],
        headers extra: [(String, String)] = [], source: CallDestination = Phones.caller
    ) throws -> CallerLeg {
        callCounter += 1
        let branch = "z9hG4bK-caller-\(callCounter)"
        var headers: [(String, String)] = [("Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=\(branch);rport")]
        for via in extraVias { headers.append(("Via", via)) }
        headers += [
            ("Max-Forwards", "\(maxForwards)"),
            ("From", "\"Reception\" <sip:1001@clinic.example>;tag=caller-tag-\(callCounter)"),
            ("To", "<sip:\(number)@clinic.example>"),
            ("Call-ID", "caller-call-\(callCounter)@10.0.0.1"),
            ("CSeq", "1 INVITE"),
            ("Contact", "<sip:1001@10.0.0.1:5060>"),
        ]
        headers += extra
        let invite = try SIPText.request(
            "INVITE sip:\(number)@clinic.example SIP/2.0", headers: headers, body: sdp ?? "")
        let (transaction, routing) = try signalling.receive(invite, from: source)
        b2bua.receiveInitialInvite(
            invite, routing: routing, transaction: transaction, source: source, caller: caller, context: nil)
        return CallerLeg(invite: invite, transaction: transaction)
    }

    /// Every response the caller got for its INVITE.
    func responses(to call: CallerLeg) -> [SIPResponse] {
        signalling.responses(to: call.transaction)
    }

    /// The caller's final response (the last one, so a retransmitted 2xx counts once).
    func finalResponse(to call: CallerLeg) -> SIPResponse? {
        responses(to: call).last { $0.statusCode >= 200 }
    }

    /// The B2BUA's To tag in the caller's dialog (from its first tagged response).
    func ourTag(towards call: CallerLeg) -> String? {
        responses(to: call).lazy.compactMap(\.toTag).first
    }

    /// A request from the caller inside its dialog with us, delivered to the B2BUA.
    @discardableResult
    func callerRequest(
        _ method: String, in call: CallerLeg, cseq: UInt32, sdp: String? = nil, headers extra: [(String, String)] = []
    ) throws -> ServerTransactionID {
        let request = try callerDialogRequest(method, in: call, cseq: cseq, sdp: sdp, headers: extra)
        let (transaction, routing) = try signalling.receive(request, from: Phones.caller)
        #expect(b2bua.receiveInDialog(request, routing: routing, transaction: transaction), "\(method) not in a dialog")
        return transaction
    }

    /// The caller's ACK for a 2xx with CSeq `cseq`.
    func callerACK(_ call: CallerLeg, cseq: UInt32 = 1, sdp: String? = nil) throws {
        let ack = try callerDialogRequest("ACK", in: call, cseq: cseq, sdp: sdp, headers: [])
        b2bua.receiveACK(ack, routing: try RoutingHeaders(.request(ack)))
    }

    /// The caller's CANCEL of its INVITE (§9.1: same branch, Call-ID, From, To and CSeq number).
    @discardableResult
    func callerCancel(_ call: CallerLeg) throws -> ServerTransactionID {
        var headers: [(String, String)] = []
        for name in [HeaderName.via, HeaderName.maxForwards, HeaderName.from, HeaderName.to, HeaderName.callID] {
            if let value = call.invite.headers[name] { headers.append((name, value)) }
        }
        headers.append(("CSeq", "1 CANCEL"))
        let cancel = try SIPText.request("CANCEL \(call.invite.uriString) SIP/2.0", headers: headers)
        let (transaction, routing) = try signalling.receive(cancel, from: Phones.caller)
        let invite = try #require(signalling.inviteTransaction(matching: cancel, routing: routing))
        #expect(invite == call.transaction)
        #expect(b2bua.receiveCancel(cancel, transaction: transaction, invite: invite))
        return transaction
    }

    private var requestCounter = 0

    private func callerDialogRequest(
        _ method: String, in call: CallerLeg, cseq: UInt32, sdp: String?, headers extra: [(String, String)]
    ) throws -> SIPRequest {
        requestCounter += 1
        let tag = try #require(ourTag(towards: call))
        let to = call.invite.headers[HeaderName.to]! + ";tag=\(tag)"
        var headers: [(String, String)] = [
            ("Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-caller-req-\(requestCounter);rport"),
            ("Max-Forwards", "70"),
            ("From", call.invite.headers[HeaderName.from]!),
            ("To", to),
            ("Call-ID", call.invite.callID!),
            ("CSeq", "\(cseq) \(method)"),
        ]
        if method == "INVITE" || method == "UPDATE" { headers.append(("Contact", "<sip:1001@10.0.0.1:5060>")) }
        headers += extra
        let uri = finalResponse(to: call)?.contactURI ?? "sip:carephone@192.0.2.1:5060"
        return try SIPText.request("\(method) \(uri) SIP/2.0", headers: headers, body: sdp ?? "")
    }

    // MARK: the callees' side

    /// The INVITEs the B2BUA sent to `contact`.
    func invites(to contact: ContactTarget) -> [SentRequest] {
        signalling.requests(.invite, to: contact.destination)
    }

    /// The callee at `leg` answers its INVITE with `code`; `tag` is its To tag.
    func respond(
        to leg: SentRequest, _ code: Int, tag: String, sdp: String? = nil, contact: String? = nil,
        headers extra: [(String, String)] = []
    ) {
        var response = SIPResponse(replyingTo: leg.request, statusCode: code, toTag: tag)
        if code > 100 {
            response.headers.add(HeaderName.contact, contact ?? "<\(Self.calleeContact(leg))>")
        }
        for (name, value) in extra { response.headers.add(name, value) }
        if let sdp {
            response.headers.add(HeaderName.contentType, "application/sdp")
            response.body = Array(sdp.utf8)
        }
        b2bua.receiveResponse(response, transaction: leg.id)
    }

    /// The Contact a callee puts in its responses: its own address, with a parameter to tell it
    /// apart from the Request-URI.
    static func calleeContact(_ leg: SentRequest) -> String {
        "sip:callee@\(leg.destination.host):\(leg.destination.port);ob"
    }

    /// A request from the callee who answered `leg` (with To tag `tag`), inside its dialog with us.
    @discardableResult
    func calleeRequest(_ method: String, answering leg: SentRequest, tag: String, cseq: UInt32, sdp: String? = nil)
        throws -> ServerTransactionID
    {
        let request = try calleeDialogRequest(method, leg: leg, tag: tag, cseq: cseq, sdp: sdp)
        let (transaction, routing) = try signalling.receive(request, from: leg.destination)
        #expect(b2bua.receiveInDialog(request, routing: routing, transaction: transaction), "\(method) not in a dialog")
        return transaction
    }

    func calleeACK(answering leg: SentRequest, tag: String, cseq: UInt32, sdp: String? = nil) throws {
        let ack = try calleeDialogRequest("ACK", leg: leg, tag: tag, cseq: cseq, sdp: sdp)
        b2bua.receiveACK(ack, routing: try RoutingHeaders(.request(ack)))
    }

    private func calleeDialogRequest(_ method: String, leg: SentRequest, tag: String, cseq: UInt32, sdp: String?) throws
        -> SIPRequest
    {
        requestCounter += 1
        let host = "\(leg.destination.host):\(leg.destination.port)"
        var headers: [(String, String)] = [
            ("Via", "SIP/2.0/UDP \(host);branch=z9hG4bK-callee-req-\(requestCounter);rport"),
            ("Max-Forwards", "70"),
            ("From", leg.request.headers[HeaderName.to]! + ";tag=\(tag)"),
            ("To", leg.request.headers[HeaderName.from]!),
            ("Call-ID", leg.request.callID!),
            ("CSeq", "\(cseq) \(method)"),
        ]
        if method == "INVITE" || method == "UPDATE" { headers.append(("Contact", "<\(Self.calleeContact(leg))>")) }
        let uri =
            leg.request.headers[HeaderName.contact].flatMap { try? NameAddress(parsing: $0).uri.description } ?? ""
        return try SIPText.request("\(method) \(uri) SIP/2.0", headers: headers, body: sdp ?? "")
    }
}

/// The caller's INVITE and the server transaction it created.
struct CallerLeg {
    var invite: SIPRequest
    var transaction: ServerTransactionID
}
