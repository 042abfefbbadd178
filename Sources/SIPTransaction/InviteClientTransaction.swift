import SIPCore

/// The INVITE client transaction of RFC 3261 §17.1.1 with the Accepted state of RFC 6026 §7.2.
///
/// ```
///                 INVITE sent (by the owner, at creation)
///   +---------+  Timer A / resend INVITE (unreliable only; no cap on the interval)
///   | Calling |  Timer B / timeout ------------------------------------+
///   +---------+                                                       |
///     | 1xx / to TU                                                   |
///     v                                                               |
///   +------------+  1xx / to TU                                       |
///   | Proceeding |                                                    |
///   +------------+                                                    |
///     | 300-699 / to TU, send ACK        2xx / to TU (from Calling too)|
///     v                                       v                       |
///   +-----------+  300-699 / resend ACK  +----------+  2xx / to TU    |
///   | Completed |                        | Accepted |                 |
///   +-----------+                        +----------+                 |
///     | Timer D / -                          | Timer M / -            |
///     +-----------------> Terminated <-------+------------------------+
/// ```
/// The ACK for a 2xx is the TU's (a dialog's) job, never the transaction's.
public struct InviteClientTransaction: Sendable {
    public enum Timer: Sendable, Hashable {
        /// Retransmit the INVITE (unreliable transports only).
        case a
        /// Give up waiting for any response.
        case b
        /// Stop absorbing final response retransmissions.
        case d
        /// Stop passing 2xx retransmissions to the TU (RFC 6026).
        case m
    }

    public enum StateName: Sendable, Hashable {
        case calling, proceeding, completed, accepted, terminated
    }

    public enum Action: Sendable, Equatable {
        case none
        /// Pass the request (INVITE retransmission or ACK retransmission) to the transport.
        case send(SIPRequest)
        /// Pass the response to the TU.
        case deliver(SIPResponse)
        /// Pass the 300-699 response to the TU and send this ACK (§17.1.1.3).
        case deliverAndAcknowledge(SIPResponse, ack: SIPRequest)
        /// Timer B fired: the TU acts as if a 408 arrived. The transaction has terminated.
        case timedOut
    }

    private enum State: Sendable {
        case calling(invite: SIPRequest, timerA: Int64?, interval: Int64, timerB: Int64)
        case proceeding(invite: SIPRequest)
        case completed(ack: SIPRequest, timerD: Int64)
        case accepted(timerM: Int64)
        case terminated
    }

    private var state: State
    private let reliable: Bool
    private let timers: TransactionTimers

    /// A transaction for `invite`, which the caller sends once at `now`.
    public init(invite: SIPRequest, reliable: Bool, timers: TransactionTimers = TransactionTimers(), now: Int64) {
        self.state = .calling(
            invite: invite, timerA: reliable ? nil : now + timers.t1, interval: timers.t1,
            timerB: now + timers.timerB)
        self.reliable = reliable
        self.timers = timers
    }

    public var stateName: StateName {
        switch state {
        case .calling: .calling
        case .proceeding: .proceeding
        case .completed: .completed
        case .accepted: .accepted
        case .terminated: .terminated
        }
    }

    public var isTerminated: Bool { stateName == .terminated }

    /// Timer A, when running.
    public var retransmissionTimer: TimerDeadline<Timer>? {
        switch state {
        case .calling(_, let a?, _, _): TimerDeadline(.a, at: a)
        case .calling(_, nil, _, _), .proceeding, .completed, .accepted, .terminated: nil
        }
    }

    /// Timer B, D or M, when running.
    public var expiryTimer: TimerDeadline<Timer>? {
        switch state {
        case .calling(_, _, _, let b): TimerDeadline(.b, at: b)
        case .completed(_, let d): TimerDeadline(.d, at: d)
        case .accepted(let m): TimerDeadline(.m, at: m)
        case .proceeding, .terminated: nil
        }
    }

    /// A response matching this transaction (§17.1.3) arrived.
    public mutating func receivedResponse(_ response: SIPResponse, now: Int64) -> Action {
        let code = response.statusCode
        guard (100...699).contains(code) else { return .none }
        switch state {
        case .calling(let invite, _, _, _), .proceeding(let invite):
            if code < 200 {
                state = .proceeding(invite: invite)
                return .deliver(response)
            }
            if code < 300 {
                // RFC 6026 §7.2: Accepted, so that 2xx retransmissions and forks still reach the TU.
                state = .accepted(timerM: now + timers.timerM)
                return .deliver(response)
            }
            let ack = SIPRequest.acknowledging(response, of: invite)
            let d = timers.timerD(reliable: reliable)
            state = d == 0 ? .terminated : .completed(ack: ack, timerD: now + d)
            return .deliverAndAcknowledge(response, ack: ack)
        case .completed(let ack, _):
            // §17.1.1.2: a retransmitted final is answered with the same ACK, not passed up.
            return code >= 300 ? .send(ack) : .none
        case .accepted:
            return code >= 200 && code < 300 ? .deliver(response) : .none
        case .terminated:
            return .none
        }
    }

    /// A timer returned by `retransmissionTimer` or `expiryTimer` is due. Others are ignored.
    public mutating func timerFired(_ timer: Timer, now: Int64) -> Action {
        switch state {
        case .calling(let invite, let a, let interval, let b):
            switch timer {
            case .a:
                guard a != nil else { return .none }
                // §17.1.1.2: Timer A doubles each time, with no T2 cap.
                let next = 2 * interval
                state = .calling(invite: invite, timerA: now + next, interval: next, timerB: b)
                return .send(invite)
            case .b:
                state = .terminated
                return .timedOut
            case .d, .m:
                return .none
            }
        case .completed:
            switch timer {
            case .d:
                state = .terminated
                return .none
            case .a, .b, .m:
                return .none
            }
        case .accepted:
            switch timer {
            case .m:
                state = .terminated
                return .none
            case .a, .b, .d:
                return .none
            }
        case .proceeding, .terminated:
            return .none
        }
    }
}
