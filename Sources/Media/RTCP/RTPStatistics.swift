/// Receive statistics for one source, computed as RFC 3550 Appendix A.3 says, and turned into
/// report blocks (§6.4.1).
///
/// - expected = extended highest sequence − base sequence + 1
/// - cumulative lost = expected − received, clamped to the signed 24-bit field
/// - fraction lost = lost in the interval × 256 / expected in the interval, 0 if none were lost
///   (duplicates can make the interval's loss negative)
public struct RTPStatistics: Sendable {
    public let ssrc: UInt32
    public private(set) var sequence = RTPSequenceTracker()
    public private(set) var jitter: InterarrivalJitter
    private var expectedPrior: Int64 = 0
    private var receivedPrior: Int64 = 0

    public init(ssrc: UInt32, clockRate: Int = 8000) {
        self.ssrc = ssrc
        jitter = InterarrivalJitter(clockRate: clockRate)
    }

    /// Feeds one packet from this source; returns false if A.1 says to discard it.
    @discardableResult
    public mutating func receive(sequenceNumber: UInt16, timestamp: UInt32, arrival: Duration) -> Bool {
        guard sequence.update(sequenceNumber) else { return false }
        jitter.update(arrival: arrival, timestamp: timestamp)
        return true
    }

    /// Packets expected so far (A.3).
    public var expected: Int64 {
        guard sequence.isValid else { return 0 }
        return Int64(sequence.extendedMaxSequence) - Int64(sequence.baseSequence) + 1
    }

    /// Packets received so far, counted as A.1 does.
    public var received: Int64 { Int64(sequence.received) }

    /// Cumulative packets lost, clamped to the report field's 24-bit range (A.3).
    public var cumulativeLost: Int32 {
        Int32(min(max(expected - received, -0x80_0000), 0x7F_FFFF))
    }

    /// Makes the report block for now and starts the next interval.
    public mutating func makeReportBlock(lastSR: UInt32 = 0, delaySinceLastSR: UInt32 = 0) -> RTCPReportBlock {
        let expectedInterval = expected - expectedPrior
        let receivedInterval = received - receivedPrior
        expectedPrior = expected
        receivedPrior = received
        let lostInterval = expectedInterval - receivedInterval
        let fraction: UInt8 =
            expectedInterval == 0 || lostInterval <= 0 ? 0 : UInt8(min(255, (lostInterval << 8) / expectedInterval))
        return RTCPReportBlock(
            ssrc: ssrc, fractionLost: fraction, cumulativeLost: cumulativeLost,
            extendedHighestSequence: sequence.extendedMaxSequence, jitter: jitter.reportValue, lastSR: lastSR,
            delaySinceLastSR: delaySinceLastSR)
    }
}
