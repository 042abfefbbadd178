import NIOCore
import SIPCore

/// Reads SIP datagrams: one message per datagram (RFC 3261 §18.3).
final class DatagramHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let parser: SIPParser
    let delegate: SIPTransportDelegate
    private var local: SocketAddress?

    init(parser: SIPParser, delegate: SIPTransportDelegate) {
        self.parser = parser
        self.delegate = delegate
    }

    func channelActive(context: ChannelHandlerContext) {
        local = context.channel.localAddress
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var buffer = envelope.data
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return }
        let peer = SIPPeer(transport: .udp, address: envelope.remoteAddress)
        let local = self.local ?? envelope.remoteAddress
        // A datagram of only CRLFs is a keep-alive ping (RFC 5626 §3.5.1): answer with one CRLF.
        if SIPParser.skipKeepAlives(bytes, from: 0) == bytes.count {
            if bytes.count >= 4 {
                let pong = context.channel.allocator.buffer(bytes: [0x0D, 0x0A])
                context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: pong)), promise: nil)
            }
            return
        }
        do {
            let message = try parser.parseDatagram(bytes)
            delegate.received(InboundMessage(message: message, peer: peer, local: local))
        } catch {
            delegate.failedToParse(error, bytes: bytes, from: peer, local: local)
        }
    }

    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP port unreachable and similar arrive here; a UDP socket stays usable.
    }
}
