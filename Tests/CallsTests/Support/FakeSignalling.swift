import Foundation
import SIPCore
import SIPTransaction

@testable import Calls

/// A request the B2BUA started a client transaction for.
struct SentRequest {
    var id: ClientTransactionID
    var request: SIPRequest
    var destination: CallDestination
    /// Virtual milliseconds since the test began.
    var time: Int64
    /// Position among everything sent (requests, ACKs and responses).
    var order: Int
}

/// A response the B2BUA sent in a server transaction.
struct SentResponse {
    var transaction: ServerTransactionID
    var response: SIPResponse
    var time: Int64
    var order: Int
}

/// An ACK for a 2xx, which the B2BUA sends outside any transaction.
struct SentACK {
    var request: SIPRequest
    var destination: CallDestination
    var time: Int64
    var order: Int
}

/// The server around the B2BUA, without sockets: records what is sent, runs a virtual clock,
/// and mints transaction IDs with a real `TransactionLayer` (their initialisers are internal).
final class FakeSignalling: CallSignalling {
    private(set) var transactions = TransactionLayer<CallDestination>()
    /// Virtual milliseconds since the test began.
    private(set) var clock: Int64 = 0
    /// 2026-06-01 10:00 UTC: the wall-clock time at `clock == 0`.
    let epoch = Date(timeIntervalSince1970: 1_780_308_000)
    let local = (host: "192.0.2.1", port: 5060)

    private(set) var responses: [SentResponse] = []
    private(set) var requests: [SentRequest] = []
    private(set) var acks: [SentACK] = []
    private var timers: [VirtualTimer] = []
    private var timerSequence = 0
    private var sendOrder = 0

    private func nextOrder() -> Int {
        sendOrder += 1
        return sendOrder
    }

    var now: Date { epoch.addingTimeInterval(Double(clock) / 1000) }

    func respond(_ response: SIPResponse, to transaction: ServerTransactionID) {
        responses.append(SentResponse(transaction: transaction, response: response, time: clock, order: nextOrder()))
    }

    func sendRequest(_ request: SIPRequest, to destination: CallDestination) -> ClientTransactionID {
        let (id, _) = transactions.sendRequest(request, to: destination, reliable: destination.isReliable, now: clock)
        requests.append(
            SentRequest(id: id, request: request, destination: destination, time: clock, order: nextOrder()))
        return id
    }

    /// Client transactions the B2BUA gave up; reported back like the server's `.terminated`.
    private(set) var terminated: [ClientTransactionID] = []
    var onTerminate: (ClientTransactionID) -> Void = { _ in }

    func terminate(_ transaction: ClientTransactionID) {
        _ = transactions.terminate(.client(transaction))
        terminated.append(transaction)
        onTerminate(transaction)
    }

    func sendACK(_ ack: SIPRequest, to destination: CallDestination) {
        acks.append(SentACK(request: ack, destination: destination, time: clock, order: nextOrder()))
    }

    func schedule(afterMilliseconds milliseconds: Int64, _ body: @escaping () -> Void) -> CallTimer {
        timerSequence += 1
        let timer = VirtualTimer(deadline: clock + milliseconds, sequence: timerSequence, body: body)
        timers.append(timer)
        return timer
    }

    func localAddress(towards destination: CallDestination) -> (host: String, port: Int) { local }

    /// A request arriving from `source`: the server transaction the transaction layer made for it.
    func receive(_ request: SIPRequest, from source: CallDestination) throws -> (ServerTransactionID, RoutingHeaders) {
        let routing = try RoutingHeaders(.request(request))
        let actions = transactions.receiveRequest(
            request, routing: routing, from: source, reliable: source.isReliable, now: clock)
        for case .deliverRequest(let id, _, _, _) in actions { return (id, routing) }
        throw FakeSignallingError.notDelivered(request.method.rawValue)
    }

    /// The INVITE server transaction a CANCEL refers to (RFC 3261 §9.2).
    func inviteTransaction(matching cancel: SIPRequest, routing: RoutingHeaders) -> ServerTransactionID? {
        transactions.serverTransaction(matchingCancel: cancel, routing: routing)
    }

    /// Moves the virtual clock on, firing due timers in deadline order (timers they schedule
    /// fire too when due within the interval).
    func advance(byMilliseconds milliseconds: Int64) {
        let end = clock + milliseconds
        while let next = timers.filter({ !$0.cancelled && $0.deadline <= end }).min(by: {
            ($0.deadline, $0.sequence) < ($1.deadline, $1.sequence)
        }) {
            clock = next.deadline
            next.cancelled = true
            timers.removeAll { $0 === next }
            next.body()
        }
        timers.removeAll { $0.cancelled }
        clock = end
    }

    func advance(bySeconds seconds: Int64) { advance(byMilliseconds: seconds * 1000) }

    // MARK: queries

    func responses(to transaction: ServerTransactionID) -> [SIPResponse] {
        responses.filter { $0.transaction == transaction }.map(\.response)
    }

    func requests(_ method: SIPMethod, to destination: CallDestination? = nil) -> [SentRequest] {
        requests.filter { $0.request.method == method && (destination == nil || $0.destination == destination) }
    }

    func acks(to destination: CallDestination) -> [SentACK] {
        acks.filter { $0.destination == destination }
    }

    /// Timers that have neither fired nor been cancelled.
    var pendingTimers: Int { timers.filter { !$0.cancelled }.count }
}

enum FakeSignallingError: Error {
    case notDelivered(String)
}

/// A timer on the virtual clock.
final class VirtualTimer: CallTimer {
    let deadline: Int64
    let sequence: Int
    let body: () -> Void
    var cancelled = false

    init(deadline: Int64, sequence: Int, body: @escaping () -> Void) {
        self.deadline = deadline
        self.sequence = sequence
        self.body = body
    }

    func cancel() { cancelled = true }
}
