/// Where the server sends a call's requests: a transport and a socket address.
///
/// For a phone this is the address its REGISTER came from (so the phone's NAT binding and, over
/// TCP, its own connection are reused); for a trunk, the provider's address.
public struct CallDestination: Hashable, Sendable, CustomStringConvertible {
    /// `udp` or `tcp`.
    public var transport: String
    public var host: String
    public var port: Int

    public init(transport: String, host: String, port: Int) {
        self.transport = transport.lowercased()
        self.host = host
        self.port = port
    }

    /// Reliable transports need no retransmissions (RFC 3261 §17.1.1.2).
    public var isReliable: Bool { transport != "udp" }

    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(transport):\(h):\(port)"
    }
}
