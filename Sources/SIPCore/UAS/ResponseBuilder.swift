extension SIPResponse {
    /// A response to `request` per RFC 3261 §8.2.6.2: Via, From, Call-ID and CSeq copied,
    /// To copied with `toTag` added when the request's To had none (never for 100 Trying).
    public init(replyingTo request: SIPRequest, statusCode: Int, reasonPhrase: String? = nil, toTag: String? = nil) {
        var headers = SIPHeaders()
        for field in request.headers where field.key == "via" {
            headers.add(field.name, field.value)
        }
        if let from = request.headers[HeaderName.from] { headers.add(HeaderName.from, from) }
        if var to = request.headers[HeaderName.to] {
            if let toTag, statusCode > 100, !Self.hasTag(to) { to += ";tag=" + toTag }
            headers.add(HeaderName.to, to)
        }
        if let callID = request.headers[HeaderName.callID] { headers.add(HeaderName.callID, callID) }
        if let cseq = request.headers[HeaderName.cseq] { headers.add(HeaderName.cseq, cseq) }
        self.init(statusCode: statusCode, reasonPhrase: reasonPhrase, headers: headers)
    }

    static func hasTag(_ to: String) -> Bool {
        (try? NameAddress(parsing: to))?.tag != nil
    }
}
