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
        let s = SIPGrammar.trim(Substring(text))
        // sent-protocol = protocol-name SLASH protocol-version SLASH transport, LWS allowed around SLASH
        let parts = s.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .invalidHeaderValue(header: "Via", reason: "missing SIP/2.0/transport") }
        let name = SIPGrammar.trim(parts[0])
        let version = SIPGrammar.trim(parts[1])
        guard name.uppercased() == "SIP", version == "2.0" else {
            throw .invalidHeaderValue(header: "Via", reason: "protocol must be SIP/2.0")
        }
        var rest = SIPGrammar.trim(parts[2])
        let transportEnd = rest.firstIndex(where: { !SIPGrammar.isToken($0.asciiValue ?? 0) }) ?? rest.endIndex
        let transport = rest[rest.startIndex..<transportEnd]
        guard !transport.isEmpty else { throw .invalidHeaderValue(header: "Via", reason: "missing transport") }
        rest = SIPGrammar.trim(rest[transportEnd...])
        let hostEnd = rest.firstIndex(where: { $0 == ";" || $0 == " " || $0 == "\t" }) ?? rest.endIndex
        let hostport = rest[rest.startIndex..<hostEnd]
        guard !hostport.isEmpty else { throw .invalidHeaderValue(header: "Via", reason: "missing sent-by host") }
        let host: String
        let port: Int?
        do {
            (host, port) = try SIPURI.hostAndPort(hostport, whole: String(hostport))
        } catch {
            throw .invalidHeaderValue(header: "Via", reason: "invalid sent-by '\(hostport)'")
        }
        self.transport = transport.uppercased()
        self.host = host
        self.port = port
        self.parameters = try GenericParameters.parse(rest[hostEnd...], header: "Via")
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
