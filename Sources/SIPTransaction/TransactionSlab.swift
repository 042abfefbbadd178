/// Where a transaction lives in a `TransactionSlab`: the slot, and the slot's generation when
/// the transaction was stored there, so that IDs of ended transactions never match a new one.
@usableFromInline
struct SlotID: Hashable, Sendable {
    @usableFromInline var index: UInt32
    @usableFromInline var generation: UInt32

    @inlinable init(index: UInt32, generation: UInt32) {
        self.index = index
        self.generation = generation
    }
}

/// Dense storage with slot reuse: O(1) insert, lookup and removal with no hashing and no
/// per-transaction allocation beyond the stored values.
/// Holds one element on the heap, so that a slab emptied after a burst keeps only a pointer
/// per slot (8 bytes) rather than a whole transaction's worth of inline storage.
@usableFromInline
final class SlabBox<Element> {
    @usableFromInline var value: Element
    @inlinable init(_ value: Element) { self.value = value }
}

extension SlabBox: @unchecked Sendable where Element: Sendable {}

@usableFromInline
struct TransactionSlab<Element> {
    @usableFromInline var elements: [SlabBox<Element>?] = []
    @usableFromInline var generations: [UInt32] = []
    @usableFromInline var freeSlots: [UInt32] = []
    @usableFromInline var count = 0

    @inlinable init() {}

    @inlinable
    mutating func insert(_ element: Element) -> SlotID {
        count += 1
        if let index = freeSlots.popLast() {
            elements[Int(index)] = SlabBox(element)
            return SlotID(index: index, generation: generations[Int(index)])
        }
        elements.append(SlabBox(element))
        generations.append(0)
        return SlotID(index: UInt32(elements.count - 1), generation: 0)
    }

    @inlinable
    func contains(_ id: SlotID) -> Bool {
        let i = Int(id.index)
        return i < elements.count && generations[i] == id.generation && elements[i] != nil
    }

    /// Reads the element without copying it out; nil when `id` is not live.
    @inlinable
    func read<Result>(_ id: SlotID, _ body: (Element) -> Result) -> Result? {
        guard contains(id) else { return nil }
        return body(elements[Int(id.index)]!.value)
    }

    /// Mutates the element in place; nil when `id` is not live.
    @inlinable
    mutating func modify<Result>(_ id: SlotID, _ body: (inout Element) -> Result) -> Result? {
        guard contains(id) else { return nil }
        return body(&elements[Int(id.index)]!.value)
    }

    @inlinable
    @discardableResult
    mutating func remove(_ id: SlotID) -> Element? {
        guard contains(id) else { return nil }
        let i = Int(id.index)
        let element = elements[i]?.value
        elements[i] = nil
        generations[i] &+= 1
        freeSlots.append(id.index)
        count -= 1
        return element
    }
}

extension TransactionSlab: Sendable where Element: Sendable {}
