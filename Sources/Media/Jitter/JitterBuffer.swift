/// The recorder's jitter buffer: takes RTP packets as they arrive (out of order, duplicated,
/// late) and releases them in sequence order once `depth` of audio is buffered behind them.
///
/// Gaps are concealed with silence sized from the RTP timestamps (RFC 3550 §5.1: the timestamp
/// advances by the samples in each packet), which covers both lost packets and senders that stop
/// sending during silence; when the timestamps jump implausibly (more than `maxConcealment`), the
/// silence is sized from the missing sequence numbers instead. A recorder needs no playout clock:
/// it calls `insert` per packet and `flush` at the end.
public struct JitterBuffer: Sendable {
    public struct Configuration: Sendable {
        /// Audio held back before release (e.g. 60 ms = three 20 ms frames).
        public var depth: Duration
        /// Duration of one packet's audio.
        public var frameDuration: Duration
        /// RTP clock rate of the payload (8000 for G.711).
        public var clockRate: Int
        /// Bytes per sample of the payload (1 for G.711).
        public var bytesPerSample: Int
        /// Largest silence inserted from timestamps alone.
        public var maxConcealment: Duration

        public init(
            depth: Duration = .milliseconds(60), frameDuration: Duration = .milliseconds(20), clockRate: Int = 8000,
            bytesPerSample: Int = 1, maxConcealment: Duration = .seconds(5)
        ) {
            self.depth = depth
            self.frameDuration = frameDuration
            self.clockRate = clockRate
            self.bytesPerSample = bytesPerSample
            self.maxConcealment = maxConcealment
        }

        var depthFrames: Int { max(0, Int(depth / frameDuration)) }
        var frameSamples: Int { Int(Double(clockRate) * (frameDuration / .seconds(1))) }
        var maxConcealmentSamples: Int { Int(Double(clockRate) * (maxConcealment / .seconds(1))) }
    }

    /// What the buffer releases, in playing order.
    public enum Output: Sendable, Equatable {
        case audio(RTPPacket)
        /// Samples of silence to write in place of missing audio.
        case silence(samples: Int)
    }

    /// Running counts for call-quality figures.
    public struct Counters: Sendable, Equatable {
        public var received = 0
        public var released = 0
        /// Sequence numbers never received by the time their turn came.
        public var lost = 0
        /// Packets that arrived after their turn had passed.
        public var late = 0
        /// Packets received twice.
        public var duplicate = 0
    }

    public let configuration: Configuration
    public private(set) var counters = Counters()
    private var pending: [Int64: RTPPacket] = [:]
    private var nextSequence: Int64?
    private var highestSequence: Int64 = 0
    private var recentlyReleased: Set<Int64> = []
    private var lastAudio: (timestamp: UInt32, samples: Int)?
    private var missingSinceAudio = 0
    private var heldJump: RTPPacket?

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Packets held now.
    public var bufferedCount: Int { pending.count }

    /// Takes one packet; returns whatever is now due for release.
    public mutating func insert(_ packet: RTPPacket) -> [Output] {
        counters.received += 1
        let sequence = extend(packet.sequenceNumber)
        guard let next = nextSequence else {
            nextSequence = sequence
            highestSequence = sequence
            pending[sequence] = packet
            return release(force: false)
        }
        // RFC 3550 A.1: a jump of MAX_DROPOUT or more ahead, or more than MAX_MISORDER behind, is
        // believed only when the next packet follows it (the sender restarted its numbering);
        // otherwise it is a stray or very late packet.
        let delta = packet.sequenceNumber &- UInt16(truncatingIfNeeded: highestSequence)
        if delta >= RTPSequenceTracker.maxDropout, delta <= UInt16.max - RTPSequenceTracker.maxMisorder + 1 {
            if let held = heldJump, packet.sequenceNumber == held.sequenceNumber &+ 1 {
                heldJump = nil
                return restart(from: held) + insertInOrder(packet)
            }
            if heldJump != nil { counters.late += 1 }
            heldJump = packet
            return []
        }
        if heldJump != nil {
            heldJump = nil
            counters.late += 1
        }
        if sequence < next, counters.released == 0, counters.lost == 0, next - sequence < 64 {
            // Nothing released yet: an earlier packet that overtook the first still fits in front.
            nextSequence = sequence
        } else if sequence < next {
            if recentlyReleased.contains(sequence) { counters.duplicate += 1 } else { counters.late += 1 }
            return []
        }
        if pending[sequence] != nil {
            counters.duplicate += 1
            return []
        }
        pending[sequence] = packet
        highestSequence = max(highestSequence, sequence)
        return release(force: false)
    }

    /// Plays out what is held and starts a new numbering at `packet`, without counting loss.
    private mutating func restart(from packet: RTPPacket) -> [Output] {
        var output = release(force: true)
        recentlyReleased = []
        missingSinceAudio = 0
        let sequence = Int64(packet.sequenceNumber)
        nextSequence = sequence
        highestSequence = sequence
        pending[sequence] = packet
        output += release(force: false)
        return output
    }

    /// Inserts a packet known to follow the highest one.
    private mutating func insertInOrder(_ packet: RTPPacket) -> [Output] {
        let sequence = extend(packet.sequenceNumber)
        pending[sequence] = packet
        highestSequence = max(highestSequence, sequence)
        return release(force: false)
    }

    /// Releases everything held, concealing the gaps (end of the call).
    public mutating func flush() -> [Output] {
        release(force: true)
    }

    private mutating func release(force: Bool) -> [Output] {
        var output: [Output] = []
        while let next = nextSequence, next <= highestSequence,
            force || highestSequence - next >= Int64(configuration.depthFrames)
        {
            if let packet = pending.removeValue(forKey: next) {
                if let gap = concealment(before: packet) { output.append(.silence(samples: gap)) }
                output.append(.audio(packet))
                counters.released += 1
                recentlyReleased.insert(next)
                lastAudio = (packet.timestamp, packet.payload.count / max(configuration.bytesPerSample, 1))
                missingSinceAudio = 0
            } else {
                counters.lost += 1
                missingSinceAudio += 1
            }
            nextSequence = next + 1
        }
        if let next = nextSequence { recentlyReleased = recentlyReleased.filter { $0 >= next - 128 } }
        return output
    }

    /// Silence to insert before `packet`: the timestamp gap after the previous audio, or the
    /// missing packets' worth when the timestamps are not plausible.
    private func concealment(before packet: RTPPacket) -> Int? {
        guard let lastAudio else { return nil }
        let expected = lastAudio.timestamp &+ UInt32(truncatingIfNeeded: lastAudio.samples)
        let gap = Int(Int32(bitPattern: packet.timestamp &- expected))
        if gap > 0, gap <= configuration.maxConcealmentSamples { return gap }
        let bySequence = min(missingSinceAudio * configuration.frameSamples, configuration.maxConcealmentSamples)
        return bySequence > 0 ? bySequence : nil
    }

    /// 16-bit sequence number → position on an unbounded line, near the highest seen.
    private func extend(_ sequence: UInt16) -> Int64 {
        guard nextSequence != nil else { return Int64(sequence) }
        return highestSequence
            + Int64(RTPSequence.distance(from: UInt16(truncatingIfNeeded: highestSequence), to: sequence))
    }
}
