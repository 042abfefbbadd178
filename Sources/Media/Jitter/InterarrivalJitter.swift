/// The interarrival jitter estimate of RFC 3550 §6.4.1 and Appendix A.8.
///
/// For each packet, transit = arrival (in RTP clock units) − RTP timestamp; D is the change in
/// transit from the previous packet, and J += (|D| − J) / 16. Arithmetic is modulo 2^32 so the
/// timestamp may wrap. The caller supplies arrival times from any monotonic clock.
public struct InterarrivalJitter: Sendable, Equatable {
    public let clockRate: Int
    private var lastTransit: UInt32?
    /// The estimate in RTP timestamp units.
    public private(set) var value: Double = 0

    public init(clockRate: Int = 8000) {
        self.clockRate = clockRate
    }

    /// Feeds one packet's arrival time and RTP timestamp.
    public mutating func update(arrival: Duration, timestamp: UInt32) {
        let (seconds, attoseconds) = arrival.components
        let units = seconds * Int64(clockRate) + (attoseconds / 1_000_000_000) * Int64(clockRate) / 1_000_000_000
        let transit = UInt32(truncatingIfNeeded: units) &- timestamp
        if let lastTransit {
            let d = Int32(bitPattern: transit &- lastTransit)
            value += (Double(d.magnitude) - value) / 16
        }
        lastTransit = transit
    }

    /// The value for an RTCP report block (§6.4.1: timestamp units, unsigned integer).
    public var reportValue: UInt32 { UInt32(value.rounded(.down)) }

    /// The estimate in milliseconds.
    public var milliseconds: Double { value * 1000 / Double(clockRate) }
}
