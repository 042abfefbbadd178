import SIPCore

/// One dialog of the B2BUA with one party (RFC 3261 §12): what is needed to send requests
/// inside it and to recognise requests that belong to it.
struct DialogState {
    var callID: String
    /// Our From/To header value including our tag (as we present ourselves in this dialog).
    var localHeader: String
    var localTag: String
    /// The party's From/To header value including its tag.
    var remoteHeader: String
    /// Remote target: the party's Contact URI (§12.1.1, updated by target refresh requests).
    var remoteTarget: String
    /// Route set, in the order Route headers are sent (§12.1.1 UAS, §12.1.2 UAC).
    var routeSet: [String]
    var localCSeq: UInt32
    /// Highest CSeq seen from the party; nil until the first request (§12.2.2).
    var remoteCSeq: UInt32?
    /// Where requests in this dialog go.
    var destination: CallDestination

    var key: DialogKey { DialogKey(callID: callID, localTag: localTag) }

    /// The tag in the party's From/To header.
    var remoteTag: String? { (try? NameAddress(parsing: remoteHeader))?.tag }

    /// A new request in this dialog (§12.2.1.1), with a fresh Via from `via`.
    mutating func request(_ method: SIPMethod, via: String, contact: String, body: [UInt8] = [], contentType: String? = nil) -> SIPRequest {
        if method != .ack && method != .cancel { localCSeq += 1 }
        var headers = SIPHeaders()
        headers.add(HeaderName.via, via)
        for route in routeSet { headers.add(HeaderName.route, route) }
        headers.add(HeaderName.maxForwards, "70")
        headers.add(HeaderName.from, localHeader)
        headers.add(HeaderName.to, remoteHeader)
        headers.add(HeaderName.callID, callID)
        headers.add(HeaderName.cseq, CSeq(localCSeq, method).description)
        if method == .invite || method == .update {
            headers.add(HeaderName.contact, contact)
        }
        if let contentType, !body.isEmpty { headers.add(HeaderName.contentType, contentType) }
        return SIPRequest(method: method, uri: remoteTarget, headers: headers, body: body)
    }

    /// Checks an incoming request's CSeq (§12.2.2): lower than the last one is refused with 500.
    mutating func acceptRemoteCSeq(_ sequence: UInt32, method: SIPMethod) -> Bool {
        if method == .ack || method == .cancel { return true }
        if let last = remoteCSeq, sequence <= last { return false }
        remoteCSeq = sequence
        return true
    }
}

/// Identifies a dialog of ours: its Call-ID and our tag (the To tag of requests we receive in it).
struct DialogKey: Hashable {
    var callID: String
    var localTag: String
}

/// The first URI of a Route/Record-Route value: where a request with that route set goes.
enum RouteDestination {
    static func destination(of route: String, fallbackTransport: String) -> CallDestination? {
        guard let address = try? NameAddress(parsing: route, header: "Route"), let sip = address.uri.sipURI else { return nil }
        let transport = sip.transport ?? fallbackTransport
        return CallDestination(transport: transport, host: sip.host.trimmingBrackets, port: sip.port ?? 5060)
    }
}

extension String {
    /// `[::1]` → `::1`.
    var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
