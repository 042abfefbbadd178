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
        let s = SIPGrammar.trim(Substring(text))
        var rest: Substring
        var display: String?
        if s.hasPrefix("\"") {
            let (quoted, after) = try QuotedString.parse(s, header: header)
            display = quoted
            rest = SIPGrammar.trim(after)
            guard rest.hasPrefix("<") else { throw .invalidHeaderValue(header: header, reason: "display name must be followed by <URI>") }
        } else if let lt = s.firstIndex(of: "<") {
            let name = SIPGrammar.trim(s[s.startIndex..<lt])
            // RFC 3261 §25.1: display-name = *(token LWS) / quoted-string. We also accept UTF-8
            // letters unquoted ("Niccolò"), which phones send, but never ASCII separators.
            for word in name.split(whereSeparator: { $0 == " " || $0 == "\t" })
            where !word.utf8.allSatisfy({ $0 >= 0x80 || SIPGrammar.isToken($0) }) {
                throw .invalidHeaderValue(header: header, reason: "display name '\(word)' must be quoted")
            }
            display = name.isEmpty ? nil : String(name)
            rest = s[lt...]
        } else {
            rest = s
        }
        var paramText: Substring
        if rest.hasPrefix("<") {
            guard let gt = rest.firstIndex(of: ">") else {
                throw .invalidHeaderValue(header: header, reason: "missing '>'")
            }
            let inner = rest[rest.index(after: rest.startIndex)..<gt]
            if inner.utf8.contains(where: { $0 == 0x20 || $0 == 0x09 }) {
                throw .invalidHeaderValue(header: header, reason: "whitespace inside <URI>")
            }
            uri = try URI(parsing: String(inner))
            paramText = rest[rest.index(after: gt)...]
        } else {
            // addr-spec: the URI ends at the first ';' and may not contain '?' or ','
            // (RFC 3261 §20: such URIs must be enclosed in angle brackets).
            let end = rest.firstIndex(where: { $0 == ";" || $0 == " " || $0 == "\t" }) ?? rest.endIndex
            let spec = rest[rest.startIndex..<end]
            if spec.contains("?") || spec.contains(",") {
                throw .invalidHeaderValue(header: header, reason: "URI with '?' or ',' must be enclosed in <>")
            }
            uri = try URI(parsing: String(spec))
            paramText = rest[end...]
        }
        displayName = display
        parameters = try GenericParameters.parse(paramText, header: header)
    }
}

/// `*( SEMI generic-param )` with LWS allowed around `;` and `=` (RFC 3261 §25.1).
enum GenericParameters {
    static func parse(_ text: Substring, header: String) throws(SIPParseError) -> [Parameter] {
        var params: [Parameter] = []
        var rest = SIPGrammar.trim(text)
        while !rest.isEmpty {
            guard rest.hasPrefix(";") else {
                throw .invalidHeaderValue(header: header, reason: "unexpected '\(rest.prefix(20))'")
            }
            rest = SIPGrammar.trim(rest.dropFirst())
            let nameEnd = rest.firstIndex(where: { !SIPGrammar.isToken($0.asciiValue ?? 0) }) ?? rest.endIndex
            let name = rest[rest.startIndex..<nameEnd]
            if name.isEmpty { throw .invalidHeaderValue(header: header, reason: "empty parameter") }
            rest = SIPGrammar.trim(rest[nameEnd...])
            var value: String?
            if rest.hasPrefix("=") {
                rest = SIPGrammar.trim(rest.dropFirst())
                if rest.hasPrefix("\"") {
                    let (q, after) = try QuotedString.parse(rest, header: header)
                    value = "\"" + QuotedString.escape(q) + "\""
                    rest = SIPGrammar.trim(after)
                } else {
                    // token, host or IPv6 reference
                    let end = rest.firstIndex(where: {
                        let b = $0.asciiValue ?? 0
                        return !(SIPGrammar.isToken(b) || b == UInt8(ascii: ":") || b == UInt8(ascii: "[")
                            || b == UInt8(ascii: "]"))
                    }) ?? rest.endIndex
                    let v = rest[rest.startIndex..<end]
                    if v.isEmpty { throw .invalidHeaderValue(header: header, reason: "parameter '\(name)' has an empty value") }
                    value = String(v)
                    rest = SIPGrammar.trim(rest[end...])
                }
            }
            params.append(Parameter(String(name), value))
        }
        return params
    }
}

/// RFC 3261 §25.1 quoted-string with quoted-pair escapes.
public enum QuotedString {
    /// Parses a quoted string at the start of `s`; returns the unescaped content and the rest.
    static func parse(_ s: Substring, header: String) throws(SIPParseError) -> (String, Substring) {
        var out = ""
        var i = s.index(after: s.startIndex)
        while i < s.endIndex {
            let c = s[i]
            if c == "\\" {
                let next = s.index(after: i)
                guard next < s.endIndex else { break }
                out.append(s[next])
                i = s.index(after: next)
                continue
            }
            if c == "\"" { return (out, s[s.index(after: i)...]) }
            out.append(c)
            i = s.index(after: i)
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
