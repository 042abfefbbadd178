import SIPCore

extension TransactionLayer {
    /// Starts a client transaction for `request` and returns the action that sends it (§17.1).
    ///
    /// The caller has put a Via with a fresh z9hG4bK branch on top (`newBranch()`); responses
    /// are matched by that branch and the method. An ACK creates no transaction: it is sent once
    /// and the returned ID matches nothing (the ACK for a 2xx is the dialog's, §13.2.2.4).
    @inlinable
    public mutating func sendRequest(
        _ request: SIPRequest, to peer: Peer, reliable: Bool, now: Int64
    ) -> (ClientTransactionID, [Action]) {
        let send = Action.send(.request(request), to: peer)
        guard request.method != .ack else { return (.none, [send]) }
        defer { dropStaleTimers() }
        let key = ClientKey(branch: Self.topBranch(of: request) ?? "", method: request.method)
        let machine: ClientMachine =
            request.method == .invite
            ? .invite(InviteClientTransaction(invite: request, reliable: reliable, timers: timers, now: now))
            : .nonInvite(NonInviteClientTransaction(request: request, reliable: reliable, timers: timers, now: now))
        var entry = ClientEntry(key: key, peer: peer, machine: machine)
        let update = entry.syncTimers()
        let id = ClientTransactionID(clients.insert(entry))
        // A reused branch would be a TU bug; the newest transaction wins the responses.
        clientIndex[key] = id
        schedule(update, owner: .client(id.slot))
        return (id, [send])
    }

    /// A response arrived (§17.1.3): it goes to the client transaction with the same top Via
    /// branch and CSeq method, which passes it to the TU or absorbs it as a retransmission. For
    /// an INVITE's 300-699 the transaction also sends the ACK. Unmatched: `.strayResponse`.
    @inlinable
    public mutating func receiveResponse(
        _ response: SIPResponse, routing: RoutingHeaders, now: Int64
    ) -> [Action] {
        defer { dropStaleTimers() }
        guard let branch = routing.topVia.branch,
            let id = clientIndex[ClientKey(branch: branch, method: routing.cseq.method)]
        else {
            return [.strayResponse(response)]
        }
        var actions: [Action] = []
        updateClient(id, &actions) { entry, actions in
            entry.receivedResponse(response, now: now, id: id, into: &actions)
        }
        return actions
    }

    @usableFromInline
    static func topBranch(of request: SIPRequest) -> String? {
        guard let first = request.headers[HeaderName.via], let top = HeaderList.split(first).first else { return nil }
        return (try? Via(parsing: top))?.branch
    }
}
