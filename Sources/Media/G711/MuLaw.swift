/// G.711 µ-law (ITU-T G.711 §2, Table 2a) on 16-bit linear samples.
///
/// The standard defines µ-law on 14-bit linear values (bias 33, clip 8159); 16-bit samples are
/// reduced to 14 bits for encoding and decoded on the 16-bit scale (bias 132 = 0x84, largest
/// value 32124). Each code word is sign (1 bit), segment (3 bits) and step within the segment
/// (4 bits), all inverted on the wire. Decoding returns the midpoint of the quantisation
/// interval, so below the clip level `decode(encode(x))` is within half a step of `x` plus the
/// 3 lost to the 14-bit reduction.
public enum MuLaw {
    /// Bias added before finding the segment (33 in 14-bit units, scaled to 16 bits).
    static let bias: Int32 = 0x84
    /// The standard's bias and clip level in 14-bit units (G.711 Table 2a).
    static let bias14: Int32 = 0x21
    static let clip14: Int32 = 8159
    /// Largest 16-bit magnitude that is coded without clipping.
    public static let clip: Int32 = 32635

    /// Encodes one 16-bit linear sample to a µ-law code word.
    ///
    /// Follows the 14-bit reference coder (Sun's `g711.c`, as in CPython's `audioop`) bit for
    /// bit: the sample is first reduced to 14 bits, rounding toward -∞.
    public static func encode(_ sample: Int16) -> UInt8 {
        var value = Int32(sample) >> 2
        let mask: Int32
        if value < 0 {
            value = -value
            mask = 0x7F
        } else {
            mask = 0xFF
        }
        value = min(value, clip14) + bias14
        // Segment = position of the leading one, counted from bit 5 (value ≥ 33); 8192 is over.
        let segment = Int32(max(0, 26 - UInt32(value).leadingZeroBitCount))
        if segment >= 8 { return UInt8(truncatingIfNeeded: 0x7F ^ mask) }
        let step = (value >> (segment + 1)) & 0x0F
        return UInt8(truncatingIfNeeded: ((segment << 4) | step) ^ mask)
    }

    /// Decodes one µ-law code word to a 16-bit linear sample (table lookup).
    public static func decode(_ code: UInt8) -> Int16 {
        decodeTable[Int(code)]
    }

    /// Width of the quantisation step of the segment `sample` falls in (16-bit units).
    public static func stepSize(for sample: Int16) -> Int32 {
        let code = ~encode(sample)
        return 8 << Int32((code >> 4) & 0x07)
    }

    /// The 256 decoded values, computed once by the formula of G.711 Table 2a.
    public static let decodeTable: [Int16] = (0...255).map { value in
        let code = ~UInt8(value)
        let segment = Int32((code >> 4) & 0x07)
        let step = Int32(code & 0x0F)
        let magnitude = (((step << 3) + bias) << segment) - bias
        return Int16(code & 0x80 != 0 ? -magnitude : magnitude)
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
