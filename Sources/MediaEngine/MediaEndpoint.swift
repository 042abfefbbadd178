import Media
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
    public private(set) var remote: SocketAddress?
    public private(set) var remoteRTCP: SocketAddress?
    private var latched = false
    private var latchedRTCP = false

    /// Relay target: what arrives here leaves through the peer towards its remote.
    public var peer: MediaEndpoint?
    /// Terminating: every RTP packet received (already parsed).
    public var onPacket: ((RTPPacket) -> Void)?

    /// Receive figures for the stream arriving here.
    public private(set) var statistics: RTPStatistics?
    public private(set) var packetsReceived = 0
    public private(set) var packetsSent = 0
    /// Last round-trip time measured from an RTCP receiver report (relay only).
    public private(set) var roundTrip: Duration?
    /// Sender reports forwarded out of this endpoint: NTP middle → when (for RTT from RRs).
    private var forwardedSR: [UInt32: UInt64] = [:]

    init(loop: EventLoop, localPort: Int, host: String, release: @escaping () -> Void) {
        self.loop = loop
        self.localPort = localPort
        self.host = host
        self.release = release
    }

    func bind(host bindHost: String) throws {
        func bootstrap(rtcp: Bool) -> DatagramBootstrap {
            DatagramBootstrap(group: loop)
                .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .channelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Inbound(endpoint: self, rtcp: rtcp)) }
                }
        }
        rtp = try bootstrap(rtcp: false).bind(host: bindHost, port: localPort).wait()
        rtcp = try bootstrap(rtcp: true).bind(host: bindHost, port: localPort + 1).wait()
    }

    /// Sets where the far end receives (from its SDP). A latched source is kept.
    public func setRemote(host: String, port: Int) {
        loop.execute { [self] in
            guard let address = try? SocketAddress(ipAddress: host, port: port) else { return }
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
        packetsSent += 1
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
        packetsReceived += 1
        // One source's packets, telephone events included (RFC 4733 §2.1: they share its numbering).
        if let sequence = buffer.getInteger(at: index + 2, as: UInt16.self), let timestamp = buffer.getInteger(at: index + 4, as: UInt32.self),
            let ssrc = buffer.getInteger(at: index + 8, as: UInt32.self)
        {
            if statistics == nil { statistics = RTPStatistics(ssrc: ssrc) }
            if statistics?.ssrc == ssrc {
                _ = statistics?.receive(sequenceNumber: sequence, timestamp: timestamp, arrival: .nanoseconds(Int64(now)))
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
        packetsSent += isRTCP ? 0 : 1
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
                        if rtt >= 0 { roundTrip = .nanoseconds(rtt) }
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

    /// Figures of the stream received here, for CDRs.
    public var figures: StreamFigures {
        let stats = statistics
        let expected = max(stats?.expected ?? 0, 0)
        let lost = max(Int64(stats?.cumulativeLost ?? 0), 0)
        return StreamFigures(
            packets: packetsReceived, lost: Int(lost), lossFraction: expected > 0 ? Double(lost) / Double(expected) : 0,
            jitterMilliseconds: stats?.jitter.milliseconds ?? 0, roundTripMilliseconds: roundTrip.map { $0 / .milliseconds(1) })
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

