import Directory
import Foundation
import SIPCore

/// The registrar (RFC 3261 §10.3): authenticates REGISTER requests and keeps the location
/// service. It decides; the server performs: changes it returns are written to storage before
/// the response goes out, so an acknowledged registration survives a crash.
///
/// Not thread-safe: the server confines it to the SIP event loop.
public final class Registrar: @unchecked Sendable {
    /// Where a REGISTER came from.
    public struct Source: Sendable, Equatable {
        public var transport: String
        public var host: String
        public var port: Int
        public var localHost: String
        public var localPort: Int
        public init(transport: String, host: String, port: Int, localHost: String, localPort: Int) {
            self.transport = transport
            self.host = host
            self.port = port
            self.localHost = localHost
            self.localPort = localPort
        }
    }

    /// What the server must do with a REGISTER.
    public enum Decision: Sendable {
        /// Send this response, after `delayMilliseconds`.
        case respond(SIPResponse, delayMilliseconds: Int64)
        /// Make these changes durable, apply them with `commit`, then send the response.
        case store([BindingChange], then: SIPResponse)
        /// Send nothing (a blocked source).
        case drop
    }

    public enum Event: Sendable, Equatable {
        case throttle(AuthThrottle.Event)
        /// `refreshed` is false for a contact that was not registered before.
        case registered(aor: String, contact: String, expires: UInt32, source: String, refreshed: Bool)
        case unregistered(aor: String, contact: String)
    }

    public let directory: DirectoryStore
    public var policy: RegistrarPolicy
    public var resolver: OrganisationResolver
    public let authenticator: DigestAuthenticator
    public private(set) var throttle: AuthThrottle
    public private(set) var location: LocationService
    public var log: @Sendable (Event) -> Void = { _ in }
    private var organisationCache: (at: Int64, list: [Organisation])?

    public init(
        directory: DirectoryStore, bindings: [Binding], nonces: NonceIssuer, policy: RegistrarPolicy = RegistrarPolicy(),
        throttle: AuthThrottle.Settings = AuthThrottle.Settings(), resolver: OrganisationResolver = OrganisationResolver(serverNames: [])
    ) {
        self.directory = directory
        self.location = LocationService(bindings)
        self.authenticator = DigestAuthenticator(nonces: nonces)
        self.policy = policy
        self.throttle = AuthThrottle(settings: throttle)
        self.resolver = resolver
    }

    /// Organisations, re-read from the directory at most every 5 s (an import run from the
    /// command line while the server runs becomes visible without a restart).
    public func organisations(now: Int64) -> [Organisation] {
        if let cache = organisationCache, now - cache.at < 5 { return cache.list }
        let list = (try? directory.organisations()) ?? organisationCache?.list ?? []
        organisationCache = (now, list)
        return list
    }

    public func isBlocked(_ host: String, now: Int64) -> Bool { throttle.isBlocked(host, now: now) }

    /// Forgets throttle windows and blocks that have ended (the server calls it every second).
    public func pruneThrottle(now: Int64) { throttle.prune(now: now) }

    /// Counts a failed authentication of another request (an INVITE's Proxy-Authorization) in
    /// the same brute-force protection as REGISTER. Returns the delay to apply to the answer,
    /// or nil when the source is now blocked and must get no answer.
    public func recordFailure(source: String, user: String, now: Int64) -> Int64? {
        for event in throttle.recordFailure(source: source, user: user, now: now) { log(.throttle(event)) }
        if throttle.isBlocked(source, now: now) { return nil }
        return max(throttle.delay(for: source, now: now), throttle.failureDelay(user: user, now: now))
    }

    /// Applies changes that storage has made durable.
    public func commit(_ changes: [BindingChange]) {
        for change in changes { location.apply(change) }
    }

    /// Replaces the in-memory state with what storage holds (after a failed write).
    public func reload(_ bindings: [Binding]) { location = LocationService(bindings) }

    /// The changes that remove bindings lapsed at `now`.
    public func expiredChange(now: Int64) -> BindingChange? {
        location.expiredCount(atOrBefore: now) > 0 ? .removeExpired(atOrBefore: now) : nil
    }

    // MARK: REGISTER, RFC 3261 §10.3

    public func register(_ request: SIPRequest, routing: RoutingHeaders, source: Source, now: Int64) -> Decision {
        if throttle.isBlocked(source.host, now: now) { return .drop }
        let requestHost = request.uri?.sipURI?.host ?? ""
        guard let (organisation, _) = resolver.organisation(for: requestHost, in: organisations(now: now)) else {
            return .respond(SIPResponse(replyingTo: request, statusCode: 403, reasonPhrase: "No Organisation Configured", toTag: Self.newTag()), delayMilliseconds: 0)
        }
        // Step 3: authentication.
        switch authenticator.authenticate(request, headerName: HeaderName.authorization, organisation: organisation, directory: directory, now: now) {
        case .challenge(let stale):
            let username = routing.to.uri.sipURI?.decodedUser
            let device = username.flatMap { try? directory.device(organisationID: organisation.id, username: $0) }
            return .respond(challenge(request, organisation: organisation, device: device, stale: stale, now: now), delayMilliseconds: throttle.delay(for: source.host, now: now))
        case .failed(let username):
            for event in throttle.recordFailure(source: source.host, user: username, now: now) { log(.throttle(event)) }
            if throttle.isBlocked(source.host, now: now) { return .drop }
            let delay = max(throttle.delay(for: source.host, now: now), throttle.failureDelay(user: username, now: now))
            let device = try? directory.device(organisationID: organisation.id, username: username)
            return .respond(challenge(request, organisation: organisation, device: device, stale: false, now: now), delayMilliseconds: delay)
        case .authenticated(let device):
            // A success does not clear the source's failures: otherwise one valid account
            // would let an attacker guess others forever. Failures age out of the window.
            return registerAuthenticated(request, routing: routing, device: device, organisation: organisation, source: source, now: now)
        }
    }

    func challenge(_ request: SIPRequest, organisation: Organisation, device: Device?, stale: Bool, now: Int64) -> SIPResponse {
        var response = SIPResponse(replyingTo: request, statusCode: 401, toTag: Self.newTag())
        for value in authenticator.challenges(organisation: organisation, device: device, stale: stale, now: now) {
            response.headers.add(HeaderName.wwwAuthenticate, value)
        }
        return response
    }

    func registerAuthenticated(
        _ request: SIPRequest, routing: RoutingHeaders, device: Device, organisation: Organisation, source: Source, now: Int64
    ) -> Decision {
        func fail(_ code: Int, _ reason: String? = nil) -> Decision {
            .respond(SIPResponse(replyingTo: request, statusCode: code, reasonPhrase: reason, toTag: Self.newTag()), delayMilliseconds: 0)
        }
        // Steps 4-5: the To header holds the address-of-record; it must be this device's.
        guard let to = routing.to.uri.sipURI, to.scheme != .tel else { return fail(404, "Address-Of-Record Must Be A SIP URI") }
        let toHost = to.host.lowercased()
        guard toHost == organisation.sipDomain || resolver.isServerName(toHost, localAddress: source.localHost) else {
            return fail(404, "Domain Not Served Here")
        }
        guard to.decodedUser == device.username else { return fail(403, "Not Allowed To Register This Address") }
        let aor = "sip:\(device.username)@\(organisation.sipDomain)"

        // Step 6: Contact processing.
        let contacts = routing.contacts ?? .addresses([])
        let current = location.bindings(of: aor, now: now)
        var headerExpires: UInt32?
        if let e = request.headers[HeaderName.expires] {
            guard !e.isEmpty, e.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return fail(400, "Invalid Expires Header") }
            headerExpires = UInt32(min(UInt64(e.prefix(12)) ?? UInt64(UInt32.max), UInt64(UInt32.max)))
        }
        var changes: [BindingChange] = []
        switch contacts {
        case .wildcard:
            // RFC 3261 §10.2.2: "*" only with Expires: 0.
            guard headerExpires == 0 else { return fail(400, "Contact * Requires Expires: 0") }
            // §10.3 step 6-7: an out-of-order request fails as a whole.
            if current.contains(where: { $0.callID == routing.callID && routing.cseq.sequence <= $0.cseq }) {
                return fail(400, "CSeq Out Of Order For This Binding")
            }
            for b in current { changes.append(.remove(aor: aor, contactURI: b.contactURI)) }
        case .addresses(let list):
            var seen = Set<String>()
            var added = 0
            for contact in list {
                guard case .sip(let uri) = contact.uri, uri.scheme != .tel else { return fail(400, "Contact Must Be A SIP URI") }
                let contactURI = uri.description
                if !seen.insert(contactURI).inserted { continue }
                let requested: UInt32
                do { requested = try contact.expiresParameter() ?? headerExpires ?? policy.defaultExpires } catch {
                    return fail(400, error.reasonPhrase)
                }
                if requested > 0, requested < policy.minExpires {
                    var response = SIPResponse(replyingTo: request, statusCode: 423, toTag: Self.newTag())
                    response.headers.add(HeaderName.minExpires, String(policy.minExpires))
                    return .respond(response, delayMilliseconds: 0)
                }
                let expires = min(requested, policy.maxExpires)
                // Step 7: Call-ID / CSeq ordering for an existing binding.
                let instance = contact.parameters["+sip.instance"]
                if let existing = current.first(where: { $0.contactURI == contactURI }) {
                    if existing.callID == routing.callID, routing.cseq.sequence <= existing.cseq {
                        return fail(400, "CSeq Out Of Order For This Binding")
                    }
                } else if let instance, expires > 0,
                    let stale = current.first(where: { $0.instanceID == instance && $0.contactURI != contactURI })
                {
                    // The same device (RFC 5626 §4.1 instance ID) came back with a new address,
                    // e.g. after a reboot: its new contact replaces the old one instead of
                    // piling up until the device limit refuses it.
                    changes.append(.remove(aor: aor, contactURI: stale.contactURI))
                } else if expires > 0 {
                    added += 1
                }
                if expires == 0 {
                    if current.contains(where: { $0.contactURI == contactURI }) {
                        changes.append(.remove(aor: aor, contactURI: contactURI))
                    }
                    continue
                }
                var q: Double?
                if let qText = contact.parameters["q"] {
                    guard let value = Double(qText), (0...1).contains(value) else { return fail(400, "Invalid Contact q Value") }
                    q = value
                }
                changes.append(.upsert(Binding(
                    aor: aor, contactURI: contactURI, callID: routing.callID, cseq: routing.cseq.sequence,
                    expiresAt: now + Int64(expires), q: q, instanceID: contact.parameters["+sip.instance"],
                    regID: contact.parameters["reg-id"].flatMap { Int($0) }, path: request.headers.listElements(HeaderName.path),
                    userAgent: request.headers[HeaderName.userAgent], transport: source.transport,
                    sourceHost: source.host, sourcePort: source.port, localHost: source.localHost, localPort: source.localPort)))
            }
            if current.count + added > policy.maxContactsPerAOR {
                return fail(403, "Too Many Registered Devices (limit \(policy.maxContactsPerAOR))")
            }
        }

        // Step 8: 200 OK listing every binding as it will be once the changes are applied.
        var after = current
        for change in changes {
            switch change {
            case .upsert(let b):
                if let i = after.firstIndex(where: { $0.contactURI == b.contactURI }) { after[i] = b } else { after.append(b) }
            case .remove(_, let contact): after.removeAll { $0.contactURI == contact }
            case .removeAll: after.removeAll()
            case .removeExpired(let time): after.removeAll { $0.expiresAt <= time }
            }
        }
        var response = SIPResponse(replyingTo: request, statusCode: 200, toTag: Self.newTag())
        for b in after {
            response.headers.add(HeaderName.contact, "<\(b.contactURI)>;expires=\(max(0, b.expiresAt - now))")
        }
        response.headers.add(HeaderName.date, Self.httpDate(now))
        for change in changes {
            switch change {
            case .upsert(let b):
                let refreshed = current.contains { $0.contactURI == b.contactURI }
                log(.registered(aor: aor, contact: b.contactURI, expires: UInt32(b.expiresAt - now), source: "\(source.transport):\(source.host):\(source.port)", refreshed: refreshed))
            case .remove(_, let contact): log(.unregistered(aor: aor, contact: contact))
            default: break
            }
        }
        if changes.isEmpty { return .respond(response, delayMilliseconds: 0) }
        return .store(changes, then: response)
    }

    // MARK: helpers

    public static func newTag() -> String {
        String(UInt64.random(in: 1...UInt64.max), radix: 36)
    }

    /// RFC 3261 §20.17 Date (rfc1123-date in GMT).
    static func httpDate(_ seconds: Int64) -> String {
        let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let day = seconds / 86400
        let secs = seconds % 86400
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(day % 7)]), \(two(d)) \(months[Int(m - 1)]) \(y) \(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60)) GMT"
    }
}
