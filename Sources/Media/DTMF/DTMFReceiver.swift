/// Turns received RFC 4733 telephone-event packets into key presses, one per event.
///
/// All packets of one event carry the same RTP timestamp (§2.3.1), so the timestamp keys the
/// event: the first packet seen for a new (SSRC, timestamp) reports the digit, and every later
/// one, the updates, the duplicated start packets with the marker and the three retransmitted
/// end packets (§2.5.1.4), is absorbed. The digit is reported as soon as any packet of the event
/// arrives, so a lost start packet costs nothing. A long event split into segments (§2.5.1.3: a
/// new timestamp, no marker, same event, after a segment reached duration 0xFFFF) is not
/// reported again.
public struct DTMFReceiver: Sendable {
    /// A key press as received.
    public struct Press: Sendable, Equatable {
        public var digit: DTMFDigit
        public var timestamp: UInt32
        public var ssrc: UInt32
    }

    private struct Key: Hashable {
        var ssrc: UInt32
        var timestamp: UInt32
    }

    /// The telephone-event payload type negotiated in SDP (commonly 101).
    public let payloadType: UInt8
    /// How many recent events to remember, to absorb late retransmissions.
    public let memory: Int
    private var recent: [Key] = []
    /// The event in progress, to recognise its continuation segments.
    private var current: (key: Key, event: UInt8, duration: UInt16, ended: Bool)?

    public init(payloadType: UInt8 = 101, memory: Int = 16) {
        self.payloadType = payloadType
        self.memory = memory
    }

    /// Feeds one RTP packet; returns the key press it starts, if any. Packets of other payload
    /// types and malformed or non-DTMF events return nil.
    public mutating func receive(_ packet: RTPPacket) -> Press? {
        guard packet.payloadType == payloadType,
            let event = try? TelephoneEvent(parsing: packet.payload)
        else { return nil }
        let key = Key(ssrc: packet.ssrc, timestamp: packet.timestamp)
        if recent.contains(key) {
            if var ongoing = current, ongoing.key == key {
                ongoing.duration = max(ongoing.duration, event.duration)
                ongoing.ended = ongoing.ended || event.isEnd
                current = ongoing
            }
            return nil
        }
        remember(key)
        defer { current = (key, event.event, event.duration, event.isEnd) }
        if let current, !packet.marker, !current.ended, current.event == event.event,
            current.key.ssrc == key.ssrc, current.duration == UInt16.max,
            packet.timestamp &- current.key.timestamp == UInt32(UInt16.max)
        {
            return nil  // the next segment of a long event
        }
        guard let digit = event.digit else { return nil }
        return Press(digit: digit, timestamp: packet.timestamp, ssrc: packet.ssrc)
    }

    private mutating func remember(_ key: Key) {
        recent.append(key)
        if recent.count > memory { recent.removeFirst(recent.count - memory) }
    }
}
