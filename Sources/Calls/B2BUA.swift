import Dialplan
import Foundation
import Registrar
import SIPCore
import SIPTransaction

/// The back-to-back user agent: every call is two (or, while ringing, more) dialogs that the
/// B2BUA joins. It answers the caller as a UAS and calls the targets the dialplan names as a
/// UAC, one leg per registered contact (parallel forking, the first 2xx wins).
///
/// Event-loop confined: every method must be called on the server's SIP event loop.
public final class B2BUA {
    public enum LogLevel: Sendable { case debug, info, notice, warning }

    let signalling: CallSignalling
    let directory: CallDirectory
    /// The plan new calls are routed by (swapped by hot reload; calls in progress keep theirs).
    public var plan: () -> Dialplan?
    public var calendar: (any CalendarConditions)?
    /// Media anchoring (the media work); nil relays SDP unchanged.
    public var media: MediaRelay?
    public var trunks: [String: Trunk] = [:]
    /// Receives every finished call's record.
    public var recordCall: (CallRecord) -> Void = { _ in }
    public var log: (LogLevel, String, [String: String]) -> Void = { _, _, _ in }
    /// RFC 3261 T1 and T2 in milliseconds (2xx retransmission to the caller).
    public var t1: Int64 = 500
    public var t2: Int64 = 4000

    var calls: [ObjectIdentifier: Call] = [:]
    var byInvite: [ServerTransactionID: Call] = [:]
    var dialogs: [DialogKey: (Call, Side)] = [:]
    var clientTransactions: [ClientTransactionID: ClientPurpose] = [:]
    /// Branches of our outgoing INVITEs still in progress, for loop detection.
    var ourBranches: Set<String> = []
    var trunkRegistrations: [String: TrunkRegistration] = [:]
    private var callCounter: UInt64 = 0

    public init(signalling: CallSignalling, directory: CallDirectory, plan: @escaping () -> Dialplan?) {
        self.signalling = signalling
        self.directory = directory
        self.plan = plan
    }

    /// Calls in progress (ringing or answered).
    public var activeCalls: Int { calls.count }

    /// What a client transaction of ours is for.
    enum ClientPurpose {
        case invite(OutgoingLeg)
        /// CANCEL, BYE: the answer changes nothing.
        case fireAndForget
        /// A request relayed from `from` to the other side, whose answer goes back to `request`.
        case relay(Call, from: Side, request: SIPRequest, transaction: ServerTransactionID)
        case trunkRegister(String)
    }

    // MARK: new calls

    /// An INVITE without a To tag from an authenticated phone or a trunk: a new call.
    public func receiveInitialInvite(
        _ request: SIPRequest, routing: RoutingHeaders, transaction: ServerTransactionID, source: CallDestination,
        caller: CallerIdentity, context: String?
    ) {
        func reject(_ code: Int, _ reason: String? = nil, extra: [(String, String)] = []) {
            var response = SIPResponse(replyingTo: request, statusCode: code, reasonPhrase: reason, toTag: Registrar.newTag())
            for (n, v) in extra { response.headers.add(n, v) }
            signalling.respond(response, to: transaction)
        }
        // RFC 3261 §16.3 step 4 style loop detection: one of our own INVITEs came back.
        if routing.vias.contains(where: { $0.branch.map(ourBranches.contains) ?? false }) {
            reject(482, "Loop Detected")
            return
        }
        let maxForwards = routing.maxForwards ?? 70
        if maxForwards <= 0 {
            reject(483, "Too Many Hops")
            return
        }
        if let interval = SessionTimer.interval(in: request.headers), interval < SessionTimer.minimumInterval {
            // RFC 4028 §8.1.
            reject(422, "Session Interval Too Small", extra: [(SessionTimer.minSE, "\(SessionTimer.minimumInterval)")])
            return
        }
        guard let plan = plan() else {
            reject(503, "No Dialplan Loaded", extra: [(HeaderName.retryAfter, "10")])
            return
        }
        let dialed = Self.dialedNumber(request)
        // The number ends up in Request-URIs and To headers of outgoing legs: only characters
        // that need no escaping there (a decoded %0D%0A would inject headers into a trunk INVITE).
        guard Self.isSafeNumber(dialed) else {
            reject(404, "Number Has Characters Not Allowed")
            return
        }
        let entry = context ?? plan.entryContext(forOrganisation: caller.organisationDomain)
        let run = plan.start(
            DialplanCall(
                context: entry, dialed: dialed, caller: caller.number, callerName: caller.displayName, now: signalling.now,
                organisationID: caller.organisationID),
            calendar: calendar)
        let toTag = Registrar.newTag()
        let dialog = DialogState(
            callID: routing.callID, localHeader: Self.localHeader(answering: request, tag: toTag), localTag: toTag,
            remoteHeader: request.headers[HeaderName.from] ?? "", remoteTarget: routing.contacts?.firstURI ?? request.headers[HeaderName.from].flatMap { try? NameAddress(parsing: $0).uri.description } ?? "",
            routeSet: request.headers.listElements(HeaderName.recordRoute), localCSeq: 0,
            remoteCSeq: routing.cseq.sequence, destination: source)
        callCounter += 1
        let call = Call(
            id: "\(toTag)-\(callCounter)", caller: caller, dialed: dialed, startedAt: signalling.now, invite: request,
            inviteTransaction: transaction, maxForwards: min(70, maxForwards - 1), run: run, a: dialog)
        calls[ObjectIdentifier(call)] = call
        byInvite[transaction] = call
        dialogs[dialog.key] = (call, .caller)
        signalling.respond(SIPResponse(replyingTo: request, statusCode: 100), to: transaction)
        log(.info, "call started", ["call": call.id, "caller": caller.number, "dialed": dialed, "context": entry])
        advance(call, after: .start)
    }

    /// Our To header in the caller's dialog: its To with our tag.
    static func localHeader(answering invite: SIPRequest, tag: String) -> String {
        (invite.headers[HeaderName.to] ?? "<\(invite.uriString)>") + ";tag=\(tag)"
    }

    /// Letters, digits and `* # + - . _`: what phone numbers, extensions and service codes use.
    public static func isSafeNumber(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                    || c == UInt8(ascii: "*") || c == UInt8(ascii: "#") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
                    || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
            }
    }

    /// The user part of the Request-URI (percent-decoded), or of the To URI for a tel: URI.
    static func dialedNumber(_ request: SIPRequest) -> String {
        if let sip = request.uri?.sipURI {
            return sip.decodedUser ?? ""
        }
        let text = request.uriString
        if text.lowercased().hasPrefix("tel:") {
            return String(text.dropFirst(4).split(separator: ";").first ?? "")
        }
        return ""
    }

    // MARK: the dialplan

    /// Runs the plan from `outcome` until it asks to wait (ringing) or ends the call.
    func advance(_ call: Call, after first: StepOutcome) {
        var outcome = first
        // Bounded: a plan of media steps that all fall through cannot spin for ever.
        for _ in 0..<64 {
            guard call.phase == .routing || call.phase == .ringing else { return }
            let step = call.run.next(after: outcome)
            switch step {
            case .ring(let extensions, let seconds):
                if let next = ring(call, extensions: extensions, seconds: seconds) {
                    outcome = next
                    continue
                }
                return
            case .trunk(let name, let number, let seconds):
                guard let trunk = trunks[name] else {
                    log(.warning, "dialplan names an unknown trunk", ["call": call.id, "trunk": name])
                    call.fail(503, "Trunk Not Configured", .failed)
                    outcome = .failed(code: 503)
                    continue
                }
                call.callee = "trunk \(name) \(number)"
                startLegs(call, targets: [.trunk(trunk, number: number)], seconds: seconds)
                return
            case .voicemail(let mailbox):
                if runMedia(call, .voicemail(mailbox: mailbox, busy: outcome == .busy), answeredBy: "voicemail \(mailbox)") { return }
                outcome = .unavailable
            case .voicemailAccess:
                if runMedia(call, .voicemailAccess, answeredBy: "voicemail access") { return }
                outcome = .unavailable
            case .play(let prompt):
                if runMedia(call, .play(prompt: prompt), answeredBy: "prompt \(prompt)") { return }
                outcome = .played
            case .menu(let menu):
                if runMedia(call, .menu(menu), answeredBy: "menu \(menu.prompt)") { return }
                outcome = .menuTimeout
            case .hangup(let code, let reason):
                finishUnanswered(call, code: code, reason: reason, outcome: code == 486 || code == 600 ? .busy : .failed)
                return
            case .notFound:
                finishUnanswered(call, code: 404, reason: "Not Found", outcome: .failed)
                return
            case .end:
                finishUnanswered(call, code: call.failureCode, reason: call.failureReason, outcome: call.failureOutcome)
                return
            }
        }
        finishUnanswered(call, code: 500, reason: "Dialplan Did Not Finish", outcome: .failed)
    }

    /// Starts legs to every registered contact of `extensions`, or says why none could start.
    private func ring(_ call: Call, extensions: [String], seconds: Int) -> StepOutcome? {
        var targets: [LegTarget] = []
        var known = false
        for ext in extensions {
            switch directory.lookup(extension: ext, organisationID: call.caller.organisationID) {
            case .unknown:
                continue
            case .user(_, let contacts):
                known = true
                // The phone that is calling does not ring itself (a member calling its group).
                targets += contacts.filter { $0.aor != call.caller.deviceAOR }.map { .contact($0) }
            }
        }
        call.callee = extensions.joined(separator: ",")
        if !known {
            log(.info, "no such extension", ["call": call.id, "extensions": call.callee])
            if call.failureReason == nil { call.fail(404, "Not Found", .failed) }
            return .failed(code: 404)
        }
        if targets.isEmpty {
            log(.info, "nobody registered", ["call": call.id, "extensions": call.callee])
            call.fail(480, "No Device Registered", .failed)
            return .unavailable
        }
        startLegs(call, targets: targets, seconds: seconds)
        return nil
    }

    /// Ends a call that was never answered: the caller gets `code`.
    func finishUnanswered(_ call: Call, code: Int, reason: String?, outcome: CallOutcome) {
        guard call.phase == .routing || call.phase == .ringing else { return }
        if call.answeredByServer {
            // The caller already has our 2xx: the call ends with a BYE instead (and legs still
            // ringing are cancelled by hangUp).
            hangUp(call, side: .caller, endedBy: code == 487 ? "caller" : "dialplan")
            return
        }
        let response = SIPResponse(replyingTo: call.invite, statusCode: code, reasonPhrase: reason, toTag: call.a.localTag)
        signalling.respond(response, to: call.inviteTransaction)
        cancelLegs(call)
        end(call, outcome: outcome, failureCode: code, endedBy: nil)
    }

    /// Forgets the call and writes its record.
    func end(_ call: Call, outcome: CallOutcome, failureCode: Int?, endedBy: String?) {
        guard call.phase != .ended else { return }
        call.phase = .ended
        call.ringTimer?.cancel()
        call.sessionTimer?.cancel()
        for (_, pending) in call.pending2xx { pending.timer?.cancel() }
        call.pending2xx = [:]
        calls[ObjectIdentifier(call)] = nil
        // Requests relayed to the other side that it will not answer now: 487 (RFC 3261 §15.1.2
        // lets a UA answer 487 to requests pending when a BYE arrives), and the transactions go.
        for (id, pending) in call.pendingRelays {
            pending.timerC?.cancel()
            signalling.respond(SIPResponse(replyingTo: pending.request, statusCode: 487, reasonPhrase: "Request Terminated"), to: pending.transaction)
            signalling.terminate(id)
        }
        call.pendingRelays = [:]
        call.legs = []
        call.answeredLeg = nil
        byInvite[call.inviteTransaction] = nil
        dialogs[call.a.key] = nil
        if let b = call.b { dialogs[b.key] = nil }
        var record = CallRecord(
            id: call.id, organisationID: call.caller.organisationID, caller: call.caller.number,
            callerName: call.caller.displayName, dialed: call.dialed, callee: call.callee, inboundTrunk: call.caller.trunk,
            startedAt: call.startedAt, answeredAt: call.answeredAt, endedAt: signalling.now, outcome: outcome,
            failureCode: outcome == .answered ? nil : failureCode, answeredBy: call.answeredBy, endedBy: endedBy)
        record.quality = media?.callEnded(call.id)
        log(.info, "call ended", ["call": call.id, "outcome": outcome.rawValue, "code": failureCode.map(String.init) ?? "", "ended_by": endedBy ?? ""])
        recordCall(record)
    }

    // MARK: helpers

    /// Our Via for a request towards `destination`, with `branch` (RFC 3581 `rport` asked for).
    public func via(towards destination: CallDestination, branch: String) -> String {
        let (host, port) = signalling.localAddress(towards: destination)
        let h = host.contains(":") ? "[\(host)]" : host
        return "SIP/2.0/\(destination.transport.uppercased()) \(h):\(port);branch=\(branch);rport"
    }

    /// Our Contact for requests and responses towards `destination`.
    public func contact(towards destination: CallDestination) -> String {
        let (host, port) = signalling.localAddress(towards: destination)
        let h = host.contains(":") ? "[\(host)]" : host
        let transport = destination.transport == "udp" ? "" : ";transport=\(destination.transport)"
        return "<sip:carephone@\(h):\(port)\(transport)>"
    }
}
