/// The timer values of RFC 3261 §17 (table 4 in Appendix A) and RFC 6026 §8.11, in milliseconds.
///
/// Only T1, T2, T4 and Timer D's floor are configurable; every other timer derives from them.
/// On reliable transports (TCP, TLS) no retransmission timer runs and Timers D, I, J and K
/// are zero: the transaction ends at the moment it would have started them.
public struct TransactionTimers: Sendable, Hashable {
    /// RTT estimate (default 500 ms).
    public var t1: Int64
    /// The maximum retransmission interval for non-INVITE requests and INVITE responses (default 4 s).
    public var t2: Int64
    /// The maximum duration a message remains in the network (default 5 s).
    public var t4: Int64
    /// Timer D on unreliable transports: RFC 3261 asks for at least 32 s, whatever T1 is.
    public var timerDUnreliable: Int64

    public init(t1: Int64 = 500, t2: Int64 = 4_000, t4: Int64 = 5_000, timerDUnreliable: Int64 = 32_000) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
        self.timerDUnreliable = timerDUnreliable
    }

    /// 64*T1: the INVITE client transaction timeout, Timer B (§17.1.1.2).
    public var timerB: Int64 { 64 * t1 }
    /// 64*T1: the non-INVITE client transaction timeout, Timer F (§17.1.2.2).
    public var timerF: Int64 { 64 * t1 }
    /// 64*T1: how long an INVITE server waits for the ACK of a non-2xx final, Timer H (§17.2.1).
    public var timerH: Int64 { 64 * t1 }
    /// 64*T1: how long an INVITE server transaction stays Accepted after a 2xx, Timer L (RFC 6026 §8.11).
    public var timerL: Int64 { 64 * t1 }
    /// 64*T1: how long an INVITE client transaction stays Accepted after a 2xx, Timer M (RFC 6026 §8.11).
    public var timerM: Int64 { 64 * t1 }

    /// Wait time for response retransmissions after an INVITE client sent its ACK (§17.1.1.2).
    public func timerD(reliable: Bool) -> Int64 { reliable ? 0 : timerDUnreliable }
    /// Wait time for ACK retransmissions in the INVITE server's Confirmed state (§17.2.1).
    public func timerI(reliable: Bool) -> Int64 { reliable ? 0 : t4 }
    /// Wait time for request retransmissions in the non-INVITE server's Completed state (§17.2.2).
    public func timerJ(reliable: Bool) -> Int64 { reliable ? 0 : 64 * t1 }
    /// Wait time for response retransmissions in the non-INVITE client's Completed state (§17.1.2.2).
    public func timerK(reliable: Bool) -> Int64 { reliable ? 0 : t4 }
}

/// A timer a transaction state machine wants running, with its absolute deadline.
public struct TimerDeadline<Timer: Sendable & Hashable>: Sendable, Hashable {
    public var timer: Timer
    /// Milliseconds on the caller's clock.
    public var deadline: Int64

    public init(_ timer: Timer, at deadline: Int64) {
        self.timer = timer
        self.deadline = deadline
    }
}
