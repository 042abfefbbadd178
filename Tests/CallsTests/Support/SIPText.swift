import SIPCore

/// Builds messages by parsing SIP text, as the transport would hand them over.
enum SIPText {
    struct ParseFailure: Error { var text: String }

    /// A request with the given header lines; Content-Type and Content-Length are added for `body`.
    static func request(_ startLine: String, headers: [(String, String)], body: String = "") throws -> SIPRequest {
        var text = startLine + "\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty { text += "Content-Type: application/sdp\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        guard case .request(let request) = try SIPParser().parseDatagram(Array(text.utf8)) else {
            throw ParseFailure(text: text)
        }
        return request
    }
}

/// Session descriptions; only their bytes matter to a B2BUA.
enum SDP {
    static let callerOffer =
        "v=0\r\no=alice 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
    static let calleeAnswer =
        "v=0\r\no=bob 2 2 IN IP4 10.0.0.3\r\ns=-\r\nc=IN IP4 10.0.0.3\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n"
    static let calleeOffer =
        "v=0\r\no=bob 3 3 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0 8\r\n"
    static let callerAnswer =
        "v=0\r\no=alice 4 4 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4002 RTP/AVP 0\r\n"
}

extension SIPRequest {
    var cseq: CSeq? { headers[HeaderName.cseq].flatMap { try? CSeq(parsing: $0) } }
    var topVia: Via? { headers.listElements(HeaderName.via).first.flatMap { try? Via(parsing: $0) } }
    var fromTag: String? { headers[HeaderName.from].flatMap { try? NameAddress(parsing: $0) }?.tag }
    var toTag: String? { headers[HeaderName.to].flatMap { try? NameAddress(parsing: $0) }?.tag }
    var callID: String? { headers[HeaderName.callID] }
    var maxForwards: Int? { headers[HeaderName.maxForwards].flatMap { Int($0) } }
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

extension SIPResponse {
    var cseq: CSeq? { headers[HeaderName.cseq].flatMap { try? CSeq(parsing: $0) } }
    var toTag: String? { headers[HeaderName.to].flatMap { try? NameAddress(parsing: $0) }?.tag }
    var contactURI: String? { headers[HeaderName.contact].flatMap { try? NameAddress(parsing: $0) }?.uri.description }
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}
