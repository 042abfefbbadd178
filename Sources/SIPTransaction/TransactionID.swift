/// Identifies a server transaction within one `TransactionLayer`. Stays unique after the
/// transaction ends (the slot it used gets a new generation), so a late `respond` is harmless.
public struct ServerTransactionID: Hashable, Sendable, CustomStringConvertible {
    @usableFromInline let slot: SlotID
    @inlinable init(_ slot: SlotID) { self.slot = slot }
    public var description: String { "server#\(slot.index).\(slot.generation)" }
}

/// Identifies a client transaction within one `TransactionLayer`.
public struct ClientTransactionID: Hashable, Sendable, CustomStringConvertible {
    @usableFromInline let slot: SlotID
    @inlinable init(_ slot: SlotID) { self.slot = slot }
    public var description: String { "client#\(slot.index).\(slot.generation)" }

    /// Returned for an ACK passed to `sendRequest`: an ACK never creates a transaction (§17).
    @usableFromInline static let none = ClientTransactionID(SlotID(index: .max, generation: .max))
}

/// Either kind of transaction.
public enum TransactionID: Hashable, Sendable, CustomStringConvertible {
    case server(ServerTransactionID)
    case client(ClientTransactionID)

    public var description: String {
        switch self {
        case .server(let id): id.description
        case .client(let id): id.description
        }
    }
}
