import SIPCore

/// The layer's record of one transaction: its state machine, where its messages go, and which
/// timer deadlines are in the heap for it.
@usableFromInline
protocol TransactionEntry {
    var armedRetransmission: Int64? { get set }
    var armedExpiry: Int64? { get set }
    var wantedRetransmission: Int64? { get }
    var wantedExpiry: Int64? { get }
}

extension TransactionEntry {
    @inlinable
    func armedDeadline(_ role: TimerRole) -> Int64? {
        switch role {
        case .retransmission: armedRetransmission
        case .expiry: armedExpiry
        }
    }

    @inlinable
    mutating func setArmedDeadline(_ role: TimerRole, _ deadline: Int64?) {
        switch role {
        case .retransmission: armedRetransmission = deadline
        case .expiry: armedExpiry = deadline
        }
    }

    /// Records the deadlines the state machine now wants; returns those that need a heap entry.
    @inlinable
    mutating func syncTimers() -> TimerUpdate {
        var update = TimerUpdate()
        let retransmission = wantedRetransmission
        if retransmission != armedRetransmission {
            armedRetransmission = retransmission
            update.retransmission = retransmission
        }
        let expiry = wantedExpiry
        if expiry != armedExpiry {
            armedExpiry = expiry
            update.expiry = expiry
        }
        return update
    }
}

extension TransactionLayer {
    @usableFromInline
    enum ServerMachine: Sendable {
        case invite(InviteServerTransaction)
        case nonInvite(NonInviteServerTransaction)

        @inlinable var isTerminated: Bool {
            switch self {
            case .invite(let m): m.isTerminated
            case .nonInvite(let m): m.isTerminated
            }
        }
    }

    @usableFromInline
    struct ServerEntry: TransactionEntry, Sendable {
        @usableFromInline var key: ServerKey
        /// Where responses go: the peer of the latest copy of the request.
        @usableFromInline var peer: Peer
        @usableFromInline var machine: ServerMachine
        @usableFromInline var armedRetransmission: Int64? = nil
        @usableFromInline var armedExpiry: Int64? = nil
        /// RFC 2543 transactions only: the To tag of the final response, which the ACK must carry.
        @usableFromInline var responseToTag: String? = nil

        @inlinable
        init(key: ServerKey, peer: Peer, machine: ServerMachine) {
            self.key = key
            self.peer = peer
            self.machine = machine
        }

        @inlinable var wantedRetransmission: Int64? {
            switch machine {
            case .invite(let m): m.retransmissionTimer?.deadline
            case .nonInvite(let m): m.retransmissionTimer?.deadline
            }
        }

        @inlinable var wantedExpiry: Int64? {
            switch machine {
            case .invite(let m): m.expiryTimer?.deadline
            case .nonInvite(let m): m.expiryTimer?.deadline
            }
        }

        @inlinable
        mutating func fire(
            _ role: TimerRole, now: Int64, id: ServerTransactionID, into actions: inout [Action]
        ) {
            switch machine {
            case .invite(var m):
                guard let timer = role == .retransmission ? m.retransmissionTimer : m.expiryTimer else { return }
                let action = m.timerFired(timer.timer, now: now)
                machine = .invite(m)
                perform(action, id: id, into: &actions)
            case .nonInvite(var m):
                guard let timer = role == .retransmission ? m.retransmissionTimer : m.expiryTimer else { return }
                let action = m.timerFired(timer.timer, now: now)
                machine = .nonInvite(m)
                perform(action, id: id, into: &actions)
            }
        }

        @inlinable
        func perform(
            _ action: InviteServerTransaction.Action, id: ServerTransactionID, into actions: inout [Action]
        ) {
            switch action {
            case .none, .passACKToTU:
                // The ACK for the TU is delivered by `receiveRequest`, which has the request.
                break
            case .send(let response):
                actions.append(.send(.response(response), to: peer))
            case .timedOut:
                actions.append(.serverTimeout(id))
            }
        }

        @inlinable
        func perform(
            _ action: NonInviteServerTransaction.Action, id: ServerTransactionID, into actions: inout [Action]
        ) {
            switch action {
            case .none:
                break
            case .send(let response):
                actions.append(.send(.response(response), to: peer))
            }
        }
    }

    @usableFromInline
    enum ClientMachine: Sendable {
        case invite(InviteClientTransaction)
        case nonInvite(NonInviteClientTransaction)

        @inlinable var isTerminated: Bool {
            switch self {
            case .invite(let m): m.isTerminated
            case .nonInvite(let m): m.isTerminated
            }
        }
    }

    @usableFromInline
    struct ClientEntry: TransactionEntry, Sendable {
        @usableFromInline var key: ClientKey
        /// Where the request, its retransmissions and the ACK for a non-2xx go (§17.1.1.3).
        @usableFromInline var peer: Peer
        @usableFromInline var machine: ClientMachine
        @usableFromInline var armedRetransmission: Int64? = nil
        @usableFromInline var armedExpiry: Int64? = nil

        @inlinable
        init(key: ClientKey, peer: Peer, machine: ClientMachine) {
            self.key = key
            self.peer = peer
            self.machine = machine
        }

        @inlinable var wantedRetransmission: Int64? {
            switch machine {
            case .invite(let m): m.retransmissionTimer?.deadline
            case .nonInvite(let m): m.retransmissionTimer?.deadline
            }
        }

        @inlinable var wantedExpiry: Int64? {
            switch machine {
            case .invite(let m): m.expiryTimer?.deadline
            case .nonInvite(let m): m.expiryTimer?.deadline
            }
        }

        @inlinable
        mutating func fire(
            _ role: TimerRole, now: Int64, id: ClientTransactionID, into actions: inout [Action]
        ) {
            switch machine {
            case .invite(var m):
                guard let timer = role == .retransmission ? m.retransmissionTimer : m.expiryTimer else { return }
                let action = m.timerFired(timer.timer, now: now)
                machine = .invite(m)
                perform(action, id: id, into: &actions)
            case .nonInvite(var m):
                guard let timer = role == .retransmission ? m.retransmissionTimer : m.expiryTimer else { return }
                let action = m.timerFired(timer.timer, now: now)
                machine = .nonInvite(m)
                perform(action, id: id, into: &actions)
            }
        }

        @inlinable
        mutating func receivedResponse(
            _ response: SIPResponse, now: Int64, id: ClientTransactionID, into actions: inout [Action]
        ) {
            switch machine {
            case .invite(var m):
                let action = m.receivedResponse(response, now: now)
                machine = .invite(m)
                perform(action, id: id, into: &actions)
            case .nonInvite(var m):
                let action = m.receivedResponse(response, now: now)
                machine = .nonInvite(m)
                perform(action, id: id, into: &actions)
            }
        }

        @inlinable
        func perform(
            _ action: InviteClientTransaction.Action, id: ClientTransactionID, into actions: inout [Action]
        ) {
            switch action {
            case .none:
                break
            case .send(let request):
                actions.append(.send(.request(request), to: peer))
            case .deliver(let response):
                actions.append(.deliverResponse(id, response))
            case .deliverAndAcknowledge(let response, let ack):
                // The ACK leaves first: a TU that retries at once (a new INVITE with
                // credentials after a 407) must not overtake it.
                actions.append(.send(.request(ack), to: peer))
                actions.append(.deliverResponse(id, response))
            case .timedOut:
                actions.append(.timeout(id))
            }
        }

        @inlinable
        func perform(
            _ action: NonInviteClientTransaction.Action, id: ClientTransactionID, into actions: inout [Action]
        ) {
            switch action {
            case .none:
                break
            case .send(let request):
                actions.append(.send(.request(request), to: peer))
            case .deliver(let response):
                actions.append(.deliverResponse(id, response))
            case .timedOut:
                actions.append(.timeout(id))
            }
        }
    }
}
