import Testing

@testable import Media

@Suite("RTCP")
struct RTCPTests {
    static let block = RTCPReportBlock(
        ssrc: 0x1122_3344, fractionLost: 64, cumulativeLost: -3, extendedHighestSequence: 0x0001_0005,
        jitter: 77, lastSR: 0xAABB_CCDD, delaySinceLastSR: 65536)

    @Test("SR with a report block: exact bytes and round trip")
    func senderReport() throws {
        let sr = RTCPSenderReport(
            ssrc: 9, ntpTimestamp: 0x0102_0304_0506_0708, rtpTimestamp: 160, packetCount: 50, octetCount: 8000,
            reports: [Self.block])
        let bytes = RTCPPacket.senderReport(sr).serialized()
        #expect(bytes.count == 52)
        #expect(Array(bytes[0..<4]) == [0x81, 200, 0, 12])
        #expect(Array(bytes[8..<16]) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Array(bytes[32..<36]) == [64, 0xFF, 0xFF, 0xFD])  // fraction, -3 in 24 bits
        #expect(try RTCPPacket.parseCompound(bytes) == [.senderReport(sr)])
        #expect(sr.ntpMiddle == 0x0304_0506)
    }

    @Test("compound RR + SDES parses both; SDES kept raw")
    func compound() throws {
        let rr = RTCPPacket.receiverReport(RTCPReceiverReport(ssrc: 5, reports: [Self.block, Self.block]))
        let sdes = RTCPPacket.other(packetType: 202, count: 1, body: [0, 0, 0, 5, 1, 2, 0x61, 0x62])
        let bytes = RTCPPacket.serializeCompound([rr, sdes])
        #expect(bytes.count == 8 + 48 + 12)
        #expect(try RTCPPacket.parseCompound(bytes) == [rr, sdes])
    }

    static let invalid: [([UInt8], RTCPParseError)] = [
        ([0x80, 201], .tooShort(offset: 0, length: 2, needed: 4)),
        ([0x40, 201, 0, 0], .unsupportedVersion(1, offset: 0)),
        ([0x81, 201, 0, 1, 0, 0, 0, 5], .reportBlocksTruncated(offset: 0, count: 1, available: 4)),
        (
            [0x80, 201, 0, 1, 0, 0, 0, 5, 0x80, 200, 0, 1, 0, 0, 0, 1],
            .reportBlocksTruncated(offset: 8, count: 0, available: 4)
        ),
        ([0x80, 201, 0, 2, 0, 0, 0, 5], .tooShort(offset: 0, length: 8, needed: 12)),
        ([0xA0, 201, 0, 1, 0, 0, 0, 9], .invalidPadding(offset: 0)),
    ]

    @Test("rejects invalid RTCP with the offset of the bad packet", arguments: invalid)
    func rejects(bytes: [UInt8], error: RTCPParseError) {
        #expect(throws: error) { try RTCPPacket.parseCompound(bytes) }
    }

    @Test("round trip = A − LSR − DLSR (RFC 3550 §6.4.1)")
    func roundTrip() {
        // The §6.4.1 figure's numbers: A = 46864.250 s, LSR = 46853.125 s, DLSR = 5.250 s → 5.875 s.
        let block = RTCPReportBlock(
            ssrc: 1, fractionLost: 0, cumulativeLost: 0, extendedHighestSequence: 0, jitter: 0,
            lastSR: UInt32(46853.125 * 65536), delaySinceLastSR: UInt32(5.25 * 65536))
        #expect(block.roundTrip(arrivalNTPMiddle: UInt32(46864.25 * 65536)) == .milliseconds(5875))
        #expect(Self.block.roundTrip(arrivalNTPMiddle: 0xAABB_CCDD) == nil)  // A − LSR < DLSR: negative
        #expect(Self.block.roundTrip(arrivalNTPMiddle: 0xAABB_CCDD + 65536 + 6554) == .microseconds(100_006))
        var noSR = Self.block
        noSR.lastSR = 0
        #expect(noSR.roundTrip(arrivalNTPMiddle: 123_456) == nil)
    }
}

@Suite("RTP statistics (RFC 3550 A.3)")
struct RTPStatisticsTests {
    @Test("expected, cumulative and fraction lost per interval")
    func lossFigures() {
        var stats = RTPStatistics(ssrc: 7)
        var arrival = Duration.zero
        func feed(_ sequences: [UInt16]) {
            for sequence in sequences {
                stats.receive(sequenceNumber: sequence, timestamp: UInt32(sequence) * 160, arrival: arrival)
                arrival += .milliseconds(20)
            }
        }
        feed([65530, 65531])  // probation; 65531 is the base
        feed(Array(65532...65535) + Array(0...3))  // 8 more, across the wrap
        #expect(stats.expected == 9)
        var report = stats.makeReportBlock()
        #expect(report.fractionLost == 0)
        #expect(report.cumulativeLost == 0)
        #expect(report.extendedHighestSequence == 65536 + 3)
        // Next interval: 4...13 expected (10), 5 received.
        feed([4, 6, 8, 10, 13])
        report = stats.makeReportBlock(lastSR: 1, delaySinceLastSR: 2)
        #expect(report.cumulativeLost == 5)
        #expect(report.fractionLost == 128)
        #expect(report.lastSR == 1)
        #expect(report.delaySinceLastSR == 2)
        // Duplicates: more received than expected gives fraction 0 and lowers the total.
        feed([13, 13, 14])
        report = stats.makeReportBlock()
        #expect(report.fractionLost == 0)
        #expect(report.cumulativeLost == 3)
        #expect(report.ssrc == 7)
    }
}

@Suite("Call quality (simplified E-model)")
struct CallQualityTests {
    @Test(
        "known R and MOS values",
        arguments: [
            (0.0, 0, 0, 92.72, 4.3998),
            (0.01, 0, 0, 89.0802, 4.3158),
            (0.05, 20, 300, 68.7823, 3.5394),
            (0.0, 0, 400, 83.223, 4.1398),
        ])
    func values(loss: Double, jitterMs: Int, rttMs: Int, r: Double, mos: Double) {
        let quality = CallQuality(lossFraction: loss, jitter: .milliseconds(jitterMs), roundTrip: .milliseconds(rttMs))
        #expect(abs(quality.rFactor - r) < 1e-3)
        #expect(abs(quality.mos - mos) < 1e-3)
    }

    @Test("MOS is clamped to 1 for hopeless calls and falls as loss rises")
    func monotone() {
        #expect(CallQuality(lossFraction: 1, jitter: .seconds(1), roundTrip: .seconds(2)).mos == 1)
        let mos = [0.0, 0.01, 0.03, 0.1].map { CallQuality(lossFraction: $0, jitter: .zero, roundTrip: .zero).mos }
        #expect(mos == mos.sorted(by: >))
        #expect(Set(mos).count == 4)
    }
}
