import Foundation

/// Where a `WAVStreamWriter` puts its bytes: appended in order, with the header's size fields
/// overwritten in place.
public protocol WAVByteSink {
    mutating func append(_ bytes: [UInt8]) throws
    mutating func overwrite(at offset: Int, with bytes: [UInt8]) throws
}

/// Bytes kept in memory (tests, small prompts).
public struct MemoryWAVSink: WAVByteSink, Sendable {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public mutating func append(_ bytes: [UInt8]) { self.bytes += bytes }
    public mutating func overwrite(at offset: Int, with bytes: [UInt8]) {
        self.bytes.replaceSubrange(offset..<offset + bytes.count, with: bytes)
    }
}

/// A file opened for writing through `FileHandle`.
public struct FileWAVSink: WAVByteSink {
    public let handle: FileHandle

    /// Creates (or truncates) the file at `url`.
    public init(creating url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        handle = try FileHandle(forWritingTo: url)
    }

    public func append(_ bytes: [UInt8]) throws {
        try handle.seekToEnd()
        try handle.write(contentsOf: bytes)
    }

    public func overwrite(at offset: Int, with bytes: [UInt8]) throws {
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: bytes)
        try handle.seekToEnd()
    }
}

/// Writes a WAVE file as audio arrives: the header goes out first with zero sizes, audio is
/// appended, and `updateHeader()` (call it now and then) or `finish()` patches the RIFF, `data`
/// and `fact` sizes. A file whose writer died between updates is still readable with
/// `WAVFile(parsing:recoveringTruncatedData: true)`.
public struct WAVStreamWriter<Sink: WAVByteSink> {
    public private(set) var sink: Sink
    private var header: WAVHeader
    /// Audio bytes written so far.
    public private(set) var dataSize = 0
    public private(set) var isFinished = false

    public init(sink: Sink, format: WAVFormat, sampleRate: UInt32 = 8000, channels: UInt16 = 1) throws {
        self.sink = sink
        header = try WAVHeader(format: format, sampleRate: sampleRate, channels: channels)
        try self.sink.append(header.bytes)
    }

    /// Appends encoded bytes (whole sample frames in the writer's format).
    public mutating func append(encoded bytes: [UInt8]) throws {
        precondition(!isFinished, "WAVStreamWriter: append after finish")
        guard header.bytes.count + dataSize + bytes.count + 1 <= Int(UInt32.max) else {
            throw WAVError.tooLarge(bytes: dataSize + bytes.count)
        }
        try sink.append(bytes)
        dataSize += bytes.count
    }

    /// Appends 16-bit linear samples, encoding them to the writer's format.
    public mutating func append(samples: [Int16]) throws {
        switch header.format {
        case .pcm16:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(samples.count * 2)
            for sample in samples { bytes.appendLE(UInt16(bitPattern: sample)) }
            try append(encoded: bytes)
        case .muLaw: try append(encoded: MuLaw.encode(samples))
        case .aLaw: try append(encoded: ALaw.encode(samples))
        }
    }

    /// Patches the header's sizes to cover everything written so far.
    public mutating func updateHeader() throws {
        for (offset, value) in header.patches(dataSize: dataSize) {
            try sink.overwrite(at: offset, with: [UInt8].le32(value))
        }
    }

    /// Writes the pad byte if the audio is odd-sized and patches the header. No appends after.
    public mutating func finish() throws {
        guard !isFinished else { return }
        if dataSize % 2 == 1 { try sink.append([0]) }
        try updateHeader()
        isFinished = true
    }
}
