import Foundation
import SIPCore
import SIPTransaction

extension B2BUA {
    // MARK: CANCEL from the caller

    /// A CANCEL whose INVITE server transaction is `invite` (RFC 3261 §9.2). Returns false when
    /// no call belongs to it (the server answers 481).
    public func receiveCancel(_ request: SIPRequest, transaction: ServerTransactionID, invite: ServerTransactionID) -> Bool {
        guard let call = byInvite[invite] else { return false }
        signalling.respond(SIPResponse(replyingTo: request, statusCode: 200, toTag: call.a.localTag), to: transaction)
        // §9.2: once the final response went out, CANCEL changes nothing.
        guard call.phase == .routing || call.phase == .ringing, !call.answeredByServer else { return true }
        log(.info, "caller cancelled", ["call": call.id])
        finishUnanswered(call, code: 487, reason: "Request Terminated", outcome: .cancelled)
        return true
    }

    // MARK: requests inside a dialog

    /// A request with a To tag. Returns false when it belongs to no dialog of ours (481).
    public func receiveInDialog(_ request: SIPRequest, routing: RoutingHeaders, transaction: ServerTransactionID) -> Bool {
        guard let tag = routing.to.tag, let (call, side) = dialogs[DialogKey(callID: routing.callID, localTag: tag)],
            var dialog = call.dialog(side)
        else { return false }
        func reply(_ code: Int, _ reason: String? = nil) {
            signalling.respond(SIPResponse(replyingTo: request, statusCode: code, reasonPhrase: reason), to: transaction)
        }
        guard dialog.acceptRemoteCSeq(routing.cseq.sequence, method: request.method) else {
            reply(500, "CSeq Out Of Order")
            return true
        }
        call.setDialog(side, dialog)
        switch request.method {
        case .bye:
            reply(200)
            if call.phase == .answered || call.answeredByServer {
                // A caller the server answered has no other side yet: hangUp cancels the legs
                // still ringing for it and ends the call.
                log(.info, "hang-up", ["call": call.id, "by": side.name])
                hangUp(call, side: side.other, endedBy: side.name)
            } else {
                // §15: a caller may end an early dialog with BYE, like a CANCEL.
                finishUnanswered(call, code: 487, reason: "Request Terminated", outcome: .cancelled)
            }
        case .invite, .update, .info:
            if call.answeredByServer, call.phase != .answered {
                serverAnsweredRequest(request, call: call, routing: routing, transaction: transaction)
                return true
            }
            guard call.phase == .answered, call.b != nil else {
                reply(request.method == .info ? 481 : 491, request.method == .info ? "Call Not Answered Yet" : "Request Pending")
                return true
            }
            if request.method != .info {
                if !call.offerInProgress.isEmpty {
                    reply(491, "Request Pending")
                    return true
                }
                call.offerInProgress.insert(side)
                // Target refresh (§12.2.2): a new Contact updates the remote target.
                if let contact = routing.contacts?.firstURI {
                    dialog.remoteTarget = contact
                    call.setDialog(side, dialog)
                }
            }
            let maxForwards = routing.maxForwards ?? 70
            guard maxForwards > 0 else {
                if request.method != .info { call.offerInProgress.remove(side) }
                reply(483, "Too Many Hops")
                return true
            }
            relay(request, call: call, from: side, transaction: transaction, maxForwards: maxForwards)
        case .options:
            var ok = SIPResponse(replyingTo: request, statusCode: 200)
            ok.headers.add(HeaderName.allow, Self.allow)
            signalling.respond(ok, to: transaction)
        default:
            var refused = SIPResponse(replyingTo: request, statusCode: 405)
            refused.headers.add(HeaderName.allow, Self.allow)
            signalling.respond(refused, to: transaction)
        }
        return true
    }

    /// An ACK that no transaction absorbed: the ACK for a 2xx we sent (§13.3.1.4).
    public func receiveACK(_ request: SIPRequest, routing: RoutingHeaders) {
        guard let tag = routing.to.tag, let (call, side) = dialogs[DialogKey(callID: routing.callID, localTag: tag)] else { return }
        if let pending = call.pending2xx[side], pending.cseq == routing.cseq.sequence {
            pending.timer?.cancel()
            call.pending2xx[side] = nil
        }
        let other = side.other
        if side == .caller, call.answeredByServer, call.b == nil, !request.body.isEmpty {
            // An ACK with SDP answers the offer of our 2xx (late offer, or a re-INVITE without SDP).
            media?.callerAnswered(callID: call.id, answer: request.body)
        } else if side == .caller, call.awaitingCallerACK, var b = call.b {
            // Late offer: the caller's ACK carries the SDP answer for the callee.
            call.awaitingCallerACK = false
            let sequence = b.localCSeq
            let type = request.headers[HeaderName.contentType]
            let ack = ackRequest(&b, sequence: sequence, body: mediaBody(request.body, contentType: type, call: call, towards: .callee), contentType: type)
            call.calleeACK = ack
            signalling.sendACK(ack, to: b.destination)
        } else if let sequence = call.relayedACK.removeValue(forKey: side), var target = call.dialog(other) {
            // The ACK for a relayed re-INVITE's 2xx goes on to the side that sent the 2xx.
            let type = request.headers[HeaderName.contentType]
            let ack = ackRequest(&target, sequence: sequence, body: mediaBody(request.body, contentType: type, call: call, towards: other), contentType: type)
            signalling.sendACK(ack, to: target.destination)
        }
    }

    // MARK: relaying

    private func relay(_ request: SIPRequest, call: Call, from side: Side, transaction: ServerTransactionID, maxForwards: Int) {
        guard var target = call.dialog(side.other) else { return }
        let branch = TransactionLayer<CallDestination>.newBranch()
        var outgoing = target.request(
            request.method, via: via(towards: target.destination, branch: branch), contact: contact(towards: target.destination),
            body: mediaBody(request.body, contentType: request.headers[HeaderName.contentType], call: call, towards: side.other),
            contentType: request.headers[HeaderName.contentType])
        // Max-Forwards is carried across (decremented), so loops between servers still end.
        outgoing.headers.set(HeaderName.maxForwards, "\(min(70, maxForwards - 1))")
        copyRelayed(from: request.headers, to: &outgoing.headers)
        outgoing.headers.add(HeaderName.supported, SessionTimer.supported)
        call.setDialog(side.other, target)
        let id = signalling.sendRequest(outgoing, to: target.destination)
        clientTransactions[id] = .relay(call, from: side, request: request, transaction: transaction)
        var pending = PendingRelay(request: request, transaction: transaction, timerC: nil)
        if request.method == .invite {
            // Timer C (RFC 3261 §16.6 step 11): a re-INVITE the other side only ever answers
            // with 1xx is given up after 3 minutes, with 408 to the side that sent it.
            pending.timerC = signalling.schedule(afterMilliseconds: 180_000) { [weak self, weak call] in
                guard let self, let call, call.pendingRelays[id] != nil else { return }
                self.signalling.terminate(id)
                self.relayResponse(SIPResponse(statusCode: 408, reasonPhrase: "Request Timeout"), id: id, call: call, from: side, request: request, transaction: transaction)
            }
        }
        call.pendingRelays[id] = pending
    }

    func relayResponse(_ response: SIPResponse, id: ClientTransactionID, call: Call, from side: Side, request: SIPRequest, transaction: ServerTransactionID) {
        let code = response.statusCode
        if code >= 200 {
            call.offerInProgress.remove(side)
            call.pendingRelays.removeValue(forKey: id)?.timerC?.cancel()
        }
        var relayed = SIPResponse(replyingTo: request, statusCode: code, reasonPhrase: response.reasonPhrase)
        if !response.body.isEmpty, let type = response.headers[HeaderName.contentType] {
            relayed.headers.add(HeaderName.contentType, type)
            relayed.body = mediaBody(response.body, contentType: type, call: call, towards: side)
        }
        guard call.phase == .answered else {
            // The call ended meanwhile: the request still gets its final answer (once).
            if code >= 200 { signalling.respond(relayed, to: transaction) }
            return
        }
        if code >= 200, code < 300, request.method == .invite,
            let sequence = response.headers[HeaderName.cseq].flatMap({ try? CSeq(parsing: $0) })?.sequence
        {
            if call.relayedACK[side] != nil || call.pending2xx[side] != nil {
                return  // a retransmitted 2xx: our 2xx towards `side` is already being retransmitted
            }
            call.relayedACK[side] = sequence
            if var other = call.dialog(side.other), let contact = response.headers[HeaderName.contact].flatMap({ try? NameAddress(parsing: $0).uri.description }) {
                other.remoteTarget = contact
                call.setDialog(side.other, other)
            }
        }
        if code >= 200, code < 300, request.method == .invite || request.method == .update, let dialog = call.dialog(side) {
            relayed.headers.add(HeaderName.contact, contact(towards: dialog.destination))
        }
        copyRelayed(from: response.headers, to: &relayed.headers)
        if code >= 200, code < 300, request.method == .invite || request.method == .update {
            requireTimer(if: response.headers, callerSupports: request.headers, into: &relayed.headers)
        }
        if code >= 200, code < 300 {
            if request.method == .invite {
                let sequence = (try? RoutingHeaders(.request(request)))?.cseq.sequence ?? 0
                send2xx(relayed, call: call, to: side, transaction: transaction, cseq: sequence)
            } else {
                signalling.respond(relayed, to: transaction)
            }
            if request.method == .invite || request.method == .update {
                // RFC 4028 §10: a successful refresh restarts the session timer; §7.2: without
                // Session-Expires in the 2xx there is no session expiration any more.
                call.sessionInterval = SessionTimer.interval(in: response.headers)
                restartSessionTimer(call)
            }
        } else {
            signalling.respond(relayed, to: transaction)
        }
        // §12.2.1.2: 481 or 408 to a request inside the dialog ends it; the side that did not
        // answer may still be there, so both get BYE.
        if code == 481 || code == 408 {
            log(.info, "dialog ended by an in-dialog failure", ["call": call.id, "code": "\(code)"])
            hangUp(call, side: nil, endedBy: side.other.name)
        }
    }

    // MARK: 2xx retransmission (RFC 3261 §13.3.1.4)

    /// Sends a 2xx to `side` and, on an unreliable transport, retransmits it until the ACK. On
    /// any transport, a call whose ACK has not come 64*T1 later is ended (§13.3.1.4).
    func send2xx(_ response: SIPResponse, call: Call, to side: Side, transaction: ServerTransactionID, cseq: UInt32) {
        signalling.respond(response, to: transaction)
        guard let dialog = call.dialog(side) else { return }
        var pending = Pending2xx(response: response, transaction: transaction, cseq: cseq, interval: t1, elapsed: 0, timer: nil)
        if dialog.destination.isReliable {
            // No retransmissions over TCP: one wait for the ACK.
            pending.interval = 64 * t1
        }
        pending.timer = schedule2xx(call, side: side, after: pending.interval)
        call.pending2xx[side] = pending
    }

    private func schedule2xx(_ call: Call, side: Side, after delay: Int64) -> CallTimer {
        signalling.schedule(afterMilliseconds: delay) { [weak self, weak call] in
            guard let self, let call, var pending = call.pending2xx[side] else { return }
            pending.elapsed += delay
            if pending.elapsed >= 64 * self.t1 {
                call.pending2xx[side] = nil
                self.log(.warning, "no ACK for the 2xx; ending the call", ["call": call.id, "side": side.name])
                self.hangUp(call, side: nil, endedBy: "ack-timeout")
                return
            }
            self.signalling.respond(pending.response, to: pending.transaction)
            pending.interval = min(2 * pending.interval, self.t2)
            // The last wait is cut short so the call ends 64*T1 after the first 2xx.
            pending.timer = self.schedule2xx(call, side: side, after: min(pending.interval, 64 * self.t1 - pending.elapsed))
            call.pending2xx[side] = pending
        }
    }

    // MARK: session timer (RFC 4028)

    func restartSessionTimer(_ call: Call) {
        call.sessionTimer?.cancel()
        guard let interval = call.sessionInterval, interval > 0 else { return }
        call.sessionTimer = signalling.schedule(afterMilliseconds: Int64(interval) * 1000) { [weak self, weak call] in
            guard let self, let call, call.phase == .answered else { return }
            // §10: no refresh arrived within the interval; the session is over.
            self.log(.notice, "session timer expired without a refresh", ["call": call.id, "interval": "\(interval)"])
            self.hangUp(call, side: nil, endedBy: "session-expired")
        }
    }

    // MARK: hanging up

    /// Sends BYE to `side` (or to both when nil) and ends the call.
    func hangUp(_ call: Call, side: Side?, endedBy: String) {
        guard call.phase == .answered || (call.answeredByServer && call.phase != .ended) else { return }
        // A caller the server answered may be hung up while somebody rings for it.
        if call.phase == .ringing { cancelLegs(call) }
        for s in side.map({ [$0] }) ?? [.caller, .callee] {
            guard var dialog = call.dialog(s) else { continue }
            let bye = dialog.request(.bye, via: via(towards: dialog.destination, branch: TransactionLayer<CallDestination>.newBranch()), contact: contact(towards: dialog.destination))
            call.setDialog(s, dialog)
            clientTransactions[signalling.sendRequest(bye, to: dialog.destination)] = .fireAndForget
        }
        end(call, outcome: .answered, failureCode: nil, endedBy: endedBy)
    }

    /// Ends every call (server shutdown): BYE to answered ones, 503 to ringing ones.
    public func endAll() {
        for call in Array(calls.values) {
            if call.phase == .answered || call.answeredByServer {
                hangUp(call, side: nil, endedBy: "shutdown")
            } else {
                finishUnanswered(call, code: 503, reason: "Server Shutting Down", outcome: .failed)
            }
        }
    }
}
