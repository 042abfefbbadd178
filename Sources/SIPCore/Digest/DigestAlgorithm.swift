/// Digest authentication for SIP (RFC 3261 §22.4, RFC 8760) with the HTTP Digest math of
/// RFC 7616 §3.4.1:
///
///     HA1      = H(username ":" realm ":" password)
///     HA2      = H(method ":" uri)                                 (qop=auth or no qop)
///     response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2) (qop present)
///     response = H(HA1 ":" nonce ":" HA2)                           (RFC 2069, no qop)
///
/// where H is lowercase hex of MD5 or SHA-256. The `-sess` variants and SHA-512-256 are not
/// supported (phones rarely offer them, and `-sess` needs per-session state).
///
/// The hex digests are computed by streaming the colon-joined parts straight into the hasher:
/// no intermediate strings, no Foundation formatting, since a registrar checks thousands of
/// REGISTERs a second.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    case md5 = "MD5"
    case sha256 = "SHA-256"

    /// Parses an `algorithm=` value, case-insensitively (RFC 7616 §3.3: "MD5", "SHA-256").
    /// Returns nil for anything else, including the `-sess` variants. Callers treat an absent
    /// parameter as MD5 (RFC 7616 §3.3).
    public init?(headerValue: some StringProtocol) {
        var lowered = [UInt8]()
        lowered.reserveCapacity(8)
        for byte in headerValue.utf8 {
            guard lowered.count < 8 else { return nil }
            lowered.append(byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte)
        }
        switch lowered {
        case Array("md5".utf8): self = .md5
        case Array("sha-256".utf8): self = .sha256
        default: return nil
        }
    }

    /// Number of hex characters in one digest: 32 for MD5, 64 for SHA-256.
    public var hexDigestLength: Int {
        switch self {
        case .md5: MD5.digestByteCount * 2
        case .sha256: SHA256.digestByteCount * 2
        }
    }

    /// Lowercase hex digest of the UTF-8 bytes of `s`.
    public func hex(_ s: String) -> String {
        colonJoinedHex(s)
    }

    /// Lowercase hex digest of raw bytes, e.g. a message body for `qop=auth-int`.
    public func hex(bytes: some Sequence<UInt8>) -> String {
        switch self {
        case .md5: Self.lowercaseHex(MD5.hash(bytes))
        case .sha256: Self.lowercaseHex(SHA256.hash(bytes))
        }
    }

    /// `H(username ":" realm ":" password)` (RFC 7616 §3.4.2). Store this rather than the
    /// password where you can: it is what the registrar needs.
    public func ha1(username: String, realm: String, password: String) -> String {
        colonJoinedHex(username, realm, password)
    }

    /// `H(method ":" uri)` for `qop=auth` or no qop (RFC 7616 §3.4.3). `uri` is the `uri`
    /// parameter of the credentials, exactly as the client sent it.
    public func ha2(method: String, uri: String) -> String {
        colonJoinedHex(method, uri)
    }

    /// `H(method ":" uri ":" H(body))` for `qop=auth-int` (RFC 7616 §3.4.3).
    public func ha2(method: String, uri: String, entityBody: some Sequence<UInt8>) -> String {
        colonJoinedHex(method, uri, hex(bytes: entityBody))
    }

    /// The request digest (RFC 7616 §3.4.1) for `qop=auth`, or the RFC 2069 form
    /// `H(HA1 ":" nonce ":" HA2)` when `qop` is nil.
    ///
    /// - Parameters:
    ///   - nc: the nonce count, 8 hex digits as sent (e.g. `00000001`); ignored without qop.
    ///   - cnonce: the client nonce; ignored without qop.
    public func response(
        ha1: String, nonce: String, nc: String?, cnonce: String?, qop: String?, method: String, uri: String
    ) -> String {
        response(ha1: ha1, nonce: nonce, nc: nc, cnonce: cnonce, qop: qop, ha2: ha2(method: method, uri: uri))
    }

    /// The request digest from a precomputed HA2 (use this for `qop=auth-int`).
    public func response(ha1: String, nonce: String, nc: String?, cnonce: String?, qop: String?, ha2: String) -> String
    {
        guard let qop else {
            return colonJoinedHex(ha1, nonce, ha2)
        }
        return colonJoinedHex(ha1, nonce, nc ?? "", cnonce ?? "", qop, ha2)
    }

    /// Compares a received `response` with the expected one in time independent of where they
    /// differ, so an attacker cannot learn the digest byte by byte. Hex letters compare
    /// case-insensitively (RFC 7616 asks for lowercase, a few phones send uppercase).
    public static func responsesMatch(_ received: String, _ expected: String) -> Bool {
        var received = received
        var expected = expected
        return received.withUTF8 { r in
            expected.withUTF8 { e in
                guard r.count == e.count else { return false }
                var difference: UInt8 = 0
                for i in 0..<r.count {
                    let folded = r[i] >= 0x41 && r[i] <= 0x46 ? r[i] | 0x20 : r[i]
                    difference |= folded ^ e[i]
                }
                return difference == 0
            }
        }
    }

    /// Lowercase hex of `bytes`, through a lookup table.
    public static func lowercaseHex(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            hexDigits.withUnsafeBufferPointer { digits in
                for (i, byte) in bytes.enumerated() {
                    out[2 &* i] = digits[Int(byte >> 4)]
                    out[2 &* i &+ 1] = digits[Int(byte & 0x0f)]
                }
            }
            return bytes.count * 2
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Hex digest of the parts joined by ":", streamed into the hasher without building the
    /// joined string.
    private func colonJoinedHex<each Part: StringProtocol>(_ parts: repeat each Part) -> String {
        switch self {
        case .md5:
            var hasher = MD5()
            var first = true
            for part in repeat each parts {
                if !first { withUnsafeBytes(of: UInt8(ascii: ":")) { hasher.update($0) } }
                first = false
                Self.feed(part, into: &hasher)
            }
            return Self.lowercaseHex(hasher.finalize())
        case .sha256:
            var hasher = SHA256()
            var first = true
            for part in repeat each parts {
                if !first { withUnsafeBytes(of: UInt8(ascii: ":")) { hasher.update($0) } }
                first = false
                Self.feed(part, into: &hasher)
            }
            return Self.lowercaseHex(hasher.finalize())
        }
    }

    private static func feed(_ part: some StringProtocol, into hasher: inout MD5) {
        let done: Void? = part.utf8.withContiguousStorageIfAvailable { hasher.update(UnsafeRawBufferPointer($0)) }
        if done == nil { hasher.update(Array(part.utf8)) }
    }

    private static func feed(_ part: some StringProtocol, into hasher: inout SHA256) {
        let done: Void? = part.utf8.withContiguousStorageIfAvailable { hasher.update(UnsafeRawBufferPointer($0)) }
        if done == nil { hasher.update(Array(part.utf8)) }
    }
}
