/// The header fields every element needs, parsed once when a message arrives
/// (RFC 3261 §8.1.1: To, From, CSeq, Call-ID, Max-Forwards and Via are mandatory in requests).
public struct RoutingHeaders: Sendable, Equatable {
    public var vias: [Via]
    public var from: NameAddress
    public var to: NameAddress
    public var callID: String
    public var cseq: CSeq
    /// nil when absent (RFC 2543 peers, RFC 4475 §3.4.1 inv2543 — treated as 70).
    public var maxForwards: Int?
    /// The Contact header field, when present (RFC 3261 §8.1.1.8, §10.2.1).
    public var contacts: ContactList?

    public var topVia: Via { vias[0] }

    /// Validates and extracts the routing header fields of a request or response.
    /// Errors here make a request get a 400 with the error's reason phrase, and a response be dropped.
    public init(_ message: SIPMessage) throws(SIPParseError) {
        let headers = message.headers
        vias = try Via.all(in: headers)
        guard !vias.isEmpty else { throw .missingHeader(HeaderName.via) }
        from = try NameAddress(parsing: try Self.single(HeaderName.from, headers), header: HeaderName.from)
        to = try NameAddress(parsing: try Self.single(HeaderName.to, headers), header: HeaderName.to)
        callID = try Self.single(HeaderName.callID, headers)
        if callID.isEmpty || callID.utf8.contains(where: { $0 <= 0x20 }) {
            throw .invalidHeaderValue(header: HeaderName.callID, reason: "must be one word")
        }
        cseq = try CSeq(parsing: try Self.single(HeaderName.cseq, headers))
        let forwards = headers.values(HeaderName.maxForwards)
        if forwards.count > 1 { throw .duplicateHeader(HeaderName.maxForwards) }
        if let mf = forwards.first {
            guard let n = SIPGrammar.decimal(Substring(mf), limit: 255) else {
                throw .invalidHeaderValue(header: HeaderName.maxForwards, reason: "'\(mf.prefix(24))' is not 0-255")
            }
            maxForwards = Int(n)
        }
        if case .request(let request) = message {
            // RFC 3261 §8.1.1.5: the CSeq method MUST match the request method (RFC 4475 §3.1.2.17-18).
            if cseq.method != request.method {
                throw .methodMismatch(requestLine: request.method.rawValue, cseq: cseq.method.rawValue)
            }
        }
        if headers.contains(HeaderName.contact) {
            contacts = try ContactList(parsing: headers)
        }
        if let date = headers[HeaderName.date], !SIPDate.isValid(date) {
            throw .invalidHeaderValue(header: HeaderName.date, reason: "must be an RFC 1123 date in GMT")
        }
    }

    static func single(_ name: String, _ headers: SIPHeaders) throws(SIPParseError) -> String {
        let values = headers.values(name)
        guard let first = values.first else { throw .missingHeader(name) }
        // RFC 4475 §3.3.8: several values in a single-valued field (also one line with a comma list,
        // except where a comma may legally appear: Call-ID is a word and may not contain one).
        if values.count > 1 { throw .duplicateHeader(name) }
        if name != HeaderName.callID, HeaderList.split(first).count > 1 { throw .duplicateHeader(name) }
        return first
    }
}

/// RFC 3261 §20.17: `Date: Sat, 13 Nov 2010 23:29:00 GMT` (rfc1123-date, always GMT).
public enum SIPDate {
    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT" else { return false }
        let days = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard days.contains(String(parts[0])), months.contains(String(parts[2])),
            parts[1].count == 2, let day = Int(parts[1]), (1...31).contains(day),
            parts[3].count == 4, Int(parts[3]) != nil
        else { return false }
        let time = parts[4].split(separator: ":")
        guard time.count == 3, time.allSatisfy({ $0.count == 2 && Int($0) != nil }) else { return false }
        return true
    }
}
