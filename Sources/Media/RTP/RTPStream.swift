/// The sending side of one RTP stream: its SSRC and the next sequence number (RFC 3550 §5.1:
/// sequence numbers increase by one per packet; the initial value should be random, so the
/// caller supplies it). Audio frames and telephone events of one call share it, as RFC 4733
/// §2.1 requires.
public struct RTPStream: Sendable, Equatable {
    public let ssrc: UInt32
    public private(set) var nextSequence: UInt16

    public init(ssrc: UInt32, firstSequence: UInt16) {
        self.ssrc = ssrc
        nextSequence = firstSequence
    }

    /// A packet with the next sequence number.
    public mutating func makePacket(
        payloadType: UInt8, timestamp: UInt32, marker: Bool = false, payload: [UInt8]
    ) -> RTPPacket {
        defer { nextSequence &+= 1 }
        return RTPPacket(
            marker: marker, payloadType: payloadType, sequenceNumber: nextSequence, timestamp: timestamp,
            ssrc: ssrc, payload: payload)
    }
}
