import SIPCore

/// The non-INVITE client transaction of RFC 3261 §17.1.2.
///
/// ```
///              request sent (by the owner, at creation)
///   +--------+  Timer E / resend, interval doubles up to T2 (unreliable only)
///   | Trying |  Timer F / timeout ---------------------------+
///   +--------+                                              |
///     | 1xx / to TU                                         |
///     v                                                     |
///   +------------+  Timer E / resend, interval T2           |
///   | Proceeding |  1xx / to TU    Timer F / timeout --------+
///   +------------+                                          |
///     | 200-699 / to TU (from Trying too)                   |
///     v                                                     |
///   +-----------+  response / absorb                        |
///   | Completed |  Timer K / - ------------> Terminated <---+
///   +-----------+
/// ```
public struct NonInviteClientTransaction: Sendable {
    public enum Timer: Sendable, Hashable {
        /// Retransmit the request (unreliable transports only).
        case e
        /// Give up waiting for a final response.
        case f
        /// Stop absorbing response retransmissions.
        case k
    }

    public enum StateName: Sendable, Hashable {
        case trying, proceeding, completed, terminated
    }

    public enum Action: Sendable, Equatable {
        case none
        /// Pass the request to the transport again.
        case send(SIPRequest)
        /// Pass the response to the TU.
        case deliver(SIPResponse)
        /// Timer F fired: the TU acts as if a 408 arrived. The transaction has terminated.
        case timedOut
    }

    private enum State: Sendable {
        case trying(request: SIPRequest, timerE: Int64?, interval: Int64, timerF: Int64)
        case proceeding(request: SIPRequest, timerE: Int64?, timerF: Int64)
        case completed(timerK: Int64)
        case terminated
    }

    private var state: State
    private let reliable: Bool
    private let timers: TransactionTimers

    /// A transaction for `request`, which the caller sends once at `now`.
    public init(request: SIPRequest, reliable: Bool, timers: TransactionTimers = TransactionTimers(), now: Int64) {
        self.state = .trying(
            request: request, timerE: reliable ? nil : now + timers.t1, interval: timers.t1,
            timerF: now + timers.timerF)
        self.reliable = reliable
        self.timers = timers
    }

    public var stateName: StateName {
        switch state {
        case .trying: .trying
        case .proceeding: .proceeding
        case .completed: .completed
        case .terminated: .terminated
        }
    }

    public var isTerminated: Bool { stateName == .terminated }

    /// Timer E, when running.
    public var retransmissionTimer: TimerDeadline<Timer>? {
        switch state {
        case .trying(_, let e?, _, _), .proceeding(_, let e?, _): TimerDeadline(.e, at: e)
        case .trying(_, nil, _, _), .proceeding(_, nil, _), .completed, .terminated: nil
        }
    }

    /// Timer F or K, when running.
    public var expiryTimer: TimerDeadline<Timer>? {
        switch state {
        case .trying(_, _, _, let f), .proceeding(_, _, let f): TimerDeadline(.f, at: f)
        case .completed(let k): TimerDeadline(.k, at: k)
        case .terminated: nil
        }
    }

    /// A response matching this transaction (§17.1.3) arrived.
    public mutating func receivedResponse(_ response: SIPResponse, now: Int64) -> Action {
        let code = response.statusCode
        guard (100...699).contains(code) else { return .none }
        switch state {
        case .trying(let request, let e, _, let f), .proceeding(let request, let e, let f):
            if code < 200 {
                // §17.1.2.2: Timer E keeps running; from now on it resets to T2.
                state = .proceeding(request: request, timerE: e, timerF: f)
            } else {
                let k = timers.timerK(reliable: reliable)
                state = k == 0 ? .terminated : .completed(timerK: now + k)
            }
            return .deliver(response)
        case .completed, .terminated:
            return .none
        }
    }

    /// A timer returned by `retransmissionTimer` or `expiryTimer` is due. Others are ignored.
    public mutating func timerFired(_ timer: Timer, now: Int64) -> Action {
        switch state {
        case .trying(let request, let e, let interval, let f):
            switch timer {
            case .e:
                guard e != nil else { return .none }
                let next = min(2 * interval, timers.t2)
                state = .trying(request: request, timerE: now + next, interval: next, timerF: f)
                return .send(request)
            case .f:
                state = .terminated
                return .timedOut
            case .k:
                return .none
            }
        case .proceeding(let request, let e, let f):
            switch timer {
            case .e:
                guard e != nil else { return .none }
                state = .proceeding(request: request, timerE: now + timers.t2, timerF: f)
                return .send(request)
            case .f:
                state = .terminated
                return .timedOut
            case .k:
                return .none
            }
        case .completed:
            switch timer {
            case .k:
                state = .terminated
                return .none
            case .e, .f:
                return .none
            }
        case .terminated:
            return .none
        }
    }
}
