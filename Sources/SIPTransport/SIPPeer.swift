import NIOCore
import SIPCore

/// Which transport a message travelled on (RFC 3261 §18).
public enum SIPTransportKind: String, Sendable, Hashable {
    case udp, tcp, tls

    /// Reliable transports carry no retransmissions (RFC 3261 §17.1.1.2).
    public var isReliable: Bool { self != .udp }
    /// The Via transport token.
    public var viaToken: String { rawValue.uppercased() }
}

/// The other end of a message: transport and socket address. For streams the address
/// identifies the connection, which the transport reuses for later messages to that peer.
public struct SIPPeer: Hashable, Sendable, CustomStringConvertible {
    public var transport: SIPTransportKind
    public var address: SocketAddress

    public init(transport: SIPTransportKind, address: SocketAddress) {
        self.transport = transport
        self.address = address
    }

    public var host: String { address.ipAddress ?? "" }
    public var port: Int { address.port ?? 0 }
    public var description: String { "\(transport.rawValue):\(host):\(port)" }
}

/// A message that arrived, with where it came from and the local address it reached.
public struct InboundMessage: Sendable {
    public var message: SIPMessage
    public var peer: SIPPeer
    public var local: SocketAddress
}

/// Receives what the transport reads. Called on the transport's event loop.
public protocol SIPTransportDelegate: AnyObject, Sendable {
    func received(_ inbound: InboundMessage)
    /// A message that could not be parsed; `bytes` are what arrived (a datagram, or the stream's
    /// unparsable head), so the receiver can still answer 400 when it finds a Via.
    func failedToParse(_ error: SIPParseError, bytes: [UInt8], from peer: SIPPeer, local: SocketAddress)
}
