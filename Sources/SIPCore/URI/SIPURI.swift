/// A SIP, SIPS or tel URI (RFC 3261 §19.1, RFC 3966).
///
/// Components are kept as received (escapes included) so that printing reproduces the input;
/// `decodedUser` and `==` comparison use the unescaped forms where §19.1.4 asks for it.
public struct SIPURI: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable { case sip, sips, tel }

    public var scheme: Scheme
    /// User part (or the number of a tel URI), escapes kept.
    public var user: String?
    public var password: String?
    /// Host name, IPv4 address, or IPv6 reference in brackets; empty for tel URIs.
    public var host: String
    public var port: Int?
    public var parameters: [Parameter]
    /// `?name=value&...` headers (RFC 3261 §19.1.1), escapes kept.
    public var headers: [Parameter]

    public init(
        scheme: Scheme = .sip, user: String? = nil, password: String? = nil, host: String, port: Int? = nil,
        parameters: [Parameter] = [], headers: [Parameter] = []
    ) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
    }

    public var decodedUser: String? { user.map(PercentEncoding.decode) }

    /// `transport` parameter, lower-cased.
    public var transport: String? { parameters["transport"]?.lowercased() }

    public var description: String {
        var s = scheme.rawValue + ":"
        if scheme == .tel {
            s += user ?? ""
        } else {
            if let user {
                s += user
                if let password { s += ":" + password }
                s += "@"
            }
            s += host
            if let port { s += ":\(port)" }
        }
        s += parameters.printed
        if !headers.isEmpty {
            s += "?" + headers.map { "\($0.name)=\($0.value ?? "")" }.joined(separator: "&")
        }
        return s
    }

    /// The URI without parameters and headers: `sip:user@host` — the form used for
    /// address-of-record keys (RFC 3261 §10.3 step 5: "canonicalized").
    public var addressOfRecord: String {
        let u = decodedUser.map { $0 + "@" } ?? ""
        return "\(scheme == .sips ? "sips" : "sip"):\(u)\(host.lowercased())"
    }

    public init(parsing text: String) throws(SIPParseError) {
        guard case .sip(let uri) = try URI(parsing: text) else {
            throw .invalidURI(text, "not a sip, sips or tel URI")
        }
        self = uri
    }

    // MARK: parsing

    static func parse(scheme: Scheme, rest: Substring, whole: String) throws(SIPParseError) -> SIPURI {
        for b in rest.utf8 where b <= 0x20 || b == 0x7F || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: "\"") {
            throw .invalidURI(whole, "contains a space or a character that must be escaped")
        }
        if scheme == .tel {
            let parts = rest.split(separator: ";", omittingEmptySubsequences: false)
            guard let number = parts.first, !number.isEmpty else { throw .invalidURI(whole, "empty telephone number") }
            let params = try parameters(parts.dropFirst(), whole: whole)
            return SIPURI(scheme: .tel, user: String(number), host: "", parameters: params)
        }
        var remainder = rest
        var user: String?
        var password: String?
        if let at = remainder.firstIndex(of: "@") {
            let userinfo = remainder[remainder.startIndex..<at]
            if let colon = userinfo.firstIndex(of: ":") {
                user = String(userinfo[userinfo.startIndex..<colon])
                password = String(userinfo[userinfo.index(after: colon)...])
            } else {
                user = String(userinfo)
            }
            if user?.isEmpty == true { throw .invalidURI(whole, "empty user part before '@'") }
            remainder = remainder[remainder.index(after: at)...]
        }
        var headerPart: Substring?
        if let q = remainder.firstIndex(of: "?") {
            headerPart = remainder[remainder.index(after: q)...]
            remainder = remainder[remainder.startIndex..<q]
        }
        let pieces = remainder.split(separator: ";", omittingEmptySubsequences: false)
        let hostport = pieces.first ?? ""
        let (host, port) = try hostAndPort(hostport, whole: whole)
        let params = try parameters(pieces.dropFirst(), whole: whole)
        var headers: [Parameter] = []
        if let headerPart {
            for h in headerPart.split(separator: "&", omittingEmptySubsequences: false) {
                guard let eq = h.firstIndex(of: "="), eq != h.startIndex else {
                    throw .invalidURI(whole, "URI header '\(h)' is not name=value")
                }
                headers.append(Parameter(String(h[h.startIndex..<eq]), String(h[h.index(after: eq)...])))
            }
        }
        return SIPURI(scheme: scheme, user: user, password: password, host: host, port: port, parameters: params, headers: headers)
    }

    static func parameters(_ pieces: ArraySlice<Substring>, whole: String) throws(SIPParseError) -> [Parameter] {
        var params: [Parameter] = []
        for piece in pieces {
            if piece.isEmpty { throw .invalidURI(whole, "empty URI parameter") }
            if let eq = piece.firstIndex(of: "=") {
                let name = piece[piece.startIndex..<eq]
                if name.isEmpty { throw .invalidURI(whole, "URI parameter without a name") }
                params.append(Parameter(String(name), String(piece[piece.index(after: eq)...])))
            } else {
                params.append(Parameter(String(piece)))
            }
        }
        return params
    }

    /// Splits `host[:port]`, accepting IPv6 references in brackets (RFC 3261 §25.1 hostport).
    static func hostAndPort(_ s: Substring, whole: String) throws(SIPParseError) -> (String, Int?) {
        var host: Substring
        var portText: Substring?
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw .invalidURI(whole, "unterminated IPv6 reference") }
            host = s[s.startIndex...close]
            let after = s[s.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidURI(whole, "junk after IPv6 reference") }
                portText = after.dropFirst()
            }
        } else if let colon = s.firstIndex(of: ":") {
            host = s[s.startIndex..<colon]
            portText = s[s.index(after: colon)...]
        } else {
            host = s
        }
        guard isValidHost(host) else { throw .invalidURI(whole, "invalid host '\(host)'") }
        var port: Int?
        if let portText {
            guard let p = SIPGrammar.decimal(portText, limit: 65535) else {
                throw .invalidURI(whole, "invalid port '\(portText)'")
            }
            port = Int(p)
        }
        return (String(host), port)
    }

    static func isValidHost(_ host: Substring) -> Bool {
        if host.isEmpty { return false }
        if host.hasPrefix("[") {
            return host.hasSuffix("]") && host.utf8.dropFirst().dropLast().allSatisfy {
                PercentEncoding.hex($0) != nil || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".")
            } && host.count > 2
        }
        return host.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == UInt8(ascii: "-")
                || $0 == UInt8(ascii: ".")
        }
    }
}

/// Any URI that can appear in a SIP message: SIP/SIPS/tel, or another absolute URI
/// (RFC 3261 §25.1 absoluteURI, e.g. `isbn:2983792873` in RFC 4475 §3.3.4).
public enum URI: Sendable, Hashable, CustomStringConvertible {
    case sip(SIPURI)
    case other(scheme: String, text: String)

    public var description: String {
        switch self {
        case .sip(let u): u.description
        case .other(_, let text): text
        }
    }

    public var sipURI: SIPURI? {
        if case .sip(let u) = self { return u }
        return nil
    }

    public init(parsing text: String) throws(SIPParseError) {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw .invalidURI(text, "missing scheme")
        }
        let schemeText = text[text.startIndex..<colon]
        let rest = text[text.index(after: colon)...]
        guard let first = schemeText.utf8.first, (first | 0x20) >= 0x61, (first | 0x20) <= 0x7A,
            schemeText.utf8.allSatisfy({
                ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || SIPGrammar.isDigit($0) || $0 == UInt8(ascii: "+")
                    || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
            })
        else { throw .invalidURI(text, "invalid scheme") }
        switch schemeText.lowercased() {
        case "sip": self = .sip(try SIPURI.parse(scheme: .sip, rest: rest, whole: text))
        case "sips": self = .sip(try SIPURI.parse(scheme: .sips, rest: rest, whole: text))
        case "tel": self = .sip(try SIPURI.parse(scheme: .tel, rest: rest, whole: text))
        default:
            if rest.isEmpty || rest.utf8.contains(where: { $0 <= 0x20 }) {
                throw .invalidURI(text, "invalid absolute URI")
            }
            self = .other(scheme: schemeText.lowercased(), text: text)
        }
    }
}
