import Calls
import Foundation
import Voicemail
import Logging
import NIOCore
import SIPCore
import SIPTransaction
import SIPTransport

extension SIPServerCore {
    /// Creates the B2BUA. On the event loop.
    func configureCalls(trunks: [Trunk], dialplans: DialplanService, records: CallRecordWriter, mailboxes: (any MailboxStore)? = nil) {
        if let mailboxes { messageWaiting = MessageWaiting(core: self, mailboxes: mailboxes, logger: logger) }
        self.trunks = trunks
        let directory = CallDirectoryAdapter(registrar: registrar)
        callDirectory = directory
        let b2bua = B2BUA(signalling: self, directory: directory, plan: { dialplans.plan })
        b2bua.trunks = Dictionary(uniqueKeysWithValues: trunks.map { ($0.name, $0) })
        b2bua.recordCall = { records.write($0) }
        b2bua.log = { [logger] level, message, metadata in
            let l: Logger.Level =
                switch level {
                case .debug: .debug
                case .info: .info
                case .notice: .notice
                case .warning: .warning
                }
            logger.log(level: l, "\(message)", metadata: metadata.mapValues { .string($0) })
        }
        self.b2bua = b2bua
    }
}

/// The B2BUA's view of the server: transactions, transport, timers and addresses.
extension SIPServerCore: CallSignalling {
    func sendRequest(_ request: SIPRequest, to destination: CallDestination) -> ClientTransactionID {
        let peer = sipPeer(destination)
        let (id, actions) = transactions.sendRequest(request, to: peer, reliable: destination.isReliable, now: Self.nowMilliseconds())
        perform(actions)
        return id
    }

    func terminate(_ transaction: ClientTransactionID) {
        perform(transactions.terminate(.client(transaction)))
    }

    func sendACK(_ ack: SIPRequest, to destination: CallDestination) {
        transport.send(.request(ack), to: sipPeer(destination))
    }

    func schedule(afterMilliseconds milliseconds: Int64, _ body: @escaping () -> Void) -> CallTimer {
        let box = UncheckedBox(body)
        return ScheduledCallTimer(eventLoop.scheduleTask(in: .milliseconds(milliseconds)) { box.value() })
    }

    func localAddress(towards destination: CallDestination) -> (host: String, port: Int) {
        let ipv6 = destination.host.contains(":")
        let loopback = destination.host.hasPrefix("127.") || destination.host == "::1"
        if let specific = boundHosts.first(where: { $0 != "0.0.0.0" && $0 != "::" && $0.contains(":") == ipv6 }) {
            return (specific, localPort)
        }
        if loopback { return (ipv6 ? "::1" : "127.0.0.1", localPort) }
        return (advertisedHost(ipv6: ipv6), localPort)
    }

    var now: Date { Date() }

    func callDestination(_ peer: SIPPeer) -> CallDestination {
        CallDestination(transport: peer.transport.rawValue, host: peer.host, port: peer.address.port ?? 5060)
    }

    func sipPeer(_ destination: CallDestination) -> SIPPeer {
        let kind = SIPTransportKind(rawValue: destination.transport) ?? .udp
        let address =
            (try? SocketAddress(ipAddress: destination.host, port: destination.port))
            ?? (try? SocketAddress.makeAddressResolvingHost(destination.host, port: destination.port))
            ?? (try! SocketAddress(ipAddress: "127.0.0.1", port: 9))
        return SIPPeer(transport: kind, address: address)
    }
}

/// A NIO scheduled task as a `CallTimer`.
final class ScheduledCallTimer: CallTimer, @unchecked Sendable {
    private let task: Scheduled<Void>
    init(_ task: Scheduled<Void>) { self.task = task }
    func cancel() { task.cancel() }
}

/// Carries an event-loop-confined closure into `scheduleTask`, which runs it on the same loop.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
