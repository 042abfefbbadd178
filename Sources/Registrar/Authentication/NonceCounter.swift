/// Replay protection for digest nonces (RFC 7616 §3.3, §5.12): a nonce is accepted only if
/// this server issued it recently and each use carries a higher nonce count (`nc`) than the
/// last. Memory is bounded: past `capacity` the oldest nonces are forgotten, and a forgotten
/// nonce gets a new challenge with `stale=true` (one more round trip, never a false accept).
struct NonceCounter: Sendable {
    private var lastCount: [Int: UInt32] = [:]
    private var order: [Int] = []
    private var head = 0
    let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
        order.reserveCapacity(min(capacity, 4096))
    }

    /// Remembers a nonce just issued.
    mutating func issued(_ nonce: String) {
        let key = nonce.hashValue
        if lastCount.updateValue(0, forKey: key) != nil { return }
        if order.count < capacity {
            order.append(key)
        } else {
            lastCount[order[head]] = nil
            order[head] = key
            head = (head + 1) % capacity
        }
    }

    /// Accepts a use of `nonce` with count `nc` if the nonce is known and `nc` is higher than
    /// any count seen with it; records it.
    mutating func accept(_ nonce: String, count nc: UInt32) -> Bool {
        let key = nonce.hashValue
        guard let last = lastCount[key], nc > last else { return false }
        lastCount[key] = nc
        return true
    }
}
