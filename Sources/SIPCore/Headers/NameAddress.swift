/// `name-addr` or `addr-spec` with header parameters: the value of From, To, Contact,
/// Route, Record-Route, Path (RFC 3261 §20.10, §20.20, §20.39, §25.1).
public struct NameAddress: Sendable, Hashable, CustomStringConvertible {
    /// Display name, unquoted and unescaped.
    public var displayName: String?
    public var uri: URI
    /// Header parameters after the address (`;tag=...`, `;expires=...`, `;q=...`).
    public var parameters: [Parameter]

    public init(displayName: String? = nil, uri: URI, parameters: [Parameter] = []) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    public var tag: String? { parameters["tag"] }

    /// Always printed in name-addr form, which is safe whatever the URI contains.
    public var description: String {
        var s = ""
        if let displayName { s += QuotedString.quote(displayName) + " " }
        s += "<\(uri)>"
        s += parameters.printed
        return s
    }

    public init(parsing text: String, header: String = "address") throws(SIPParseError) {
        let b = Array(text.utf8)
        try self.init(b, 0, b.count, header: header)
    }

    init(_ b: [UInt8], _ from: Int, _ to: Int, header: String) throws(SIPParseError) {
        var i = Bytes.skipWhitespace(b, from, to)
        let end = Bytes.trimEnd(b, i, to)
        var display: String?
        var laquot: Int?
        if i < end, b[i] == UInt8(ascii: "\"") {
            let (quoted, after) = try QuotedString.parse(b, i, end, header: header)
            display = quoted
            i = Bytes.skipWhitespace(b, after, end)
            guard i < end, b[i] == UInt8(ascii: "<") else {
                throw .invalidHeaderValue(header: header, reason: "display name must be followed by <URI>")
            }
            laquot = i
        } else if let lt = Bytes.find(UInt8(ascii: "<"), in: b, from: i, to: end) {
            // RFC 3261 §25.1: display-name = *(token LWS) / quoted-string. We also accept UTF-8
            // letters unquoted ("Niccolò"), which phones send, but never ASCII separators.
            let nameEnd = Bytes.trimEnd(b, i, lt)
            for k in i..<nameEnd {
                let c = b[k]
                if !(c >= 0x80 || SIPGrammar.isToken(c) || c == 0x20 || c == 0x09) {
                    let word = Bytes.string(b, i, nameEnd)
                    throw .invalidHeaderValue(header: header, reason: "display name '\(word)' must be quoted")
                }
            }
            if nameEnd > i { display = Bytes.string(b, i, nameEnd) }
            laquot = lt
        }
        var paramStart: Int
        if let lt = laquot {
            guard let gt = Bytes.find(UInt8(ascii: ">"), in: b, from: lt, to: end) else {
                throw .invalidHeaderValue(header: header, reason: "missing '>'")
            }
            for k in (lt + 1)..<gt where b[k] == 0x20 || b[k] == 0x09 {
                throw .invalidHeaderValue(header: header, reason: "whitespace inside <URI>")
            }
            uri = try URI(b, lt + 1, gt, whole: Bytes.string(b, lt + 1, gt))
            paramStart = gt + 1
        } else {
            // addr-spec: the URI ends at the first ';' or whitespace and may not contain '?' or ','
            // (RFC 3261 §20: such URIs must be enclosed in angle brackets).
            var e = i
            while e < end, b[e] != UInt8(ascii: ";"), b[e] != 0x20, b[e] != 0x09 {
                if b[e] == UInt8(ascii: "?") || b[e] == UInt8(ascii: ",") {
                    throw .invalidHeaderValue(header: header, reason: "URI with '?' or ',' must be enclosed in <>")
                }
                e += 1
            }
            uri = try URI(b, i, e, whole: Bytes.string(b, i, e))
            paramStart = e
        }
        displayName = display
        parameters = try GenericParameters.parse(b, paramStart, end, header: header)
    }
}

/// `*( SEMI generic-param )` with LWS allowed around `;` and `=` (RFC 3261 §25.1).
enum GenericParameters {
    static func parse(_ text: Substring, header: String) throws(SIPParseError) -> [Parameter] {
        let b = Array(text.utf8)
        return try parse(b, 0, b.count, header: header)
    }

    static func parse(_ b: [UInt8], _ from: Int, _ to: Int, header: String) throws(SIPParseError) -> [Parameter] {
        var params: [Parameter] = []
        var i = Bytes.skipWhitespace(b, from, to)
        while i < to {
            guard b[i] == UInt8(ascii: ";") else {
                throw .invalidHeaderValue(header: header, reason: "unexpected '\(Bytes.string(b, i, min(to, i + 20)))'")
            }
            i = Bytes.skipWhitespace(b, i + 1, to)
            let nameStart = i
            while i < to, SIPGrammar.isToken(b[i]) { i += 1 }
            if i == nameStart { throw .invalidHeaderValue(header: header, reason: "empty parameter") }
            let name = Bytes.string(b, nameStart, i)
            i = Bytes.skipWhitespace(b, i, to)
            var value: String?
            if i < to, b[i] == UInt8(ascii: "=") {
                i = Bytes.skipWhitespace(b, i + 1, to)
                if i < to, b[i] == UInt8(ascii: "\"") {
                    let (q, after) = try QuotedString.parse(b, i, to, header: header)
                    value = "\"" + QuotedString.escape(q) + "\""
                    i = after
                } else {
                    // token, host or IPv6 reference
                    let valueStart = i
                    while i < to, SIPGrammar.isToken(b[i]) || b[i] == UInt8(ascii: ":") || b[i] == UInt8(ascii: "[") || b[i] == UInt8(ascii: "]") {
                        i += 1
                    }
                    if i == valueStart { throw .invalidHeaderValue(header: header, reason: "parameter '\(name)' has an empty value") }
                    value = Bytes.string(b, valueStart, i)
                }
                i = Bytes.skipWhitespace(b, i, to)
            }
            params.append(Parameter(name, value))
        }
        return params
    }
}

/// RFC 3261 §25.1 quoted-string with quoted-pair escapes.
public enum QuotedString {
    /// Parses the quoted string starting at `from` (a '"'); returns the unescaped content and
    /// the index after the closing quote.
    static func parse(_ b: [UInt8], _ from: Int, _ to: Int, header: String) throws(SIPParseError) -> (String, Int) {
        var out: [UInt8] = []
        var i = from + 1
        while i < to {
            let c = b[i]
            if c == UInt8(ascii: "\\") {
                guard i + 1 < to else { break }
                out.append(b[i + 1])
                i += 2
                continue
            }
            if c == UInt8(ascii: "\"") { return (String(decoding: out, as: UTF8.self), i + 1) }
            out.append(c)
            i += 1
        }
        throw .invalidHeaderValue(header: header, reason: "unterminated quoted string")
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    public static func quote(_ s: String) -> String { "\"" + escape(s) + "\"" }
}
