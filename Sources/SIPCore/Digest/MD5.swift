// MD5 (RFC 1321), for SIP digest authentication only.
//
// MD5 is broken as a general-purpose hash; RFC 7616 keeps it for interoperability with the many
// phones that still only speak `algorithm=MD5`. Do not use it for anything else.

/// A pure-Swift MD5 message digest (RFC 1321).
///
/// One-shot: `MD5.hash(bytes)`. Streaming: `var h = MD5(); h.update(...); h.finalize()`.
/// The hasher does not allocate while it consumes input.
public struct MD5: Sendable {
    /// Length of a digest in bytes.
    public static let digestByteCount = 16
    /// Length of one compression block in bytes.
    public static let blockByteCount = 64

    private var a: UInt32 = 0x6745_2301
    private var b: UInt32 = 0xefcd_ab89
    private var c: UInt32 = 0x98ba_dcfe
    private var d: UInt32 = 0x1032_5476
    /// Bytes of a partial block, waiting for more input.
    private var pending: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0)
    private var pendingCount = 0
    /// Total message length in bytes (RFC 1321 §3.2 appends it modulo 2^64 bits).
    private var byteCount: UInt64 = 0

    /// A hasher with nothing consumed yet.
    public init() {}

    /// The MD5 digest (16 bytes) of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = MD5()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Feeds `bytes` to the hasher.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// Feeds raw memory to the hasher; the fast path every other overload ends in.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        byteCount &+= UInt64(remaining)

        if pendingCount > 0 {
            let take = min(Self.blockByteCount - pendingCount, remaining)
            let offset = pendingCount
            withUnsafeMutableBytes(of: &pending) {
                $0.baseAddress!.advanced(by: offset).copyMemory(from: p, byteCount: take)
            }
            pendingCount += take
            p += take
            remaining -= take
            guard pendingCount == Self.blockByteCount else { return }
            let block = pending
            withUnsafeBytes(of: block) { compress($0.baseAddress!) }
            pendingCount = 0
        }
        while remaining >= Self.blockByteCount {
            compress(p)
            p += Self.blockByteCount
            remaining -= Self.blockByteCount
        }
        if remaining > 0 {
            withUnsafeMutableBytes(of: &pending) { $0.baseAddress!.copyMemory(from: p, byteCount: remaining) }
            pendingCount = remaining
        }
    }

    /// The digest of everything fed so far. The hasher itself is left unchanged, so more input
    /// may follow.
    public func finalize() -> [UInt8] {
        var copy = self
        // RFC 1321 §3.1-3.2: a 1 bit, zeros up to 56 mod 64, then the bit length little-endian.
        let bitLength = byteCount &* 8
        let padLength = (pendingCount < 56 ? 56 : 120) - pendingCount
        withUnsafeTemporaryAllocation(byteCount: padLength + 8, alignment: 8) { pad in
            pad.initializeMemory(as: UInt8.self, repeating: 0)
            pad[0] = 0x80
            pad.storeBytes(of: bitLength.littleEndian, toByteOffset: padLength, as: UInt64.self)
            copy.update(UnsafeRawBufferPointer(pad))
        }
        var out = [UInt8](repeating: 0, count: Self.digestByteCount)
        out.withUnsafeMutableBytes { o in
            o.storeBytes(of: copy.a.littleEndian, toByteOffset: 0, as: UInt32.self)
            o.storeBytes(of: copy.b.littleEndian, toByteOffset: 4, as: UInt32.self)
            o.storeBytes(of: copy.c.littleEndian, toByteOffset: 8, as: UInt32.self)
            o.storeBytes(of: copy.d.littleEndian, toByteOffset: 12, as: UInt32.self)
        }
        return out
    }

    // RFC 1321 §3.4: T[i] = floor(2^32 * abs(sin(i + 1))).
    private static let sines: [UInt32] = [
        0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee, 0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
        0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be, 0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
        0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa, 0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
        0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed, 0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
        0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c, 0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
        0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05, 0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
        0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039, 0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
        0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1, 0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
    ]

    // Per-round left-rotation amounts, four per round.
    private static let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

    /// Processes one 64-byte block (RFC 1321 §3.4).
    private mutating func compress(_ block: UnsafeRawPointer) {
        var a = self.a
        var b = self.b
        var c = self.c
        var d = self.d
        Self.sines.withUnsafeBufferPointer { t in
            Self.shifts.withUnsafeBufferPointer { s in
                for i in 0..<64 {
                    let f: UInt32
                    let g: Int
                    switch i >> 4 {
                    case 0:
                        f = (b & c) | (~b & d)
                        g = i
                    case 1:
                        f = (d & b) | (~d & c)
                        g = (5 &* i &+ 1) & 15
                    case 2:
                        f = b ^ c ^ d
                        g = (3 &* i &+ 5) & 15
                    default:
                        f = c ^ (b | ~d)
                        g = (7 &* i) & 15
                    }
                    let word = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: g &* 4, as: UInt32.self))
                    let sum = a &+ f &+ t[i] &+ word
                    let shift = s[(i >> 4) << 2 | (i & 3)]
                    a = d
                    d = c
                    c = b
                    b = b &+ ((sum << shift) | (sum >> (32 &- shift)))
                }
            }
        }
        self.a &+= a
        self.b &+= b
        self.c &+= c
        self.d &+= d
    }
}
