import SIPCore

extension SIPRequest {
    /// The ACK an INVITE client transaction sends for a 300-699 response (RFC 3261 §17.1.1.3):
    /// Request-URI, From, Call-ID and the CSeq number of the INVITE, its top Via only (same
    /// branch), its Route header fields, and the To of the response (which carries the tag).
    public static func acknowledging(_ response: SIPResponse, of invite: SIPRequest) -> SIPRequest {
        var headers = SIPHeaders()
        if let firstVia = invite.headers[HeaderName.via], let topVia = HeaderList.split(firstVia).first {
            headers.add(HeaderName.via, topVia)
        }
        for route in invite.headers.values(HeaderName.route) {
            headers.add(HeaderName.route, route)
        }
        headers.add(HeaderName.maxForwards, "70")
        if let from = invite.headers[HeaderName.from] { headers.add(HeaderName.from, from) }
        if let to = response.headers[HeaderName.to] ?? invite.headers[HeaderName.to] {
            headers.add(HeaderName.to, to)
        }
        if let callID = invite.headers[HeaderName.callID] { headers.add(HeaderName.callID, callID) }
        let sequence =
            invite.headers[HeaderName.cseq].flatMap { try? CSeq(parsing: $0) }?.sequence
            ?? response.headers[HeaderName.cseq].flatMap { try? CSeq(parsing: $0) }?.sequence ?? 1
        headers.add(HeaderName.cseq, CSeq(sequence, .ack).description)
        return SIPRequest(method: .ack, uri: invite.uriString, headers: headers)
    }
}
