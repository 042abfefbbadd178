import NIOCore
import NIOPosix
import SIPCore

/// UDP and TCP listeners on IPv4 and IPv6, and the sending side: responses and requests go out
/// over the matching UDP socket, or over an open connection to the peer, opening one if needed.
///
/// All state is confined to one event loop: handlers, the connection table and the delegate
/// run there, so the SIP layers above need no locks.
public final class SIPTransportService: @unchecked Sendable {
    public let eventLoop: EventLoop
    let group: EventLoopGroup
    let parser: SIPParser
    public private(set) var delegate: SIPTransportDelegate
    private var udpChannels: [Channel] = []
    private var tcpListeners: [Channel] = []
    private var connections: [SIPPeer: Channel] = [:]

    static let vectorReadCount = 16

    /// A TCP connection on which nothing arrives for this long is closed (phones send CRLF
    /// keep-alives or re-register well within it).
    public var idleTimeout: TimeAmount = .seconds(86_400 + 60)
    /// Most simultaneous TCP connections from one IP address; more are refused at once.
    public var maxConnectionsPerAddress = 64
    private var connectionsPerAddress: [String: Int] = [:]

    public init(group: EventLoopGroup, limits: ParserLimits = .default, delegate: SIPTransportDelegate) {
        self.group = group
        self.eventLoop = group.next()
        self.parser = SIPParser(limits: limits)
        self.delegate = delegate
    }

    /// Binds UDP and TCP on `host:port` (port 0 picks a free one, shared by both when possible).
    /// Returns the UDP and TCP local addresses.
    public func bind(host: String, port: Int, udp: Bool = true, tcp: Bool = true) async throws -> [SocketAddress] {
        var bound: [SocketAddress] = []
        var port = port
        if udp {
            let handler = DatagramHandler(parser: parser, delegate: delegate)
            let channel = try await DatagramBootstrap(group: eventLoop)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                // recvmmsg: the receive buffer is split between the messages of one vector read,
                // so it must hold `count` datagrams of the largest size we accept.
                .channelOption(.datagramVectorReadMessageCount, value: Self.vectorReadCount)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.vectorReadCount * parser.limits.maxMessageSize))
                .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
                }
                .bind(host: host, port: port).get()
            udpChannels.append(channel)
            if let a = channel.localAddress {
                bound.append(a)
                if port == 0 { port = a.port ?? 0 }
            }
        }
        if tcp {
            let listener = try await ServerBootstrap(group: eventLoop)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                        try channel.pipeline.syncOperations.addHandler(StreamHandler(parser: parser, transport: self, kind: .tcp))
                    }
                }
                .bind(host: host, port: port).get()
            tcpListeners.append(listener)
            if let a = listener.localAddress { bound.append(a) }
        }
        return bound
    }

    /// Sends a message to a peer. Safe to call from any thread.
    public func send(_ message: SIPMessage, to peer: SIPPeer) {
        if eventLoop.inEventLoop {
            sendOnLoop(message.serialized(), to: peer, message: message)
        } else {
            let bytes = message.serialized()
            eventLoop.execute { self.sendOnLoop(bytes, to: peer, message: message) }
        }
    }

    /// RFC 3261 §18.2.2: when the connection a request came on has closed, its response goes
    /// over a new connection to the `received` address and the Via sent-by port (default 5060),
    /// where the client listens, not to the closed connection's ephemeral port.
    static func responseFallback(_ message: SIPMessage, peer: SIPPeer) -> SocketAddress? {
        guard peer.transport == .tcp, case .response(let response) = message,
            let top = response.headers.listElements(HeaderName.via).first, let via = try? Via(parsing: top)
        else { return nil }
        let host = via.received ?? peer.host
        return try? SocketAddress(ipAddress: host, port: via.port ?? 5060)
    }

    /// Sends already serialized bytes (a retransmission, a keep-alive).
    public func send(bytes: [UInt8], to peer: SIPPeer) {
        if eventLoop.inEventLoop { sendOnLoop(bytes, to: peer) } else { eventLoop.execute { self.sendOnLoop(bytes, to: peer) } }
    }

    /// `message` is given when known, so that a response whose connection has closed can find
    /// its Via (parsed only in that rare case, not on every send).
    private func sendOnLoop(_ bytes: [UInt8], to peer: SIPPeer, message: SIPMessage? = nil) {
        switch peer.transport {
        case .udp:
            guard let channel = udpChannel(for: peer.address) else { return }
            let buffer = channel.allocator.buffer(bytes: bytes)
            // Written now, flushed once at the end of this event-loop tick: the responses to a
            // whole batch of received datagrams then leave in one sendmmsg call.
            channel.write(AddressedEnvelope(remoteAddress: peer.address, data: buffer), promise: nil)
            scheduleFlush(channel)
        case .tcp, .tls:
            if let channel = connections[peer] {
                channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
                return
            }
            guard peer.transport == .tcp else { return }
            // The connection is gone: open a new one (for a response, to the Via's sent-by port).
            let fallback = message.flatMap { Self.responseFallback($0, peer: peer) }
            ClientBootstrap(group: eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .channelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(StreamHandler(parser: parser, transport: self, kind: .tcp))
                    }
                }
                .connect(to: fallback ?? peer.address)
                .whenSuccess { channel in
                    channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
                }
        }
    }

    private var unflushed: [ObjectIdentifier: Channel] = [:]

    private func scheduleFlush(_ channel: Channel) {
        if unflushed.isEmpty {
            eventLoop.execute { [self] in
                let channels = unflushed.values
                unflushed.removeAll(keepingCapacity: true)
                for c in channels { c.flush() }
            }
        }
        unflushed[ObjectIdentifier(channel)] = channel
    }

    private func udpChannel(for address: SocketAddress) -> Channel? {
        let wantsV6: Bool = if case .v6 = address { true } else { false }
        return udpChannels.first { channel in
            guard let local = channel.localAddress else { return false }
            if case .v6 = local { return wantsV6 }
            return !wantsV6
        } ?? udpChannels.first
    }

    func connectionOpened(_ peer: SIPPeer, channel: Channel) {
        let count = connectionsPerAddress[peer.host, default: 0] + 1
        connectionsPerAddress[peer.host] = count
        if count > maxConnectionsPerAddress {
            channel.close(promise: nil)
            return
        }
        connections[peer] = channel
    }

    func connectionClosed(_ peer: SIPPeer, channel: Channel) {
        if connections[peer] === channel { connections[peer] = nil }
        let count = (connectionsPerAddress[peer.host] ?? 1) - 1
        connectionsPerAddress[peer.host] = count > 0 ? count : nil
    }

    /// Whether a stream connection to this peer is open (for tests and diagnostics).
    public func hasConnection(to peer: SIPPeer) -> EventLoopFuture<Bool> {
        eventLoop.submit { self.connections[peer] != nil }
    }

    public func close() async {
        let all = (try? await eventLoop.submit { self.udpChannels + self.tcpListeners + Array(self.connections.values) }.get()) ?? []
        for channel in all { try? await channel.close() }
    }
}
