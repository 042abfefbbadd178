import SIPCore
import Testing

@testable import SIPTransaction

typealias Layer = TransactionLayer<String>
typealias Action = TransactionAction<String>

let phone = "udp:10.0.0.1:5060"
let trunk = "udp:192.0.2.9:5060"

/// Builds the messages the tests exchange, by parsing SIP text as the transport would.
enum Messages {
    /// A request; `branch: nil` leaves the branch parameter out (an RFC 2543 peer).
    static func request(
        _ method: String, branch: String? = "z9hG4bKaaa", sentBy: String = "10.0.0.1:5060",
        transport: String = "UDP", uri: String = "sip:1002@pbx.example", cseq: Int = 1,
        toTag: String? = nil, fromTag: String = "f1", callID: String = "call-1", routes: [String] = []
    ) -> (SIPRequest, RoutingHeaders) {
        var text = "\(method) \(uri) SIP/2.0\r\n"
        text += "Via: SIP/2.0/\(transport) \(sentBy)" + (branch.map { ";branch=\($0)" } ?? "") + "\r\n"
        for route in routes { text += "Route: \(route)\r\n" }
        text += "Max-Forwards: 70\r\n"
        text += "From: \"Alice\" <sip:1001@pbx.example>;tag=\(fromTag)\r\n"
        text += "To: <sip:1002@pbx.example>" + (toTag.map { ";tag=\($0)" } ?? "") + "\r\n"
        text += "Call-ID: \(callID)\r\n"
        text += "CSeq: \(cseq) \(method)\r\n"
        text += "Content-Length: 0\r\n\r\n"
        guard case .request(let request) = try! SIPParser().parseDatagram(Array(text.utf8)) else {
            fatalError("not a request: \(text)")
        }
        return (request, try! RoutingHeaders(.request(request)))
    }

    /// A response to `request` as a UAS builds it (§8.2.6): Via, From, Call-ID and CSeq copied,
    /// the To tag added unless the request had one.
    static func response(_ code: Int, to request: SIPRequest, toTag: String? = "t1") -> (SIPResponse, RoutingHeaders) {
        var headers = SIPHeaders()
        for via in request.headers.values(HeaderName.via) { headers.add(HeaderName.via, via) }
        headers.add(HeaderName.from, request.headers[HeaderName.from]!)
        var to = request.headers[HeaderName.to]!
        if let toTag, !to.contains(";tag=") { to += ";tag=\(toTag)" }
        headers.add(HeaderName.to, to)
        headers.add(HeaderName.callID, request.headers[HeaderName.callID]!)
        headers.add(HeaderName.cseq, request.headers[HeaderName.cseq]!)
        let response = SIPResponse(statusCode: code, headers: headers)
        return (response, try! RoutingHeaders(.response(response)))
    }
}

/// Runs the virtual clock from timer to timer until `end`, as the server's single wake-up would,
/// and returns each action with the time it happened.
func runTimers(_ layer: inout Layer, until end: Int64) -> [(time: Int64, action: Action)] {
    var log: [(time: Int64, action: Action)] = []
    while let deadline = layer.nextDeadline, deadline <= end {
        for action in layer.advance(to: deadline) { log.append((deadline, action)) }
    }
    return log
}

/// The times at which something was sent, from a `runTimers` log.
func sendTimes(_ log: [(time: Int64, action: Action)]) -> [Int64] {
    log.compactMap { entry in
        if case .send = entry.action { return entry.time }
        return nil
    }
}

extension Action {
    var sentMessage: SIPMessage? {
        if case .send(let message, _) = self { return message }
        return nil
    }

    var sentRequest: SIPRequest? {
        if case .request(let request)? = sentMessage { return request }
        return nil
    }

    var sentResponse: SIPResponse? {
        if case .response(let response)? = sentMessage { return response }
        return nil
    }

    var deliveredServerID: ServerTransactionID? {
        if case .deliverRequest(let id, _, _, _) = self { return id }
        return nil
    }

    var isStrayACK: Bool {
        if case .deliverStrayACK = self { return true }
        return false
    }
}

/// Delivers a new request to the layer and returns the server transaction it created.
func deliver(
    _ message: (SIPRequest, RoutingHeaders), to layer: inout Layer, from peer: String = phone,
    reliable: Bool = false, now: Int64 = 0
) throws -> ServerTransactionID {
    let actions = layer.receiveRequest(message.0, routing: message.1, from: peer, reliable: reliable, now: now)
    #expect(actions.count == 1)
    return try #require(actions.first?.deliveredServerID)
}
