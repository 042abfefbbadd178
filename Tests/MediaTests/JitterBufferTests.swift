import Testing

@testable import Media

/// A 20 ms G.711 packet whose payload's first byte tags it.
func frame(_ sequence: UInt16, timestamp: UInt32? = nil, tag: UInt8 = 0) -> RTPPacket {
    RTPPacket(
        payloadType: 0, sequenceNumber: sequence,
        timestamp: timestamp ?? UInt32(sequence) &* 160, ssrc: 1,
        payload: [tag] + [UInt8](repeating: 0xFF, count: 159))
}

extension JitterBuffer.Output {
    var sequence: UInt16? {
        if case .audio(let packet) = self { packet.sequenceNumber } else { nil }
    }
    var silence: Int? {
        if case .silence(let samples) = self { samples } else { nil }
    }
}

@Suite("Jitter buffer")
struct JitterBufferTests {
    @Test("holds 60 ms, then releases in sequence order despite reordering")
    func reorders() {
        var buffer = JitterBuffer()
        var out: [JitterBuffer.Output] = []
        for sequence: UInt16 in [10, 12, 11] { out += buffer.insert(frame(sequence)) }
        #expect(out.isEmpty)
        #expect(buffer.bufferedCount == 3)
        out += buffer.insert(frame(13))
        #expect(out.compactMap(\.sequence) == [10])
        out += buffer.insert(frame(15))
        out += buffer.insert(frame(14))
        out += buffer.flush()
        #expect(out.compactMap(\.sequence) == [10, 11, 12, 13, 14, 15])
        #expect(out.allSatisfy { $0.silence == nil })
        #expect(buffer.counters == JitterBuffer.Counters(received: 6, released: 6))
    }

    @Test("a packet that overtakes the very first one is still played in front of it")
    func firstPacketsReordered() {
        var buffer = JitterBuffer()
        var out: [JitterBuffer.Output] = []
        for sequence: UInt16 in [21, 20, 22, 23, 24] { out += buffer.insert(frame(sequence)) }
        out += buffer.flush()
        #expect(out.compactMap(\.sequence) == [20, 21, 22, 23, 24])
        #expect(buffer.counters.late == 0)
    }

    @Test("a lost packet becomes 160 samples of silence and is counted")
    func conceals() {
        var buffer = JitterBuffer()
        var out: [JitterBuffer.Output] = []
        for sequence: UInt16 in [1, 2, 4, 5, 6, 7] { out += buffer.insert(frame(sequence)) }
        out += buffer.flush()
        #expect(out.compactMap(\.sequence) == [1, 2, 4, 5, 6, 7])
        #expect(out.compactMap(\.silence) == [160])
        #expect(out[2].silence == 160)
        #expect(buffer.counters.lost == 1)
    }

    @Test("late and duplicate packets are dropped and told apart")
    func lateAndDuplicate() {
        var buffer = JitterBuffer()
        var out: [JitterBuffer.Output] = []
        for sequence: UInt16 in [1, 3, 4, 5, 6] { out += buffer.insert(frame(sequence)) }
        out += buffer.insert(frame(5))  // duplicate still buffered
        out += buffer.insert(frame(2))  // its turn passed: late
        out += buffer.insert(frame(1))  // already released: duplicate
        out += buffer.flush()
        #expect(out.compactMap(\.sequence) == [1, 3, 4, 5, 6])
        #expect(buffer.counters.late == 1)
        #expect(buffer.counters.duplicate == 2)
        #expect(buffer.counters.lost == 1)
    }

    @Test("a restart of the sender's numbering is followed without thousands of lost frames")
    func restart() {
        var buffer = JitterBuffer()
        var out: [JitterBuffer.Output] = []
        for sequence: UInt16 in [100, 101, 102] { out += buffer.insert(frame(sequence)) }
        for sequence: UInt16 in [40000, 40001, 40002, 40003] {
            out += buffer.insert(frame(sequence, timestamp: 1_000_000 + UInt32(sequence - 40000) * 160))
        }
        out += buffer.flush()
        #expect(out.compactMap(\.sequence) == [100, 101, 102, 40000, 40001, 40002, 40003])
        #expect(out.compactMap(\.silence).isEmpty)
        #expect(buffer.counters.lost == 0)
        #expect(buffer.counters.received == 7)
    }

    @Test("a lone far-off packet is dropped as late, not taken for a restart")
    func strayPacket() {
        var buffer = JitterBuffer(configuration: .init(depth: .zero))
        var out: [JitterBuffer.Output] = []
        for sequence: UInt16 in [5000, 5001, 1000, 5002, 20000, 5003] { out += buffer.insert(frame(sequence)) }
        #expect(out.compactMap(\.sequence) == [5000, 5001, 5002, 5003])
        #expect(buffer.counters.late == 2)
        #expect(buffer.counters.lost == 0)
    }

    @Test("sequence numbers wrap around 65535")
    func wraps() {
        var buffer = JitterBuffer()
        var out: [JitterBuffer.Output] = []
        for sequence: UInt16 in [65534, 0, 65535, 1, 2] { out += buffer.insert(frame(sequence)) }
        out += buffer.flush()
        #expect(out.compactMap(\.sequence) == [65534, 65535, 0, 1, 2])
        #expect(buffer.counters.lost == 0)
    }

    @Test("silence suppression: a timestamp jump without lost packets is filled to keep time")
    func timestampGap() {
        var buffer = JitterBuffer(configuration: .init(depth: .zero))
        var out = buffer.insert(frame(1, timestamp: 160))
        out += buffer.insert(frame(2, timestamp: 320 + 800))
        #expect(out.compactMap(\.silence) == [800])
        // An implausible jump (a new timeline) falls back to the missing sequence numbers.
        out = buffer.insert(frame(4, timestamp: 9_000_000))
        #expect(out.compactMap(\.silence) == [160])
    }

    @Test("interarrival jitter (RFC 3550 A.8): zero for a steady stream, J += (|D| - J)/16 otherwise")
    func interarrivalJitter() {
        var steady = InterarrivalJitter()
        for index in 0..<50 {
            steady.update(
                arrival: .milliseconds(1000 + 20 * index), timestamp: UInt32(4_294_960_000 &+ UInt32(160 * index)))
        }
        #expect(steady.value == 0)
        var jitter = InterarrivalJitter()
        jitter.update(arrival: .milliseconds(0), timestamp: 0)
        jitter.update(arrival: .milliseconds(30), timestamp: 160)  // 10 ms late: D = 80 units
        #expect(jitter.value == 5)
        jitter.update(arrival: .milliseconds(40), timestamp: 320)  // back on time: D = 80 again
        #expect(jitter.value == 5 + (80 - 5) / 16.0)
        #expect(jitter.reportValue == 9)
        #expect(abs(jitter.milliseconds - 9.6875 / 8) < 1e-9)
    }
}
