import SIPCore

/// The INVITE server transaction of RFC 3261 §17.2.1 with the Accepted state of RFC 6026 §7.1.
///
/// ```
///                     INVITE / pass to TU
///   +------------+  1xx from TU / send      (retransmitted INVITE / resend last 1xx)
///   | Proceeding |--------------------------------+
///   +------------+                                |
///     | 300-699 from TU / send      2xx from TU / send
///     v                                           v
///   +-----------+  Timer G / resend   +----------+  2xx from TU / send
///   | Completed |  Timer H / timeout  | Accepted |  INVITE / absorb
///   +-----------+  INVITE / resend    +----------+  ACK / pass to TU
///     | ACK / -                                   | Timer L / -
///     v                                           |
///   +-----------+  Timer I / -                    |
///   | Confirmed |-----------------> Terminated <---+
///   +-----------+
/// ```
/// The transaction never retransmits a 2xx itself: the TU does, through `sendResponse`.
/// Time is the caller's clock in milliseconds; nothing here reads a clock.
public struct InviteServerTransaction: Sendable {
    public enum Timer: Sendable, Hashable {
        /// Retransmit the non-2xx final response (unreliable transports only).
        case g
        /// Give up waiting for the ACK.
        case h
        /// Stop absorbing ACK retransmissions.
        case i
        /// Stop absorbing INVITE retransmissions after a 2xx (RFC 6026).
        case l
    }

    public enum StateName: Sendable, Hashable {
        case proceeding, accepted, completed, confirmed, terminated
    }

    public enum Action: Sendable, Equatable {
        case none
        /// Pass the response to the transport (first transmission or retransmission).
        case send(SIPResponse)
        /// The ACK for a 2xx: the TU's dialog handles it.
        case passACKToTU
        /// Timer H fired without an ACK; the transaction has terminated.
        case timedOut
    }

    private enum State: Sendable {
        case proceeding(lastProvisional: SIPResponse?)
        case accepted(timerL: Int64)
        case completed(final: SIPResponse, timerG: Int64?, interval: Int64, timerH: Int64)
        case confirmed(timerI: Int64)
        case terminated
    }

    private var state: State
    private let reliable: Bool
    private let timers: TransactionTimers

    /// A transaction created by a new INVITE, which the caller passes to the TU.
    public init(reliable: Bool, timers: TransactionTimers = TransactionTimers()) {
        self.state = .proceeding(lastProvisional: nil)
        self.reliable = reliable
        self.timers = timers
    }

    public var stateName: StateName {
        switch state {
        case .proceeding: .proceeding
        case .accepted: .accepted
        case .completed: .completed
        case .confirmed: .confirmed
        case .terminated: .terminated
        }
    }

    public var isTerminated: Bool { stateName == .terminated }

    /// Timer G, when running.
    public var retransmissionTimer: TimerDeadline<Timer>? {
        switch state {
        case .completed(_, let g?, _, _): TimerDeadline(.g, at: g)
        case .completed(_, nil, _, _), .proceeding, .accepted, .confirmed, .terminated: nil
        }
    }

    /// Timer H, I or L, when running.
    public var expiryTimer: TimerDeadline<Timer>? {
        switch state {
        case .accepted(let l): TimerDeadline(.l, at: l)
        case .completed(_, _, _, let h): TimerDeadline(.h, at: h)
        case .confirmed(let i): TimerDeadline(.i, at: i)
        case .proceeding, .terminated: nil
        }
    }

    /// The TU sends a response. Ignored (`.none`) when the transaction can no longer send it.
    public mutating func sendResponse(_ response: SIPResponse, now: Int64) -> Action {
        let code = response.statusCode
        guard (100...699).contains(code) else { return .none }
        switch state {
        case .proceeding:
            if code < 200 {
                state = .proceeding(lastProvisional: response)
            } else if code < 300 {
                // RFC 6026 §7.1: a 2xx moves to Accepted, where the TU retransmits the 2xx.
                state = .accepted(timerL: now + timers.timerL)
            } else {
                // §17.2.1: Timer G only on unreliable transports; Timer H always.
                state = .completed(
                    final: response, timerG: reliable ? nil : now + timers.t1, interval: timers.t1,
                    timerH: now + timers.timerH)
            }
            return .send(response)
        case .accepted:
            // RFC 6026 §7.1: 2xx retransmissions (and 2xx of other forks) from the TU pass through.
            return code >= 200 && code < 300 ? .send(response) : .none
        case .completed, .confirmed, .terminated:
            return .none
        }
    }

    /// A retransmission of the INVITE arrived.
    public mutating func receivedRetransmission() -> Action {
        switch state {
        case .proceeding(let last):
            // §17.2.1: resend the most recent provisional response, if any.
            return last.map(Action.send) ?? .none
        case .accepted:
            // RFC 6026 §7.1: absorbed, not passed to the TU.
            return .none
        case .completed(let final, _, _, _):
            return .send(final)
        case .confirmed, .terminated:
            return .none
        }
    }

    /// An ACK matching this transaction arrived.
    public mutating func receivedACK(now: Int64) -> Action {
        switch state {
        case .proceeding:
            // Nothing to acknowledge yet: a bogus ACK, dropped.
            return .none
        case .accepted:
            return .passACKToTU
        case .completed:
            // §17.2.1: Confirmed absorbs ACK retransmissions for Timer I (zero when reliable).
            let i = timers.timerI(reliable: reliable)
            state = i == 0 ? .terminated : .confirmed(timerI: now + i)
            return .none
        case .confirmed, .terminated:
            return .none
        }
    }

    /// A timer returned by `retransmissionTimer` or `expiryTimer` is due. Others are ignored.
    public mutating func timerFired(_ timer: Timer, now: Int64) -> Action {
        switch state {
        case .completed(let final, let g, let interval, let h):
            switch timer {
            case .g:
                guard g != nil else { return .none }
                // §17.2.1: the interval doubles up to T2.
                let next = min(2 * interval, timers.t2)
                state = .completed(final: final, timerG: now + next, interval: next, timerH: h)
                return .send(final)
            case .h:
                state = .terminated
                return .timedOut
            case .i, .l:
                return .none
            }
        case .confirmed:
            switch timer {
            case .i:
                state = .terminated
                return .none
            case .g, .h, .l:
                return .none
            }
        case .accepted:
            switch timer {
            case .l:
                state = .terminated
                return .none
            case .g, .h, .i:
                return .none
            }
        case .proceeding, .terminated:
            return .none
        }
    }
}
