/// Sequence-number arithmetic modulo 2^16 (RFC 3550 §5.1, Appendix A.1).
public enum RTPSequence {
    /// Signed distance from `a` to `b` the short way round: positive when `b` is newer.
    public static func distance(from a: UInt16, to b: UInt16) -> Int {
        Int(Int16(bitPattern: b &- a))
    }

    /// True when `a` comes after `b` (within half the number space).
    public static func isNewer(_ a: UInt16, than b: UInt16) -> Bool {
        distance(from: b, to: a) > 0
    }
}

/// Tracks one source's sequence numbers as RFC 3550 Appendix A.1 (`update_seq`) does: counts
/// wrap-arounds into 32-bit extended sequence numbers, holds a new source on probation until
/// `minSequential` packets arrive in order, and resynchronises after a large jump that is
/// repeated (the source restarted).
public struct RTPSequenceTracker: Sendable, Equatable {
    /// A.1 constants: a jump forward of up to `maxDropout` is loss, a jump back of up to
    /// `maxMisorder` is reordering; anything else is a jump that must be confirmed.
    public static let maxDropout: UInt16 = 3000
    public static let maxMisorder: UInt16 = 100
    public static let minSequential = 2

    /// The first sequence number counted (A.1 `base_seq`).
    public private(set) var baseSequence: UInt32 = 0
    /// Highest sequence number seen (A.1 `max_seq`).
    public private(set) var maxSequence: UInt16 = 0
    /// Wrap-arounds times 2^16 (A.1 `cycles`).
    public private(set) var cycles: UInt32 = 0
    /// Packets accepted (A.1 `received`).
    public private(set) var received: UInt32 = 0
    private var badSequence: UInt32 = UInt32(UInt16.max) + 2  // RTP_SEQ_MOD + 1: "none"
    private var probation: Int
    private var started = false

    public init() {
        probation = Self.minSequential
    }

    /// 32-bit extended highest sequence number received (A.1, reported in RTCP §6.4.1).
    public var extendedMaxSequence: UInt32 { cycles + UInt32(maxSequence) }

    /// Whether the source has passed probation.
    public var isValid: Bool { started && probation == 0 }

    /// Feeds one packet's sequence number; returns false when the packet should be discarded
    /// (still on probation, or an unconfirmed jump).
    @discardableResult
    public mutating func update(_ sequence: UInt16) -> Bool {
        if !started {
            started = true
            reset(to: sequence)
            maxSequence = sequence &- 1
            probation = Self.minSequential
        }
        let delta = sequence &- maxSequence
        if probation > 0 {
            if sequence == maxSequence &+ 1 {
                probation -= 1
                maxSequence = sequence
                if probation == 0 {
                    reset(to: sequence)
                    received += 1
                    return true
                }
            } else {
                probation = Self.minSequential - 1
                maxSequence = sequence
            }
            return false
        } else if delta < Self.maxDropout {
            if sequence < maxSequence { cycles &+= 1 << 16 }
            maxSequence = sequence
        } else if delta <= UInt16.max - Self.maxMisorder + 1 {  // RTP_SEQ_MOD - MAX_MISORDER
            // A very large jump: accept only if the next packet continues from it.
            if UInt32(sequence) == badSequence {
                reset(to: sequence)
            } else {
                badSequence = (UInt32(sequence) + 1) & 0xFFFF
                return false
            }
        } else {
            // Duplicate or reordered packet: counted, does not move max.
        }
        received += 1
        return true
    }

    /// Extended sequence number of `sequence`, assuming it is near the highest seen.
    public func extend(_ sequence: UInt16) -> UInt32 {
        let distance = RTPSequence.distance(from: maxSequence, to: sequence)
        return UInt32(truncatingIfNeeded: Int64(extendedMaxSequence) + Int64(distance))
    }

    private mutating func reset(to sequence: UInt16) {
        baseSequence = UInt32(sequence)
        maxSequence = sequence
        badSequence = UInt32(UInt16.max) + 2
        cycles = 0
        received = 0
    }
}
