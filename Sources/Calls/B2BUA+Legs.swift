import Dialplan
import Foundation
import Registrar
import SIPCore
import SIPTransaction

extension B2BUA {
    // MARK: starting and cancelling legs

    /// Sends one INVITE per target (parallel forking) and starts the ring timer.
    func startLegs(_ call: Call, targets: [LegTarget], seconds: Int) {
        var serverOffer: [UInt8]?
        if call.answeredByServer, let media {
            // The caller talks to the server: every leg is offered the server's media.
            let offer = media.offerToCallee(callID: call.id)
            guard !offer.isEmpty else {
                log(.warning, "no RTP port for the callee; the step fails", ["call": call.id])
                call.fail(503, "No Media Port Free", .failed)
                call.phase = .routing
                advance(call, after: .failed(code: 503))
                return
            }
            serverOffer = offer
        }
        call.phase = .ringing
        call.legs = targets.map { startLeg(call, target: $0, serverOffer: serverOffer) }
        call.ringTimer?.cancel()
        call.ringTimer = signalling.schedule(afterMilliseconds: Int64(max(1, seconds)) * 1000) { [weak self, weak call] in
            guard let self, let call else { return }
            self.ringTimedOut(call)
        }
        log(.info, "ringing", ["call": call.id, "legs": targets.map(\.description).joined(separator: ", "), "seconds": "\(seconds)"])
        // A caller the server answered gets no 180: it hears ringing from the server instead.
        if call.answeredByServer { media?.ringback(callID: call.id) }
    }

    private func startLeg(_ call: Call, target: LegTarget, serverOffer: [UInt8]?) -> OutgoingLeg {
        let destination = target.destination
        let branch = TransactionLayer<CallDestination>.newBranch()
        var headers = SIPHeaders()
        headers.add(HeaderName.via, via(towards: destination, branch: branch))
        headers.add(HeaderName.maxForwards, "\(call.maxForwards)")
        let uri: String
        let from: String
        let to: String
        let display = call.caller.displayName.isEmpty ? "" : QuotedString.quote(call.caller.displayName) + " "
        switch target {
        case .contact(let contact):
            uri = contact.uri
            from = "\(display)<sip:\(call.caller.number)@\(call.caller.organisationDomain)>;tag=\(Registrar.newTag())"
            to = "<\(contact.aor)>"
        case .trunk(let trunk, let number):
            let port = trunk.destination.port == 5060 ? "" : ":\(trunk.destination.port)"
            uri = "sip:\(number)@\(trunk.domain)\(port)"
            let presented = trunk.callerID ?? call.caller.number
            from = "\(display)<sip:\(presented)@\(trunk.domain)>;tag=\(Registrar.newTag())"
            to = "<sip:\(number)@\(trunk.domain)>"
        }
        headers.add(HeaderName.from, from)
        headers.add(HeaderName.to, to)
        headers.add(HeaderName.callID, "\(Registrar.newTag())\(Registrar.newTag())@carephone")
        headers.add(HeaderName.cseq, "1 INVITE")
        headers.add(HeaderName.contact, contact(towards: destination))
        headers.add(HeaderName.allow, Self.allow)
        for name in SessionTimer.relayedHeaders {
            for value in call.invite.headers.values(name) { headers.add(name, value) }
        }
        headers.add(HeaderName.supported, SessionTimer.supported)
        let body: [UInt8]
        if let serverOffer {
            body = serverOffer
            headers.add(HeaderName.contentType, "application/sdp")
        } else {
            if let type = call.invite.headers[HeaderName.contentType], !call.invite.body.isEmpty {
                headers.add(HeaderName.contentType, type)
            }
            body = mediaBody(call.invite.body, contentType: call.invite.headers[HeaderName.contentType], call: call, towards: .callee)
        }
        headers.add(HeaderName.userAgent, "CarePhone")
        let invite = SIPRequest(method: .invite, uri: uri, headers: headers, body: body)
        let transaction = signalling.sendRequest(invite, to: destination)
        let leg = OutgoingLeg(call: call, target: target, invite: invite, transaction: transaction, branch: branch)
        clientTransactions[transaction] = .invite(leg)
        ourBranches.insert(branch)
        return leg
    }

    /// The methods we accept inside calls.
    static let allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO"

    /// CANCELs every leg still ringing (RFC 3261 §9.1: only after a provisional response).
    func cancelLegs(_ call: Call, except winner: OutgoingLeg? = nil) {
        call.ringTimer?.cancel()
        call.ringTimer = nil
        for leg in call.legs where leg !== winner {
            leg.completedElsewhere = winner != nil
            cancel(leg)
        }
    }

    func cancel(_ leg: OutgoingLeg) {
        guard leg.state == .calling || leg.state == .early, !leg.cancelRequested else { return }
        leg.cancelRequested = true
        if leg.state == .early { sendCancel(leg) }
    }

    private func sendCancel(_ leg: OutgoingLeg) {
        // RFC 3261 §9.1: a leg that gives no final response 64*T1 after the CANCEL is given up
        // (its INVITE transaction would otherwise wait for ever in Proceeding).
        let invite = leg.transaction
        leg.giveUpTimer = signalling.schedule(afterMilliseconds: 64 * t1) { [weak self, weak leg] in
            guard let self, let leg, leg.state != .done, leg.state != .answered, leg.transaction == invite else { return }
            self.log(.notice, "a cancelled leg gave no final response; giving it up", ["call": leg.call.id, "leg": leg.target.description])
            leg.state = .done
            leg.finalCode = 408
            self.signalling.terminate(invite)
        }
        // §9.1: same Request-URI, Call-ID, To, From, CSeq number and top Via as the INVITE.
        var headers = SIPHeaders()
        for name in [HeaderName.via, HeaderName.route] {
            if let first = leg.invite.headers.listElements(name).first, name == HeaderName.via {
                headers.add(name, first)
            } else if name == HeaderName.route {
                for r in leg.invite.headers.values(name) { headers.add(name, r) }
            }
        }
        headers.add(HeaderName.maxForwards, "70")
        for name in [HeaderName.from, HeaderName.to, HeaderName.callID] {
            if let v = leg.invite.headers[name] { headers.add(name, v) }
        }
        let sequence = leg.invite.headers[HeaderName.cseq].flatMap { try? CSeq(parsing: $0) }?.sequence ?? 1
        headers.add(HeaderName.cseq, CSeq(sequence, .cancel).description)
        if leg.completedElsewhere {
            // RFC 3326: another device answered, so phones do not list a missed call.
            headers.add("Reason", "SIP;cause=200;text=\"Call completed elsewhere\"")
        }
        let cancel = SIPRequest(method: .cancel, uri: leg.invite.uriString, headers: headers)
        let id = signalling.sendRequest(cancel, to: leg.target.destination)
        clientTransactions[id] = .fireAndForget
    }

    // MARK: responses

    /// A response for one of our client transactions.
    public func receiveResponse(_ response: SIPResponse, transaction: ClientTransactionID) {
        guard let purpose = clientTransactions[transaction] else { return }
        if response.statusCode >= 200, !isInviteAccepted(purpose, response) {
            clientTransactions[transaction] = nil
        }
        switch purpose {
        case .invite(let leg):
            legResponse(leg, response)
        case .fireAndForget:
            break
        case .relay(let call, let from, let request, let serverTransaction):
            relayResponse(response, id: transaction, call: call, from: from, request: request, transaction: serverTransaction)
        case .trunkRegister(let name):
            trunkRegisterResponse(response, trunk: name)
        }
    }

    /// INVITE 2xx keep coming while the transaction is Accepted (RFC 6026): keep the mapping.
    private func isInviteAccepted(_ purpose: ClientPurpose, _ response: SIPResponse) -> Bool {
        guard response.statusCode < 300 else { return false }
        switch purpose {
        case .invite: return true
        case .relay(_, _, let request, _): return request.method == .invite
        default: return false
        }
    }

    /// Timer B/F fired: as if a 408 had arrived (RFC 3261 §8.1.3.1).
    public func transactionTimedOut(_ transaction: ClientTransactionID) {
        guard let purpose = clientTransactions.removeValue(forKey: transaction) else { return }
        let timeout = SIPResponse(statusCode: 408, reasonPhrase: "Request Timeout")
        switch purpose {
        case .invite(let leg):
            legResponse(leg, timeout)
        case .relay(let call, let from, let request, let serverTransaction):
            relayResponse(timeout, id: transaction, call: call, from: from, request: request, transaction: serverTransaction)
        case .trunkRegister(let name):
            trunkRegisterResponse(timeout, trunk: name)
        case .fireAndForget:
            break
        }
    }

    /// The client transaction ended (Timer D/K/M): forget the mapping.
    public func transactionTerminated(_ transaction: ClientTransactionID) {
        if case .invite(let leg) = clientTransactions.removeValue(forKey: transaction) {
            ourBranches.remove(leg.branch)
        }
    }

    private func legResponse(_ leg: OutgoingLeg, _ response: SIPResponse) {
        let call = leg.call
        let code = response.statusCode
        let current = call.phase == .ringing && call.legs.contains { $0 === leg }
        if code < 200 {
            guard leg.state == .calling || leg.state == .early else { return }
            let first = leg.state == .calling
            leg.state = .early
            if leg.cancelRequested {
                if first { sendCancel(leg) }
                return
            }
            if code > 100, current, !call.answeredByServer { relayProvisional(response, call: call) }
            return
        }
        if code < 300 {
            let toTag = response.headers[HeaderName.to].flatMap { try? NameAddress(parsing: $0) }?.tag
            if leg.state == .answered, toTag == call.b?.remoteTag {
                // The callee did not get our ACK: §13.2.2.4, send it again.
                if let ack = call.calleeACK { signalling.sendACK(ack, to: call.b?.destination ?? leg.target.destination) }
            } else if leg.state == .answered {
                // A second dialog from a fork downstream: ACK it and hang it up (§13.2.2.4).
                hangUpLateAnswer(leg, response, force: true)
            } else if current, !leg.cancelRequested {
                answer(call, leg: leg, response: response)
            } else {
                // A losing fork (or a leg whose call is over) answered: ACK it and hang it up.
                hangUpLateAnswer(leg, response)
            }
            return
        }
        ourBranches.remove(leg.branch)
        if code == 401 || code == 407, retryWithCredentials(leg, response) { return }
        leg.state = .done
        leg.finalCode = code
        guard !leg.cancelRequested, current else { return }
        if call.legs.allSatisfy({ $0.state == .done }) {
            allLegsFailed(call)
        }
    }

    private func allLegsFailed(_ call: Call) {
        call.ringTimer?.cancel()
        call.ringTimer = nil
        let codes = call.legs.compactMap(\.finalCode)
        let outcome: StepOutcome
        if codes.contains(where: { $0 == 486 || $0 == 600 }) {
            call.fail(486, "Busy Here", .busy)
            outcome = .busy
        } else if case .trunk = call.legs.first?.target, let code = codes.first {
            // The provider's answer is what the caller should hear about (403, 404, 503, ...),
            // except a challenge meant for us: the caller cannot answer it.
            if code == 401 || code == 407 {
                call.fail(503, "Trunk Refused Our Credentials", .failed)
            } else {
                call.fail(code == 408 ? 480 : code, nil, .failed)
            }
            outcome = .failed(code: code)
        } else if codes.contains(603) {
            call.fail(603, "Declined", .failed)
            outcome = .failed(code: 603)
        } else {
            call.fail(480, "Temporarily Unavailable", .failed)
            outcome = .unavailable
        }
        call.legs = []
        call.phase = .routing
        log(.info, "nobody answered", ["call": call.id, "codes": codes.map(String.init).joined(separator: ",")])
        advance(call, after: outcome)
    }

    private func ringTimedOut(_ call: Call) {
        guard call.phase == .ringing else { return }
        log(.info, "no answer within the ring time", ["call": call.id])
        cancelLegs(call)
        call.legs = []
        call.phase = .routing
        call.fail(480, "No Answer", .noAnswer)
        advance(call, after: .noAnswer)
    }

    /// 180/183 go to the caller in the early dialog with our To tag (SDP for early media too).
    private func relayProvisional(_ response: SIPResponse, call: Call) {
        var relayed = SIPResponse(replyingTo: call.invite, statusCode: response.statusCode, reasonPhrase: response.reasonPhrase, toTag: call.a.localTag)
        copyRecordRoute(of: call, to: &relayed)
        relayed.headers.add(HeaderName.contact, contact(towards: call.a.destination))
        if !response.body.isEmpty, let type = response.headers[HeaderName.contentType] {
            relayed.headers.add(HeaderName.contentType, type)
            relayed.body = mediaBody(response.body, contentType: type, call: call, towards: .caller)
            call.earlyMediaSent = true
        }
        signalling.respond(relayed, to: call.inviteTransaction)
    }

    // MARK: answer

    private func answer(_ call: Call, leg: OutgoingLeg, response: SIPResponse) {
        call.phase = .answered
        call.answeredLeg = leg
        leg.state = .answered
        cancelLegs(call, except: leg)
        if !call.answeredByServer { call.answeredAt = signalling.now }
        call.answeredBy = leg.target.description
        var dialog = Self.calleeDialog(leg: leg, response: response)
        dialogs[dialog.key] = (call, .callee)
        // Offer in the leg's INVITE (the caller's, or the server's own for a caller it
        // answered): ACK at once. Late offer: the caller's ACK carries the answer.
        let sequence = leg.invite.headers[HeaderName.cseq].flatMap { try? CSeq(parsing: $0) }?.sequence ?? 1
        if leg.invite.body.isEmpty {
            call.awaitingCallerACK = true
        } else {
            let ack = ackRequest(&dialog, sequence: sequence, body: [], contentType: nil)
            call.calleeACK = ack
            signalling.sendACK(ack, to: dialog.destination)
        }
        call.b = dialog
        if call.answeredByServer {
            // The caller already has the server's answer: join the media, no 200 to send.
            media?.calleeAnswered(callID: call.id, answer: response.body)
        } else {
            var ok = SIPResponse(replyingTo: call.invite, statusCode: 200, toTag: call.a.localTag)
            copyRecordRoute(of: call, to: &ok)
            ok.headers.add(HeaderName.contact, contact(towards: call.a.destination))
            ok.headers.add(HeaderName.allow, Self.allow)
            copyRelayed(from: response.headers, to: &ok.headers)
            requireTimer(if: response.headers, callerSupports: call.invite.headers, into: &ok.headers)
            if !response.body.isEmpty, let type = response.headers[HeaderName.contentType] {
                ok.headers.add(HeaderName.contentType, type)
                ok.body = mediaBody(response.body, contentType: type, call: call, towards: .caller)
            }
            // The ACK carries the INVITE's CSeq, whatever the caller sent since (§13.2.2.4).
            send2xx(ok, call: call, to: .caller, transaction: call.inviteTransaction, cseq: call.inviteCSeq)
        }
        // RFC 4028 §7.2: without Session-Expires in the 2xx there is no session expiration.
        call.sessionInterval = SessionTimer.interval(in: response.headers)
        restartSessionTimer(call)
        log(.info, "answered", ["call": call.id, "by": leg.target.description])
    }

    /// RFC 3261 §12.1.1: responses that create a dialog carry the request's Record-Route.
    func copyRecordRoute(of call: Call, to response: inout SIPResponse) {
        for value in call.invite.headers.values(HeaderName.recordRoute) {
            response.headers.add(HeaderName.recordRoute, value)
        }
    }

    static func calleeDialog(leg: OutgoingLeg, response: SIPResponse) -> DialogState {
        let toHeader = response.headers[HeaderName.to] ?? ""
        let remoteTarget = response.headers[HeaderName.contact].flatMap { try? NameAddress(parsing: $0).uri.description } ?? leg.invite.uriString
        let routeSet = Array(response.headers.listElements(HeaderName.recordRoute).reversed())
        let fromHeader = leg.invite.headers[HeaderName.from] ?? ""
        let localTag = (try? NameAddress(parsing: fromHeader))?.tag ?? ""
        let sequence = leg.invite.headers[HeaderName.cseq].flatMap { try? CSeq(parsing: $0) }?.sequence ?? 1
        var destination = leg.target.destination
        if let first = routeSet.first, let routed = RouteDestination.destination(of: first, fallbackTransport: destination.transport) {
            destination = routed
        }
        return DialogState(
            callID: leg.invite.headers[HeaderName.callID] ?? "", localHeader: fromHeader, localTag: localTag,
            remoteHeader: toHeader, remoteTarget: remoteTarget, routeSet: routeSet, localCSeq: sequence, remoteCSeq: nil,
            destination: destination)
    }

    /// The ACK for a 2xx (§13.2.2.4): a new branch, the INVITE's CSeq number.
    func ackRequest(_ dialog: inout DialogState, sequence: UInt32, body: [UInt8], contentType: String?) -> SIPRequest {
        let saved = dialog.localCSeq
        dialog.localCSeq = sequence
        let ack = dialog.request(.ack, via: via(towards: dialog.destination, branch: TransactionLayer<CallDestination>.newBranch()), contact: contact(towards: dialog.destination), body: body, contentType: contentType)
        dialog.localCSeq = saved
        return ack
    }

    /// RFC 4028 §9: when the callee made the caller the refresher (`Require: timer`), the caller
    /// must support timers; tell it with `Require: timer` only if it said it does.
    func requireTimer(if response: SIPHeaders, callerSupports request: SIPHeaders, into headers: inout SIPHeaders) {
        headers.add(HeaderName.supported, SessionTimer.supported)
        if SessionTimer.lists("timer", in: response, HeaderName.require), SessionTimer.lists("timer", in: request, HeaderName.supported) {
            headers.add(HeaderName.require, "timer")
        }
    }

    func copyRelayed(from source: SIPHeaders, to target: inout SIPHeaders) {
        for name in SessionTimer.relayedHeaders where !target.contains(name) {
            for value in source.values(name) { target.add(name, value) }
        }
    }

    /// A 2xx from a leg that lost (or whose call ended): ACK, then BYE (RFC 3261 §13.2.2.4).
    private func hangUpLateAnswer(_ leg: OutgoingLeg, _ response: SIPResponse, force: Bool = false) {
        var dialog = Self.calleeDialog(leg: leg, response: response)
        let sequence = dialog.localCSeq
        signalling.sendACK(ackRequest(&dialog, sequence: sequence, body: [], contentType: nil), to: dialog.destination)
        if !force {
            guard leg.finalCode != 200 else { return }
            leg.state = .done
        }
        leg.finalCode = 200
        let bye = dialog.request(.bye, via: via(towards: dialog.destination, branch: TransactionLayer<CallDestination>.newBranch()), contact: contact(towards: dialog.destination))
        clientTransactions[signalling.sendRequest(bye, to: dialog.destination)] = .fireAndForget
        log(.info, "late answer hung up", ["call": leg.call.id, "leg": leg.target.description])
    }

    // MARK: trunk authentication

    /// A trunk's 401/407: send the INVITE again with credentials (RFC 3261 §22.2), at most twice.
    private func retryWithCredentials(_ leg: OutgoingLeg, _ response: SIPResponse) -> Bool {
        guard case .trunk(let trunk, _) = leg.target, let username = trunk.username, let password = trunk.password,
            !leg.cancelRequested, leg.call.phase == .ringing
        else { return false }
        let proxy = response.statusCode == 407
        let challengeHeader = proxy ? HeaderName.proxyAuthenticate : HeaderName.wwwAuthenticate
        guard let challenge = response.headers.values(challengeHeader).compactMap({ try? DigestChallenge(parsing: $0) }).first else { return false }
        // One answer per challenge; a second challenge means the credentials are wrong, unless
        // it only says our nonce went stale (RFC 7616 §3.3), which earns one more try.
        guard leg.authAttempts == 0 || (leg.authAttempts == 1 && challenge.stale) else { return false }
        leg.authAttempts += 1
        var invite = leg.invite
        let credentials = DigestCredentials(
            answering: challenge, username: username, password: password, method: "INVITE", uri: invite.uriString,
            cnonce: Registrar.newTag())
        invite.headers.remove(HeaderName.authorization)
        invite.headers.remove(HeaderName.proxyAuthorization)
        invite.headers.add(proxy ? HeaderName.proxyAuthorization : HeaderName.authorization, credentials.headerValue)
        let sequence = (invite.headers[HeaderName.cseq].flatMap { try? CSeq(parsing: $0) }?.sequence ?? 1) + 1
        invite.headers.set(HeaderName.cseq, CSeq(sequence, .invite).description)
        let branch = TransactionLayer<CallDestination>.newBranch()
        invite.headers.replaceTopVia(with: via(towards: leg.target.destination, branch: branch))
        leg.invite = invite
        leg.branch = branch
        leg.state = .calling
        let id = signalling.sendRequest(invite, to: leg.target.destination)
        leg.transaction = id
        clientTransactions[id] = .invite(leg)
        ourBranches.insert(branch)
        return true
    }
}
