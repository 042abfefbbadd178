import SIPCore
import Testing

@testable import SIPTransaction

@Suite("Non-INVITE server transaction (RFC 3261 §17.2.2)")
struct NonInviteServerTransactionTests {
    let register = Messages.request("REGISTER", branch: "z9hG4bKreg7", uri: "sip:pbx.example")

    @Test func stateSequenceOverUDP() {
        var t = NonInviteServerTransaction(reliable: false)
        #expect(t.stateName == .trying)
        #expect(t.receivedRetransmission() == .none)
        let trying = Messages.response(100, to: register.0, toTag: nil).0
        #expect(t.sendResponse(trying, now: 10) == .send(trying))
        #expect(t.stateName == .proceeding)
        #expect(t.receivedRetransmission() == .send(trying))
        let ok = Messages.response(200, to: register.0).0
        #expect(t.sendResponse(ok, now: 20) == .send(ok))
        #expect(t.stateName == .completed)
        #expect(t.expiryTimer == TimerDeadline(.j, at: 32_020))
        #expect(t.retransmissionTimer == nil)
        #expect(t.receivedRetransmission() == .send(ok))
        // Only one final response per transaction.
        #expect(t.sendResponse(Messages.response(500, to: register.0).0, now: 30) == .none)
        #expect(t.timerFired(.j, now: 32_020) == .none)
        #expect(t.stateName == .terminated)
    }

    @Test func stateSequenceOverTCP() {
        var t = NonInviteServerTransaction(reliable: true)
        let ok = Messages.response(200, to: register.0).0
        #expect(t.sendResponse(ok, now: 20) == .send(ok))
        #expect(t.stateName == .terminated)
    }

    @Test func retransmissionsAreAbsorbedAndAnsweredUntilTimerJ() throws {
        var layer = Layer()
        let id = try deliver(register, to: &layer, now: 0)
        #expect(layer.count == 1)
        // Trying: nothing to resend yet.
        #expect(layer.receiveRequest(register.0, routing: register.1, from: phone, reliable: false, now: 100) == [])

        let ok = Messages.response(200, to: register.0)
        #expect(layer.respond(ok.0, to: id, now: 200) == [.send(.response(ok.0), to: phone)])
        #expect(layer.nextDeadline == 32_200)
        #expect(
            layer.receiveRequest(register.0, routing: register.1, from: phone, reliable: false, now: 700) == [
                .send(.response(ok.0), to: phone)
            ])
        #expect(layer.advance(to: 32_199) == [])
        #expect(layer.advance(to: 32_200) == [.terminated(.server(id))])
        #expect(layer.count == 0)

        // After Timer J the same request is a new request, with a new transaction.
        let again = try deliver(register, to: &layer, now: 32_300)
        #expect(again != id)
        // The old ID is dead for good, even though the slot was reused.
        #expect(layer.respond(ok.0, to: id, now: 32_400) == [])
        #expect(layer.respond(ok.0, to: again, now: 32_400) == [.send(.response(ok.0), to: phone)])
    }

    @Test func provisionalIsResentOnRetransmission() throws {
        var layer = Layer()
        let id = try deliver(register, to: &layer)
        let trying = Messages.response(100, to: register.0, toTag: nil)
        #expect(layer.respond(trying.0, to: id, now: 10) == [.send(.response(trying.0), to: phone)])
        #expect(layer.nextDeadline == nil)
        // The response goes where the latest copy came from.
        let moved = "udp:10.0.0.1:5070"
        #expect(
            layer.receiveRequest(register.0, routing: register.1, from: moved, reliable: false, now: 500) == [
                .send(.response(trying.0), to: moved)
            ])
    }

    @Test func overTCPTheTransactionEndsWithTheFinalResponse() throws {
        var layer = Layer()
        let request = Messages.request("REGISTER", branch: "z9hG4bKtcp", transport: "TCP")
        let peer = "tcp:10.0.0.1:40000"
        let id = try deliver(request, to: &layer, from: peer, reliable: true)
        let ok = Messages.response(200, to: request.0)
        #expect(layer.respond(ok.0, to: id, now: 5) == [.send(.response(ok.0), to: peer), .terminated(.server(id))])
        #expect(layer.count == 0)
        #expect(layer.nextDeadline == nil)
    }

    @Test func invalidStatusCodesAreNotSent() throws {
        var layer = Layer()
        let id = try deliver(register, to: &layer)
        let bogus = SIPResponse(statusCode: 99)
        #expect(layer.respond(bogus, to: id, now: 5) == [])
        #expect(layer.count == 1)
    }
}
