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
        // Fast path: no "tag" anywhere means no tag parameter; otherwise parse to be sure.
        let b = Array(to.utf8)
        var found = false
        if b.count >= 3 {
            for i in 0..<(b.count - 2) where Bytes.lower(b[i]) == 0x74 && Bytes.lower(b[i + 1]) == 0x61 && Bytes.lower(b[i + 2]) == 0x67 {
                found = true
                break
            }
        }
        return found && (try? NameAddress(parsing: to))?.tag != nil
    }
}
