/// The fixed header CarePhone writes before the audio, and where its sizes live so a streaming
/// writer can patch them.
///
/// PCM gets the canonical 44-byte header (`fmt ` of 16 bytes). Non-PCM formats (G.711) get the
/// 18-byte `fmt ` with `cbSize` = 0 and a `fact` chunk holding the sample count, as the WAVE
/// specification requires for every format other than PCM.
struct WAVHeader {
    private(set) var bytes: [UInt8]
    let format: WAVFormat
    let channels: UInt16
    /// Offset of the `data` chunk's size field.
    let dataSizeOffset: Int
    /// Offset of the `fact` chunk's sample count, if there is one.
    let factOffset: Int?

    init(format: WAVFormat, sampleRate: UInt32, channels: UInt16) throws(WAVError) {
        guard channels > 0, sampleRate > 0 else { throw .invalidFormat(channels: channels, sampleRate: sampleRate) }
        self.format = format
        self.channels = channels
        let blockAlign = channels * UInt16(format.bytesPerSample)
        var b: [UInt8] = Array("RIFF".utf8)
        b.appendLE(UInt32(0))
        b += Array("WAVEfmt ".utf8)
        b.appendLE(UInt32(format == .pcm16 ? 16 : 18))
        b.appendLE(format.formatTag)
        b.appendLE(channels)
        b.appendLE(sampleRate)
        b.appendLE(sampleRate * UInt32(blockAlign))
        b.appendLE(blockAlign)
        b.appendLE(format.bitsPerSample)
        if format == .pcm16 {
            factOffset = nil
        } else {
            b.appendLE(UInt16(0))  // cbSize
            b += Array("fact".utf8)
            b.appendLE(UInt32(4))
            factOffset = b.count
            b.appendLE(UInt32(0))
        }
        b += Array("data".utf8)
        dataSizeOffset = b.count
        b.appendLE(UInt32(0))
        bytes = b
    }

    /// Fills the size fields for `dataSize` bytes of audio.
    mutating func setDataSize(_ dataSize: Int) throws(WAVError) {
        let riffSize = bytes.count - 8 + dataSize + dataSize % 2
        guard riffSize <= Int(UInt32.max) else { throw .tooLarge(bytes: dataSize) }
        for (offset, value) in patches(dataSize: dataSize) {
            bytes.replaceSubrange(offset..<offset + 4, with: [UInt8].le32(value))
        }
    }

    /// The (offset, value) pairs that record `dataSize` bytes of audio.
    func patches(dataSize: Int) -> [(Int, UInt32)] {
        let riffSize = UInt32(bytes.count - 8 + dataSize + dataSize % 2)
        var result = [(4, riffSize), (dataSizeOffset, UInt32(dataSize))]
        if let factOffset {
            result.append((factOffset, UInt32(dataSize / (format.bytesPerSample * Int(channels)))))
        }
        return result
    }
}
