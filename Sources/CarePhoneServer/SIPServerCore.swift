import Calls
import Directory
import Foundation
import Logging
import NIOCore
import Registrar
import SIPCore
import SIPTransaction
import SIPTransport

/// The SIP application: receives what the transport parsed, runs it through the transaction
/// layer and dispatches requests to the registrar and the other request handlers.
///
/// Everything here runs on the transport's event loop; nothing is shared with other threads
/// except through `eventLoop.execute`.
final class SIPServerCore: SIPTransportDelegate, @unchecked Sendable {
    let eventLoop: EventLoop
    let logger: Logger
    let registrar: Registrar
    let writer: BindingWriter
    let bindingStore: BindingStore
    var transport: SIPTransportService!
    var transactions: TransactionLayer<SIPPeer>
    /// Option tags we really implement: session timers (RFC 4028, relayed and enforced by the
    /// B2BUA). Path, outbound and GRUU are stored or parsed but not answered as RFC
    /// 3327/5626/5627 require, so `Require:` with those gets 420.
    private let inspection = RequestInspection(
        allowedMethods: [.register, .options, .invite, .ack, .bye, .cancel, .update, .info, .subscribe], supportedExtensions: ["timer"],
        // SDP, and the DTMF bodies of INFO (the key fallback of phones without RFC 4733).
        acceptedContentTypes: ["application/sdp", "application/dtmf-relay", "application/dtmf"])
    /// Message-waiting subscriptions and NOTIFYs; set up by `configureCalls`.
    var messageWaiting: MessageWaiting?
    /// The call controller; set up by `configureCalls`.
    var b2bua: B2BUA!
    var callDirectory: CallDirectoryAdapter!
    var trunks: [Trunk] = []
    /// The SIP port and the addresses the transport is bound to (for Via and Contact).
    var localPort = 5060
    var boundHosts: [String] = []
    private var ticker: RepeatedTask?
    private var sweeper: RepeatedTask?
    private var qualifier: RepeatedTask?
    /// OPTIONS pings in flight, for logging their outcome.
    private var qualifying: [ClientTransactionID: Binding] = [:]
    /// Seconds between OPTIONS pings to every registered contact (0 = off).
    var qualifyInterval: Int64 = 0

    init(eventLoop: EventLoop, registrar: Registrar, bindingStore: BindingStore, logger: Logger) {
        self.eventLoop = eventLoop
        self.registrar = registrar
        self.bindingStore = bindingStore
        self.writer = BindingWriter(store: bindingStore, eventLoop: eventLoop)
        self.logger = logger
        self.transactions = TransactionLayer<SIPPeer>()
        registrar.log = { [logger] event in Self.log(event, logger) }
    }

    func start() {
        writer.start()
        ticker = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(50), delay: .milliseconds(50)) { [self] _ in
            perform(transactions.advance(to: Self.nowMilliseconds()))
        }
        sweeper = eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [self] _ in
            sweepExpiredBindings()
        }
        if qualifyInterval > 0 {
            qualifier = eventLoop.scheduleRepeatedTask(initialDelay: .seconds(qualifyInterval), delay: .seconds(qualifyInterval)) { [self] _ in
                qualifyAll()
            }
        }
    }

    func stop() {
        b2bua?.endAll()
        qualifier?.cancel()
        ticker?.cancel()
        sweeper?.cancel()
        writer.stop()
    }

    static func nowMilliseconds() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }
    static func nowSeconds() -> Int64 { Int64(Date().timeIntervalSince1970) }

    // MARK: SIPTransportDelegate

    func received(_ inbound: InboundMessage) {
        switch inbound.message {
        case .request(var request):
            // A blocked source gets no answer at all, not even a 400.
            if registrar.isBlocked(inbound.peer.host, now: Self.nowSeconds()) { return }
            let routing: RoutingHeaders
            do { routing = try RoutingHeaders(inbound.message) } catch {
                answerMalformed(request, error: error, from: inbound.peer)
                return
            }
            // RFC 3261 §18.2.1 / RFC 3581: record where the request really came from.
            var stamped = routing
            stamped.vias[0] = ResponseDestination.stampTopVia(&request, topVia: routing.topVia, source: inbound.peer)
            let replyTo = ResponseDestination.peer(for: routing.topVia, requestCameFrom: inbound.peer)
            let actions = transactions.receiveRequest(request, routing: stamped, from: replyTo, reliable: inbound.peer.transport.isReliable, now: Self.nowMilliseconds())
            perform(actions, local: inbound.local, source: inbound.peer)
        case .response(let response):
            // Responses must have valid routing headers; broken ones are dropped (RFC 4475 §3.1.2.19).
            guard let routing = try? RoutingHeaders(inbound.message) else { return }
            perform(transactions.receiveResponse(response, routing: routing, now: Self.nowMilliseconds()))
        }
    }

    func failedToParse(_ error: SIPParseError, bytes: [UInt8], from peer: SIPPeer, local: SocketAddress) {
        if registrar.isBlocked(peer.host, now: Self.nowSeconds()) { return }
        logger.debug("unparsable message", metadata: ["source": "\(peer)", "reason": "\(error.reasonPhrase)", "bytes": "\(bytes.count)", "head": "\(String(decoding: bytes.prefix(40), as: UTF8.self).debugDescription)"])
        guard let (response, via) = MalformedRequestResponder.response(to: bytes, error: error) else { return }
        let destination = via.map { ResponseDestination.peer(for: $0, requestCameFrom: peer) } ?? peer
        transport.send(.response(response), to: destination)
    }

    private func answerMalformed(_ request: SIPRequest, error: SIPParseError, from peer: SIPPeer) {
        logger.debug("invalid request", metadata: ["source": "\(peer)", "reason": "\(error.reasonPhrase)"])
        guard request.method != .ack else { return }
        guard let viaText = request.headers.listElements(HeaderName.via).first else { return }
        let via = try? Via(parsing: viaText)
        let response = SIPResponse(replyingTo: request, statusCode: error.statusCode, reasonPhrase: error.reasonPhrase, toTag: Registrar.newTag())
        transport.send(.response(response), to: via.map { ResponseDestination.peer(for: $0, requestCameFrom: peer) } ?? peer)
    }

    // MARK: transaction actions

    func perform(_ actions: [TransactionAction<SIPPeer>], local: SocketAddress? = nil, source: SIPPeer? = nil) {
        for action in actions {
            switch action {
            case .send(let message, let peer):
                transport.send(message, to: peer)
            case .deliverRequest(let id, let request, let routing, let peer):
                handle(request, routing: routing, transaction: id, source: source ?? peer, local: local)
            case .deliverResponse(let id, let response):
                if let binding = qualifying[id] {
                    if response.statusCode >= 200 {
                        qualifying[id] = nil
                        logger.debug("contact reachable", metadata: ["aor": "\(binding.aor)", "contact": "\(binding.contactURI)", "status": "\(response.statusCode)"])
                    }
                } else {
                    b2bua?.receiveResponse(response, transaction: id)
                }
            case .timeout(let id):
                if let binding = qualifying.removeValue(forKey: id) {
                    logger.notice("contact did not answer OPTIONS", metadata: ["aor": "\(binding.aor)", "contact": "\(binding.contactURI)"])
                } else {
                    b2bua?.transactionTimedOut(id)
                }
            case .deliverStrayACK(let ack, let routing, _):
                b2bua?.receiveACK(ack, routing: routing)
            case .terminated(.client(let id)):
                b2bua?.transactionTerminated(id)
            case .strayResponse, .serverTimeout, .terminated:
                break
            }
        }
    }

    func respond(_ response: SIPResponse, to id: ServerTransactionID) {
        perform(transactions.respond(response, to: id, now: Self.nowMilliseconds()))
    }

    // MARK: requests

    private func handle(_ request: SIPRequest, routing: RoutingHeaders, transaction id: ServerTransactionID, source: SIPPeer, local: SocketAddress?) {
        if let failure = inspection.inspect(request) {
            respond(failure, to: id)
            return
        }
        let forUs = isAddressedToServer(request)
        // RFC 3261 §16.3 step 3 / RFC 4475 §3.3.11: a request that would be forwarded with Max-Forwards 0.
        if routing.maxForwards == 0, !forUs, request.method != .register {
            respond(SIPResponse(replyingTo: request, statusCode: 483, toTag: Registrar.newTag()), to: id)
            return
        }
        switch request.method {
        case .register:
            let src = Registrar.Source(
                transport: source.transport.rawValue, host: source.host, port: source.port,
                localHost: local?.ipAddress ?? "", localPort: local?.port ?? 0)
            switch registrar.register(request, routing: routing, source: src, now: Self.nowSeconds()) {
            case .drop:
                // No answer will come: end the transaction now (it has no timer in Trying).
                perform(transactions.terminate(.server(id)))
            case .respond(let response, let delay):
                if delay > 0 {
                    eventLoop.scheduleTask(in: .milliseconds(delay)) { [self] in respond(response, to: id) }
                } else {
                    respond(response, to: id)
                }
            case .store(let changes, let response):
                store(changes, thenRespond: response, to: id)
            }
        case .options:
            // RFC 3261 §11.2: capabilities. Phones use OPTIONS as a keep-alive.
            var response = SIPResponse(replyingTo: request, statusCode: 200, toTag: Registrar.newTag())
            response.headers.add(HeaderName.allow, inspection.allowHeader)
            response.headers.add(HeaderName.accept, "application/sdp")
            respond(response, to: id)
        case .subscribe:
            handleSubscribe(request, routing: routing, transaction: id, source: source)
        case .invite where routing.to.tag == nil:
            handleInvite(request, routing: routing, transaction: id, source: source)
        case .cancel:
            // RFC 3261 §9.2: no matching INVITE transaction → 481.
            if let invite = transactions.serverTransaction(matchingCancel: request, routing: routing),
                b2bua.receiveCancel(request, transaction: id, invite: invite)
            {
                return
            }
            respond(SIPResponse(replyingTo: request, statusCode: 481, reasonPhrase: "Call/Transaction Does Not Exist", toTag: Registrar.newTag()), to: id)
        case .invite, .bye, .update, .info:
            if !b2bua.receiveInDialog(request, routing: routing, transaction: id) {
                respond(SIPResponse(replyingTo: request, statusCode: 481, reasonPhrase: "Call/Transaction Does Not Exist", toTag: Registrar.newTag()), to: id)
            }
        default:
            var response = SIPResponse(replyingTo: request, statusCode: 405, toTag: Registrar.newTag())
            response.headers.add(HeaderName.allow, inspection.allowHeader)
            respond(response, to: id)
        }
    }

    /// Writes binding changes durably, then sends the 200 OK (or a 500 if the write failed).
    private func store(_ changes: [BindingChange], thenRespond response: SIPResponse, to id: ServerTransactionID) {
        registrar.commit(changes)
        writer.submit(changes) { [self] result in
            switch result {
            case .success:
                respond(response, to: id)
            case .failure(let error):
                logger.error("could not store registration", metadata: ["error": "\(error)"])
                if let all = try? bindingStore.loadAll() { registrar.reload(all) }
                var failure = response
                failure.statusCode = 500
                failure.reasonPhrase = "Registration Could Not Be Stored"
                failure.headers.remove(HeaderName.contact)
                failure.headers.add(HeaderName.retryAfter, "5")
                respond(failure, to: id)
            }
        }
    }

    /// Most transactions alive at once since the last trim.
    private var transactionPeak = 0

    private func sweepExpiredBindings() {
        registrar.pruneThrottle(now: Self.nowSeconds())
        messageWaiting?.expire()
        // Transactions end in bursts (Timer J, 32 s after a burst of registrations). When most
        // of a burst has ended, give the freed memory back to the system so that RSS follows
        // what is really in use.
        let live = transactions.count
        transactionPeak = max(transactionPeak, live)
        if transactionPeak >= 1000, live * 4 < transactionPeak {
            _ = glibcMallocTrim(0)
            transactionPeak = live
        }
        guard let change = registrar.expiredChange(now: Self.nowSeconds()) else { return }
        registrar.commit([change])
        writer.submit([change]) { [logger] result in
            if case .failure(let error) = result { logger.error("could not remove expired bindings", metadata: ["error": "\(error)"]) }
        }
    }

    // MARK: INVITE

    private func handleInvite(_ request: SIPRequest, routing: RoutingHeaders, transaction id: ServerTransactionID, source: SIPPeer) {
        let now = Self.nowSeconds()
        let organisations = registrar.organisations(now: now)
        // A call in from a trunk: recognised by its source address, not challenged.
        if let trunk = trunks.first(where: { $0.accepts(source: source.host, port: source.address.port ?? 0) }) {
            let organisation = trunk.organisationDomain.flatMap { d in organisations.first { $0.sipDomain.lowercased() == d.lowercased() } } ?? organisations.first
            guard let organisation else {
                respond(SIPResponse(replyingTo: request, statusCode: 403, reasonPhrase: "No Organisation Configured", toTag: Registrar.newTag()), to: id)
                return
            }
            // The provider's caller ID goes into our own headers: only safe characters pass.
            let presented = routing.from.uri.sipURI?.decodedUser ?? ""
            let display = (routing.from.displayName ?? "").unicodeScalars.filter { $0.properties.generalCategory != .control }
            let caller = CallerIdentity(
                organisationID: organisation.id, organisationDomain: organisation.sipDomain,
                number: B2BUA.isSafeNumber(presented) ? presented : "anonymous", displayName: String(String.UnicodeScalarView(display)),
                trunk: trunk.name)
            b2bua.receiveInitialInvite(request, routing: routing, transaction: id, source: callDestination(source), caller: caller, context: trunk.inboundContext)
            return
        }
        let host = request.uri?.sipURI?.host ?? ""
        guard let (organisation, _) = registrar.resolver.organisation(for: host, in: organisations) else {
            respond(SIPResponse(replyingTo: request, statusCode: 403, reasonPhrase: "No Organisation Configured", toTag: Registrar.newTag()), to: id)
            return
        }
        // RFC 3261 §22.3: callers authenticate to the server as a proxy, with 407.
        let outcome = registrar.authenticator.authenticate(request, headerName: HeaderName.proxyAuthorization, organisation: organisation, directory: registrar.directory, now: now)
        switch outcome {
        case .authenticated(let device):
            let user = callDirectory.user(ofDevice: device.username, organisationID: organisation.id)
            let caller = CallerIdentity(
                organisationID: organisation.id, organisationDomain: organisation.sipDomain,
                number: user?.extension ?? device.username, displayName: user?.displayName ?? "",
                deviceAOR: "sip:\(device.username)@\(organisation.sipDomain)", userExtension: user?.extension)
            b2bua.receiveInitialInvite(request, routing: routing, transaction: id, source: callDestination(source), caller: caller, context: nil)
        case .challenge, .failed:
            // A wrong answer is challenged again exactly like a missing one (no enumeration).
            var stale = false
            var delay: Int64 = 0
            if case .challenge(let s) = outcome { stale = s }
            if case .failed(let user) = outcome {
                guard let d = registrar.recordFailure(source: source.host, user: user, now: now) else {
                    perform(transactions.terminate(.server(id)))
                    return
                }
                delay = d
            }
            var response = SIPResponse(replyingTo: request, statusCode: 407, toTag: Registrar.newTag())
            for value in registrar.authenticator.challenges(organisation: organisation, device: nil, stale: stale, now: now) {
                response.headers.add(HeaderName.proxyAuthenticate, value)
            }
            if delay > 0 {
                eventLoop.scheduleTask(in: .milliseconds(delay)) { [self] in respond(response, to: id) }
            } else {
                respond(response, to: id)
            }
        }
    }

    // MARK: SUBSCRIBE (message waiting)

    /// RFC 6665: subscribers authenticate like a REGISTER (401), then the notifier decides.
    private func handleSubscribe(_ request: SIPRequest, routing: RoutingHeaders, transaction id: ServerTransactionID, source: SIPPeer) {
        guard let messageWaiting else {
            respond(SIPResponse(replyingTo: request, statusCode: 489, reasonPhrase: "Bad Event", toTag: Registrar.newTag()), to: id)
            return
        }
        let now = Self.nowSeconds()
        let host = request.uri?.sipURI?.host ?? ""
        guard let (organisation, _) = registrar.resolver.organisation(for: host, in: registrar.organisations(now: now)) else {
            respond(SIPResponse(replyingTo: request, statusCode: 403, reasonPhrase: "No Organisation Configured", toTag: Registrar.newTag()), to: id)
            return
        }
        switch registrar.authenticator.authenticate(request, headerName: HeaderName.authorization, organisation: organisation, directory: registrar.directory, now: now) {
        case .authenticated(let device):
            let users = (try? registrar.directory.users(organisationID: organisation.id)) ?? []
            let user = users.first { $0.id == device.userID }
            messageWaiting.subscribe(request, routing: routing, transaction: id, source: callDestination(source), user: user, organisation: organisation)
        case .challenge(let stale):
            var response = SIPResponse(replyingTo: request, statusCode: 401, toTag: Registrar.newTag())
            for value in registrar.authenticator.challenges(organisation: organisation, device: nil, stale: stale, now: now) {
                response.headers.add(HeaderName.wwwAuthenticate, value)
            }
            respond(response, to: id)
        case .failed(let user):
            guard registrar.recordFailure(source: source.host, user: user, now: now) != nil else {
                perform(transactions.terminate(.server(id)))
                return
            }
            var response = SIPResponse(replyingTo: request, statusCode: 401, toTag: Registrar.newTag())
            for value in registrar.authenticator.challenges(organisation: organisation, device: nil, stale: false, now: now) {
                response.headers.add(HeaderName.wwwAuthenticate, value)
            }
            respond(response, to: id)
        }
    }

    // MARK: qualify (OPTIONS keep-alive towards registered contacts)

    /// Sends OPTIONS to every registered contact, to where its REGISTER came from: over the
    /// phone's own TCP connection when it registered over TCP (RFC 5626 §5 style reuse),
    /// which also keeps NAT bindings open for UDP phones.
    func qualifyAll() {
        let now = Self.nowSeconds()
        for binding in registrar.location.all where binding.expiresAt > now {
            sendOptions(to: binding)
        }
    }

    func sendOptions(to binding: Binding) {
        guard let kind = SIPTransportKind(rawValue: binding.transport),
            let address = try? SocketAddress(ipAddress: binding.sourceHost, port: binding.sourcePort)
        else { return }
        let peer = SIPPeer(transport: kind, address: address)
        var local = binding.localHost
        if local == "0.0.0.0" || local == "::" || local.isEmpty { local = advertisedHost(ipv6: local.contains(":")) }
        let localHost = local.contains(":") ? "[\(local)]" : local
        let domain = binding.aor.split(separator: "@").last.map(String.init) ?? localHost
        var headers = SIPHeaders()
        headers.add(HeaderName.via, "SIP/2.0/\(kind.viaToken) \(localHost):\(binding.localPort);branch=\(TransactionLayer<SIPPeer>.newBranch());rport")
        headers.add(HeaderName.maxForwards, "70")
        headers.add(HeaderName.from, "<sip:carephone@\(domain)>;tag=\(Registrar.newTag())")
        headers.add(HeaderName.to, "<\(binding.contactURI)>")
        headers.add(HeaderName.callID, "\(Registrar.newTag())@\(localHost)")
        headers.add(HeaderName.cseq, "1 OPTIONS")
        let request = SIPRequest(method: .options, uri: binding.contactURI, headers: headers)
        let (id, actions) = transactions.sendRequest(request, to: peer, reliable: kind.isReliable, now: Self.nowMilliseconds())
        qualifying[id] = binding
        perform(actions)
    }

    /// This machine's addresses (from its interfaces), for Via headers when a socket is bound
    /// to a wildcard address.
    var interfaceAddresses: [String] = []

    func advertisedHost(ipv6: Bool) -> String {
        interfaceAddresses.first { $0.contains(":") == ipv6 && $0 != "127.0.0.1" && $0 != "::1" }
            ?? interfaceAddresses.first { $0.contains(":") == ipv6 } ?? (ipv6 ? "::1" : "127.0.0.1")
    }

    /// A Request-URI with no user part (`sip:pbx.clinic.example`) is addressed to the server itself.
    private func isAddressedToServer(_ request: SIPRequest) -> Bool {
        request.uri?.sipURI.map { $0.user == nil } ?? false
    }

    static func log(_ event: Registrar.Event, _ logger: Logger) {
        switch event {
        case .registered(let aor, let contact, let expires, let source, let refreshed):
            // A phone refreshes every few minutes: only new contacts are worth an info line.
            logger.log(level: refreshed ? .debug : .info, "registered", metadata: ["aor": "\(aor)", "contact": "\(contact)", "expires": "\(expires)", "source": "\(source)"])
        case .unregistered(let aor, let contact):
            logger.info("unregistered", metadata: ["aor": "\(aor)", "contact": "\(contact)"])
        case .throttle(.sourceBlocked(let source, let failures, let seconds)):
            logger.warning("blocked source after repeated authentication failures", metadata: ["source": "\(source)", "failures": "\(failures)", "seconds": "\(seconds)"])
        case .throttle(.userUnderAttack(let user, let failures, let sources)):
            logger.warning("repeated authentication failures for one user", metadata: ["user": "\(user)", "failures": "\(failures)", "sources": "\(sources)"])
        }
    }
}

/// glibc's malloc_trim(3), which the Glibc module does not export.
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
