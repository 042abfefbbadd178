import SIPCore
import Testing

@testable import SIPTransaction

@Suite("Non-INVITE client transaction (RFC 3261 §17.1.2)")
struct NonInviteClientTransactionTests {
    let register = Messages.request("REGISTER", branch: "z9hG4bKreg1")

    @Test func stateSequenceOverUDP() {
        var t = NonInviteClientTransaction(request: register.0, reliable: false, now: 0)
        #expect(t.stateName == .trying)
        #expect(t.retransmissionTimer == TimerDeadline(.e, at: 500))
        #expect(t.expiryTimer == TimerDeadline(.f, at: 32_000))
        #expect(t.timerFired(.e, now: 500) == .send(register.0))
        #expect(t.retransmissionTimer == TimerDeadline(.e, at: 1_500))

        let trying = Messages.response(100, to: register.0, toTag: nil).0
        #expect(t.receivedResponse(trying, now: 600) == .deliver(trying))
        #expect(t.stateName == .proceeding)
        #expect(t.retransmissionTimer == TimerDeadline(.e, at: 1_500))

        let ok = Messages.response(200, to: register.0).0
        #expect(t.receivedResponse(ok, now: 700) == .deliver(ok))
        #expect(t.stateName == .completed)
        #expect(t.retransmissionTimer == nil)
        #expect(t.expiryTimer == TimerDeadline(.k, at: 5_700))
        #expect(t.receivedResponse(ok, now: 800) == .none)
        #expect(t.timerFired(.e, now: 1_500) == .none)
        #expect(t.timerFired(.k, now: 5_700) == .none)
        #expect(t.stateName == .terminated)
    }

    @Test func stateSequenceOverTCP() {
        var t = NonInviteClientTransaction(request: register.0, reliable: true, now: 0)
        #expect(t.retransmissionTimer == nil)
        #expect(t.expiryTimer == TimerDeadline(.f, at: 32_000))
        let ok = Messages.response(200, to: register.0).0
        #expect(t.receivedResponse(ok, now: 10) == .deliver(ok))
        // Timer K is zero on reliable transports.
        #expect(t.stateName == .terminated)
    }

    @Test func timerEDoublesUpToT2ThenTimerFTimesOut() {
        var layer = Layer()
        let (id, sent) = layer.sendRequest(register.0, to: trunk, reliable: false, now: 0)
        #expect(sent == [.send(.request(register.0), to: trunk)])
        #expect(layer.nextDeadline == 500)

        let log = runTimers(&layer, until: 40_000)
        // Intervals 500, 1000, 2000, 4000, then T2 = 4000 until Timer F at 64*T1.
        #expect(sendTimes(log) == [500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500])
        #expect(log.allSatisfy { $0.action.sentRequest == nil || $0.action.sentRequest == register.0 })
        let tail = log.suffix(2).map(\.action)
        #expect(tail == [.timeout(id), .terminated(.client(id))])
        #expect(log.last?.time == 32_000)
        #expect(layer.count == 0)
        #expect(layer.nextDeadline == nil)
    }

    @Test func timerEResetsToT2InProceeding() {
        var layer = Layer()
        let (id, _) = layer.sendRequest(register.0, to: trunk, reliable: false, now: 0)
        #expect(layer.advance(to: 500).count == 1)  // first retransmission, next at 1500
        let trying = Messages.response(100, to: register.0, toTag: nil)
        #expect(layer.receiveResponse(trying.0, routing: trying.1, now: 600) == [.deliverResponse(id, trying.0)])
        #expect(layer.nextDeadline == 1_500)
        let log = runTimers(&layer, until: 20_000)
        #expect(sendTimes(log) == [1_500, 5_500, 9_500, 13_500, 17_500])
    }

    @Test func finalResponseOverUDPAbsorbsRetransmissionsUntilTimerK() {
        var layer = Layer()
        let (id, _) = layer.sendRequest(register.0, to: trunk, reliable: false, now: 0)
        let ok = Messages.response(200, to: register.0)
        #expect(layer.receiveResponse(ok.0, routing: ok.1, now: 100) == [.deliverResponse(id, ok.0)])
        // Retransmission stopped, Timer F no longer relevant: the next deadline is Timer K.
        #expect(layer.nextDeadline == 5_100)
        #expect(layer.receiveResponse(ok.0, routing: ok.1, now: 200) == [])
        #expect(layer.advance(to: 5_099) == [])
        #expect(layer.advance(to: 5_100) == [.terminated(.client(id))])
        #expect(layer.count == 0)
        // After Timer K the response matches nothing.
        #expect(layer.receiveResponse(ok.0, routing: ok.1, now: 5_200) == [.strayResponse(ok.0)])
    }

    @Test func overTCPNoRetransmissionsAndNoTimerK() {
        var layer = Layer()
        let request = Messages.request("OPTIONS", branch: "z9hG4bKopt", transport: "TCP")
        let (id, _) = layer.sendRequest(request.0, to: "tcp:192.0.2.9:5060", reliable: true, now: 0)
        #expect(layer.nextDeadline == 32_000)
        let ok = Messages.response(200, to: request.0)
        #expect(
            layer.receiveResponse(ok.0, routing: ok.1, now: 50) == [
                .deliverResponse(id, ok.0), .terminated(.client(id)),
            ])
        #expect(layer.count == 0)
        #expect(layer.nextDeadline == nil)
    }

    @Test func timerFOverTCP() {
        var layer = Layer()
        let (id, _) = layer.sendRequest(register.0, to: "tcp:192.0.2.9:5060", reliable: true, now: 1_000)
        let log = runTimers(&layer, until: 100_000)
        #expect(log.map(\.action) == [.timeout(id), .terminated(.client(id))])
        #expect(log.map(\.time) == [33_000, 33_000])
    }

    @Test func provisionalResponsesReachTheTU() {
        var layer = Layer()
        let (id, _) = layer.sendRequest(register.0, to: trunk, reliable: false, now: 0)
        let trying = Messages.response(100, to: register.0, toTag: nil)
        #expect(layer.receiveResponse(trying.0, routing: trying.1, now: 10) == [.deliverResponse(id, trying.0)])
        #expect(layer.receiveResponse(trying.0, routing: trying.1, now: 20) == [.deliverResponse(id, trying.0)])
        let log = runTimers(&layer, until: 40_000)
        #expect(log.suffix(2).map(\.action) == [.timeout(id), .terminated(.client(id))])
    }
}
