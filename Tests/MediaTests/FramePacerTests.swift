import Testing

@testable import Media

@Suite("Frame pacer")
struct FramePacerTests {
    /// 2.5 frames of a ramp, so the last frame needs padding.
    static let samples: [Int16] = (0..<400).map { Int16($0 * 50) }

    @Test("frames come due every 20 ms with timestamps in samples and consecutive sequence numbers")
    func pacing() {
        var pacer = FramePacer(
            samples: Self.samples, codec: .muLaw, stream: RTPStream(ssrc: 3, firstSequence: 65535),
            startTimestamp: 4_294_967_200)
        #expect(pacer.frameCount == 3)
        let first = pacer.frames(upTo: .zero)
        #expect(first.count == 1)
        #expect(first[0].marker)
        #expect(first[0].payloadType == 0)
        #expect(first[0].timestamp == 4_294_967_200)
        #expect(first[0].sequenceNumber == 65535)
        #expect(pacer.frames(upTo: .milliseconds(19)).isEmpty)
        #expect(pacer.nextFrameOffset == .milliseconds(20))
        // A late tick gets both frames that fell due.
        let rest = pacer.frames(upTo: .milliseconds(45))
        #expect(rest.map(\.sequenceNumber) == [0, 1])
        #expect(rest.map(\.timestamp) == [64, 224])  // wrapped past 2^32
        #expect(rest.allSatisfy { !$0.marker && $0.payload.count == 160 })
        #expect(pacer.isFinished)
        #expect(pacer.nextFrameOffset == nil)
        #expect(pacer.frames(upTo: .seconds(10)).isEmpty)
        #expect(pacer.stream.nextSequence == 2)
        #expect(pacer.nextTimestamp == 384)
    }

    @Test("payloads are the encoded audio in order, the tail padded with silence")
    func payloads() {
        var pacer = FramePacer(
            samples: Self.samples, codec: .aLaw, stream: RTPStream(ssrc: 3, firstSequence: 0), startTimestamp: 0)
        let packets = pacer.frames(upTo: .seconds(1))
        let bytes = packets.flatMap(\.payload)
        #expect(Array(bytes[0..<400]) == ALaw.encode(Self.samples))
        #expect(Array(bytes[400...]) == [UInt8](repeating: 0xD5, count: 80))
        #expect(packets.allSatisfy { $0.payloadType == 8 })
    }
}
