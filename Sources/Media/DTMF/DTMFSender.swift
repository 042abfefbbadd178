/// Plans the RFC 4733 packets that send one key press.
///
/// §2.5.1.2: the first packet, sent when the key goes down, has the marker bit (duration 0 here);
/// updates follow every `updateInterval` with the duration
/// so far (all with the event's start timestamp, §2.3.1); at the end three packets with the E bit
/// and the final duration (§2.5.1.4 recommends the end packet be sent three times), spaced by
/// `endSpacing`. Time is the caller's: each packet comes with its send offset from the start.
public struct DTMFSender: Sendable {
    /// One packet to send `offset` after the key press started.
    public struct Scheduled: Sendable, Equatable {
        public var offset: Duration
        public var packet: RTPPacket
    }

    public var payloadType: UInt8
    public var clockRate: Int
    public var updateInterval: Duration
    public var endSpacing: Duration
    public var volume: UInt8

    public init(
        payloadType: UInt8 = 101, clockRate: Int = 8000, updateInterval: Duration = .milliseconds(50),
        endSpacing: Duration = .milliseconds(20), volume: UInt8 = 10
    ) {
        self.payloadType = payloadType
        self.clockRate = clockRate
        self.updateInterval = updateInterval
        self.endSpacing = endSpacing
        self.volume = volume
    }

    /// The packets for `digit` lasting `length`, starting at RTP `timestamp`, numbered from the
    /// stream's next sequence number (which advances by the number of packets).
    public func packets(
        for digit: DTMFDigit, length: Duration = .milliseconds(100), timestamp: UInt32, stream: inout RTPStream
    ) -> [Scheduled] {
        precondition(length > .zero && updateInterval > .zero)
        let totalUnits = min(units(length), Int(UInt16.max))
        var result: [Scheduled] = []
        var offset = Duration.zero
        while offset < length {
            let event = TelephoneEvent(
                event: digit.code, volume: volume, duration: UInt16(min(units(offset), totalUnits)))
            let packet = stream.makePacket(
                payloadType: payloadType, timestamp: timestamp, marker: offset == .zero, payload: event.serialized())
            result.append(Scheduled(offset: offset, packet: packet))
            offset += updateInterval
        }
        let end = TelephoneEvent(event: digit.code, isEnd: true, volume: volume, duration: UInt16(totalUnits))
        for index in 0..<3 {
            let packet = stream.makePacket(payloadType: payloadType, timestamp: timestamp, payload: end.serialized())
            result.append(Scheduled(offset: length + endSpacing * index, packet: packet))
        }
        return result
    }

    /// The packets of `schedule` due by `elapsed` that were not due by `previous`: the caller's
    /// clock drives sending.
    public static func due(_ schedule: [Scheduled], after previous: Duration?, upTo elapsed: Duration) -> [RTPPacket] {
        schedule.filter { item in
            item.offset <= elapsed && (previous.map { item.offset > $0 } ?? true)
        }.map(\.packet)
    }

    private func units(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * clockRate + Int(attoseconds / 1_000_000_000) * clockRate / 1_000_000_000
    }
}
