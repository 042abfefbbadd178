/// One reception report block (RFC 3550 §6.4.1), 24 bytes:
/// ```
/// |                 SSRC of the source reported on                |
/// | fraction lost |       cumulative number of packets lost       |
/// |           extended highest sequence number received           |
/// |                      interarrival jitter                      |
/// |                         last SR (LSR)                         |
/// |                   delay since last SR (DLSR)                  |
/// ```
public struct RTCPReportBlock: Sendable, Equatable {
    public var ssrc: UInt32
    /// Fraction lost since the previous report, as a fixed-point number with the binary point
    /// at the left edge (lost / expected × 256).
    public var fractionLost: UInt8
    /// Cumulative packets lost: a signed 24-bit value (duplicates can make it negative).
    public var cumulativeLost: Int32
    public var extendedHighestSequence: UInt32
    /// Interarrival jitter in RTP timestamp units.
    public var jitter: UInt32
    /// Middle 32 bits of the NTP timestamp of the last SR received from this source, or 0.
    public var lastSR: UInt32
    /// Delay between receiving that SR and sending this block, in 1/65536 s.
    public var delaySinceLastSR: UInt32

    public init(
        ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequence: UInt32, jitter: UInt32,
        lastSR: UInt32 = 0, delaySinceLastSR: UInt32 = 0
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSR = lastSR
        self.delaySinceLastSR = delaySinceLastSR
    }

    static let size = 24

    init(bytes: [UInt8], at offset: Int) {
        ssrc = bytes.readBE32(at: offset)
        fractionLost = bytes[offset + 4]
        // Sign-extend the 24-bit count.
        cumulativeLost = Int32(bitPattern: bytes.readBE32(at: offset + 4) << 8) >> 8
        extendedHighestSequence = bytes.readBE32(at: offset + 8)
        jitter = bytes.readBE32(at: offset + 12)
        lastSR = bytes.readBE32(at: offset + 16)
        delaySinceLastSR = bytes.readBE32(at: offset + 20)
    }

    func append(to bytes: inout [UInt8]) {
        bytes.appendBE(ssrc)
        let clamped = min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF)
        bytes.appendBE(UInt32(fractionLost) << 24 | UInt32(bitPattern: clamped) & 0x00FF_FFFF)
        bytes.appendBE(extendedHighestSequence)
        bytes.appendBE(jitter)
        bytes.appendBE(lastSR)
        bytes.appendBE(delaySinceLastSR)
    }

    /// Round-trip time as §6.4.1 computes it: A − LSR − DLSR, where A is the middle 32 bits of
    /// the NTP time this block arrived. Nil when no SR was reported on (LSR = 0) or the result is
    /// negative (clocks or values inconsistent).
    public func roundTrip(arrivalNTPMiddle arrival: UInt32) -> Duration? {
        guard lastSR != 0 else { return nil }
        let units = Int64(Int32(bitPattern: arrival &- lastSR &- delaySinceLastSR))
        guard units >= 0 else { return nil }
        return .microseconds(units * 1_000_000 / 65536)
    }
}
