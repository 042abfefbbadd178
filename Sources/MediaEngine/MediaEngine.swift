import Media
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The server's RTP sockets: a pool of UDP port pairs (RTP on an even port, RTCP on the next,
/// RFC 3550 §11) from a configured range, served by their own event loops so media never waits
/// behind SIP or storage.
public final class MediaEngine: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// The address RTP sockets bind to.
        public var bindHost: String
        /// The address written into SDP (what phones send to); `bindHost` unless it is a wildcard.
        public var advertisedHost: String
        /// UDP ports to use, e.g. 20000...29999.
        public var ports: ClosedRange<Int>
        public var threads: Int

        public init(bindHost: String = "127.0.0.1", advertisedHost: String? = nil, ports: ClosedRange<Int> = 20000...29999, threads: Int = 2) {
            self.bindHost = bindHost
            self.advertisedHost = advertisedHost ?? bindHost
            self.ports = ports
            self.threads = threads
        }
    }

    public let configuration: Configuration
    public let group: MultiThreadedEventLoopGroup
    private let lock = NIOLock()
    private var inUse: Set<Int> = []
    private var nextPort: Int

    public init(configuration: Configuration) {
        self.configuration = configuration
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        // A random start, so the next call's ports are not trivially guessed.
        let first = configuration.ports.lowerBound % 2 == 0 ? configuration.ports.lowerBound : configuration.ports.lowerBound + 1
        let pairs = max(1, (configuration.ports.upperBound - first) / 2)
        nextPort = first + 2 * Int.random(in: 0..<pairs)
    }

    /// Endpoints open now.
    public var openEndpoints: Int { lock.withLock { inUse.count } }

    /// A loop to keep the endpoints of one call together on.
    public func nextLoop() -> EventLoop { group.next() }

    /// Opens an endpoint on the next free port pair. Blocks while the sockets bind (microseconds
    /// on loopback). Ports another program holds are skipped.
    public func openEndpoint(on loop: EventLoop? = nil) throws -> MediaEndpoint {
        let loop = loop ?? group.next()
        let range = configuration.ports
        let pairs = max(1, (range.upperBound - range.lowerBound) / 2)
        for _ in 0..<min(pairs, 64) {
            guard let port = reservePort() else { break }
            let endpoint = MediaEndpoint(loop: loop, localPort: port, host: configuration.advertisedHost, release: { [weak self] in self?.releasePort(port) })
            do {
                try endpoint.bind(host: configuration.bindHost)
                return endpoint
            } catch {
                endpoint.close()
                continue
            }
        }
        throw MediaEngineError.noFreePort(range)
    }

    private func reservePort() -> Int? {
        lock.withLock {
            let range = configuration.ports
            let pairs = max(1, (range.upperBound - range.lowerBound) / 2)
            for _ in 0..<pairs {
                let port = nextPort
                nextPort += 2
                if nextPort + 1 > range.upperBound { nextPort = range.lowerBound % 2 == 0 ? range.lowerBound : range.lowerBound + 1 }
                if port + 1 <= range.upperBound, !inUse.contains(port) {
                    inUse.insert(port)
                    return port
                }
            }
            return nil
        }
    }

    private func releasePort(_ port: Int) {
        _ = lock.withLock { inUse.remove(port) }
    }

    public func shutdown() {
        try? group.syncShutdownGracefully()
    }
}

public enum MediaEngineError: Error, CustomStringConvertible {
    case noFreePort(ClosedRange<Int>)
    case socket(String)

    public var description: String {
        switch self {
        case .noFreePort(let range): "no free RTP port pair in \(range.lowerBound)-\(range.upperBound)"
        case .socket(let text): text
        }
    }
}
