/// The two G.711 laws as one value, with their static RTP payload types (RFC 3551 §6, Table 4:
/// PCMU = 0, PCMA = 8; both 8000 Hz, one channel, one byte per sample).
public enum G711Codec: Sendable, Hashable, CaseIterable {
    case muLaw
    case aLaw

    /// The static RTP payload type (RFC 3551 Table 4).
    public var payloadType: UInt8 {
        switch self {
        case .muLaw: 0
        case .aLaw: 8
        }
    }

    /// The SDP encoding name (RFC 3551 §4.5.14).
    public var encodingName: String {
        switch self {
        case .muLaw: "PCMU"
        case .aLaw: "PCMA"
        }
    }

    /// The codec for a static payload type, or nil if it is not 0 or 8.
    public init?(payloadType: UInt8) {
        switch payloadType {
        case 0: self = .muLaw
        case 8: self = .aLaw
        default: return nil
        }
    }

    /// The code word of digital silence (+0): 0xFF for µ-law, 0xD5 for A-law.
    public var silence: UInt8 {
        switch self {
        case .muLaw: 0xFF
        case .aLaw: 0xD5
        }
    }

    /// Encodes 16-bit linear samples.
    public func encode(_ samples: some Sequence<Int16>) -> [UInt8] {
        switch self {
        case .muLaw: MuLaw.encode(samples)
        case .aLaw: ALaw.encode(samples)
        }
    }

    /// Decodes code words to 16-bit linear samples.
    public func decode(_ codes: some Sequence<UInt8>) -> [Int16] {
        switch self {
        case .muLaw: MuLaw.decode(codes)
        case .aLaw: ALaw.decode(codes)
        }
    }
}
