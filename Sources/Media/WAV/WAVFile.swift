import Foundation

/// A whole WAVE file in memory: its format and its encoded sample bytes.
///
/// Reading follows the RIFF rules of the Microsoft WAVE specification: chunks may come in any
/// order, unknown chunks (`LIST`, `fact`, `cue `, ...) are skipped, and a chunk of odd size is
/// followed by one pad byte that its size does not count.
public struct WAVFile: Sendable, Equatable {
    public var format: WAVFormat
    public var sampleRate: UInt32
    public var channels: UInt16
    /// The encoded sample frames, exactly as in the `data` chunk (without any pad byte).
    public var data: [UInt8]

    public init(format: WAVFormat, sampleRate: UInt32 = 8000, channels: UInt16 = 1, data: [UInt8]) {
        self.format = format
        self.sampleRate = sampleRate
        self.channels = channels
        self.data = data
    }

    /// A 16-bit PCM file holding `samples` (interleaved when `channels` > 1).
    public init(samples: [Int16], sampleRate: UInt32 = 8000, channels: UInt16 = 1) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(samples.count * 2)
        for sample in samples { bytes.appendLE(UInt16(bitPattern: sample)) }
        self.init(format: .pcm16, sampleRate: sampleRate, channels: channels, data: bytes)
    }

    /// Number of sample frames (one sample per channel each).
    public var frameCount: Int { data.count / (format.bytesPerSample * Int(channels)) }

    /// Playing time.
    public var duration: Duration {
        .nanoseconds(Int64(frameCount) * 1_000_000_000 / Int64(max(sampleRate, 1)))
    }

    /// The samples as 16-bit linear values (G.711 data is decoded), interleaved by channel.
    public var samples: [Int16] {
        switch format {
        case .pcm16:
            stride(from: 0, to: data.count - 1, by: 2).map { Int16(bitPattern: data.readLE16(at: $0)) }
        case .muLaw: MuLaw.decode(data)
        case .aLaw: ALaw.decode(data)
        }
    }

    /// Parses a WAVE file.
    ///
    /// - Parameter recoveringTruncatedData: accept a `data` chunk (and RIFF size) that claims more
    ///   bytes than the file holds, or 0, and take what is there. A recorder killed before it
    ///   patched its header leaves such a file; with this flag the audio it wrote is not lost.
    public init(parsing bytes: [UInt8], recoveringTruncatedData: Bool = false) throws(WAVError) {
        guard bytes.count >= 12 else { throw .tooShort(length: bytes.count) }
        let riff = Self.fourCC(bytes, 0)
        guard riff == "RIFF" else { throw .notRIFF(found: riff) }
        let form = Self.fourCC(bytes, 8)
        guard form == "WAVE" else { throw .notWAVE(found: form) }
        let riffEnd: Int
        let riffSize = Int(bytes.readLE32(at: 4))
        if riffSize == 0 || (8 + riffSize > bytes.count && recoveringTruncatedData) {
            riffEnd = bytes.count  // never patched, or cut short by a dying writer
        } else if 8 + riffSize <= bytes.count {
            riffEnd = 8 + riffSize
        } else {
            throw .truncatedChunk(
                id: "RIFF", offset: 0, declaredSize: UInt32(riffSize), available: bytes.count - 8)
        }

        var formatBody: ArraySlice<UInt8>?
        var dataBody: ArraySlice<UInt8>?
        var offset = 12
        while offset + 8 <= riffEnd {
            let id = Self.fourCC(bytes, offset)
            let declared = bytes.readLE32(at: offset + 4)
            let bodyStart = offset + 8
            var bodyEnd = bodyStart + Int(declared)
            if bodyEnd > riffEnd {
                // Only the data chunk may be cut short (a recorder died), and only when asked or unpatched.
                guard id == "data", recoveringTruncatedData || declared == 0 || declared == UInt32.max
                else {
                    throw .truncatedChunk(
                        id: id, offset: offset, declaredSize: declared, available: riffEnd - bodyStart)
                }
                bodyEnd = riffEnd
            } else if id == "data", declared == 0, recoveringTruncatedData {
                bodyEnd = riffEnd  // header never patched: the audio runs to the end
            }
            let body = bytes[bodyStart..<bodyEnd]
            switch id {
            case "fmt ":
                guard formatBody == nil else { throw .duplicateChunk(id: id) }
                formatBody = body
            case "data":
                guard dataBody == nil else { throw .duplicateChunk(id: id) }
                dataBody = body
            default:
                break
            }
            offset = bodyEnd + (bodyEnd - bodyStart) % 2  // odd-sized chunks carry a pad byte
        }
        if offset < riffEnd, offset + 8 > riffEnd, !recoveringTruncatedData {
            throw .truncatedChunk(id: "(header)", offset: offset, declaredSize: 8, available: riffEnd - offset)
        }
        guard let formatBody else { throw .missingFormatChunk }
        guard let dataBody else { throw .missingDataChunk }

        let fmt = Array(formatBody)
        guard fmt.count >= 16 else { throw .formatChunkTooShort(size: fmt.count) }
        let tag = fmt.readLE16(at: 0)
        let channels = fmt.readLE16(at: 2)
        let sampleRate = fmt.readLE32(at: 4)
        let blockAlign = fmt.readLE16(at: 12)
        let bits = fmt.readLE16(at: 14)
        let format: WAVFormat
        switch tag {
        case 1: format = .pcm16
        case 6: format = .aLaw
        case 7: format = .muLaw
        default: throw .unsupportedFormatTag(tag)
        }
        guard bits == format.bitsPerSample else { throw .unsupportedBitsPerSample(formatTag: tag, bits: bits) }
        guard channels > 0, sampleRate > 0 else { throw .invalidFormat(channels: channels, sampleRate: sampleRate) }
        let expectedAlign = channels &* UInt16(format.bytesPerSample)
        guard blockAlign == expectedAlign else {
            throw .inconsistentBlockAlign(declared: blockAlign, expected: expectedAlign)
        }
        var data = Array(dataBody)
        if data.count % Int(blockAlign) != 0 {
            guard recoveringTruncatedData else {
                throw .partialSampleFrame(dataSize: data.count, blockAlign: Int(blockAlign))
            }
            data.removeLast(data.count % Int(blockAlign))
        }
        self.init(format: format, sampleRate: sampleRate, channels: channels, data: data)
    }

    /// Parses a WAVE file held in `Data`.
    public init(parsing data: Data, recoveringTruncatedData: Bool = false) throws(WAVError) {
        try self.init(parsing: [UInt8](data), recoveringTruncatedData: recoveringTruncatedData)
    }

    /// The file's bytes: RIFF header, `fmt ` (and `fact` for G.711), `data`, pad byte if odd.
    public func serialized() throws(WAVError) -> [UInt8] {
        var header = try WAVHeader(format: format, sampleRate: sampleRate, channels: channels)
        try header.setDataSize(data.count)
        var bytes = header.bytes
        bytes += data
        if data.count % 2 == 1 { bytes.append(0) }
        return bytes
    }

    static func fourCC(_ bytes: [UInt8], _ offset: Int) -> String {
        String(decoding: bytes[offset..<offset + 4].map { (0x20...0x7E).contains($0) ? $0 : 0x3F }, as: UTF8.self)
    }
}
