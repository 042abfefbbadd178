/// Cuts audio into 20 ms RTP frames for a player, timed by the caller's clock.
///
/// Frame n is due `n × frameDuration` after the start and carries RTP timestamp
/// `startTimestamp + n × samplesPerFrame` (RFC 3550 §5.1: the timestamp counts samples) and the
/// stream's next sequence number. The first packet has the marker bit, as RFC 3551 §4.1 asks for
/// the first packet after silence. The last frame is padded with the codec's silence so every
/// packet holds a whole frame. Nothing here reads a clock: `frames(upTo:)` is given the elapsed
/// time, and returns every frame that has become due, so a late tick catches up instead of
/// stretching the audio.
public struct FramePacer: Sendable {
    public let codec: G711Codec
    public let samplesPerFrame: Int
    public let frameDuration: Duration
    public let startTimestamp: UInt32
    /// The stream the frames are numbered in; continue with it after the pacer is done.
    public private(set) var stream: RTPStream
    private let encoded: [UInt8]
    /// Frames handed out so far.
    public private(set) var sentFrames = 0

    public init(
        samples: [Int16], codec: G711Codec, stream: RTPStream, startTimestamp: UInt32, samplesPerFrame: Int = 160,
        frameDuration: Duration = .milliseconds(20)
    ) {
        precondition(samplesPerFrame > 0)
        self.codec = codec
        self.samplesPerFrame = samplesPerFrame
        self.frameDuration = frameDuration
        self.startTimestamp = startTimestamp
        self.stream = stream
        var encoded = codec.encode(samples)
        let remainder = encoded.count % samplesPerFrame
        if remainder != 0 { encoded += [UInt8](repeating: codec.silence, count: samplesPerFrame - remainder) }
        self.encoded = encoded
    }

    /// Total frames in the audio.
    public var frameCount: Int { encoded.count / samplesPerFrame }

    /// True when every frame has been handed out.
    public var isFinished: Bool { sentFrames == frameCount }

    /// When the next frame is due, measured from the start; nil when finished.
    public var nextFrameOffset: Duration? { isFinished ? nil : frameDuration * sentFrames }

    /// RTP timestamp that follows the last frame handed out (for audio or events that come next).
    public var nextTimestamp: UInt32 {
        startTimestamp &+ UInt32(truncatingIfNeeded: sentFrames * samplesPerFrame)
    }

    /// Every frame due by `elapsed` (time since the start) that has not been handed out yet.
    public mutating func frames(upTo elapsed: Duration) -> [RTPPacket] {
        var packets: [RTPPacket] = []
        while !isFinished, frameDuration * sentFrames <= elapsed {
            let start = sentFrames * samplesPerFrame
            packets.append(
                stream.makePacket(
                    payloadType: codec.payloadType, timestamp: nextTimestamp, marker: sentFrames == 0,
                    payload: Array(encoded[start..<start + samplesPerFrame])))
            sentFrames += 1
        }
        return packets
    }
}
