import SIPCore

/// The non-INVITE server transaction of RFC 3261 §17.2.2.
///
/// ```
///             request / pass to TU
///   +--------+  1xx from TU / send   +------------+  1xx from TU / send
///   | Trying |---------------------->| Proceeding |  request / resend last 1xx
///   +--------+                       +------------+
///      | final from TU / send             | final from TU / send
///      v                                  v
///   +-----------+  request / resend final
///   | Completed |  Timer J / -  ---> Terminated
///   +-----------+
/// ```
/// Timer J is 64*T1 on unreliable transports and zero on reliable ones, where the transaction
/// ends as soon as the final response is sent.
public struct NonInviteServerTransaction: Sendable {
    public enum Timer: Sendable, Hashable {
        /// Stop absorbing request retransmissions.
        case j
    }

    public enum StateName: Sendable, Hashable {
        case trying, proceeding, completed, terminated
    }

    public enum Action: Sendable, Equatable {
        case none
        /// Pass the response to the transport (first transmission or retransmission).
        case send(SIPResponse)
    }

    private enum State: Sendable {
        case trying
        case proceeding(lastProvisional: SIPResponse)
        case completed(final: SIPResponse, timerJ: Int64)
        case terminated
    }

    private var state: State
    private let reliable: Bool
    private let timers: TransactionTimers

    /// A transaction created by a new request, which the caller passes to the TU.
    public init(reliable: Bool, timers: TransactionTimers = TransactionTimers()) {
        self.state = .trying
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

    /// Never runs: non-INVITE servers do not retransmit on their own.
    public var retransmissionTimer: TimerDeadline<Timer>? { nil }

    /// Timer J, when running.
    public var expiryTimer: TimerDeadline<Timer>? {
        switch state {
        case .completed(_, let j): TimerDeadline(.j, at: j)
        case .trying, .proceeding, .terminated: nil
        }
    }

    /// The TU sends a response. Ignored (`.none`) after the final response.
    public mutating func sendResponse(_ response: SIPResponse, now: Int64) -> Action {
        let code = response.statusCode
        guard (100...699).contains(code) else { return .none }
        switch state {
        case .trying, .proceeding:
            if code < 200 {
                state = .proceeding(lastProvisional: response)
            } else {
                let j = timers.timerJ(reliable: reliable)
                state = j == 0 ? .terminated : .completed(final: response, timerJ: now + j)
            }
            return .send(response)
        case .completed, .terminated:
            return .none
        }
    }

    /// A retransmission of the request arrived.
    public mutating func receivedRetransmission() -> Action {
        switch state {
        case .trying:
            // §17.2.2: discarded while the TU has not answered.
            return .none
        case .proceeding(let last):
            return .send(last)
        case .completed(let final, _):
            return .send(final)
        case .terminated:
            return .none
        }
    }

    /// A timer returned by `expiryTimer` is due.
    public mutating func timerFired(_ timer: Timer, now: Int64) -> Action {
        switch state {
        case .completed:
            switch timer {
            case .j:
                state = .terminated
                return .none
            }
        case .trying, .proceeding, .terminated:
            return .none
        }
    }
}
