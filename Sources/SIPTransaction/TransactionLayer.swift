import SIPCore

/// # SIPTransaction
///
/// The transaction layer of RFC 3261 §17 with the corrections of RFC 6026, as pure state
/// machines: no sockets, no clock, no threads. The owner (the server's SIP service) feeds it
/// messages and the time, and performs the `TransactionAction`s it returns.
///
/// - Four per-transaction state machines, one file each: `InviteServerTransaction`,
///   `NonInviteServerTransaction`, `InviteClientTransaction`, `NonInviteClientTransaction`.
/// - `TransactionLayer` owns every live transaction, matches messages to them (§17.1.3,
///   §17.2.3, RFC 2543 fallback), builds the ACK for non-2xx finals (§17.1.1.3), and keeps all
///   timers in one min-heap so that the owner schedules a single wake-up at `nextDeadline`.
///
/// Time is `Int64` milliseconds on any monotonic clock the owner chooses; tests pass made-up
/// values. The layer is a value type, confined to one thread (or event loop) by its owner.
///
/// ```swift
/// var layer = TransactionLayer<SIPPeer>()
/// for action in layer.receiveRequest(request, routing: routing, from: peer, reliable: false, now: clock.now) {
///     perform(action)
/// }
/// // later, at layer.nextDeadline:
/// for action in layer.advance(to: clock.now) { perform(action) }
/// ```
public struct TransactionLayer<Peer: Hashable & Sendable>: Sendable {
    public typealias Action = TransactionAction<Peer>

    /// Timer values for transactions created from now on.
    public var timers: TransactionTimers

    // Internals are @usableFromInline and the API @inlinable so that the layer is specialised
    // for the owner's `Peer` type: unspecialised generic code was a third slower.
    @usableFromInline var serverIndex: [ServerKey: ServerTransactionID] = [:]
    @usableFromInline var clientIndex: [ClientKey: ClientTransactionID] = [:]
    @usableFromInline var servers = TransactionSlab<ServerEntry>()
    @usableFromInline var clients = TransactionSlab<ClientEntry>()
    @usableFromInline var timerHeap = TimerHeap()

    public init(timers: TransactionTimers = TransactionTimers()) {
        self.timers = timers
    }

    /// Live transactions, server and client.
    @inlinable public var count: Int { servers.count + clients.count }

    /// The earliest time at which `advance(to:)` has something to do, or nil when no timer runs.
    @inlinable public var nextDeadline: Int64? { timerHeap.first?.deadline }

    /// A fresh Via branch with the RFC 3261 magic cookie (§8.1.1.7).
    public static func newBranch() -> String { Branch.random() }

    /// Fires every timer due at or before `now`: retransmissions, timeouts, and the removal of
    /// transactions whose last timer ran out.
    @inlinable
    public mutating func advance(to now: Int64) -> [Action] {
        var actions: [Action] = []
        while let timer = timerHeap.first, timer.deadline <= now {
            timerHeap.removeFirst()
            fire(timer, now: now, into: &actions)
        }
        dropStaleTimers()
        shrinkIndexesAfterBurst()
        return actions
    }

    /// Dictionaries keep their peak capacity; after a burst (thousands of REGISTERs kept 32 s
    /// in Completed) rebuild an index that has become mostly empty, so memory follows load.
    @inlinable
    mutating func shrinkIndexesAfterBurst() {
        if serverIndex.capacity > 4096, serverIndex.count * 8 < serverIndex.capacity {
            serverIndex = Dictionary(uniqueKeysWithValues: serverIndex.map { ($0.key, $0.value) })
        }
        if clientIndex.capacity > 4096, clientIndex.count * 8 < clientIndex.capacity {
            clientIndex = Dictionary(uniqueKeysWithValues: clientIndex.map { ($0.key, $0.value) })
        }
    }

    /// Ends a transaction at once, without waiting for its timers. RFC 3261 §9.1: an INVITE
    /// client transaction whose CANCEL got no final response within 64*T1 is destroyed so;
    /// a TU may also drop a server transaction after a transport error (§17.2.4).
    @inlinable
    public mutating func terminate(_ id: TransactionID) -> [Action] {
        switch id {
        case .server(let server):
            guard servers.contains(server.slot) else { return [] }
            removeServer(server)
        case .client(let client):
            guard clients.contains(client.slot) else { return [] }
            removeClient(client)
        }
        dropStaleTimers()
        return [.terminated(id)]
    }

    // MARK: - Timers

    @inlinable
    mutating func fire(_ timer: ScheduledTimer, now: Int64, into actions: inout [Action]) {
        switch timer.owner {
        case .server(let slot):
            let id = ServerTransactionID(slot)
            updateServer(id, &actions) { entry, actions in
                guard entry.armedDeadline(timer.role) == timer.deadline else { return }
                entry.setArmedDeadline(timer.role, nil)
                entry.fire(timer.role, now: now, id: id, into: &actions)
            }
        case .client(let slot):
            let id = ClientTransactionID(slot)
            updateClient(id, &actions) { entry, actions in
                guard entry.armedDeadline(timer.role) == timer.deadline else { return }
                entry.setArmedDeadline(timer.role, nil)
                entry.fire(timer.role, now: now, id: id, into: &actions)
            }
        }
    }

    /// A heap entry is live while its transaction exists and still wants that timer at that time.
    @inlinable
    func isLive(_ timer: ScheduledTimer) -> Bool {
        Self.isLive(timer, servers: servers, clients: clients)
    }

    @inlinable
    static func isLive(
        _ timer: ScheduledTimer, servers: TransactionSlab<ServerEntry>, clients: TransactionSlab<ClientEntry>
    ) -> Bool {
        switch timer.owner {
        case .server(let slot):
            servers.read(slot) { $0.armedDeadline(timer.role) == timer.deadline } ?? false
        case .client(let slot):
            clients.read(slot) { $0.armedDeadline(timer.role) == timer.deadline } ?? false
        }
    }

    /// Keeps `nextDeadline` exact: stale timers (of ended transactions, or replaced ones) are
    /// removed from the top of the heap as soon as they get there.
    @inlinable
    mutating func dropStaleTimers() {
        while let top = timerHeap.first, !isLive(top) {
            timerHeap.removeFirst()
        }
    }

    /// Schedules the deadlines `sync` reported as new.
    @inlinable
    mutating func schedule(_ update: TimerUpdate, owner: ScheduledTimer.Owner) {
        if let deadline = update.retransmission {
            timerHeap.insert(deadline: deadline, owner: owner, role: .retransmission)
        }
        if let deadline = update.expiry {
            timerHeap.insert(deadline: deadline, owner: owner, role: .expiry)
        }
        // Each transaction runs at most two timers: when more than half the heap is stale
        // (say after many responses cancelled Timer F), rebuild it. Amortised O(1) per timer.
        if timerHeap.count > 4 * count + 1024 {
            let servers = self.servers
            let clients = self.clients
            timerHeap.removeAll { !Self.isLive($0, servers: servers, clients: clients) }
        }
    }

    // MARK: - Updating one transaction

    /// Runs `event` on the server transaction, then schedules its new timers and removes it if
    /// it ended. Does nothing if `id` is no longer live.
    @inlinable
    mutating func updateServer(
        _ id: ServerTransactionID, _ actions: inout [Action],
        _ event: (inout ServerEntry, inout [Action]) -> Void
    ) {
        let outcome = servers.modify(id.slot) { entry -> (TimerUpdate, Bool) in
            event(&entry, &actions)
            return (entry.syncTimers(), entry.machine.isTerminated)
        }
        guard let (update, terminated) = outcome else { return }
        if terminated {
            removeServer(id)
            actions.append(.terminated(.server(id)))
        } else {
            schedule(update, owner: .server(id.slot))
        }
    }

    /// Runs `event` on the client transaction, then schedules its new timers and removes it if
    /// it ended. Does nothing if `id` is no longer live.
    @inlinable
    mutating func updateClient(
        _ id: ClientTransactionID, _ actions: inout [Action],
        _ event: (inout ClientEntry, inout [Action]) -> Void
    ) {
        let outcome = clients.modify(id.slot) { entry -> (TimerUpdate, Bool) in
            event(&entry, &actions)
            return (entry.syncTimers(), entry.machine.isTerminated)
        }
        guard let (update, terminated) = outcome else { return }
        if terminated {
            removeClient(id)
            actions.append(.terminated(.client(id)))
        } else {
            schedule(update, owner: .client(id.slot))
        }
    }

    @inlinable
    mutating func removeServer(_ id: ServerTransactionID) {
        guard let entry = servers.remove(id.slot) else { return }
        if let index = serverIndex.index(forKey: entry.key), serverIndex[index].value == id {
            serverIndex.remove(at: index)
        }
    }

    @inlinable
    mutating func removeClient(_ id: ClientTransactionID) {
        guard let entry = clients.remove(id.slot) else { return }
        if let index = clientIndex.index(forKey: entry.key), clientIndex[index].value == id {
            clientIndex.remove(at: index)
        }
    }
}

/// Deadlines a transaction newly asked for after an event; nil where nothing changed or the
/// timer stopped (its old heap entry then goes stale).
@usableFromInline
struct TimerUpdate {
    @usableFromInline var retransmission: Int64?
    @usableFromInline var expiry: Int64?

    @inlinable init() {}
}
