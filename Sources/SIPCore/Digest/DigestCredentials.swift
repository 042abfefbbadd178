/// The value of an Authorization or Proxy-Authorization header: a client's answer to a Digest
/// challenge (RFC 3261 §22.4, RFC 7616 §3.4).
///
///     Digest username="1001", realm="clinic.example", nonce="...", uri="sip:clinic.example",
///       response="...", algorithm=SHA-256, cnonce="...", qop=auth, nc=00000001
public struct DigestCredentials: Sendable, Equatable {
    public var username: String
    public var realm: String
    public var nonce: String
    /// The `digest-uri` exactly as the client sent it; HA2 must use this string, not the
    /// Request-URI (RFC 3261 §22.4 leaves them equal, but proxies may rewrite one).
    public var uri: String
    /// The request digest, lowercase hex.
    public var response: String
    /// MD5 when the client sent no `algorithm`.
    public var algorithm: DigestAlgorithm
    public var cnonce: String?
    public var opaque: String?
    /// The chosen quality of protection, e.g. `auth`; nil for RFC 2069 style credentials.
    public var qop: String?
    /// Nonce count as sent, normally 8 hex digits (`00000001`).
    public var nc: String?

    public init(
        username: String, realm: String, nonce: String, uri: String, response: String,
        algorithm: DigestAlgorithm = .md5, cnonce: String? = nil, opaque: String? = nil, qop: String? = nil,
        nc: String? = nil
    ) {
        self.username = username
        self.realm = realm
        self.nonce = nonce
        self.uri = uri
        self.response = response
        self.algorithm = algorithm
        self.cnonce = cnonce
        self.opaque = opaque
        self.qop = qop
        self.nc = nc
    }

    /// Builds the answer to `challenge`, as a user agent does (e.g. towards a trunk that
    /// challenges our outgoing INVITE). Chooses `qop=auth` when offered, else the RFC 2069 form.
    public init(
        answering challenge: DigestChallenge, username: String, password: String, method: String, uri: String,
        cnonce: String, nonceCount: UInt32 = 1
    ) {
        let algorithm = challenge.algorithm
        let qop: String? = challenge.qop.contains { $0.lowercased() == "auth" } ? "auth" : nil
        let nc: String? = qop == nil ? nil : Self.formatNonceCount(nonceCount)
        let ha1 = algorithm.ha1(username: username, realm: challenge.realm, password: password)
        let response = algorithm.response(
            ha1: ha1, nonce: challenge.nonce, nc: nc, cnonce: cnonce, qop: qop, method: method, uri: uri)
        self.init(
            username: username, realm: challenge.realm, nonce: challenge.nonce, uri: uri, response: response,
            algorithm: algorithm, cnonce: qop == nil ? nil : cnonce, opaque: challenge.opaque, qop: qop, nc: nc)
    }

    /// Parses credentials. The scheme must be `Digest` (any case), else `.unsupportedScheme`;
    /// `username`, `realm`, `nonce`, `uri` and `response` are required, and `cnonce` and `nc`
    /// too when `qop` is present (RFC 7616 §3.4). Unknown parameters are ignored.
    public init(parsing header: some StringProtocol) throws(DigestParseError) {
        var username: String?
        var realm: String?
        var nonce: String?
        var uri: String?
        var response: String?
        var algorithm: DigestAlgorithm?
        var cnonce: String?
        var opaque: String?
        var qop: String?
        var nc: String?

        for parameter in try DigestParameterScanner.parameters(of: header) {
            let value = parameter.value
            switch parameter.name {
            case "username": try Self.setOnce(&username, value, "username")
            case "realm": try Self.setOnce(&realm, value, "realm")
            case "nonce": try Self.setOnce(&nonce, value, "nonce")
            case "uri": try Self.setOnce(&uri, value, "uri")
            case "response": try Self.setOnce(&response, value, "response")
            case "cnonce": try Self.setOnce(&cnonce, value, "cnonce")
            case "opaque": try Self.setOnce(&opaque, value, "opaque")
            case "algorithm":
                guard let parsed = DigestAlgorithm(headerValue: value) else { throw .unsupportedAlgorithm(value) }
                try Self.setOnce(&algorithm, parsed, "algorithm")
            case "qop":
                guard !value.isEmpty, value.utf8.allSatisfy(DigestParameterScanner.isTokenByte) else {
                    throw .invalidValue(parameter: "qop", value: value, expected: "one token such as auth")
                }
                try Self.setOnce(&qop, value, "qop")
            case "nc":
                guard (1...8).contains(value.utf8.count), value.utf8.allSatisfy(Self.isHexDigit) else {
                    throw .invalidValue(parameter: "nc", value: value, expected: "8 hex digits such as 00000001")
                }
                try Self.setOnce(&nc, value, "nc")
            default:
                continue
            }
        }
        guard let username else { throw .missingParameter("username") }
        guard let realm else { throw .missingParameter("realm") }
        guard let nonce else { throw .missingParameter("nonce") }
        guard let uri else { throw .missingParameter("uri") }
        guard let response else { throw .missingParameter("response") }
        if qop != nil {
            guard cnonce != nil else { throw .missingParameter("cnonce") }
            guard nc != nil else { throw .missingParameter("nc") }
        }
        self.init(
            username: username, realm: realm, nonce: nonce, uri: uri, response: response,
            algorithm: algorithm ?? .md5, cnonce: cnonce, opaque: opaque, qop: qop, nc: nc)
    }

    /// The header value, in the parameter order of RFC 7616 §3.9.1; `algorithm`, `qop` and `nc`
    /// unquoted as its grammar requires.
    public var headerValue: String {
        var out = "Digest "
        out.reserveCapacity(
            160 + username.utf8.count + realm.utf8.count + nonce.utf8.count + uri.utf8.count
                + (cnonce?.utf8.count ?? 0) + (opaque?.utf8.count ?? 0))
        DigestParameterScanner.appendQuoted("username", username, to: &out)
        DigestParameterScanner.appendQuoted("realm", realm, to: &out)
        DigestParameterScanner.appendQuoted("nonce", nonce, to: &out)
        DigestParameterScanner.appendQuoted("uri", uri, to: &out)
        DigestParameterScanner.appendQuoted("response", response, to: &out)
        DigestParameterScanner.appendToken("algorithm", algorithm.rawValue, to: &out)
        if let cnonce { DigestParameterScanner.appendQuoted("cnonce", cnonce, to: &out) }
        if let opaque { DigestParameterScanner.appendQuoted("opaque", opaque, to: &out) }
        if let qop { DigestParameterScanner.appendToken("qop", qop, to: &out) }
        if let nc { DigestParameterScanner.appendToken("nc", nc, to: &out) }
        return out
    }

    /// `nc` as a number, for replay checks; nil when absent.
    public var nonceCount: UInt32? {
        nc.flatMap { UInt32($0, radix: 16) }
    }

    /// The response these credentials should carry, given the user's HA1 and the request
    /// method. `entityBody` is used only for `qop=auth-int`. Nil for a qop we do not know.
    public func expectedResponse(ha1: String, method: String, entityBody: [UInt8] = []) -> String? {
        let ha2: String
        switch qop?.lowercased() {
        case nil, "auth": ha2 = algorithm.ha2(method: method, uri: uri)
        case "auth-int": ha2 = algorithm.ha2(method: method, uri: uri, entityBody: entityBody)
        default: return nil
        }
        return algorithm.response(ha1: ha1, nonce: nonce, nc: nc, cnonce: cnonce, qop: qop, ha2: ha2)
    }

    /// True when `response` is right for `ha1` (compared in constant time). HA1 must be for
    /// this `algorithm` and realm. Checking the nonce (fresh, ours) is the caller's job.
    public func hasValidResponse(ha1: String, method: String, entityBody: [UInt8] = []) -> Bool {
        guard let expected = expectedResponse(ha1: ha1, method: method, entityBody: entityBody) else { return false }
        return DigestAlgorithm.responsesMatch(response, expected)
    }

    /// `n` as 8 lowercase hex digits, e.g. `00000001` (RFC 7616 §3.4 `nc-value`).
    public static func formatNonceCount(_ n: UInt32) -> String {
        DigestAlgorithm.lowercaseHex([
            UInt8(truncatingIfNeeded: n >> 24), UInt8(truncatingIfNeeded: n >> 16),
            UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n),
        ])
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"):
            true
        default:
            false
        }
    }

    private static func setOnce<T>(_ slot: inout T?, _ value: T, _ name: String) throws(DigestParseError) {
        guard slot == nil else { throw .duplicateParameter(name) }
        slot = value
    }
}
