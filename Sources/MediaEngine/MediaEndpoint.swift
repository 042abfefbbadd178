import Glibc
import Media
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One side of a call's media on the server: an RTP socket and its RTCP socket (port + 1).
///
/// It either terminates the stream (packets go to `onPacket`, a voice application sends with
/// `send`) or relays it (packets go out through `peer` to the other party unchanged).
/// Symmetric RTP (RFC 4961): the first packet's source replaces the address SDP gave, so a phone
/// behind NAT gets its media where it really sends from.
///
/// Event-loop confined: state changes only on `loop` (use `loop.execute` from elsewhere).
public final class MediaEndpoint: @unchecked Sendable {
    public let loop: EventLoop
    public let localPort: Int
    /// The address we advertise in SDP.
    public let host: String
    private let release: () -> Void
    private var rtp: Channel?
    private var rtcp: Channel?
    private var closed = false

    /// Where RTP and RTCP go: from SDP, then latched to the real source.
    private var remote: SocketAddress?
    private var remoteRTCP: SocketAddress?
    private var latched = false
    /// The address the far end's SDP gave, to tell a new SDP from a repeated one.
    private var sdpRemote: SocketAddress?
    private var latchedRTCP = false

    /// Relay target: what arrives here leaves through the peer towards its remote.
    public var peer: MediaEndpoint?
    /// Terminating: every RTP packet received (already parsed).
    public var onPacket: ((RTPPacket) -> Void)?

    /// Receive figures for the stream arriving here; written on the loop, read from anywhere.
    private let statsLock = NIOLock()
    private var statistics: RTPStatistics?
    private var packetsReceived = 0
    /// Last round-trip time measured from an RTCP receiver report (relay only).
    private var roundTrip: Duration?
    /// Sender reports forwarded out of this endpoint: NTP middle → when (for RTT from RRs).
    private var forwardedSR: [UInt32: UInt64] = [:]

    init(loop: EventLoop, localPort: Int, host: String, release: @escaping () -> Void) {
        self.loop = loop
        self.localPort = localPort
        self.host = host
        self.release = release
    }

    /// Binds both sockets now (so a port in use fails here, synchronously, and the next pair
    /// can be tried) and registers them with the event loop in the background: this may run
    /// on any event loop, where waiting for a future is not allowed.
    func bind(host bindHost: String) throws {
        let address = try SocketAddress(ipAddress: bindHost, port: localPort)
        let rtpSocket = try Self.boundSocket(address)
        let rtcpSocket: CInt
        do {
            rtcpSocket = try Self.boundSocket(try SocketAddress(ipAddress: bindHost, port: localPort + 1))
        } catch {
            _ = Glibc.close(rtpSocket)
            throw error
        }
        for (socket, isRTCP) in [(rtpSocket, false), (rtcpSocket, true)] {
            DatagramBootstrap(group: loop)
                .channelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Inbound(endpoint: self, rtcp: isRTCP)) }
                }
                .withBoundSocket(socket)
                .whenComplete { [self] result in
                    // On the loop: a close that came first closes the new channel too.
                    guard case .success(let channel) = result else { return }
                    if closed {
                        channel.close(promise: nil)
                    } else if isRTCP {
                        rtcp = channel
                    } else {
                        rtp = channel
                    }
                }
        }
    }

    /// A UDP socket bound to `address`, or an error (the port is in use).
    private static func boundSocket(_ address: SocketAddress) throws -> CInt {
        let family = address.protocol.rawValue
        let fd = Glibc.socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw MediaEngineError.socket("socket() failed: errno \(errno)") }
        let result = address.withSockAddr { pointer, length in Glibc.bind(fd, pointer, socklen_t(length)) }
        guard result == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            throw MediaEngineError.socket("bind \(address) failed: errno \(code)")
        }
        return fd
    }

    /// Sets where the far end receives (from its SDP). The same SDP again keeps a latched
    /// source; a new address (another phone answered, a re-INVITE moved the media) is used and
    /// latched afresh from its first packet.
    public func setRemote(host: String, port: Int) {
        loop.execute { [self] in
            guard let address = try? SocketAddress(ipAddress: host, port: port) else { return }
            if address != sdpRemote {
                sdpRemote = address
                latched = false
                latchedRTCP = false
            }
            if !latched { remote = address }
            if !latchedRTCP { remoteRTCP = try? SocketAddress(ipAddress: host, port: port + 1) }
        }
    }

    /// Sends one RTP packet to the far end. On the loop.
    public func send(_ packet: RTPPacket) {
        guard let rtp, let remote, !closed else { return }
        let bytes = packet.serialized()
        var buffer = rtp.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        rtp.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: buffer), promise: nil)
    }

    /// Closes both sockets and returns the port pair to the pool. Safe from any thread, twice.
    public func close() {
        loop.execute { [self] in
            guard !closed else { return }
            closed = true
            peer = nil
            onPacket = nil
            rtp?.close(promise: nil)
            rtcp?.close(promise: nil)
            release()
        }
    }

    // MARK: receiving

    fileprivate func received(_ envelope: AddressedEnvelope<ByteBuffer>, rtcp isRTCP: Bool) {
        guard !closed else { return }
        let now = NIODeadline.now().uptimeNanoseconds
        var buffer = envelope.data
        // RFC 5761 §4: with rtcp-mux, RTCP (PT 200-204 in the second octet) shares the RTP port.
        let secondOctet = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) ?? 0
        if isRTCP || (200...204).contains(secondOctet) {
            if isRTCP, !latchedRTCP {
                remoteRTCP = envelope.remoteAddress
                latchedRTCP = true
            }
            receivedRTCP(buffer, now: now, muxed: !isRTCP)
            return
        }
        let index = buffer.readerIndex
        guard buffer.readableBytes >= 12, let first = buffer.getInteger(at: index, as: UInt8.self), first >> 6 == 2 else { return }
        if !latched {
            latched = true
            remote = envelope.remoteAddress
        }
        // One source's packets, telephone events included (RFC 4733 §2.1: they share its numbering).
        if let sequence = buffer.getInteger(at: index + 2, as: UInt16.self), let timestamp = buffer.getInteger(at: index + 4, as: UInt32.self),
            let ssrc = buffer.getInteger(at: index + 8, as: UInt32.self)
        {
            statsLock.withLock {
                packetsReceived += 1
                if statistics == nil { statistics = RTPStatistics(ssrc: ssrc) }
                if statistics?.ssrc == ssrc {
                    _ = statistics?.receive(sequenceNumber: sequence, timestamp: timestamp, arrival: .nanoseconds(Int64(now)))
                }
            }
        }
        if let peer {
            peer.forward(buffer)
        } else if let onPacket, let bytes = buffer.readBytes(length: buffer.readableBytes), let packet = try? RTPPacket(parsing: bytes) {
            onPacket(packet)
        }
    }

    /// Sends a relayed datagram out of this endpoint unchanged.
    fileprivate func forward(_ buffer: ByteBuffer, rtcp isRTCP: Bool = false) {
        guard !closed, let channel = isRTCP ? rtcp : rtp, let target = isRTCP ? remoteRTCP : remote else { return }
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: buffer), promise: nil)
    }

    private func receivedRTCP(_ buffer: ByteBuffer, now: UInt64, muxed: Bool) {
        var copy = buffer
        if let bytes = copy.readBytes(length: copy.readableBytes), let packets = try? RTCPPacket.parseCompound(bytes) {
            for packet in packets {
                let blocks: [RTCPReportBlock]
                switch packet {
                case .senderReport(let sr):
                    // Going out through the peer: remember when, to time the far side's answer.
                    if let peer { peer.noteForwardedSR(sr.ntpMiddle, at: now) }
                    blocks = sr.reports
                case .receiverReport(let rr): blocks = rr.reports
                case .other: blocks = []
                }
                for block in blocks where block.lastSR != 0 {
                    if let sentAt = forwardedSR[block.lastSR] {
                        let held = Int64(block.delaySinceLastSR) * 1_000_000_000 / 65536
                        let rtt = Int64(now) - Int64(sentAt) - held
                        if rtt >= 0 { statsLock.withLock { roundTrip = .nanoseconds(rtt) } }
                    }
                }
            }
        }
        if let peer { peer.forward(buffer, rtcp: !muxed) }
    }

    private func noteForwardedSR(_ middle: UInt32, at time: UInt64) {
        if forwardedSR.count > 16 { forwardedSR.removeAll() }
        forwardedSR[middle] = time
    }

    /// Figures of the stream received here, for CDRs. Safe from any thread.
    public var figures: StreamFigures {
        statsLock.lock()
        let stats: RTPStatistics? = statistics
        let received: Int = packetsReceived
        let rtt: Duration? = roundTrip
        statsLock.unlock()
        let expected: Int64 = max(stats?.expected ?? 0, 0)
        let lost: Int64 = max(Int64(stats?.cumulativeLost ?? 0), 0)
        let fraction: Double = expected > 0 ? Double(lost) / Double(expected) : 0
        let jitter: Double = stats?.jitter.milliseconds ?? 0
        var rttMilliseconds: Double?
        if let rtt { rttMilliseconds = rtt / .milliseconds(1) }
        return StreamFigures(packets: received, lost: Int(lost), lossFraction: fraction, jitterMilliseconds: jitter, roundTripMilliseconds: rttMilliseconds)
    }
}

/// Receive figures of one direction of a call.
public struct StreamFigures: Sendable, Equatable {
    public var packets: Int
    public var lost: Int
    public var lossFraction: Double
    public var jitterMilliseconds: Double
    public var roundTripMilliseconds: Double?
}

/// Hands datagrams to the endpoint (on its loop).
private final class Inbound: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let endpoint: MediaEndpoint
    let rtcp: Bool

    init(endpoint: MediaEndpoint, rtcp: Bool) {
        self.endpoint = endpoint
        self.rtcp = rtcp
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        endpoint.received(unwrapInboundIn(data), rtcp: rtcp)
    }
}

