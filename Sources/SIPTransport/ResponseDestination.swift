import NIOCore
import SIPCore

/// Where a response goes (RFC 3261 §18.2.2 with RFC 3581 §4): over the connection the request
/// came on for streams; for UDP to the `received` address and the `rport` port when the client
/// asked for it, else the sent-by port, else 5060. Via `maddr` is not honoured (reflection).
public enum ResponseDestination {
    public static func peer(for topVia: Via, requestCameFrom source: SIPPeer) -> SIPPeer {
        if source.transport.isReliable { return source }
        // `maddr` is ignored: honouring it would let anyone aim our responses at a third party.
        // The request's source address is the `received` address; with rport we also use its port.
        if topVia.rport != nil { return source }
        var address = source.address
        let port = topVia.port ?? 5060
        if let ip = source.address.ipAddress, let a = try? SocketAddress(ipAddress: ip, port: port) { address = a }
        return SIPPeer(transport: .udp, address: address)
    }

    /// Adds `received` and fills `rport` on the top Via of a request as a server must
    /// (RFC 3261 §18.2.1, RFC 3581 §4). Returns the Via as it now stands.
    @discardableResult
    public static func stampTopVia(_ request: inout SIPRequest, topVia: Via, source: SIPPeer) -> Via {
        var via = topVia
        var changed = false
        let sourceHost = source.host
        if via.host != sourceHost {
            via.parameters.set("received", sourceHost)
            changed = true
        }
        if via.rport != nil {
            via.parameters.set("rport", String(source.port))
            if via.received == nil { via.parameters.set("received", sourceHost) }
            changed = true
        }
        if changed { request.headers.replaceTopVia(with: via.description) }
        return via
    }
}
