/// Header field names: canonical spelling and the compact forms of RFC 3261 §7.3.3.
public enum HeaderName {
    public static let via = "Via"
    public static let from = "From"
    public static let to = "To"
    public static let callID = "Call-ID"
    public static let cseq = "CSeq"
    public static let contact = "Contact"
    public static let maxForwards = "Max-Forwards"
    public static let contentLength = "Content-Length"
    public static let contentType = "Content-Type"
    public static let expires = "Expires"
    public static let minExpires = "Min-Expires"
    public static let authorization = "Authorization"
    public static let proxyAuthorization = "Proxy-Authorization"
    public static let wwwAuthenticate = "WWW-Authenticate"
    public static let proxyAuthenticate = "Proxy-Authenticate"
    public static let route = "Route"
    public static let recordRoute = "Record-Route"
    public static let require = "Require"
    public static let proxyRequire = "Proxy-Require"
    public static let supported = "Supported"
    public static let unsupported = "Unsupported"
    public static let allow = "Allow"
    public static let accept = "Accept"
    public static let userAgent = "User-Agent"
    public static let server = "Server"
    public static let date = "Date"
    public static let path = "Path"
    public static let retryAfter = "Retry-After"
    public static let warning = "Warning"

    /// Compact form (single letter) → canonical name.
    static let compact: [UInt8: String] = [
        UInt8(ascii: "i"): "Call-ID", UInt8(ascii: "m"): "Contact", UInt8(ascii: "e"): "Content-Encoding",
        UInt8(ascii: "l"): "Content-Length", UInt8(ascii: "c"): "Content-Type", UInt8(ascii: "f"): "From",
        UInt8(ascii: "s"): "Subject", UInt8(ascii: "k"): "Supported", UInt8(ascii: "t"): "To",
        UInt8(ascii: "v"): "Via", UInt8(ascii: "o"): "Event", UInt8(ascii: "r"): "Refer-To",
        UInt8(ascii: "b"): "Referred-By", UInt8(ascii: "u"): "Allow-Events", UInt8(ascii: "x"): "Session-Expires",
        UInt8(ascii: "y"): "Identity", UInt8(ascii: "a"): "Accept-Contact", UInt8(ascii: "j"): "Reject-Contact",
        UInt8(ascii: "d"): "Request-Disposition",
    ]

    /// Lower-cased full name → canonical spelling, for the headers we print ourselves.
    static let canonical: [String: String] = {
        let names = [
            via, from, to, callID, cseq, contact, maxForwards, contentLength, contentType, expires, minExpires,
            authorization, proxyAuthorization, wwwAuthenticate, proxyAuthenticate, route, recordRoute, require,
            proxyRequire, supported, unsupported, allow, accept, userAgent, server, date, path, retryAfter, warning,
            "Subject", "Content-Encoding", "Event", "Refer-To", "Referred-By", "Allow-Events", "Session-Expires",
            "Identity", "Accept-Contact", "Reject-Contact", "Request-Disposition", "Timestamp", "Organization",
            "Priority", "Accept-Encoding", "Accept-Language", "Alert-Info", "Call-Info", "Content-Disposition",
            "Content-Language", "Error-Info", "In-Reply-To", "MIME-Version", "Reply-To", "Min-SE", "RSeq", "RAck",
            "Privacy", "P-Asserted-Identity", "Replaces", "Subscription-State",
        ]
        var map: [String: String] = [:]
        for n in names { map[n.lowercased()] = n }
        return map
    }()

    /// Canonical spelling → (canonical, lower-cased key): the common case, where a phone sends
    /// the usual spelling, then costs one hash lookup and no lower-casing.
    static let exact: [String: (name: String, key: String)] = {
        var map: [String: (String, String)] = [:]
        for (key, name) in canonical { map[name] = (name, key) }
        return map
    }()

    /// Canonical name and lookup key for a header name as received.
    @inline(__always)
    static func nameAndKey(_ raw: String) -> (name: String, key: String) {
        if let known = exact[raw] { return known }
        let name = canonicalize(raw)
        return (name, name.lowercased())
    }

    /// Returns the canonical spelling of a header name as received (compact forms expanded).
    public static func canonicalize(_ raw: String) -> String {
        if let known = exact[raw] { return known.name }
        let utf8 = raw.utf8
        if utf8.count == 1, let first = utf8.first {
            let lower = first | 0x20
            if let full = compact[lower] { return full }
        }
        return canonical[raw.lowercased()] ?? raw
    }
}
