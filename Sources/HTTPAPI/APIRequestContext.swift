import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core storage plus the client's address,
/// which the audit log records.
public struct APIRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// `192.0.2.7` (the client's IP), or `unknown`.
    public var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
