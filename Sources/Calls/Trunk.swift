/// A SIP trunk: a provider the organisation's outside calls go through, and come in from.
public struct Trunk: Sendable, Equatable {
    /// The name dialplans use (`trunk carrier strip 1`).
    public var name: String
    /// Where outbound calls (and the optional REGISTER) go.
    public var destination: CallDestination
    /// The host name to put in Request-URIs and To (`sip:NUMBER@domain`); defaults to the host.
    public var domain: String
    /// Digest credentials for the provider's challenges, if it asks.
    public var username: String?
    public var password: String?
    /// Register to the provider (RFC 3261 §10.2) so it can send calls in.
    public var register: Bool
    public var registerExpires: Int
    /// The number presented as caller ID on outbound calls (the organisation's main number);
    /// nil presents the caller's extension.
    public var callerID: String?
    /// Source addresses whose INVITEs are accepted as calls in from this trunk, unchallenged.
    public var inboundSources: [String] {
        didSet { inboundAddresses = inboundSources.map(Self.address) }
    }
    /// `inboundSources` split once into host and optional port (checked on every INVITE).
    private var inboundAddresses: [InboundAddress] = []

    private struct InboundAddress: Sendable, Equatable {
        var host: String
        var port: Int?
    }
    /// The dialplan context calls in from this trunk start in.
    public var inboundContext: String
    /// The SIP domain of the organisation calls in belong to; nil means the only (first) one.
    public var organisationDomain: String?

    public init(
        name: String, destination: CallDestination, domain: String? = nil, username: String? = nil,
        password: String? = nil, register: Bool = false, registerExpires: Int = 600, callerID: String? = nil,
        inboundSources: [String] = [], inboundContext: String = "from-trunk", organisationDomain: String? = nil
    ) {
        self.name = name
        self.destination = destination
        self.domain = domain ?? destination.host
        self.username = username
        self.password = password
        self.register = register
        self.registerExpires = registerExpires
        self.callerID = callerID
        self.inboundSources = inboundSources
        self.inboundAddresses = inboundSources.map(Self.address)
        self.inboundContext = inboundContext
        self.organisationDomain = organisationDomain
    }

    /// Whether a request from `host`:`port` is a call in from this trunk: one of the listed
    /// sources (`host`, any port, or `host:port`), or the trunk's own address and port when we
    /// register to it (the provider sends from where it takes our REGISTER).
    public func accepts(source host: String, port: Int) -> Bool {
        for source in inboundAddresses where source.host == host && (source.port == nil || source.port == port) {
            return true
        }
        return register && host == destination.host && port == destination.port
    }

    /// `192.0.2.1`, `192.0.2.1:5060`, `[2001:db8::1]:5060` or `2001:db8::1`.
    private static func address(_ source: String) -> InboundAddress {
        let (host, port) = split(source)
        return InboundAddress(host: host, port: port)
    }

    public static func split(_ source: String) -> (host: String, port: Int?) {
        if source.hasPrefix("["), let close = source.firstIndex(of: "]") {
            let host = String(source[source.index(after: source.startIndex)..<close])
            let rest = source[source.index(after: close)...]
            return (host, rest.hasPrefix(":") ? Int(rest.dropFirst()) : nil)
        }
        let parts = source.split(separator: ":")
        if parts.count == 2, let port = Int(parts[1]) { return (String(parts[0]), port) }
        return (source, nil)
    }
}
