import Foundation

/// The in-memory location service: bindings by address-of-record (RFC 3261 §10.3).
/// It mirrors storage; the registrar changes both together.
///
/// ## Why it is packed
///
/// A registrar should hold about 1 KB of process memory per binding (Kamailio: ~1.1 KB). A
/// `[String: [Binding]]` costs about five small heap allocations per binding (every String over
/// 15 bytes), and they land between the short-lived allocations of SIP transactions. When the
/// transactions end, every 4 KB heap page still holds one binding's leftovers, so the process
/// keeps ~4 KB per binding. Here all binding data lives in three large buffers instead, which
/// glibc serves from their own mmapped regions once they pass its mmap threshold:
///
/// - `pool`: append-only bytes. Each binding is one *record*: its strings, length-prefixed,
///   and its rarely-read numbers (see `Record`). A refresh that changes only CSeq and expiry
///   leaves the record as it is; a changed record is appended and the old one becomes garbage,
///   which `compact()` reclaims once it is more than half of the pool.
/// - `slots`: one fixed-size `Slot` per binding (record position, CSeq, expiry, next slot).
///   Freed slots form a free list.
/// - `index`: the 64-bit hash of an address-of-record to the first slot of a chain of every
///   binding whose address-of-record has that hash, in insertion order. A lookup walks the chain
///   and compares the address-of-record itself, so colliding addresses share a chain and stay
///   correct.
///
/// For the registration benchmark's bindings that is about 180 bytes of buffers per binding
/// (137 record, 24 slot, ~20 index); 10,000 of them add ~2.3 MB RssAnon, against ~4.5 MB before.
///
/// Keys compare as Swift Strings do (canonical equivalence, like the `Dictionary` this replaced):
/// bytes first, then, only when either side is not ASCII, as Strings. The hash is Swift's
/// `Hasher`, which agrees with that equality and is seeded per process.
public struct LocationService: Sendable {
    /// A binding's fixed-size part; the rest is its record in the pool.
    struct Slot {
        /// The next slot of the same chain, or -1; for a free slot, the next free slot.
        var next: Int32
        /// Length of the record in the pool; 0 marks a free slot.
        var recordLength: UInt32
        var recordOffset: UInt32
        var cseq: UInt32
        var expiresAt: Int64
    }

    private var pool: [UInt8] = []
    private var slots: [Slot] = []
    private var index: [UInt64: Int32] = [:]
    private var freeSlot: Int32 = -1
    private var freeSlots = 0
    /// Bytes of the pool that no binding refers to.
    private var garbage = 0
    /// At or before every binding's expiry (exact after a sweep or compaction).
    private var earliestExpiry = Int64.max
    /// Applied to every hash; tests set it to 0 to put every address in one chain.
    let hashMask: UInt64
    /// How many times the pool was rewritten, for tests.
    private(set) var compactions = 0

    public private(set) var count = 0

    public init(_ bindings: [Binding] = []) {
        self.init(bindings, hashMask: .max)
    }

    init(_ bindings: [Binding], hashMask: UInt64) {
        self.hashMask = hashMask
        slots.reserveCapacity(bindings.count)
        for b in bindings { upsert(b) }
    }

    /// Current bindings of an address-of-record that have not lapsed at `now`, in the order they
    /// were first registered.
    public func bindings(of aor: String, now: Int64) -> [Binding] {
        guard var s = index[bucket(of: aor)] else { return [] }
        let key = Key(aor)
        var result: [Binding] = []
        pool.withUnsafeBufferPointer { pool in
            while s >= 0 {
                let slot = slots[Int(s)]
                if slot.expiresAt > now, key.matches(Record.aor(slot, in: pool)) {
                    result.append(Record.binding(slot, in: pool))
                }
                s = slot.next
            }
        }
        return result
    }

    /// Every binding, for listing, in no particular order.
    public var all: [Binding] {
        var result: [Binding] = []
        result.reserveCapacity(count)
        pool.withUnsafeBufferPointer { pool in
            for var s in index.values {
                while s >= 0 {
                    result.append(Record.binding(slots[Int(s)], in: pool))
                    s = slots[Int(s)].next
                }
            }
        }
        return result
    }

    public mutating func apply(_ change: BindingChange) {
        switch change {
        case .upsert(let b): upsert(b)
        case .remove(let aor, let contact): remove(aor: aor, contactURI: contact)
        case .removeAll(let aor): removeAll(aor: aor)
        case .removeExpired(let time): removeExpired(atOrBefore: time)
        }
        compactIfWasteful()
    }

    /// How many bindings have lapsed at `time`; 0 without a scan when none can have.
    public func expiredCount(atOrBefore time: Int64) -> Int {
        guard time >= earliestExpiry else { return 0 }
        return slots.withUnsafeBufferPointer { slots in
            var n = 0
            for slot in slots where slot.recordLength != 0 && slot.expiresAt <= time { n += 1 }
            return n
        }
    }

    /// Bytes reserved by the buffers (capacity, not what is resident), for tests and diagnostics.
    var reservedBytes: Int {
        pool.capacity + slots.capacity * MemoryLayout<Slot>.stride
            + index.capacity * (MemoryLayout<UInt64>.stride + MemoryLayout<Int32>.stride)
    }

    /// Bytes of the pool in use, garbage included.
    var poolBytes: Int { pool.count }

    // MARK: changes

    private mutating func upsert(_ b: Binding) {
        let bucket = bucket(of: b.aor)
        let aor = Key(b.aor)
        let contact = Key(b.contactURI)
        let (found, previous) = find(aor, contact, in: bucket)
        let offset = pool.count
        Record.append(b, aorIsASCII: aor.isASCII, contactIsASCII: contact.isASCII, to: &pool)
        let length = pool.count - offset
        precondition(pool.count < Int(UInt32.max), "location service pool over 4 GB")
        if found >= 0 {
            let old = slots[Int(found)]
            let unchanged = pool.withUnsafeBufferPointer {
                Record.sameBytes(
                    UnsafeBufferPointer(
                        rebasing: $0[Int(old.recordOffset)..<Int(old.recordOffset) + Int(old.recordLength)]),
                    UnsafeBufferPointer(rebasing: $0[offset..<offset + length]))
            }
            if unchanged {
                pool.removeLast(length)  // A plain refresh: the record is unchanged.
            } else {
                garbage += Int(old.recordLength)
                slots[Int(found)].recordOffset = UInt32(offset)
                slots[Int(found)].recordLength = UInt32(length)
            }
            slots[Int(found)].cseq = b.cseq
            slots[Int(found)].expiresAt = b.expiresAt
        } else {
            let slot = Slot(
                next: -1, recordLength: UInt32(length), recordOffset: UInt32(offset), cseq: b.cseq,
                expiresAt: b.expiresAt)
            let s = takeSlot(slot)
            if previous >= 0 { slots[Int(previous)].next = s } else { index[bucket] = s }
            count += 1
        }
        earliestExpiry = min(earliestExpiry, b.expiresAt)
    }

    private mutating func remove(aor: String, contactURI: String) {
        let bucket = bucket(of: aor)
        let (found, previous) = find(Key(aor), Key(contactURI), in: bucket)
        if found >= 0 { unlink(found, after: previous, in: bucket) }
    }

    private mutating func removeAll(aor: String) {
        let bucket = bucket(of: aor)
        guard var s = index[bucket] else { return }
        let key = Key(aor)
        var previous: Int32 = -1
        while s >= 0 {
            let slot = slots[Int(s)]
            if pool.withUnsafeBufferPointer({ key.matches(Record.aor(slot, in: $0)) }) {
                unlink(s, after: previous, in: bucket)
            } else {
                previous = s
            }
            s = slot.next
        }
    }

    /// A pass over every chain; runs about once a second, and only when something has lapsed.
    private mutating func removeExpired(atOrBefore time: Int64) {
        guard time >= earliestExpiry else { return }
        var earliest = Int64.max
        var newHeads: [(bucket: UInt64, head: Int32)] = []
        for (bucket, head) in index {
            var newHead = head
            var previous: Int32 = -1
            var s = head
            while s >= 0 {
                let slot = slots[Int(s)]
                if slot.expiresAt <= time {
                    if previous >= 0 { slots[Int(previous)].next = slot.next } else { newHead = slot.next }
                    release(s)
                    count -= 1
                } else {
                    earliest = min(earliest, slot.expiresAt)
                    previous = s
                }
                s = slot.next
            }
            if newHead != head { newHeads.append((bucket, newHead)) }
        }
        // The index is changed after the walk, not during it.
        for (bucket, head) in newHeads {
            if head >= 0 { index[bucket] = head } else { index.removeValue(forKey: bucket) }
        }
        earliestExpiry = earliest
    }

    // MARK: chains and slots

    private func bucket(of aor: String) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(aor)
        return UInt64(UInt(bitPattern: hasher.finalize())) & hashMask
    }

    /// The slot holding `(aor, contact)` and the slot before it in the chain; when there is none,
    /// -1 and the chain's last slot (-1 for an empty chain).
    private func find(_ aor: Key, _ contact: Key, in bucket: UInt64) -> (slot: Int32, previous: Int32) {
        guard let head = index[bucket] else { return (-1, -1) }
        return pool.withUnsafeBufferPointer { pool in
            var s = head
            var previous: Int32 = -1
            while s >= 0 {
                let slot = slots[Int(s)]
                let (storedAOR, storedContact) = Record.keys(slot, in: pool)
                if aor.matches(storedAOR), contact.matches(storedContact) { return (s, previous) }
                previous = s
                s = slot.next
            }
            return (-1, previous)
        }
    }

    private mutating func unlink(_ s: Int32, after previous: Int32, in bucket: UInt64) {
        let next = slots[Int(s)].next
        if previous >= 0 {
            slots[Int(previous)].next = next
        } else if next >= 0 {
            index[bucket] = next
        } else {
            index.removeValue(forKey: bucket)
        }
        release(s)
        count -= 1
    }

    private mutating func takeSlot(_ slot: Slot) -> Int32 {
        guard freeSlot >= 0 else {
            precondition(slots.count < Int(Int32.max), "location service over 2^31 bindings")
            slots.append(slot)
            return Int32(slots.count - 1)
        }
        let s = freeSlot
        freeSlot = slots[Int(s)].next
        freeSlots -= 1
        slots[Int(s)] = slot
        return s
    }

    private mutating func release(_ s: Int32) {
        garbage += Int(slots[Int(s)].recordLength)
        slots[Int(s)] = Slot(next: freeSlot, recordLength: 0, recordOffset: 0, cseq: 0, expiresAt: 0)
        freeSlot = s
        freeSlots += 1
    }

    // MARK: compaction

    /// Smaller buffers are not worth rewriting.
    private static let compactionFloor = 4096

    private mutating func compactIfWasteful() {
        if count == 0, !slots.isEmpty {
            // Everything is gone: give all of it back.
            self = LocationService([], hashMask: hashMask, compactions: compactions + 1)
            return
        }
        let wastedPool = garbage >= Self.compactionFloor && garbage > pool.count / 2
        let wastedSlots = freeSlots * MemoryLayout<Slot>.stride >= Self.compactionFloor && freeSlots > slots.count / 2
        if wastedPool || wastedSlots { compact() }
    }

    private init(_ bindings: [Binding], hashMask: UInt64, compactions: Int) {
        self.init(bindings, hashMask: hashMask)
        self.compactions = compactions
    }

    /// Rewrites the live records into a new pool and the live slots into a new array, chain by
    /// chain (so a chain's slots end up adjacent), and rebuilds the index at its right size.
    mutating func compact() {
        let live = pool.count - garbage
        var newPool: [UInt8] = []
        newPool.reserveCapacity(live + live / 4)
        var newSlots: [Slot] = []
        newSlots.reserveCapacity(count + count / 4)
        var newIndex: [UInt64: Int32] = [:]
        newIndex.reserveCapacity(index.count)
        var earliest = Int64.max
        pool.withUnsafeBufferPointer { pool in
            for (bucket, head) in index {
                var s = head
                var previous: Int32 = -1
                while s >= 0 {
                    var slot = slots[Int(s)]
                    s = slot.next
                    let start = Int(slot.recordOffset)
                    slot.recordOffset = UInt32(newPool.count)
                    slot.next = -1
                    newPool.append(
                        contentsOf: UnsafeBufferPointer(rebasing: pool[start..<start + Int(slot.recordLength)]))
                    let n = Int32(newSlots.count)
                    newSlots.append(slot)
                    if previous >= 0 { newSlots[Int(previous)].next = n } else { newIndex[bucket] = n }
                    previous = n
                    earliest = min(earliest, slot.expiresAt)
                }
            }
        }
        pool = newPool
        slots = newSlots
        index = newIndex
        garbage = 0
        freeSlot = -1
        freeSlots = 0
        earliestExpiry = earliest
        compactions += 1
    }
}

extension LocationService {
    /// A String key (address-of-record or Contact URI) to compare with stored bytes.
    struct Key {
        let string: String
        let isASCII: Bool

        init(_ string: String) {
            self.string = string
            self.isASCII =
                string.utf8.withContiguousStorageIfAvailable { bytes in
                    bytes.reduce(0, |) < 0x80  // branch-free, so it vectorises
                } ?? string.utf8.allSatisfy { $0 < 0x80 }
        }

        /// String equality (canonical equivalence) without building a String when either the
        /// bytes are the same or both sides are ASCII (distinct ASCII texts are never equivalent).
        func matches(_ stored: Record.Text) -> Bool {
            let utf8 = string.utf8
            if utf8.count == stored.bytes.count {
                let same =
                    utf8.withContiguousStorageIfAvailable { Record.sameBytes($0, stored.bytes) }
                    ?? utf8.elementsEqual(stored.bytes)
                if same { return true }
            }
            if isASCII, stored.isASCII { return false }
            return String(decoding: stored.bytes, as: UTF8.self) == string
        }
    }

    /// One binding's bytes in the pool:
    ///
    ///     flags, aor, contactURI, callID, [userAgent], [instanceID], transport, sourceHost,
    ///     localHost, path count, path elements, sourcePort, localPort, [q], [regID]
    ///
    /// Strings are a varint length then UTF-8; integers are zigzag varints; `q` is its 8-byte bit
    /// pattern. Bracketed fields are present when their flag is set. The address-of-record and
    /// Contact URI come first so that a lookup reads only the start of a record.
    enum Record {
        struct Flags: OptionSet {
            let rawValue: UInt8
            static let aorIsASCII = Flags(rawValue: 1 << 0)
            static let contactIsASCII = Flags(rawValue: 1 << 1)
            static let hasUserAgent = Flags(rawValue: 1 << 2)
            static let hasInstanceID = Flags(rawValue: 1 << 3)
            static let hasQ = Flags(rawValue: 1 << 4)
            static let hasRegID = Flags(rawValue: 1 << 5)
        }

        /// Stored UTF-8 text and whether it is all ASCII.
        struct Text {
            let bytes: UnsafeBufferPointer<UInt8>
            let isASCII: Bool
        }

        static func append(_ b: Binding, aorIsASCII: Bool, contactIsASCII: Bool, to pool: inout [UInt8]) {
            var flags: Flags = []
            if aorIsASCII { flags.insert(.aorIsASCII) }
            if contactIsASCII { flags.insert(.contactIsASCII) }
            if b.userAgent != nil { flags.insert(.hasUserAgent) }
            if b.instanceID != nil { flags.insert(.hasInstanceID) }
            if b.q != nil { flags.insert(.hasQ) }
            if b.regID != nil { flags.insert(.hasRegID) }
            pool.append(flags.rawValue)
            appendText(b.aor, to: &pool)
            appendText(b.contactURI, to: &pool)
            appendText(b.callID, to: &pool)
            if let userAgent = b.userAgent { appendText(userAgent, to: &pool) }
            if let instanceID = b.instanceID { appendText(instanceID, to: &pool) }
            appendText(b.transport, to: &pool)
            appendText(b.sourceHost, to: &pool)
            appendText(b.localHost, to: &pool)
            appendVarint(UInt64(b.path.count), to: &pool)
            for element in b.path { appendText(element, to: &pool) }
            appendSigned(Int64(b.sourcePort), to: &pool)
            appendSigned(Int64(b.localPort), to: &pool)
            if let q = b.q {
                let bits = q.bitPattern
                for shift in stride(from: 0, to: 64, by: 8) {
                    pool.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
                }
            }
            if let regID = b.regID { appendSigned(Int64(regID), to: &pool) }
        }

        static func binding(_ slot: Slot, in pool: UnsafeBufferPointer<UInt8>) -> Binding {
            var reader = Reader(pool: pool, position: Int(slot.recordOffset))
            let flags = Flags(rawValue: reader.byte())
            let aor = reader.string()
            let contactURI = reader.string()
            let callID = reader.string()
            let userAgent = flags.contains(.hasUserAgent) ? reader.string() : nil
            let instanceID = flags.contains(.hasInstanceID) ? reader.string() : nil
            let transport = reader.string()
            let sourceHost = reader.string()
            let localHost = reader.string()
            let pathCount = Int(reader.varint())
            var path: [String] = []
            if pathCount > 0 {
                path.reserveCapacity(pathCount)
                for _ in 0..<pathCount { path.append(reader.string()) }
            }
            let sourcePort = Int(reader.signed())
            let localPort = Int(reader.signed())
            var q: Double?
            if flags.contains(.hasQ) {
                var bits: UInt64 = 0
                for shift in stride(from: 0, to: 64, by: 8) { bits |= UInt64(reader.byte()) << UInt64(shift) }
                q = Double(bitPattern: bits)
            }
            let regID = flags.contains(.hasRegID) ? Int(reader.signed()) : nil
            return Binding(
                aor: aor, contactURI: contactURI, callID: callID, cseq: slot.cseq, expiresAt: slot.expiresAt, q: q,
                instanceID: instanceID, regID: regID, path: path, userAgent: userAgent, transport: transport,
                sourceHost: sourceHost, sourcePort: sourcePort, localHost: localHost, localPort: localPort)
        }

        static func aor(_ slot: Slot, in pool: UnsafeBufferPointer<UInt8>) -> Text {
            var reader = Reader(pool: pool, position: Int(slot.recordOffset))
            let flags = Flags(rawValue: reader.byte())
            return Text(bytes: reader.field(), isASCII: flags.contains(.aorIsASCII))
        }

        static func keys(_ slot: Slot, in pool: UnsafeBufferPointer<UInt8>) -> (aor: Text, contact: Text) {
            var reader = Reader(pool: pool, position: Int(slot.recordOffset))
            let flags = Flags(rawValue: reader.byte())
            let aor = Text(bytes: reader.field(), isASCII: flags.contains(.aorIsASCII))
            return (aor, Text(bytes: reader.field(), isASCII: flags.contains(.contactIsASCII)))
        }

        static func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
            guard a.count == b.count else { return false }
            guard let x = a.baseAddress, let y = b.baseAddress else { return true }  // both empty
            return memcmp(x, y, a.count) == 0
        }

        private static func appendText(_ text: String, to pool: inout [UInt8]) {
            appendVarint(UInt64(text.utf8.count), to: &pool)
            pool.append(contentsOf: text.utf8)
        }

        private static func appendVarint(_ value: UInt64, to pool: inout [UInt8]) {
            var v = value
            while v >= 0x80 {
                pool.append(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            pool.append(UInt8(v))
        }

        private static func appendSigned(_ value: Int64, to pool: inout [UInt8]) {
            appendVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &pool)
        }

        struct Reader {
            let pool: UnsafeBufferPointer<UInt8>
            var position: Int

            mutating func byte() -> UInt8 {
                defer { position += 1 }
                return pool[position]
            }

            mutating func varint() -> UInt64 {
                var value: UInt64 = 0
                var shift: UInt64 = 0
                while true {
                    let b = byte()
                    value |= UInt64(b & 0x7F) << shift
                    if b < 0x80 { return value }
                    shift += 7
                }
            }

            mutating func signed() -> Int64 {
                let z = varint()
                return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
            }

            mutating func field() -> UnsafeBufferPointer<UInt8> {
                let length = Int(varint())
                defer { position += length }
                return UnsafeBufferPointer(rebasing: pool[position..<position + length])
            }

            mutating func string() -> String { String(decoding: field(), as: UTF8.self) }
        }
    }
}
