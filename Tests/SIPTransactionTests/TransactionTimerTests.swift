import SIPCore
import Testing

@testable import SIPTransaction

@Suite("Timers: nextDeadline, the heap, and many transactions")
struct TransactionTimerTests {
    @Test func defaultsAreThoseOfRFC3261() {
        let timers = TransactionTimers()
        #expect(timers.t1 == 500 && timers.t2 == 4_000 && timers.t4 == 5_000)
        #expect(
            [timers.timerB, timers.timerF, timers.timerH, timers.timerL, timers.timerM]
                == Array(repeating: 32_000, count: 5))
        #expect(timers.timerD(reliable: false) == 32_000 && timers.timerD(reliable: true) == 0)
        #expect(timers.timerI(reliable: false) == 5_000 && timers.timerI(reliable: true) == 0)
        #expect(timers.timerJ(reliable: false) == 32_000 && timers.timerJ(reliable: true) == 0)
        #expect(timers.timerK(reliable: false) == 5_000 && timers.timerK(reliable: true) == 0)
    }

    @Test func configuredTimersApply() {
        var layer = Layer(timers: TransactionTimers(t1: 100, t2: 400, t4: 1_000))
        let register = Messages.request("REGISTER")
        let (id, _) = layer.sendRequest(register.0, to: trunk, reliable: false, now: 0)
        let log = runTimers(&layer, until: 10_000)
        #expect(
            sendTimes(log) == [
                100, 300, 700, 1_100, 1_500, 1_900, 2_300, 2_700, 3_100, 3_500, 3_900, 4_300, 4_700, 5_100, 5_500,
                5_900, 6_300,
            ])
        #expect(log.suffix(2).map(\.action) == [.timeout(id), .terminated(.client(id))])
        #expect(log.last?.time == 6_400)
    }

    @Test func nextDeadlineIsTheEarliestLiveTimer() throws {
        var layer = Layer()
        #expect(layer.nextDeadline == nil)
        let register = Messages.request("REGISTER", branch: "z9hG4bKa")
        let (client, _) = layer.sendRequest(register.0, to: trunk, reliable: false, now: 1_000)
        #expect(layer.nextDeadline == 1_500)  // Timer E
        let options = Messages.request("OPTIONS", branch: "z9hG4bKb")
        let server = try deliver(options, to: &layer, now: 1_100)
        #expect(layer.nextDeadline == 1_500)
        _ = layer.respond(Messages.response(200, to: options.0).0, to: server, now: 1_200)
        #expect(layer.nextDeadline == 1_500)  // Timer J at 33,200 is later

        // The final response stops E and F; K at 6,300 is now the earliest.
        let ok = Messages.response(200, to: register.0)
        _ = layer.receiveResponse(ok.0, routing: ok.1, now: 1_300)
        #expect(layer.nextDeadline == 6_300)
        #expect(layer.advance(to: 6_299) == [])
        #expect(layer.advance(to: 6_300) == [.terminated(.client(client))])
        #expect(layer.nextDeadline == 33_200)
        #expect(layer.advance(to: 40_000) == [.terminated(.server(server))])
        #expect(layer.nextDeadline == nil)
        #expect(layer.count == 0)
    }

    @Test func lateAdvanceFiresOnceAndReschedulesFromNow() {
        var layer = Layer()
        let register = Messages.request("REGISTER")
        _ = layer.sendRequest(register.0, to: trunk, reliable: false, now: 0)
        // The owner woke up late: one retransmission, the next one an interval later.
        #expect(layer.advance(to: 2_000).count == 1)
        #expect(layer.nextDeadline == 3_000)
    }

    @Test func timersDueTogetherFireInTheOrderTheyWereSet() {
        var layer = Layer()
        var ids: [ClientTransactionID] = []
        for n in 0..<5 {
            let request = Messages.request("OPTIONS", branch: "z9hG4bKo\(n)", transport: "TCP")
            ids.append(layer.sendRequest(request.0, to: trunk, reliable: true, now: 0).0)
        }
        let actions = layer.advance(to: 32_000)
        #expect(actions == ids.flatMap { [Action.timeout($0), .terminated(.client($0))] })
    }

    @Test func thousandsOfRegistrationsLiveAndExpire() {
        var layer = Layer()
        let n = 20_000
        var ids: [ServerTransactionID] = []
        ids.reserveCapacity(n)
        let ok = Messages.response(200, to: Messages.request("REGISTER").0).0
        // 6,000 REGISTERs a second: one every 1/6 ms; answered at once, then Completed for Timer J.
        for i in 0..<n {
            let now = Int64(i / 6)
            let request = Messages.request("REGISTER", branch: "z9hG4bKr\(i)", callID: "c\(i)")
            let actions = layer.receiveRequest(request.0, routing: request.1, from: phone, reliable: false, now: now)
            guard let id = actions.first?.deliveredServerID else {
                Issue.record("request \(i) was not delivered")
                return
            }
            ids.append(id)
            #expect(layer.respond(ok, to: id, now: now).count == 1)
        }
        #expect(layer.count == n)
        #expect(Set(ids).count == n)
        #expect(layer.nextDeadline == 32_000)
        let lastArrival = Int64((n - 1) / 6)
        // Arrivals up to time k (6k + 6 of them) end at 32,000 + k.
        let half = lastArrival / 2
        #expect(layer.advance(to: 32_000 + half).count == Int(6 * half + 6))
        #expect(layer.count == n - Int(6 * half + 6))
        let rest = layer.advance(to: 32_000 + lastArrival)
        #expect(layer.count == 0)
        #expect(layer.nextDeadline == nil)
        #expect(rest.allSatisfy { if case .terminated = $0 { true } else { false } })
    }

    @Test func staleTimersDoNotPileUp() {
        var layer = Layer()
        // Client transactions answered at once leave their Timer E and F entries stale.
        for round in 0..<20 {
            for i in 0..<1_000 {
                let request = Messages.request("OPTIONS", branch: "z9hG4bKs\(round)x\(i)")
                _ = layer.sendRequest(request.0, to: trunk, reliable: false, now: Int64(round))
                let ok = Messages.response(200, to: request.0)
                _ = layer.receiveResponse(ok.0, routing: ok.1, now: Int64(round))
            }
        }
        #expect(layer.count == 20_000)
        // Every transaction runs only Timer K; the heap was compacted along the way.
        #expect(layer.timerHeap.count <= 4 * layer.count + 1_024)
        #expect(layer.nextDeadline == 5_000)
        _ = layer.advance(to: 5_019)
        #expect(layer.count == 0)
        #expect(layer.nextDeadline == nil)
    }

    @Test func heapOrdersByDeadlineThenInsertion() {
        var heap = TimerHeap()
        var generator = SplitMix64(seed: 42)
        var expected: [(Int64, UInt32)] = []
        for i in 0..<2_000 {
            let deadline = Int64(generator.next() % 500)
            heap.insert(deadline: deadline, owner: .server(SlotID(index: UInt32(i), generation: 0)), role: .expiry)
            expected.append((deadline, UInt32(i)))
        }
        expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var popped: [(Int64, UInt32)] = []
        while let timer = heap.removeFirst() {
            guard case .server(let slot) = timer.owner else { continue }
            popped.append((timer.deadline, slot.index))
        }
        #expect(popped.map(\.0) == expected.map(\.0))
        #expect(popped.map(\.1) == expected.map(\.1))
    }

    @Test func seededBranchesAreReproducible() {
        var a = SplitMix64(seed: 7)
        var b = SplitMix64(seed: 7)
        #expect(Branch.random(using: &a) == Branch.random(using: &b))
    }
}

/// A small seeded generator for reproducible tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
