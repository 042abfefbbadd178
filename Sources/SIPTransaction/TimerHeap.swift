/// Which of a transaction's two timers: the retransmission timer (A, E, G) or the one that
/// ends a state (B, D, F, H, I, J, K, L, M). A transaction runs at most one of each.
@usableFromInline
enum TimerRole: UInt8, Sendable {
    case retransmission
    case expiry
}

/// A timer a transaction asked for. It may be stale by the time it is due: the transaction
/// may have ended or moved on. The layer checks before firing it.
@usableFromInline
struct ScheduledTimer: Sendable {
    @usableFromInline
    enum Owner: Sendable, Equatable {
        case server(SlotID)
        case client(SlotID)
    }

    @usableFromInline var deadline: Int64
    /// Insertion order, so that timers due at the same time fire in the order they were set.
    @usableFromInline var sequence: UInt64
    @usableFromInline var owner: Owner
    @usableFromInline var role: TimerRole

    @inlinable
    init(deadline: Int64, sequence: UInt64, owner: Owner, role: TimerRole) {
        self.deadline = deadline
        self.sequence = sequence
        self.owner = owner
        self.role = role
    }

    @inlinable
    func isEarlier(than other: ScheduledTimer) -> Bool {
        deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
    }
}

/// A binary min-heap of timers by deadline: O(log n) insert and removal of the earliest.
@usableFromInline
struct TimerHeap: Sendable {
    @usableFromInline var storage: [ScheduledTimer] = []
    @usableFromInline var nextSequence: UInt64 = 0

    @inlinable init() {}

    @inlinable var count: Int { storage.count }
    @inlinable var first: ScheduledTimer? { storage.first }

    @inlinable
    mutating func insert(deadline: Int64, owner: ScheduledTimer.Owner, role: TimerRole) {
        storage.append(ScheduledTimer(deadline: deadline, sequence: nextSequence, owner: owner, role: role))
        nextSequence &+= 1
        siftUp(storage.count - 1)
    }

    @inlinable
    @discardableResult
    mutating func removeFirst() -> ScheduledTimer? {
        guard !storage.isEmpty else { return nil }
        let top = storage[0]
        let last = storage.removeLast()
        if !storage.isEmpty {
            storage[0] = last
            siftDown(0)
        }
        return top
    }

    /// Drops every timer `isStale` accepts and restores heap order, in O(n).
    @inlinable
    mutating func removeAll(where isStale: (ScheduledTimer) -> Bool) {
        storage.removeAll(where: isStale)
        var i = storage.count / 2 - 1
        while i >= 0 {
            siftDown(i)
            i -= 1
        }
    }

    @inlinable
    mutating func siftUp(_ start: Int) {
        var child = start
        let item = storage[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard item.isEarlier(than: storage[parent]) else { break }
            storage[child] = storage[parent]
            child = parent
        }
        storage[child] = item
    }

    @inlinable
    mutating func siftDown(_ start: Int) {
        var parent = start
        let count = storage.count
        let item = storage[parent]
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count, storage[child + 1].isEarlier(than: storage[child]) { child += 1 }
            guard storage[child].isEarlier(than: item) else { break }
            storage[parent] = storage[child]
            parent = child
        }
        storage[parent] = item
    }
}
