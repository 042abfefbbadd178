/// The value of a WWW-Authenticate (401) or Proxy-Authenticate (407) header: a Digest
/// challenge (RFC 3261 §22.4, RFC 7616 §3.3).
///
///     Digest realm="clinic.example", nonce="...", algorithm=SHA-256, qop="auth", stale=true
///
/// A server offering both SHA-256 and MD5 sends two headers, SHA-256 first (RFC 8760 §2.4).
public struct DigestChallenge: Sendable, Equatable {
    /// The protection space, e.g. the organisation's SIP domain.
    public var realm: String
    /// Server nonce; see `NonceIssuer` in Registrar.
    public var nonce: String
    /// Hash for the response; printed always, read as MD5 when absent.
    public var algorithm: DigestAlgorithm
    /// Offered qualities of protection, e.g. `["auth"]`; empty for an RFC 2069 challenge.
    public var qop: [String]
    /// True when the client's nonce was genuine but too old (RFC 7616 §3.3): the client retries
    /// with the new nonce without asking the user for a password again.
    public var stale: Bool
    /// Opaque data the client must echo back unchanged.
    public var opaque: String?

    public init(
        realm: String, nonce: String, algorithm: DigestAlgorithm = .md5, qop: [String] = ["auth"],
        stale: Bool = false, opaque: String? = nil
    ) {
        self.realm = realm
        self.nonce = nonce
        self.algorithm = algorithm
        self.qop = qop
        self.stale = stale
        self.opaque = opaque
    }

    /// Parses a challenge. Unknown parameters (`domain`, `charset`, `userhash`, ...) are
    /// ignored; `realm` and `nonce` are required.
    public init(parsing header: some StringProtocol) throws(DigestParseError) {
        var realm: String?
        var nonce: String?
        var algorithm: DigestAlgorithm?
        var qop: [String]?
        var stale: Bool?
        var opaque: String?

        for parameter in try DigestParameterScanner.parameters(of: header) {
            let value = parameter.value
            switch parameter.name {
            case "realm": try Self.setOnce(&realm, value, "realm")
            case "nonce": try Self.setOnce(&nonce, value, "nonce")
            case "opaque": try Self.setOnce(&opaque, value, "opaque")
            case "algorithm":
                guard let parsed = DigestAlgorithm(headerValue: value) else { throw .unsupportedAlgorithm(value) }
                try Self.setOnce(&algorithm, parsed, "algorithm")
            case "qop":
                // RFC 7616 §3.3: a quoted, comma-separated list such as "auth,auth-int".
                let options = value.split(separator: ",").map { option in
                    String(option.filter { $0 != " " && $0 != "\t" })
                }
                try Self.setOnce(&qop, options.filter { !$0.isEmpty }, "qop")
            case "stale":
                let flag: Bool
                switch value.lowercased() {
                case "true": flag = true
                case "false": flag = false
                default: throw .invalidValue(parameter: "stale", value: value, expected: "true or false")
                }
                try Self.setOnce(&stale, flag, "stale")
            default:
                continue
            }
        }
        guard let realm else { throw .missingParameter("realm") }
        guard let nonce else { throw .missingParameter("nonce") }
        self.init(
            realm: realm, nonce: nonce, algorithm: algorithm ?? .md5, qop: qop ?? [], stale: stale ?? false,
            opaque: opaque)
    }

    /// The header value: realm, nonce, opaque, algorithm, qop, and `stale=true` only when set.
    public var headerValue: String {
        var out = "Digest "
        out.reserveCapacity(96 + realm.utf8.count + nonce.utf8.count + (opaque?.utf8.count ?? 0))
        DigestParameterScanner.appendQuoted("realm", realm, to: &out)
        DigestParameterScanner.appendQuoted("nonce", nonce, to: &out)
        if let opaque { DigestParameterScanner.appendQuoted("opaque", opaque, to: &out) }
        DigestParameterScanner.appendToken("algorithm", algorithm.rawValue, to: &out)
        if !qop.isEmpty { DigestParameterScanner.appendQuoted("qop", qop.joined(separator: ","), to: &out) }
        if stale { DigestParameterScanner.appendToken("stale", "true", to: &out) }
        return out
    }

    private static func setOnce<T>(_ slot: inout T?, _ value: T, _ name: String) throws(DigestParseError) {
        guard slot == nil else { throw .duplicateParameter(name) }
        slot = value
    }
}
