import SIPCore

/// What the transaction layer asks its owner to do: send through the transport, or tell the
/// transaction user (TU) something. Perform them in order.
public enum TransactionAction<Peer: Hashable & Sendable>: Sendable, Equatable {
    /// Give this message to the transport for `Peer`.
    case send(SIPMessage, to: Peer)
    /// A new request created a server transaction; answer it with `TransactionLayer.respond`.
    /// For INVITE the TU sends 100 Trying itself unless it answers within 200 ms (§17.2.1).
    case deliverRequest(ServerTransactionID, SIPRequest, RoutingHeaders, Peer)
    /// An ACK that belongs to no transaction: the ACK for a 2xx (§17.2.3; RFC 6026 §7.1 also
    /// for one matching an INVITE server transaction in the Accepted state). It goes to the dialog.
    case deliverStrayACK(SIPRequest, RoutingHeaders, Peer)
    /// A response for a client transaction, not a retransmission the transaction absorbed.
    case deliverResponse(ClientTransactionID, SIPResponse)
    /// A response matching no client transaction (§17.1.3); a proxy forwards it statelessly, a UA
    /// may use it for 2xx retransmissions after the INVITE client transaction ended.
    case strayResponse(SIPResponse)
    /// Timer B or F fired: the TU acts as if a 408 had arrived (§17.1.1.2, §17.1.2.2).
    case timeout(ClientTransactionID)
    /// Timer H fired: an INVITE's non-2xx final was never acknowledged (§17.2.1).
    case serverTimeout(ServerTransactionID)
    /// The transaction is gone; its ID matches nothing from now on.
    case terminated(TransactionID)
}
