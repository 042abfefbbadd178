/// The sample encodings CarePhone reads and writes in WAVE files.
///
/// Format tags from RFC 2361 Appendix A (WAVE_FORMAT_PCM = 1, WAVE_FORMAT_ALAW = 6,
/// WAVE_FORMAT_MULAW = 7); layout of the `fmt ` chunk per the Microsoft RIFF/WAVE specification
/// (Multimedia Programming Interface and Data Specifications 1.0, "WAVE Form").
public enum WAVFormat: Sendable, Hashable {
    /// Linear PCM, 16 bits per sample, little-endian.
    case pcm16
    /// G.711 µ-law, 8 bits per sample.
    case muLaw
    /// G.711 A-law, 8 bits per sample.
    case aLaw

    /// The `wFormatTag` value.
    public var formatTag: UInt16 {
        switch self {
        case .pcm16: 1
        case .aLaw: 6
        case .muLaw: 7
        }
    }

    /// Bits per sample as written in `wBitsPerSample`.
    public var bitsPerSample: UInt16 {
        switch self {
        case .pcm16: 16
        case .muLaw, .aLaw: 8
        }
    }

    /// Bytes per sample of one channel.
    public var bytesPerSample: Int { Int(bitsPerSample) / 8 }
}

/// Little-endian helpers for RIFF (all RIFF integers are little-endian).
extension Array where Element == UInt8 {
    mutating func appendLE(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func appendLE(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    func readLE16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
    }

    func readLE32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16
            | UInt32(self[offset + 3]) << 24
    }

    static func le32(_ value: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendLE(value)
        return bytes
    }
}
