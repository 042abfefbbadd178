/// RTCP sender and receiver reports (RFC 3550 §6.4) inside a compound packet (§6.1).
///
/// Common header (§6.4.1): `V=2 | P | RC (5) | PT | length`, where length is the packet's size in
/// 32-bit words minus one. SR is PT 200, RR is PT 201; other packets (SDES, BYE, APP) are kept
/// as raw bodies so a relay can pass them on.
public enum RTCPPacket: Sendable, Equatable {
    case senderReport(RTCPSenderReport)
    case receiverReport(RTCPReceiverReport)
    case other(packetType: UInt8, count: UInt8, body: [UInt8])

    /// Parses every packet of a compound RTCP datagram.
    public static func parseCompound(_ bytes: [UInt8]) throws(RTCPParseError) -> [RTCPPacket] {
        var packets: [RTCPPacket] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else {
                throw .tooShort(offset: offset, length: bytes.count - offset, needed: 4)
            }
            let version = bytes[offset] >> 6
            guard version == 2 else { throw .unsupportedVersion(version, offset: offset) }
            let hasPadding = bytes[offset] & 0x20 != 0
            let count = bytes[offset] & 0x1F
            let type = bytes[offset + 1]
            let size = (Int(bytes.readBE16(at: offset + 2)) + 1) * 4
            guard bytes.count - offset >= size else {
                throw .tooShort(offset: offset, length: bytes.count - offset, needed: size)
            }
            var end = offset + size
            if hasPadding {
                let padding = Int(bytes[end - 1])
                guard padding > 0, padding <= size - 4 else { throw .invalidPadding(offset: offset) }
                end -= padding
            }
            let body = Array(bytes[(offset + 4)..<end])
            switch type {
            case 200:
                packets.append(.senderReport(try RTCPSenderReport(body: body, count: Int(count), offset: offset)))
            case 201:
                packets.append(.receiverReport(try RTCPReceiverReport(body: body, count: Int(count), offset: offset)))
            default:
                packets.append(.other(packetType: type, count: count, body: body))
            }
            offset += size
        }
        return packets
    }

    /// This packet's bytes (no padding).
    public func serialized() -> [UInt8] {
        let type: UInt8
        let count: Int
        var body: [UInt8] = []
        switch self {
        case .senderReport(let report):
            type = 200
            count = report.reports.count
            body.appendBE(report.ssrc)
            body.appendBE(UInt32(truncatingIfNeeded: report.ntpTimestamp >> 32))
            body.appendBE(UInt32(truncatingIfNeeded: report.ntpTimestamp))
            body.appendBE(report.rtpTimestamp)
            body.appendBE(report.packetCount)
            body.appendBE(report.octetCount)
            for block in report.reports { block.append(to: &body) }
            body += report.profileExtension
        case .receiverReport(let report):
            type = 201
            count = report.reports.count
            body.appendBE(report.ssrc)
            for block in report.reports { block.append(to: &body) }
            body += report.profileExtension
        case .other(let packetType, let otherCount, let otherBody):
            type = packetType
            count = Int(otherCount)
            body = otherBody
        }
        precondition(count <= 31, "RTCP allows at most 31 report blocks per packet (RFC 3550 §6.4.1)")
        precondition(body.count % 4 == 0, "RTCP packets are whole 32-bit words")
        var bytes: [UInt8] = [0x80 | UInt8(count), type]
        bytes.appendBE(UInt16(body.count / 4))
        return bytes + body
    }

    /// Several packets as one compound datagram (§6.1: the first should be an SR or RR).
    public static func serializeCompound(_ packets: [RTCPPacket]) -> [UInt8] {
        packets.flatMap { $0.serialized() }
    }
}

/// A sender report (RFC 3550 §6.4.1, PT = 200).
public struct RTCPSenderReport: Sendable, Equatable {
    public var ssrc: UInt32
    /// 64-bit NTP timestamp (seconds since 1900 in the high word, fraction in the low).
    public var ntpTimestamp: UInt64
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32
    public var reports: [RTCPReportBlock]
    public var profileExtension: [UInt8]

    public init(
        ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
        reports: [RTCPReportBlock] = [], profileExtension: [UInt8] = []
    ) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reports = reports
        self.profileExtension = profileExtension
    }

    /// The middle 32 bits of the NTP timestamp: what a receiver echoes as LSR (§6.4.1).
    public var ntpMiddle: UInt32 { UInt32(truncatingIfNeeded: ntpTimestamp >> 16) }

    init(body: [UInt8], count: Int, offset: Int) throws(RTCPParseError) {
        let needed = 24 + count * RTCPReportBlock.size
        guard body.count >= needed else {
            throw .reportBlocksTruncated(offset: offset, count: count, available: body.count)
        }
        ssrc = body.readBE32(at: 0)
        ntpTimestamp = UInt64(body.readBE32(at: 4)) << 32 | UInt64(body.readBE32(at: 8))
        rtpTimestamp = body.readBE32(at: 12)
        packetCount = body.readBE32(at: 16)
        octetCount = body.readBE32(at: 20)
        reports = (0..<count).map { RTCPReportBlock(bytes: body, at: 24 + $0 * RTCPReportBlock.size) }
        profileExtension = Array(body[needed...])
    }
}

/// A receiver report (RFC 3550 §6.4.2, PT = 201).
public struct RTCPReceiverReport: Sendable, Equatable {
    public var ssrc: UInt32
    public var reports: [RTCPReportBlock]
    public var profileExtension: [UInt8]

    public init(ssrc: UInt32, reports: [RTCPReportBlock] = [], profileExtension: [UInt8] = []) {
        self.ssrc = ssrc
        self.reports = reports
        self.profileExtension = profileExtension
    }

    init(body: [UInt8], count: Int, offset: Int) throws(RTCPParseError) {
        let needed = 4 + count * RTCPReportBlock.size
        guard body.count >= needed else {
            throw .reportBlocksTruncated(offset: offset, count: count, available: body.count)
        }
        ssrc = body.readBE32(at: 0)
        reports = (0..<count).map { RTCPReportBlock(bytes: body, at: 4 + $0 * RTCPReportBlock.size) }
        profileExtension = Array(body[needed...])
    }
}

/// Why a datagram is not valid RTCP; offsets locate the packet within the compound.
public enum RTCPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooShort(offset: Int, length: Int, needed: Int)
    case unsupportedVersion(UInt8, offset: Int)
    case invalidPadding(offset: Int)
    case reportBlocksTruncated(offset: Int, count: Int, available: Int)

    public var description: String {
        switch self {
        case .tooShort(let offset, let length, let needed):
            "RTCP packet at byte \(offset) has \(length) bytes; its header needs \(needed)"
        case .unsupportedVersion(let version, let offset):
            "RTCP packet at byte \(offset) has version \(version); RFC 3550 requires 2"
        case .invalidPadding(let offset):
            "RTCP packet at byte \(offset) has an invalid padding count"
        case .reportBlocksTruncated(let offset, let count, let available):
            "RTCP report at byte \(offset) announces \(count) report blocks but its body has only \(available) bytes"
        }
    }
}
