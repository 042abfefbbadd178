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

    // MARK: parsing (on bytes: see Bytes)

    static func parse(scheme: Scheme, _ b: [UInt8], _ from: Int, _ to: Int, whole: String) throws(SIPParseError) -> SIPURI {
        for i in from..<to {
            let c = b[i]
            if c <= 0x20 || c == 0x7F || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c == UInt8(ascii: "\"") {
                throw .invalidURI(whole, "contains a space or a character that must be escaped")
            }
        }
        if scheme == .tel {
            let numberEnd = Bytes.find(UInt8(ascii: ";"), in: b, from: from, to: to) ?? to
            if numberEnd == from { throw .invalidURI(whole, "empty telephone number") }
            let params = try parameters(b, numberEnd, to, whole: whole)
            return SIPURI(scheme: .tel, user: Bytes.string(b, from, numberEnd), host: "", parameters: params)
        }
        var i = from
        var user: String?
        var password: String?
        if let at = Bytes.find(UInt8(ascii: "@"), in: b, from: from, to: to) {
            if at == from { throw .invalidURI(whole, "empty user part before '@'") }
            if let colon = Bytes.find(UInt8(ascii: ":"), in: b, from: from, to: at) {
                if colon == from { throw .invalidURI(whole, "empty user part before '@'") }
                user = Bytes.string(b, from, colon)
                password = Bytes.string(b, colon + 1, at)
            } else {
                user = Bytes.string(b, from, at)
            }
            i = at + 1
        }
        let question = Bytes.find(UInt8(ascii: "?"), in: b, from: i, to: to)
        let paramsEnd = question ?? to
        let hostEnd = Bytes.find(UInt8(ascii: ";"), in: b, from: i, to: paramsEnd) ?? paramsEnd
        let (host, port) = try hostAndPort(b, i, hostEnd, whole: whole)
        let params = try parameters(b, hostEnd, paramsEnd, whole: whole)
        var headers: [Parameter] = []
        if let question {
            var h = question + 1
            while h <= to {
                let e = Bytes.find(UInt8(ascii: "&"), in: b, from: h, to: to) ?? to
                guard let eq = Bytes.find(UInt8(ascii: "="), in: b, from: h, to: e), eq != h else {
                    throw .invalidURI(whole, "URI header '\(Bytes.string(b, h, e))' is not name=value")
                }
                headers.append(Parameter(Bytes.string(b, h, eq), Bytes.string(b, eq + 1, e)))
                h = e + 1
            }
        }
        return SIPURI(scheme: scheme, user: user, password: password, host: host, port: port, parameters: params, headers: headers)
    }

    /// `;name[=value]...` from `from` (which points at a ';' or equals `to`).
    static func parameters(_ b: [UInt8], _ from: Int, _ to: Int, whole: String) throws(SIPParseError) -> [Parameter] {
        guard from < to else { return [] }
        var params: [Parameter] = []
        var i = from + 1
        while i <= to {
            let e = Bytes.find(UInt8(ascii: ";"), in: b, from: i, to: to) ?? to
            if e == i { throw .invalidURI(whole, "empty URI parameter") }
            if let eq = Bytes.find(UInt8(ascii: "="), in: b, from: i, to: e) {
                if eq == i { throw .invalidURI(whole, "URI parameter without a name") }
                params.append(Parameter(Bytes.string(b, i, eq), Bytes.string(b, eq + 1, e)))
            } else {
                params.append(Parameter(Bytes.string(b, i, e)))
            }
            i = e + 1
        }
        return params
    }

    /// Splits `host[:port]`, accepting IPv6 references in brackets (RFC 3261 §25.1 hostport).
    static func hostAndPort(_ b: [UInt8], _ from: Int, _ to: Int, whole: String) throws(SIPParseError) -> (String, Int?) {
        var hostEnd = to
        var portStart: Int?
        if from < to, b[from] == UInt8(ascii: "[") {
            guard let close = Bytes.find(UInt8(ascii: "]"), in: b, from: from, to: to) else {
                throw .invalidURI(whole, "unterminated IPv6 reference")
            }
            hostEnd = close + 1
            if hostEnd < to {
                guard b[hostEnd] == UInt8(ascii: ":") else { throw .invalidURI(whole, "junk after IPv6 reference") }
                portStart = hostEnd + 1
            }
        } else if let colon = Bytes.find(UInt8(ascii: ":"), in: b, from: from, to: to) {
            hostEnd = colon
            portStart = colon + 1
        }
        guard isValidHost(b, from, hostEnd) else {
            throw .invalidURI(whole, "invalid host '\(Bytes.string(b, from, hostEnd))'")
        }
        var port: Int?
        if let portStart {
            var value = 0
            guard portStart < to, to - portStart <= 5 else { throw .invalidURI(whole, "invalid port '\(Bytes.string(b, portStart, to))'") }
            for k in portStart..<to {
                guard SIPGrammar.isDigit(b[k]) else { throw .invalidURI(whole, "invalid port '\(Bytes.string(b, portStart, to))'") }
                value = value * 10 + Int(b[k] - 0x30)
            }
            guard value <= 65535 else { throw .invalidURI(whole, "invalid port '\(Bytes.string(b, portStart, to))'") }
            port = value
        }
        return (Bytes.string(b, from, hostEnd), port)
    }

    static func hostAndPort(_ s: Substring, whole: String) throws(SIPParseError) -> (String, Int?) {
        let b = Array(s.utf8)
        return try hostAndPort(b, 0, b.count, whole: whole)
    }

    static func isValidHost(_ b: [UInt8], _ from: Int, _ to: Int) -> Bool {
        if from >= to { return false }
        if b[from] == UInt8(ascii: "[") {
            guard to - from > 2, b[to - 1] == UInt8(ascii: "]") else { return false }
            for k in (from + 1)..<(to - 1) {
                let c = b[k]
                if !(PercentEncoding.hex(c) != nil || c == UInt8(ascii: ":") || c == UInt8(ascii: ".")) { return false }
            }
            return true
        }
        for k in from..<to {
            let c = b[k]
            if !(SIPGrammar.isDigit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")) {
                return false
            }
        }
        return true
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
        let b = Array(text.utf8)
        try self.init(b, 0, b.count, whole: text)
    }

    init(_ b: [UInt8], _ from: Int, _ to: Int, whole: String) throws(SIPParseError) {
        guard let colon = Bytes.find(UInt8(ascii: ":"), in: b, from: from, to: to), colon != from else {
            throw .invalidURI(whole, "missing scheme")
        }
        let first = b[from] | 0x20
        guard first >= 0x61, first <= 0x7A else { throw .invalidURI(whole, "invalid scheme") }
        for k in from..<colon {
            let c = b[k]
            if !((c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || SIPGrammar.isDigit(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")) {
                throw .invalidURI(whole, "invalid scheme")
            }
        }
        if Bytes.equalsLowercase(b, from, colon, "sip") {
            self = .sip(try SIPURI.parse(scheme: .sip, b, colon + 1, to, whole: whole))
        } else if Bytes.equalsLowercase(b, from, colon, "sips") {
            self = .sip(try SIPURI.parse(scheme: .sips, b, colon + 1, to, whole: whole))
        } else if Bytes.equalsLowercase(b, from, colon, "tel") {
            self = .sip(try SIPURI.parse(scheme: .tel, b, colon + 1, to, whole: whole))
        } else {
            if colon + 1 >= to { throw .invalidURI(whole, "invalid absolute URI") }
            for k in (colon + 1)..<to where b[k] <= 0x20 { throw .invalidURI(whole, "invalid absolute URI") }
            self = .other(scheme: Bytes.string(b, from, colon).lowercased(), text: Bytes.string(b, from, to))
        }
    }
}
