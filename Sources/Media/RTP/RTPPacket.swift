/// An RTP data packet (RFC 3550 §5.1).
///
/// ```
///  0                   1                   2                   3
/// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
/// |                           timestamp                           |
/// |           synchronization source (SSRC) identifier            |
/// |            contributing source (CSRC) identifiers  (CC × 32)  |
/// ```
/// followed by an optional header extension (§5.3.1), the payload and optional padding whose
/// last octet counts the padding octets including itself.
public struct RTPPacket: Sendable, Equatable {
    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var csrcs: [UInt32]
    public var headerExtension: RTPHeaderExtension?
    public var payload: [UInt8]
    /// Padding octets after the payload (0 = no P bit); the last one holds this count.
    public var paddingCount: UInt8

    public init(
        marker: Bool = false, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
        csrcs: [UInt32] = [], headerExtension: RTPHeaderExtension? = nil, payload: [UInt8], paddingCount: UInt8 = 0
    ) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.headerExtension = headerExtension
        self.payload = payload
        self.paddingCount = paddingCount
    }

    /// Parses one packet as received in a UDP datagram.
    public init(parsing bytes: [UInt8]) throws(RTPParseError) {
        guard bytes.count >= 12 else { throw .tooShort(length: bytes.count, needed: 12) }
        let version = bytes[0] >> 6
        guard version == 2 else { throw .unsupportedVersion(version) }
        let hasPadding = bytes[0] & 0x20 != 0
        let hasExtension = bytes[0] & 0x10 != 0
        let csrcCount = Int(bytes[0] & 0x0F)
        marker = bytes[1] & 0x80 != 0
        payloadType = bytes[1] & 0x7F
        sequenceNumber = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        timestamp = bytes.readBE32(at: 4)
        ssrc = bytes.readBE32(at: 8)
        var offset = 12
        guard bytes.count >= offset + 4 * csrcCount else {
            throw .tooShort(length: bytes.count, needed: offset + 4 * csrcCount)
        }
        csrcs = (0..<csrcCount).map { bytes.readBE32(at: 12 + 4 * $0) }
        offset += 4 * csrcCount
        if hasExtension {
            guard bytes.count >= offset + 4 else { throw .tooShort(length: bytes.count, needed: offset + 4) }
            let profile = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
            let words = Int(UInt16(bytes[offset + 2]) << 8 | UInt16(bytes[offset + 3]))
            let end = offset + 4 + 4 * words
            guard bytes.count >= end else { throw .tooShort(length: bytes.count, needed: end) }
            headerExtension = RTPHeaderExtension(profile: profile, data: Array(bytes[(offset + 4)..<end]))
            offset = end
        } else {
            headerExtension = nil
        }
        var payloadEnd = bytes.count
        if hasPadding {
            // §5.1: the last octet counts the padding, itself included, so it cannot be 0.
            let count = bytes[bytes.count - 1]
            guard count > 0, Int(count) <= bytes.count - offset else {
                throw .invalidPadding(count: count, available: bytes.count - offset)
            }
            payloadEnd -= Int(count)
            paddingCount = count
        } else {
            paddingCount = 0
        }
        payload = Array(bytes[offset..<payloadEnd])
    }

    /// The packet's bytes for sending.
    public func serialized() -> [UInt8] {
        precondition(csrcs.count <= 15, "RTP allows at most 15 CSRCs (RFC 3550 §5.1)")
        precondition(payloadType < 128, "RTP payload type is 7 bits")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(12 + 4 * csrcs.count + payload.count + Int(paddingCount))
        bytes.append(
            0x80 | (paddingCount > 0 ? 0x20 : 0) | (headerExtension != nil ? 0x10 : 0) | UInt8(csrcs.count))
        bytes.append((marker ? 0x80 : 0) | payloadType)
        bytes.append(UInt8(sequenceNumber >> 8))
        bytes.append(UInt8(truncatingIfNeeded: sequenceNumber))
        bytes.appendBE(timestamp)
        bytes.appendBE(ssrc)
        for csrc in csrcs { bytes.appendBE(csrc) }
        if let headerExtension {
            precondition(headerExtension.data.count % 4 == 0, "RTP header extension is whole 32-bit words")
            bytes.append(UInt8(headerExtension.profile >> 8))
            bytes.append(UInt8(truncatingIfNeeded: headerExtension.profile))
            let words = UInt16(headerExtension.data.count / 4)
            bytes.append(UInt8(words >> 8))
            bytes.append(UInt8(truncatingIfNeeded: words))
            bytes += headerExtension.data
        }
        bytes += payload
        if paddingCount > 0 {
            bytes += [UInt8](repeating: 0, count: Int(paddingCount) - 1)
            bytes.append(paddingCount)
        }
        return bytes
    }
}

/// The header extension of RFC 3550 §5.3.1: a profile-defined 16-bit value and whole 32-bit words.
public struct RTPHeaderExtension: Sendable, Equatable {
    public var profile: UInt16
    public var data: [UInt8]
    public init(profile: UInt16, data: [UInt8]) {
        self.profile = profile
        self.data = data
    }
}

/// Why a datagram is not a valid RTP packet.
public enum RTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The datagram ends before the part its header announces (fixed header, CSRCs, extension).
    case tooShort(length: Int, needed: Int)
    /// The version field is not 2.
    case unsupportedVersion(UInt8)
    /// The P bit is set but the padding count is 0 or larger than what follows the header.
    case invalidPadding(count: UInt8, available: Int)

    public var description: String {
        switch self {
        case .tooShort(let length, let needed):
            "RTP packet of \(length) bytes is too short: its header needs \(needed)"
        case .unsupportedVersion(let version):
            "RTP version \(version) is not supported (RFC 3550 requires 2)"
        case .invalidPadding(let count, let available):
            "RTP padding count \(count) is invalid with \(available) bytes after the header"
        }
    }
}

extension Array where Element == UInt8 {
    mutating func appendBE(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendBE(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    func readBE32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
            | UInt32(self[offset + 3])
    }

    func readBE16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }
}
