/// Why a byte string is not a WAVE file CarePhone can play; each case names what is wrong and where.
public enum WAVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer than the 12 bytes of the RIFF header.
    case tooShort(length: Int)
    /// The first four bytes are not "RIFF".
    case notRIFF(found: String)
    /// The RIFF form type is not "WAVE".
    case notWAVE(found: String)
    /// A chunk header or body runs past the end of the file.
    case truncatedChunk(id: String, offset: Int, declaredSize: UInt32, available: Int)
    /// No `fmt ` chunk anywhere in the file.
    case missingFormatChunk
    /// No `data` chunk anywhere in the file.
    case missingDataChunk
    /// More than one `fmt ` or `data` chunk.
    case duplicateChunk(id: String)
    /// The `fmt ` chunk is shorter than its 16 fixed bytes.
    case formatChunkTooShort(size: Int)
    /// A format tag other than PCM (1), A-law (6) or µ-law (7).
    case unsupportedFormatTag(UInt16)
    /// A bit depth that does not go with the format tag (PCM must be 16, G.711 must be 8).
    case unsupportedBitsPerSample(formatTag: UInt16, bits: UInt16)
    /// Zero channels or a zero sample rate.
    case invalidFormat(channels: UInt16, sampleRate: UInt32)
    /// `nBlockAlign` is not channels × bytes per sample.
    case inconsistentBlockAlign(declared: UInt16, expected: UInt16)
    /// The data chunk does not hold a whole number of sample frames.
    case partialSampleFrame(dataSize: Int, blockAlign: Int)
    /// The audio would not fit a RIFF file (sizes are 32-bit).
    case tooLarge(bytes: Int)

    public var description: String {
        switch self {
        case .tooShort(let length):
            "WAV file is \(length) bytes; a RIFF header needs 12"
        case .notRIFF(let found):
            "not a RIFF file: starts with \"\(found)\" instead of \"RIFF\""
        case .notWAVE(let found):
            "RIFF form type is \"\(found)\", not \"WAVE\""
        case .truncatedChunk(let id, let offset, let declaredSize, let available):
            "chunk \"\(id)\" at byte \(offset) declares \(declaredSize) bytes but only \(available) remain"
        case .missingFormatChunk:
            "no \"fmt \" chunk: the file does not say how its audio is encoded"
        case .missingDataChunk:
            "no \"data\" chunk: the file holds no audio"
        case .duplicateChunk(let id):
            "more than one \"\(id)\" chunk"
        case .formatChunkTooShort(let size):
            "\"fmt \" chunk is \(size) bytes; it needs at least 16"
        case .unsupportedFormatTag(let tag):
            "format tag \(tag) is not supported; use PCM (1), A-law (6) or µ-law (7)"
        case .unsupportedBitsPerSample(let tag, let bits):
            "format tag \(tag) with \(bits) bits per sample is not supported (PCM needs 16, G.711 needs 8)"
        case .invalidFormat(let channels, let sampleRate):
            "invalid format: \(channels) channels at \(sampleRate) Hz"
        case .inconsistentBlockAlign(let declared, let expected):
            "block align is \(declared); channels × bytes per sample is \(expected)"
        case .partialSampleFrame(let dataSize, let blockAlign):
            "data chunk of \(dataSize) bytes is not a whole number of \(blockAlign)-byte sample frames"
        case .tooLarge(let bytes):
            "\(bytes) bytes of audio do not fit a WAV file (limit 4 GiB)"
        }
    }
}
