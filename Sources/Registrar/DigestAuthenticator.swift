import Directory
import SIPCore

/// Digest authentication of requests (RFC 3261 §22, RFC 7616, RFC 8760) against the directory.
///
/// Which algorithms are offered, and in which order, comes from the device when it overrides
/// it and otherwise from its organisation; each offered algorithm is one challenge header.
///
/// Credentials must answer our `qop=auth` challenge (no RFC 2069 form), name a digest URI for
/// the request's host, and carry a nonce count higher than any earlier use of the same nonce,
/// so a captured Authorization header cannot be replayed. Not thread-safe: confined, with the
/// registrar, to the SIP event loop.
public final class DigestAuthenticator: @unchecked Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Credentials are right: the device that authenticated.
        case authenticated(Device)
        /// No usable credentials: challenge (not a failure).
        case challenge(stale: Bool)
        /// Credentials were given and are wrong, or the user is unknown: the same answer
        /// as `challenge`, but counted as a failure.
        case failed(username: String)
    }

    public let nonces: NonceIssuer
    private var counter = NonceCounter()

    public init(nonces: NonceIssuer) { self.nonces = nonces }

    /// Checks the Authorization (or Proxy-Authorization) header fields of a request.
    public func authenticate(
        _ request: SIPRequest, headerName: String, organisation: Organisation, directory: DirectoryStore, now: Int64
    ) -> Outcome {
        var credentials: DigestCredentials?
        for value in request.headers.values(headerName) {
            // RFC 4475 §3.3.7: an unknown scheme is treated as no credentials at all.
            if let c = try? DigestCredentials(parsing: value), c.realm == organisation.realm {
                credentials = c
                break
            }
        }
        guard let credentials else { return .challenge(stale: false) }
        let nonce = nonces.check(credentials.nonce, now: now, realm: organisation.realm)
        if nonce == .invalid { return .challenge(stale: false) }
        // We always challenge with qop=auth: an answer without it (or without nc) is not ours.
        guard credentials.qop?.lowercased() == "auth", let nc = credentials.nonceCount else {
            return .failed(username: credentials.username)
        }
        // RFC 7616 §3.4.6: the digest URI must be the request's (we compare the host, since
        // phones differ in how they spell port and parameters).
        guard let digestHost = (try? SIPURI(parsing: credentials.uri))?.host.lowercased(),
            digestHost == request.uri?.sipURI?.host.lowercased()
        else {
            return .failed(username: credentials.username)
        }
        let device = try? directory.device(organisationID: organisation.id, username: credentials.username)
        let offered = device?.digestAlgorithms ?? organisation.digestAlgorithms
        guard let device, offered.contains(credentials.algorithm) else {
            return .failed(username: credentials.username)
        }
        let ha1 = credentials.algorithm == .sha256 ? device.ha1SHA256 : device.ha1MD5
        guard credentials.hasValidResponse(ha1: ha1, method: request.method.rawValue) else {
            return .failed(username: credentials.username)
        }
        // RFC 7616 §3.3: a right answer to an expired nonce gets a new challenge with stale=true;
        // so does a replayed (or forgotten) nonce count.
        if nonce == .stale { return .challenge(stale: true) }
        if !counter.accept(credentials.nonce, count: nc) { return .challenge(stale: true) }
        return .authenticated(device)
    }

    /// The challenge header values to send, in the offered order.
    public func challenges(organisation: Organisation, device: Device?, stale: Bool, now: Int64) -> [String] {
        let algorithms = device?.digestAlgorithms ?? organisation.digestAlgorithms
        let nonce = nonces.issue(now: now, realm: organisation.realm)
        counter.issued(nonce)
        return algorithms.map {
            DigestChallenge(realm: organisation.realm, nonce: nonce, algorithm: $0, qop: ["auth"], stale: stale).headerValue
        }
    }
}
