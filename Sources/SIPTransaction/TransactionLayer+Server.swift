import SIPCore

extension TransactionLayer {
    /// A request arrived from `peer` (RFC 3261 §17.2).
    ///
    /// - A new request creates a server transaction and is delivered (`.deliverRequest`).
    /// - A retransmission is absorbed; the last provisional or final response is sent again.
    /// - An ACK for a non-2xx final is absorbed by its INVITE transaction (Completed → Confirmed).
    /// - Any other ACK, the one for a 2xx, is passed on as `.deliverStrayACK` (RFC 6026 §7.1).
    @inlinable
    public mutating func receiveRequest(
        _ request: SIPRequest, routing: RoutingHeaders, from peer: Peer, reliable: Bool, now: Int64
    ) -> [Action] {
        defer { dropStaleTimers() }
        if request.method == .ack {
            return receiveACK(request, routing: routing, from: peer, now: now)
        }
        let key = ServerKey(request, routing: routing, method: request.method, toTag: routing.to.tag)
        if let id = serverIndex[key] {
            var actions: [Action] = []
            updateServer(id, &actions) { entry, actions in
                entry.peer = peer
                switch entry.machine {
                case .invite(var m):
                    let action = m.receivedRetransmission()
                    entry.machine = .invite(m)
                    entry.perform(action, id: id, into: &actions)
                case .nonInvite(var m):
                    let action = m.receivedRetransmission()
                    entry.machine = .nonInvite(m)
                    entry.perform(action, id: id, into: &actions)
                }
            }
            return actions
        }
        let machine: ServerMachine =
            request.method == .invite
            ? .invite(InviteServerTransaction(reliable: reliable, timers: timers))
            : .nonInvite(NonInviteServerTransaction(reliable: reliable, timers: timers))
        let id = ServerTransactionID(servers.insert(ServerEntry(key: key, peer: peer, machine: machine)))
        serverIndex[key] = id
        return [.deliverRequest(id, request, routing, peer)]
    }

    /// The TU sends a provisional or final response in a server transaction. An INVITE's 2xx
    /// moves it to Accepted (RFC 6026), where later 2xx retransmissions from the TU also pass;
    /// a non-2xx final starts Timers G (unreliable transports) and H. Responses for an ended
    /// transaction, or that its state does not allow, are dropped.
    @inlinable
    public mutating func respond(_ response: SIPResponse, to id: ServerTransactionID, now: Int64) -> [Action] {
        defer { dropStaleTimers() }
        var actions: [Action] = []
        updateServer(id, &actions) { entry, actions in
            switch entry.machine {
            case .invite(var m):
                let action = m.sendResponse(response, now: now)
                entry.machine = .invite(m)
                entry.perform(action, id: id, into: &actions)
            case .nonInvite(var m):
                let action = m.sendResponse(response, now: now)
                entry.machine = .nonInvite(m)
                entry.perform(action, id: id, into: &actions)
            }
            if entry.key.isLegacy, response.statusCode >= 200, entry.responseToTag == nil {
                entry.responseToTag = response.headers[HeaderName.to].flatMap { try? NameAddress(parsing: $0) }?.tag
            }
        }
        return actions
    }

    /// The INVITE server transaction a CANCEL refers to (§9.2): same branch and sent-by (or,
    /// for RFC 2543 peers, the same Request-URI, tags, Call-ID, CSeq number and top Via).
    /// Nil when there is none: the TU answers the CANCEL with 481.
    @inlinable
    public func serverTransaction(
        matchingCancel cancel: SIPRequest, routing: RoutingHeaders
    ) -> ServerTransactionID? {
        serverIndex[ServerKey(cancel, routing: routing, method: .invite, toTag: routing.to.tag)]
    }

    @inlinable
    mutating func receiveACK(
        _ ack: SIPRequest, routing: RoutingHeaders, from peer: Peer, now: Int64
    ) -> [Action] {
        guard let id = inviteTransaction(forACK: ack, routing: routing) else {
            return [.deliverStrayACK(ack, routing, peer)]
        }
        var actions: [Action] = []
        updateServer(id, &actions) { entry, actions in
            switch entry.machine {
            case .invite(var m):
                let action = m.receivedACK(now: now)
                entry.machine = .invite(m)
                switch action {
                case .passACKToTU:
                    actions.append(.deliverStrayACK(ack, routing, peer))
                case .none, .send, .timedOut:
                    entry.perform(action, id: id, into: &actions)
                }
            case .nonInvite:
                // Keys with method INVITE only ever hold INVITE transactions.
                break
            }
        }
        return actions
    }

    /// §17.2.3: the ACK matches the INVITE transaction with the same branch and sent-by. For
    /// RFC 2543 peers it matches on Request-URI, From tag, Call-ID, CSeq number and top Via,
    /// and its To tag must be that of the response the transaction sent.
    @inlinable
    func inviteTransaction(forACK ack: SIPRequest, routing: RoutingHeaders) -> ServerTransactionID? {
        let ackToTag = routing.to.tag
        let key = ServerKey(ack, routing: routing, method: .invite, toTag: nil)
        switch key.fields {
        case .branch:
            return serverIndex[key]
        case .legacy(var legacy):
            // The INVITE had no To tag (initial INVITE) or the ACK's own (a re-INVITE).
            if let id = serverIndex[key], servers.read(id.slot, { $0.responseToTag == ackToTag }) == true {
                return id
            }
            guard ackToTag != nil else { return nil }
            legacy.toTag = ackToTag
            if let id = serverIndex[ServerKey(.legacy(legacy))],
                servers.read(id.slot, { $0.responseToTag == ackToTag }) == true
            {
                return id
            }
            return nil
        }
    }
}
