import NIOCore
import SIPCore

/// Frames SIP messages on a TCP connection by Content-Length (RFC 3261 §18.3) and keeps the
/// connection in the transport's table so later requests to this peer reuse it.
final class StreamHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let parser: SIPParser
    let transport: SIPTransportService
    let kind: SIPTransportKind
    private var buffer: [UInt8] = []
    private var peer: SIPPeer?
    private var local: SocketAddress?

    init(parser: SIPParser, transport: SIPTransportService, kind: SIPTransportKind) {
        self.parser = parser
        self.transport = transport
        self.kind = kind
    }

    func channelActive(context: ChannelHandlerContext) {
        if let remote = context.channel.remoteAddress {
            let peer = SIPPeer(transport: kind, address: remote)
            self.peer = peer
            transport.connectionOpened(peer, channel: context.channel)
        }
        local = context.channel.localAddress
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let peer { transport.connectionClosed(peer, channel: context.channel) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if let bytes = incoming.readBytes(length: incoming.readableBytes) { buffer.append(contentsOf: bytes) }
        guard let peer, let local else { return }
        var offset = 0
        while offset < buffer.count {
            do {
                guard let (message, end) = try parser.parseStream(buffer, from: offset) else {
                    // RFC 5626 §3.5.1: a double CRLF "ping" gets a single CRLF "pong".
                    let afterPings = SIPParser.skipKeepAlives(buffer, from: offset)
                    if afterPings == buffer.count, buffer.count - offset >= 4 {
                        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: [0x0D, 0x0A])), promise: nil)
                        offset = afterPings
                    }
                    break
                }
                let start = offset
                offset = end
                // RFC 3261 §18.3: on a stream Content-Length is mandatory. The message was framed
                // as if it were 0; answer 400 rather than guess.
                if message.headers[HeaderName.contentLength] == nil {
                    transport.delegate.failedToParse(.missingHeader(HeaderName.contentLength), bytes: Array(buffer[start..<end]), from: peer, local: local)
                    continue
                }
                transport.delegate.received(InboundMessage(message: message, peer: peer, local: local))
            } catch {
                // The stream cannot be re-synchronised after a framing error: answer and close.
                transport.delegate.failedToParse(error, bytes: Array(buffer[offset...]), from: peer, local: local)
                buffer.removeAll()
                context.eventLoop.scheduleTask(in: .milliseconds(200)) { context.close(promise: nil) }
                return
            }
        }
        if offset > 0 { buffer.removeFirst(offset) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Nothing read for longer than any registration can last: the peer is gone.
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
