import Testing

@testable import Media

/// FNV-1a 64 over bytes, to compare whole code tables with a reference in one number.
func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    return hash
}

func littleEndianBytes(_ samples: [Int16]) -> [UInt8] {
    samples.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
}

let allSamples: [Int16] = Array(Int16.min...Int16.max)

@Suite("G.711")
struct G711Tests {
    // Reference values from CPython's audioop.lin2ulaw / lin2alaw (Sun's g711.c).
    static let muLawReference: [(Int16, UInt8)] = [
        (-32768, 0), (-32767, 0), (-32124, 0), (-20000, 12), (-8159, 31), (-4000, 47), (-1000, 78),
        (-129, 111), (-100, 114), (-33, 122), (-9, 125), (-8, 126), (-1, 126), (0, 255), (1, 255),
        (7, 254), (8, 254), (15, 253), (16, 253), (100, 242), (131, 239), (132, 239), (500, 220),
        (1000, 206), (2047, 190), (4096, 175), (8000, 160), (16000, 144), (32000, 128), (32124, 128),
        (32635, 128), (32636, 128), (32767, 128),
    ]
    static let aLawReference: [(Int16, UInt8)] = [
        (-32768, 42), (-32767, 42), (-32124, 42), (-20000, 38), (-8159, 10), (-4000, 26), (-1000, 122),
        (-129, 93), (-100, 83), (-33, 87), (-9, 85), (-8, 85), (-1, 85), (0, 213), (1, 213), (7, 213),
        (8, 213), (15, 213), (16, 212), (100, 211), (131, 221), (132, 221), (500, 202), (1000, 250),
        (2047, 234), (4096, 133), (8000, 138), (16000, 186), (32000, 170), (32124, 170), (32635, 170),
        (32636, 170), (32767, 170),
    ]

    @Test("µ-law encodes known samples like the reference coder", arguments: muLawReference)
    func muLawKnownValues(sample: Int16, code: UInt8) {
        #expect(MuLaw.encode(sample) == code)
    }

    @Test("A-law encodes known samples like the reference coder", arguments: aLawReference)
    func aLawKnownValues(sample: Int16, code: UInt8) {
        #expect(ALaw.encode(sample) == code)
    }

    @Test("µ-law decode of the ends and of silence")
    func muLawDecodeKnown() {
        #expect(MuLaw.decode(0xFF) == 0)
        #expect(MuLaw.decode(0x7F) == 0)
        #expect(MuLaw.decode(0x00) == -32124)
        #expect(MuLaw.decode(0x80) == 32124)
        #expect(MuLaw.decode(0xCE) == 988)
        #expect(MuLaw.encode(0) == 0xFF)
    }

    @Test("A-law decode of the ends and of silence")
    func aLawDecodeKnown() {
        #expect(ALaw.decode(0xD5) == 8)
        #expect(ALaw.decode(0x55) == -8)
        #expect(ALaw.decode(0x2A) == -32256)
        #expect(ALaw.decode(0xAA) == 32256)
        #expect(ALaw.encode(0) == 0xD5)
    }

    @Test("every Int16 encodes exactly as the reference coder (hash of all 65536 code words)")
    func wholeEncodeTables() {
        // FNV-1a of audioop.lin2ulaw / lin2alaw over -32768...32767 in order.
        #expect(fnv1a(MuLaw.encode(allSamples)) == 0xd5ee_23f7_d0ff_ae91)
        #expect(fnv1a(ALaw.encode(allSamples)) == 0xf030_666e_b780_cf25)
    }

    @Test("decode tables equal the reference (hash of 256 little-endian samples)")
    func wholeDecodeTables() {
        #expect(fnv1a(littleEndianBytes(MuLaw.decodeTable)) == 0xb91e_65d6_8481_a1a8)
        #expect(fnv1a(littleEndianBytes(ALaw.decodeTable)) == 0x693a_40ca_62a3_d2a5)
    }

    @Test("decode(encode(x)) is within half a segment step of x (plus the 14/13-bit truncation)")
    func roundTripErrorBound() {
        var worstMu: Int32 = 0
        var worstA: Int32 = 0
        for sample in allSamples {
            let x = Int32(sample)
            let mu = abs(Int32(MuLaw.decode(MuLaw.encode(sample))) - x)
            if abs(x) <= MuLaw.clip {
                let bound = MuLaw.stepSize(for: sample) / 2 + 3
                if mu > bound { Issue.record("µ-law \(sample): error \(mu) > \(bound)") }
                worstMu = max(worstMu, mu - MuLaw.stepSize(for: sample) / 2)
            } else {
                // Above the clip level every sample becomes the largest code word.
                #expect(mu == abs(x) - 32124)
            }
            let a = abs(Int32(ALaw.decode(ALaw.encode(sample))) - x)
            let aBound = ALaw.stepSize(for: sample) / 2
            if a > aBound { Issue.record("A-law \(sample): error \(a) > \(aBound)") }
            worstA = max(worstA, a - aBound)
        }
        // The bounds are tight: some sample reaches each.
        #expect(worstMu == 3)
        #expect(worstA == 0)
    }

    @Test("decoding then encoding a code word gives it back (except µ-law's second zero)")
    func codeWordsAreFixedPoints() {
        for code in UInt8.min...UInt8.max {
            #expect(ALaw.encode(ALaw.decode(code)) == code)
            if code != 0x7F {  // -0 decodes to 0, which encodes as +0 (0xFF)
                #expect(MuLaw.encode(MuLaw.decode(code)) == code)
            }
        }
    }

    @Test("step sizes grow by segment")
    func stepSizes() {
        #expect(MuLaw.stepSize(for: 0) == 8)
        #expect(MuLaw.stepSize(for: 30000) == 1024)
        #expect(ALaw.stepSize(for: 0) == 16)
        #expect(ALaw.stepSize(for: 300) == 16)
        #expect(ALaw.stepSize(for: 600) == 32)
        #expect(ALaw.stepSize(for: -32768) == 1024)
    }

    @Test("codec value maps payload types and silence")
    func codec() {
        #expect(G711Codec(payloadType: 0) == .muLaw)
        #expect(G711Codec(payloadType: 8) == .aLaw)
        #expect(G711Codec(payloadType: 101) == nil)
        #expect(G711Codec.aLaw.decode([G711Codec.aLaw.silence]) == [8])
        #expect(G711Codec.muLaw.decode([G711Codec.muLaw.silence]) == [0])
        #expect(G711Codec.muLaw.encode([0, 1000]) == [0xFF, 0xCE])
        #expect(G711Codec.aLaw.encodingName == "PCMA")
    }
}
