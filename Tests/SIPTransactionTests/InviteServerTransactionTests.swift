import SIPCore
import Testing

@testable import SIPTransaction

@Suite("INVITE server transaction (RFC 3261 §17.2.1, RFC 6026 §7.1)")
struct InviteServerTransactionTests {
    let invite = Messages.request("INVITE", branch: "z9hG4bKcall1")
    /// The ACK for a non-2xx: same branch as the INVITE, To tag of the response (§17.1.1.3).
    let ackForFinal = Messages.request("ACK", branch: "z9hG4bKcall1", toTag: "t1")
    /// The ACK for a 2xx: a new transaction, so a new branch (§13.2.2.4).
    let ackFor2xx = Messages.request("ACK", branch: "z9hG4bKack2", toTag: "t1")

    @Test func stateSequenceThroughConfirmedOverUDP() {
        var t = InviteServerTransaction(reliable: false)
        #expect(t.stateName == .proceeding)
        #expect(t.receivedRetransmission() == .none)
        let ringing = Messages.response(180, to: invite.0).0
        #expect(t.sendResponse(ringing, now: 0) == .send(ringing))
        #expect(t.receivedRetransmission() == .send(ringing))
        let busy = Messages.response(486, to: invite.0).0
        #expect(t.sendResponse(busy, now: 100) == .send(busy))
        #expect(t.stateName == .completed)
        #expect(t.retransmissionTimer == TimerDeadline(.g, at: 600))
        #expect(t.expiryTimer == TimerDeadline(.h, at: 32_100))
        #expect(t.receivedACK(now: 200) == .none)
        #expect(t.stateName == .confirmed)
        #expect(t.retransmissionTimer == nil)
        #expect(t.expiryTimer == TimerDeadline(.i, at: 5_200))
        #expect(t.timerFired(.i, now: 5_200) == .none)
        #expect(t.stateName == .terminated)
    }

    @Test func stateSequenceThroughAccepted() {
        var t = InviteServerTransaction(reliable: true)
        let ok = Messages.response(200, to: invite.0).0
        #expect(t.sendResponse(ok, now: 50) == .send(ok))
        #expect(t.stateName == .accepted)
        #expect(t.expiryTimer == TimerDeadline(.l, at: 32_050))
        #expect(t.receivedRetransmission() == .none)
        #expect(t.receivedACK(now: 60) == .passACKToTU)
        #expect(t.sendResponse(ok, now: 550) == .send(ok))
        #expect(t.sendResponse(Messages.response(500, to: invite.0).0, now: 600) == .none)
        #expect(t.timerFired(.l, now: 32_050) == .none)
        #expect(t.stateName == .terminated)
    }

    @Test func timerGDoublesUpToT2AndTimerHTimesOut() throws {
        var layer = Layer()
        let id = try deliver(invite, to: &layer)
        let busy = Messages.response(486, to: invite.0)
        #expect(layer.respond(busy.0, to: id, now: 0) == [.send(.response(busy.0), to: phone)])
        #expect(layer.nextDeadline == 500)
        let log = runTimers(&layer, until: 60_000)
        #expect(sendTimes(log) == [500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500])
        #expect(log.allSatisfy { $0.action.sentResponse == nil || $0.action.sentResponse == busy.0 })
        // Timer H: the ACK never came.
        #expect(log.suffix(2).map(\.action) == [.serverTimeout(id), .terminated(.server(id))])
        #expect(log.last?.time == 32_000)
        #expect(layer.count == 0)
    }

    @Test func ackToNonSuccessFinalIsAbsorbed() throws {
        var layer = Layer()
        let id = try deliver(invite, to: &layer)
        let busy = Messages.response(486, to: invite.0)
        _ = layer.respond(busy.0, to: id, now: 0)
        #expect(layer.advance(to: 500).count == 1)
        // Completed: the INVITE retransmission gets the final response again.
        #expect(
            layer.receiveRequest(invite.0, routing: invite.1, from: phone, reliable: false, now: 600) == [
                .send(.response(busy.0), to: phone)
            ])
        #expect(
            layer.receiveRequest(ackForFinal.0, routing: ackForFinal.1, from: phone, reliable: false, now: 700) == [])
        // Confirmed: Timer G and H stop, Timer I runs for T4.
        #expect(layer.nextDeadline == 5_700)
        #expect(
            layer.receiveRequest(ackForFinal.0, routing: ackForFinal.1, from: phone, reliable: false, now: 800) == [])
        #expect(layer.receiveRequest(invite.0, routing: invite.1, from: phone, reliable: false, now: 900) == [])
        #expect(runTimers(&layer, until: 60_000).map(\.action) == [.terminated(.server(id))])
        #expect(layer.count == 0)
    }

    @Test func overTCPNoTimerGAndTimerIIsZero() throws {
        var layer = Layer()
        let peer = "tcp:10.0.0.1:40000"
        let tcpInvite = Messages.request("INVITE", branch: "z9hG4bKtcp1", transport: "TCP")
        let id = try deliver(tcpInvite, to: &layer, from: peer, reliable: true)
        let busy = Messages.response(486, to: tcpInvite.0)
        #expect(layer.respond(busy.0, to: id, now: 0) == [.send(.response(busy.0), to: peer)])
        #expect(layer.nextDeadline == 32_000)
        let ack = Messages.request("ACK", branch: "z9hG4bKtcp1", transport: "TCP", toTag: "t1")
        #expect(
            layer.receiveRequest(ack.0, routing: ack.1, from: peer, reliable: true, now: 10) == [
                .terminated(.server(id))
            ])
        #expect(layer.count == 0)
        #expect(layer.nextDeadline == nil)
    }

    @Test func timerHOverTCP() throws {
        var layer = Layer()
        let id = try deliver(invite, to: &layer, from: "tcp:10.0.0.1:40000", reliable: true)
        _ = layer.respond(Messages.response(603, to: invite.0).0, to: id, now: 100)
        let log = runTimers(&layer, until: 60_000)
        #expect(log.map(\.action) == [.serverTimeout(id), .terminated(.server(id))])
        #expect(log.first?.time == 32_100)
    }

    @Test func retransmissionInProceedingResendsTheLastProvisional() throws {
        var layer = Layer()
        let id = try deliver(invite, to: &layer)
        #expect(layer.receiveRequest(invite.0, routing: invite.1, from: phone, reliable: false, now: 500) == [])
        let trying = Messages.response(100, to: invite.0, toTag: nil)
        let ringing = Messages.response(180, to: invite.0)
        _ = layer.respond(trying.0, to: id, now: 10)
        _ = layer.respond(ringing.0, to: id, now: 20)
        #expect(
            layer.receiveRequest(invite.0, routing: invite.1, from: phone, reliable: false, now: 1_000) == [
                .send(.response(ringing.0), to: phone)
            ])
        // No timer runs in Proceeding: the TU decides how long it rings.
        #expect(layer.nextDeadline == nil)
    }

    @Test func acceptedAbsorbsInviteRetransmissionsAndPassesACKs() throws {
        var layer = Layer()
        let id = try deliver(invite, to: &layer)
        let ok = Messages.response(200, to: invite.0)
        #expect(layer.respond(ok.0, to: id, now: 100) == [.send(.response(ok.0), to: phone)])
        #expect(layer.nextDeadline == 32_100)
        // RFC 6026 §7.1: absorbed, and not re-answered: 2xx retransmissions are the TU's job.
        #expect(layer.receiveRequest(invite.0, routing: invite.1, from: phone, reliable: false, now: 600) == [])
        #expect(layer.respond(ok.0, to: id, now: 600) == [.send(.response(ok.0), to: phone)])
        // The 2xx ACK is its own transaction: it goes to the TU.
        #expect(
            layer.receiveRequest(ackFor2xx.0, routing: ackFor2xx.1, from: phone, reliable: false, now: 700) == [
                .deliverStrayACK(ackFor2xx.0, ackFor2xx.1, phone)
            ])
        // Even one that matches the transaction (an RFC 2543-style ACK reusing the branch).
        #expect(
            layer.receiveRequest(ackForFinal.0, routing: ackForFinal.1, from: phone, reliable: false, now: 800) == [
                .deliverStrayACK(ackForFinal.0, ackForFinal.1, phone)
            ])
        #expect(layer.respond(Messages.response(500, to: invite.0).0, to: id, now: 900) == [])
        #expect(runTimers(&layer, until: 60_000).map(\.action) == [.terminated(.server(id))])
        #expect(layer.count == 0)
    }

    @Test func ackWithoutTransactionGoesToTheTU() {
        var layer = Layer()
        #expect(
            layer.receiveRequest(ackFor2xx.0, routing: ackFor2xx.1, from: phone, reliable: false, now: 0) == [
                .deliverStrayACK(ackFor2xx.0, ackFor2xx.1, phone)
            ])
        #expect(layer.count == 0)
    }

    @Test func ackBeforeAnyFinalIsDropped() throws {
        var layer = Layer()
        _ = try deliver(invite, to: &layer)
        #expect(layer.receiveRequest(ackForFinal.0, routing: ackForFinal.1, from: phone, reliable: false, now: 5) == [])
        #expect(layer.count == 1)
    }
}
