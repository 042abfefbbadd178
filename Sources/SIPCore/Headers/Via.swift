/// One Via header field value (RFC 3261 §20.42, §18.2.1; RFC 3581 rport).
public struct Via: Sendable, Hashable, CustomStringConvertible {
    /// Upper-case transport token: UDP, TCP, TLS, SCTP, WS, ... (RFC 4475 §3.1.1.10: unknown ones are legal).
    public var transport: String
    public var host: String
    public var port: Int?
    public var parameters: [Parameter]

    public init(transport: String, host: String, port: Int? = nil, parameters: [Parameter] = []) {
        self.transport = transport
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    public var branch: String? { parameters["branch"] }
    /// RFC 3261 §17.2.3: a branch starting with the magic cookie identifies the transaction.
    public var hasRFC3261Branch: Bool { branch.map { $0.hasPrefix("z9hG4bK") && $0.count > 7 } ?? false }
    public var received: String? { parameters["received"] }
    /// `rport` value; `.some(nil)` when present without a value (a request asking for it).
    public var rport: String?? { parameters.value(of: "rport") }

    public var description: String {
        var s = "SIP/2.0/\(transport) \(host)"
        if let port { s += ":\(port)" }
        return s + parameters.printed
    }

    public init(parsing text: String) throws(SIPParseError) {
        let b = Array(text.utf8)
        try self.init(b, 0, b.count)
    }

    init(_ b: [UInt8], _ from: Int, _ to: Int) throws(SIPParseError) {
        // sent-protocol = protocol-name SLASH protocol-version SLASH transport, LWS allowed around SLASH
        func token(_ i: inout Int) -> (Int, Int) {
            i = Bytes.skipWhitespace(b, i, to)
            let start = i
            while i < to, SIPGrammar.isToken(b[i]) { i += 1 }
            let range = (start, i)
            i = Bytes.skipWhitespace(b, i, to)
            return range
        }
        var i = from
        let name = token(&i)
        guard i < to, b[i] == UInt8(ascii: "/") else { throw .invalidHeaderValue(header: "Via", reason: "missing SIP/2.0/transport") }
        i += 1
        let version = token(&i)
        guard i < to, b[i] == UInt8(ascii: "/") else { throw .invalidHeaderValue(header: "Via", reason: "missing SIP/2.0/transport") }
        i += 1
        guard Bytes.equalsLowercase(b, name.0, name.1, "sip"), Bytes.equalsLowercase(b, version.0, version.1, "2.0") else {
            throw .invalidHeaderValue(header: "Via", reason: "protocol must be SIP/2.0")
        }
        let transport = token(&i)
        guard transport.1 > transport.0 else { throw .invalidHeaderValue(header: "Via", reason: "missing transport") }
        let hostStart = i
        while i < to, b[i] != UInt8(ascii: ";"), b[i] != 0x20, b[i] != 0x09 { i += 1 }
        guard i > hostStart else { throw .invalidHeaderValue(header: "Via", reason: "missing sent-by host") }
        let host: String
        let port: Int?
        do {
            (host, port) = try SIPURI.hostAndPort(b, hostStart, i, whole: "")
        } catch {
            throw .invalidHeaderValue(header: "Via", reason: "invalid sent-by '\(Bytes.string(b, hostStart, i))'")
        }
        self.transport = Bytes.string(b, transport.0, transport.1).uppercased()
        self.host = host
        self.port = port
        self.parameters = try GenericParameters.parse(b, i, Bytes.trimEnd(b, i, to), header: "Via")
    }

    /// All Via values of a message, top first.
    public static func all(in headers: SIPHeaders) throws(SIPParseError) -> [Via] {
        var vias: [Via] = []
        for value in headers.listElements(HeaderName.via) {
            vias.append(try Via(parsing: value))
        }
        return vias
    }
}
