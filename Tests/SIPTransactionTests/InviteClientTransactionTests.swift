import SIPCore
import Testing

@testable import SIPTransaction

@Suite("INVITE client transaction (RFC 3261 §17.1.1, RFC 6026 §7.2)")
struct InviteClientTransactionTests {
    let invite = Messages.request(
        "INVITE", branch: "z9hG4bKinv1", cseq: 7,
        routes: ["<sip:edge1.example;lr>", "<sip:edge2.example;lr>"])

    @Test func stateSequenceToCompletedOverUDP() {
        var t = InviteClientTransaction(invite: invite.0, reliable: false, now: 0)
        #expect(t.stateName == .calling)
        #expect(t.retransmissionTimer == TimerDeadline(.a, at: 500))
        #expect(t.expiryTimer == TimerDeadline(.b, at: 32_000))
        let ringing = Messages.response(180, to: invite.0).0
        #expect(t.receivedResponse(ringing, now: 100) == .deliver(ringing))
        #expect(t.stateName == .proceeding)
        #expect(t.retransmissionTimer == nil)
        #expect(t.expiryTimer == nil)
        let busy = Messages.response(486, to: invite.0).0
        guard case .deliverAndAcknowledge(let delivered, let ack) = t.receivedResponse(busy, now: 200) else {
            Issue.record("expected the 486 to be delivered and acknowledged")
            return
        }
        #expect(delivered == busy)
        #expect(t.stateName == .completed)
        #expect(t.expiryTimer == TimerDeadline(.d, at: 32_200))
        #expect(t.receivedResponse(busy, now: 300) == .send(ack))
        #expect(t.timerFired(.d, now: 32_200) == .none)
        #expect(t.stateName == .terminated)
    }

    @Test func stateSequenceToAcceptedOverTCP() {
        var t = InviteClientTransaction(invite: invite.0, reliable: true, now: 0)
        #expect(t.retransmissionTimer == nil)
        #expect(t.expiryTimer == TimerDeadline(.b, at: 32_000))
        let ok = Messages.response(200, to: invite.0).0
        #expect(t.receivedResponse(ok, now: 10) == .deliver(ok))
        #expect(t.stateName == .accepted)
        #expect(t.expiryTimer == TimerDeadline(.m, at: 32_010))
        #expect(t.timerFired(.m, now: 32_010) == .none)
        #expect(t.stateName == .terminated)
    }

    @Test func timerADoublesWithoutCapUntilTimerB() {
        var layer = Layer()
        let (id, _) = layer.sendRequest(invite.0, to: trunk, reliable: false, now: 0)
        let log = runTimers(&layer, until: 60_000)
        // §17.1.1.2: 500, 1000, 2000, 4000, 8000, 16000 ms apart; Timer B at 64*T1.
        #expect(sendTimes(log) == [500, 1_500, 3_500, 7_500, 15_500, 31_500])
        #expect(log.suffix(2).map(\.action) == [.timeout(id), .terminated(.client(id))])
        #expect(log.last?.time == 32_000)
        #expect(layer.count == 0)
    }

    @Test func overTCPOnlyTimerB() {
        var layer = Layer()
        let (id, _) = layer.sendRequest(invite.0, to: "tcp:192.0.2.9:5060", reliable: true, now: 0)
        #expect(layer.nextDeadline == 32_000)
        let log = runTimers(&layer, until: 60_000)
        #expect(log.map(\.action) == [.timeout(id), .terminated(.client(id))])
    }

    @Test func provisionalStopsRetransmissionsAndTimerB() {
        var layer = Layer()
        let (id, _) = layer.sendRequest(invite.0, to: trunk, reliable: false, now: 0)
        let ringing = Messages.response(180, to: invite.0)
        #expect(layer.receiveResponse(ringing.0, routing: ringing.1, now: 300) == [.deliverResponse(id, ringing.0)])
        #expect(layer.nextDeadline == nil)
        #expect(layer.advance(to: 100_000) == [])
        #expect(layer.count == 1)
        // The TU ends it after a CANCEL went unanswered (§9.1).
        #expect(layer.terminate(.client(id)) == [.terminated(.client(id))])
        #expect(layer.count == 0)
        #expect(layer.terminate(.client(id)) == [])
    }

    @Test func busyHereIsAcknowledgedByTheTransaction() throws {
        var layer = Layer()
        let (id, _) = layer.sendRequest(invite.0, to: trunk, reliable: false, now: 0)
        let busy = Messages.response(486, to: invite.0, toTag: "callee-9")
        let actions = layer.receiveResponse(busy.0, routing: busy.1, now: 200)
        #expect(actions.count == 2)
        #expect(actions.last == .deliverResponse(id, busy.0))
        guard case .send(.request(let ack), let peer)? = actions.first else {
            Issue.record("expected an ACK to be sent")
            return
        }
        #expect(peer == trunk)
        // §17.1.1.3: the ACK for a non-2xx.
        #expect(ack.method == .ack)
        #expect(ack.uriString == invite.0.uriString)
        #expect(ack.headers.values(HeaderName.via) == ["SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKinv1"])
        #expect(ack.headers[HeaderName.to] == "<sip:1002@pbx.example>;tag=callee-9")
        #expect(ack.headers[HeaderName.from] == invite.0.headers[HeaderName.from])
        #expect(ack.headers[HeaderName.callID] == "call-1")
        #expect(ack.headers[HeaderName.cseq] == "7 ACK")
        #expect(ack.headers.values(HeaderName.route) == ["<sip:edge1.example;lr>", "<sip:edge2.example;lr>"])
        #expect(ack.headers[HeaderName.maxForwards] == "70")
        #expect(ack.body.isEmpty)
        let routing = try RoutingHeaders(.request(ack))
        #expect(routing.to.tag == "callee-9")

        // Completed: a retransmitted 486 is answered with the same ACK and not passed up.
        #expect(layer.receiveResponse(busy.0, routing: busy.1, now: 700) == [.send(.request(ack), to: trunk)])
        #expect(layer.nextDeadline == 32_200)
        #expect(runTimers(&layer, until: 40_000).map(\.action) == [.terminated(.client(id))])
    }

    @Test func ackCopiesOnlyTheTopVia() {
        var request = invite.0
        request.headers.set(
            HeaderName.via, "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKtop, SIP/2.0/UDP 10.0.0.7;branch=z9hG4bKlow")
        let busy = Messages.response(603, to: request).0
        let ack = SIPRequest.acknowledging(busy, of: request)
        #expect(ack.headers.values(HeaderName.via) == ["SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKtop"])
        #expect(ack.headers[HeaderName.cseq] == "7 ACK")
    }

    @Test func busyHereOverTCPEndsAtOnce() {
        var layer = Layer()
        let (id, _) = layer.sendRequest(invite.0, to: "tcp:192.0.2.9:5060", reliable: true, now: 0)
        let busy = Messages.response(486, to: invite.0)
        let actions = layer.receiveResponse(busy.0, routing: busy.1, now: 200)
        #expect(actions.count == 3)
        // The ACK leaves before the TU hears of the 486 (a TU retry must not overtake it).
        #expect(actions.first?.sentRequest?.method == .ack)
        #expect(actions[1] == .deliverResponse(id, busy.0))
        #expect(actions.last == .terminated(.client(id)))
        #expect(layer.count == 0)
    }

    @Test func acceptedPassesEvery2xxToTheTUAndNeverAcknowledges() {
        var layer = Layer()
        let (id, _) = layer.sendRequest(invite.0, to: trunk, reliable: false, now: 0)
        let ok = Messages.response(200, to: invite.0, toTag: "a")
        #expect(layer.receiveResponse(ok.0, routing: ok.1, now: 1_000) == [.deliverResponse(id, ok.0)])
        // Retransmissions of the INVITE stop; Timer M runs.
        #expect(layer.nextDeadline == 33_000)
        // RFC 6026 §7.2: a retransmitted 2xx, and the 2xx of another fork, reach the TU.
        #expect(layer.receiveResponse(ok.0, routing: ok.1, now: 1_500) == [.deliverResponse(id, ok.0)])
        let fork = Messages.response(200, to: invite.0, toTag: "b")
        #expect(layer.receiveResponse(fork.0, routing: fork.1, now: 1_600) == [.deliverResponse(id, fork.0)])
        // Other responses are absorbed.
        let late = Messages.response(486, to: invite.0, toTag: "c")
        #expect(layer.receiveResponse(late.0, routing: late.1, now: 1_700) == [])
        #expect(runTimers(&layer, until: 60_000).map(\.action) == [.terminated(.client(id))])
        // After Timer M a 2xx retransmission is stray; the dialog answers it.
        #expect(layer.receiveResponse(ok.0, routing: ok.1, now: 34_000) == [.strayResponse(ok.0)])
    }

    @Test func twoHundredAfterProceeding() {
        var t = InviteClientTransaction(invite: invite.0, reliable: false, now: 0)
        _ = t.receivedResponse(Messages.response(183, to: invite.0).0, now: 10)
        let ok = Messages.response(200, to: invite.0).0
        #expect(t.receivedResponse(ok, now: 20) == .deliver(ok))
        #expect(t.stateName == .accepted)
    }
}
