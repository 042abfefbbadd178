/// The in-memory location service: bindings by address-of-record (RFC 3261 §10.3).
/// It mirrors storage; the registrar changes both together.
public struct LocationService: Sendable {
    private(set) var byAOR: [String: [Binding]] = [:]
    public private(set) var count = 0

    public init(_ bindings: [Binding] = []) {
        for b in bindings { apply(.upsert(b)) }
    }

    /// Current bindings of an address-of-record that have not lapsed at `now`.
    public func bindings(of aor: String, now: Int64) -> [Binding] {
        (byAOR[aor] ?? []).filter { $0.expiresAt > now }
    }

    /// Every binding, for listing.
    public var all: [Binding] { byAOR.values.flatMap { $0 } }

    public mutating func apply(_ change: BindingChange) {
        switch change {
        case .upsert(let b):
            var list = byAOR[b.aor] ?? []
            if let i = list.firstIndex(where: { $0.contactURI == b.contactURI }) {
                list[i] = b
            } else {
                list.append(b)
                count += 1
            }
            byAOR[b.aor] = list
        case .remove(let aor, let contact):
            guard var list = byAOR[aor], let i = list.firstIndex(where: { $0.contactURI == contact }) else { return }
            list.remove(at: i)
            count -= 1
            byAOR[aor] = list.isEmpty ? nil : list
        case .removeAll(let aor):
            count -= byAOR[aor]?.count ?? 0
            byAOR[aor] = nil
        case .removeExpired(let time):
            for (aor, list) in byAOR {
                let kept = list.filter { $0.expiresAt > time }
                if kept.count != list.count {
                    count -= list.count - kept.count
                    byAOR[aor] = kept.isEmpty ? nil : kept
                }
            }
        }
    }

    /// The earliest expiry among all bindings, for scheduling the sweep.
    public func expiredCount(atOrBefore time: Int64) -> Int {
        byAOR.values.reduce(0) { $0 + $1.filter { $0.expiresAt <= time }.count }
    }
}
