import Foundation
import Testing

@testable import Media

/// Builds RIFF bytes by hand so tests do not depend on the writer they check.
func riff(_ chunks: [(String, [UInt8])], riffSize: UInt32? = nil) -> [UInt8] {
    var body: [UInt8] = Array("WAVE".utf8)
    for (id, data) in chunks {
        body += Array(id.utf8)
        body.appendLE(UInt32(data.count))
        body += data
        if data.count % 2 == 1 { body.append(0) }
    }
    var bytes: [UInt8] = Array("RIFF".utf8)
    bytes.appendLE(riffSize ?? UInt32(body.count))
    return bytes + body
}

func fmtChunk(tag: UInt16, channels: UInt16 = 1, rate: UInt32 = 8000, bits: UInt16, align: UInt16? = nil) -> [UInt8] {
    var b: [UInt8] = []
    b.appendLE(tag)
    b.appendLE(channels)
    b.appendLE(rate)
    b.appendLE(rate * UInt32(channels) * UInt32(bits / 8))
    b.appendLE(align ?? channels * bits / 8)
    b.appendLE(bits)
    return b
}

@Suite("WAV")
struct WAVTests {
    @Test("reads PCM with chunks out of order, an odd-sized LIST chunk and its pad byte")
    func readsAnyChunkOrder() throws {
        let pcm: [UInt8] = [0x01, 0x00, 0xFF, 0xFF, 0x00, 0x80]  // 1, -1, -32768
        let bytes = riff([("data", pcm), ("LIST", [1, 2, 3]), ("fmt ", fmtChunk(tag: 1, bits: 16))])
        let file = try WAVFile(parsing: bytes)
        #expect(file.format == .pcm16)
        #expect(file.sampleRate == 8000)
        #expect(file.samples == [1, -1, -32768])
        #expect(file.frameCount == 3)
    }

    @Test("reads µ-law (tag 7) and A-law (tag 6), decoding to linear")
    func readsG711() throws {
        let mu = try WAVFile(parsing: riff([("fmt ", fmtChunk(tag: 7, bits: 8)), ("data", [0xFF, 0x00, 0x80])]))
        #expect(mu.format == .muLaw)
        #expect(mu.samples == [0, -32124, 32124])
        let a = try WAVFile(parsing: riff([("fmt ", fmtChunk(tag: 6, bits: 8)), ("data", [0xD5, 0x55, 0xAA])]))
        #expect(a.format == .aLaw)
        #expect(a.samples == [8, -8, 32256])
        #expect(a.duration == .microseconds(375))
    }

    @Test("writer output is the canonical 44-byte header and reads back")
    func writesCanonicalPCM() throws {
        let file = WAVFile(samples: [0, 1000, -1000])
        let bytes = try file.serialized()
        #expect(bytes.count == 44 + 6)
        #expect(Array(bytes[0..<4]) == Array("RIFF".utf8))
        #expect(bytes.readLE32(at: 4) == 42)
        #expect(bytes.readLE16(at: 20) == 1)
        #expect(bytes.readLE32(at: 28) == 16000)  // byte rate
        #expect(bytes.readLE32(at: 40) == 6)
        #expect(try WAVFile(parsing: bytes) == file)
    }

    @Test("G.711 files get fmt of 18 bytes and a fact chunk; odd data is padded")
    func writesG711WithFact() throws {
        let file = WAVFile(format: .muLaw, data: [0xFF, 0x80, 0x00])
        let bytes = try file.serialized()
        #expect(bytes.count == 58 + 3 + 1)
        #expect(bytes.readLE32(at: 16) == 18)
        #expect(WAVFile.fourCC(bytes, 38) == "fact")
        #expect(bytes.readLE32(at: 46) == 3)
        #expect(bytes.readLE32(at: 54) == 3)
        #expect(bytes.readLE32(at: 4) == UInt32(bytes.count - 8))
        #expect(try WAVFile(parsing: bytes) == file)
    }

    static let badFiles: [([UInt8], WAVError)] = [
        (Array("RIFX".utf8) + [0, 0, 0, 0] + Array("WAVE".utf8), .notRIFF(found: "RIFX")),
        (Array("RIFF".utf8) + [4, 0, 0, 0] + Array("AVI ".utf8), .notWAVE(found: "AVI ")),
        ([0x52, 0x49], .tooShort(length: 2)),
        (riff([("data", [0, 0])]), .missingFormatChunk),
        (riff([("fmt ", fmtChunk(tag: 1, bits: 16))]), .missingDataChunk),
        (riff([("fmt ", fmtChunk(tag: 3, bits: 32)), ("data", [])]), .unsupportedFormatTag(3)),
        (riff([("fmt ", fmtChunk(tag: 1, bits: 8)), ("data", [])]), .unsupportedBitsPerSample(formatTag: 1, bits: 8)),
        (
            riff([("fmt ", fmtChunk(tag: 7, bits: 16)), ("data", [])]),
            .unsupportedBitsPerSample(formatTag: 7, bits: 16)
        ),
        (riff([("fmt ", [1, 0, 1, 0]), ("data", [])]), .formatChunkTooShort(size: 4)),
        (
            riff([("fmt ", fmtChunk(tag: 1, bits: 16, align: 4)), ("data", [])]),
            .inconsistentBlockAlign(declared: 4, expected: 2)
        ),
        (
            riff([("fmt ", fmtChunk(tag: 1, bits: 16)), ("data", [1, 2, 3])]),
            .partialSampleFrame(dataSize: 3, blockAlign: 2)
        ),
        (
            riff([("fmt ", fmtChunk(tag: 1, channels: 0, bits: 16)), ("data", [])]),
            .invalidFormat(channels: 0, sampleRate: 8000)
        ),
        (
            riff([("fmt ", fmtChunk(tag: 1, bits: 16)), ("fmt ", fmtChunk(tag: 1, bits: 16)), ("data", [])]),
            .duplicateChunk(id: "fmt ")
        ),
    ]

    @Test("rejects bad files with an error naming what is wrong", arguments: badFiles)
    func rejects(bytes: [UInt8], error: WAVError) {
        #expect(throws: error) { try WAVFile(parsing: bytes) }
        #expect(!error.description.isEmpty)
    }

    @Test("a chunk that runs past the end is named with its offset and sizes")
    func truncatedChunk() {
        var bytes = riff([("fmt ", fmtChunk(tag: 1, bits: 16)), ("data", [1, 0, 2, 0, 3, 0])])
        bytes.removeLast(2)
        bytes.replaceSubrange(4..<8, with: [UInt8].le32(UInt32(bytes.count - 8)))
        #expect(throws: WAVError.truncatedChunk(id: "data", offset: 36, declaredSize: 6, available: 4)) {
            try WAVFile(parsing: bytes)
        }
        let recovered = try? WAVFile(parsing: bytes, recoveringTruncatedData: true)
        #expect(recovered?.samples == [1, 2])
        #expect(
            WAVError.truncatedChunk(id: "data", offset: 36, declaredSize: 6, available: 4).description
                == "chunk \"data\" at byte 36 declares 6 bytes but only 4 remain")
    }

    @Test("streaming writer: sizes patched on finish, unpatched file still recoverable")
    func streamingWriter() throws {
        var writer = try WAVStreamWriter(sink: MemoryWAVSink(), format: .pcm16)
        try writer.append(samples: [1, 2, 3])
        #expect(writer.sink.bytes.readLE32(at: 40) == 0)  // not patched yet
        // A recorder killed now leaves sizes of 0: recovery keeps the audio.
        let crashed = try WAVFile(parsing: writer.sink.bytes, recoveringTruncatedData: true)
        #expect(crashed.samples == [1, 2, 3])
        try writer.updateHeader()
        #expect(try WAVFile(parsing: writer.sink.bytes).samples == [1, 2, 3])
        try writer.append(samples: [-4])
        try writer.finish()
        let bytes = writer.sink.bytes
        #expect(bytes.readLE32(at: 40) == 8)
        #expect(bytes.readLE32(at: 4) == 44)
        #expect(try WAVFile(parsing: bytes).samples == [1, 2, 3, -4])
    }

    @Test("streaming µ-law writer pads odd data and counts samples in fact, on a real file")
    func streamingToFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("media-\(UUID()).wav")
        defer { try? FileManager.default.removeItem(at: url) }
        var writer = try WAVStreamWriter(sink: FileWAVSink(creating: url), format: .muLaw)
        try writer.append(samples: [0, 1000])
        try writer.append(samples: [-1000])
        try writer.finish()
        try writer.sink.handle.close()
        let bytes = [UInt8](try Data(contentsOf: url))
        #expect(bytes.count == 58 + 4)
        #expect(bytes.readLE32(at: 46) == 3)
        let file = try WAVFile(parsing: bytes)
        #expect(file.data == [0xFF, 0xCE, 0x4E])
    }
}
