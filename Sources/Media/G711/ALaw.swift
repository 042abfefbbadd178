/// G.711 A-law (ITU-T G.711 §3, Table 1a) on 16-bit linear samples.
///
/// The standard defines A-law on 13-bit linear values; 16-bit samples are shifted right by 3
/// first. Code words are sign, segment (3 bits) and step (4 bits) with the even bits inverted
/// (XOR 0x55, §3 "even bit inversion"); positive values carry the sign bit set, so silence (+0)
/// is 0xD5. Segments 0 and 1 share a step of 16 (16-bit units); segment n ≥ 1 has step 16·2^(n-1).
/// Decoding returns the midpoint of the interval, so `decode(encode(x))` is within half a step.
public enum ALaw {
    /// Encodes one 16-bit linear sample to an A-law code word.
    public static func encode(_ sample: Int16) -> UInt8 {
        var value = Int32(sample) >> 3  // 13-bit, rounding toward -∞
        let mask: Int32
        if value >= 0 {
            mask = 0xD5
        } else {
            mask = 0x55
            value = -value - 1  // one's complement: -1 ... -4096 map to 0 ... 4095
        }
        // Segment boundaries are 0x1F, 0x3F, 0x7F, ..., 0xFFF; value ≤ 0xFFF always holds here.
        let segment = Int32(max(0, 27 - UInt32(value).leadingZeroBitCount))
        let step = segment < 2 ? (value >> 1) & 0x0F : (value >> segment) & 0x0F
        return UInt8(truncatingIfNeeded: ((segment << 4) | step) ^ mask)
    }

    /// Decodes one A-law code word to a 16-bit linear sample (table lookup).
    public static func decode(_ code: UInt8) -> Int16 {
        decodeTable[Int(code)]
    }

    /// Width of the quantisation step of the segment `sample` falls in (16-bit units).
    public static func stepSize(for sample: Int16) -> Int32 {
        let segment = Int32(((encode(sample) ^ 0x55) >> 4) & 0x07)
        return segment < 2 ? 16 : 16 << (segment - 1)
    }

    /// The 256 decoded values, computed once by the formula of G.711 Table 1a.
    public static let decodeTable: [Int16] = (0...255).map { value in
        let code = UInt8(value) ^ 0x55
        let segment = Int32((code & 0x70) >> 4)
        var magnitude = Int32(code & 0x0F) << 4
        switch segment {
        case 0: magnitude += 8
        default: magnitude = (magnitude + 0x108) << (segment - 1)
        }
        return Int16(code & 0x80 != 0 ? magnitude : -magnitude)
    }

    /// Encodes a block of samples.
    public static func encode(_ samples: some Sequence<Int16>) -> [UInt8] {
        samples.map { encode($0) }
    }

    /// Decodes a block of code words.
    public static func decode(_ codes: some Sequence<UInt8>) -> [Int16] {
        codes.map { decodeTable[Int($0)] }
    }
}
