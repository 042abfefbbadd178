import SIPCore

/// The outcome of checking a nonce a client sent back.
public enum NonceCheck: Sendable, Equatable {
    /// Issued by us, for this realm, within its lifetime.
    case valid
    /// Issued by us for this realm but too old: challenge again with `stale=true` so the phone
    /// retries with the new nonce without asking for the password (RFC 7616 §3.3).
    case stale
    /// Not ours: malformed, tampered with, signed with another secret, or for another realm.
    /// Challenge again with `stale=false`.
    case invalid
}

/// Issues and checks stateless digest nonces, so any registrar sharing `secret` can verify a
/// nonce without a table of the nonces it handed out.
///
/// A nonce is base64url (no padding) of 32 bytes:
///
///     issued-at (8, big-endian Unix seconds) | random (8) | HMAC-SHA256(secret, tag | issued-at | random | realm)[0..<16]
///
/// The realm is signed but not carried, so a nonce for one organisation is useless in another.
/// Being stateless, a nonce can be replayed within its lifetime; replay protection comes from
/// `nc` tracking per nonce, or from a short lifetime.
public struct NonceIssuer: Sendable {
    /// How long a nonce stays valid, in seconds.
    public let lifetime: Int64
    /// How far in the future an issue time may lie (clock steps, or skew between registrars
    /// sharing a secret) before we call the nonce stale rather than valid.
    public let clockSkewTolerance: Int64
    private let secret: [UInt8]
    /// HMAC state after the key pads: copied per nonce, so the key is not re-hashed each time.
    private let keyed: HMACSHA256.Authenticator

    private static let timestampByteCount = 8
    private static let randomByteCount = 8
    private static let macByteCount = 16
    private static let nonceByteCount = timestampByteCount + randomByteCount + macByteCount
    /// Domain separation, in case the secret is ever reused for another MAC.
    private static let tag = Array("CarePhone digest nonce v1\0".utf8)

    /// - Parameters:
    ///   - secret: at least 16 random bytes, kept private; every registrar of a cluster uses the same.
    ///   - lifetime: seconds a nonce is accepted before it is reported stale (e.g. 300).
    ///   - clockSkewTolerance: seconds a nonce's issue time may lie ahead of `now`.
    public init(secret: [UInt8], lifetime: Int64, clockSkewTolerance: Int64 = 30) {
        precondition(!secret.isEmpty, "NonceIssuer needs a non-empty secret")
        precondition(lifetime > 0, "NonceIssuer lifetime must be positive")
        self.secret = secret
        self.keyed = HMACSHA256.Authenticator(key: secret)
        self.lifetime = lifetime
        self.clockSkewTolerance = max(0, clockSkewTolerance)
    }

    /// A fresh nonce for `realm`, issued at `now` (Unix seconds).
    public func issue(now: Int64, realm: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return issue(now: now, realm: realm, using: &generator)
    }

    /// A fresh nonce drawing its random part from `generator` (tests pass a seeded one).
    public func issue(now: Int64, realm: String, using generator: inout some RandomNumberGenerator) -> String {
        var nonce = [UInt8]()
        nonce.reserveCapacity(Self.nonceByteCount)
        withUnsafeBytes(of: now.bigEndian) { nonce.append(contentsOf: $0) }
        withUnsafeBytes(of: generator.next() as UInt64) { nonce.append(contentsOf: $0) }
        nonce.append(contentsOf: mac(stampAndRandom: nonce[...], realm: realm))
        return Self.base64URLEncoded(nonce)
    }

    /// Whether `nonce` is one of ours for `realm`, and still fresh at `now` (Unix seconds).
    public func check(_ nonce: String, now: Int64, realm: String) -> NonceCheck {
        guard let bytes = Self.base64URLDecoded(nonce), bytes.count == Self.nonceByteCount else { return .invalid }
        let signed = bytes[..<(Self.timestampByteCount + Self.randomByteCount)]
        let expected = mac(stampAndRandom: signed, realm: realm)
        var difference: UInt8 = 0
        for (a, b) in zip(expected, bytes[signed.endIndex...]) { difference |= a ^ b }
        guard difference == 0 else { return .invalid }

        let issuedAt = bytes[..<Self.timestampByteCount].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let age = now.subtractingReportingOverflow(Int64(bitPattern: issuedAt))
        guard !age.overflow, age.partialValue <= lifetime, age.partialValue >= -clockSkewTolerance else {
            return .stale
        }
        return .valid
    }

    private func mac(stampAndRandom: ArraySlice<UInt8>, realm: String) -> ArraySlice<UInt8> {
        var authenticator = keyed
        authenticator.update(Self.tag)
        authenticator.update(stampAndRandom)
        authenticator.update(realm.utf8)
        return authenticator.finalize()[..<Self.macByteCount]
    }

    // MARK: base64url (RFC 4648 §5), without padding

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let reverseAlphabet: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (value, symbol) in alphabet.enumerated() { table[Int(symbol)] = UInt8(value) }
        return table
    }()

    static func base64URLEncoded(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i + 3 <= bytes.count {
            let group = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] as [UInt32] { out.append(alphabet[Int(group >> shift & 0x3f)]) }
            i += 3
        }
        switch bytes.count - i {
        case 1:
            let group = UInt32(bytes[i]) << 16
            out.append(alphabet[Int(group >> 18 & 0x3f)])
            out.append(alphabet[Int(group >> 12 & 0x3f)])
        case 2:
            let group = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(alphabet[Int(group >> 18 & 0x3f)])
            out.append(alphabet[Int(group >> 12 & 0x3f)])
            out.append(alphabet[Int(group >> 6 & 0x3f)])
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Strict decoding: nil for padding, foreign characters, an impossible length, or non-zero
    /// leftover bits (so each nonce has exactly one spelling).
    static func base64URLDecoded(_ text: String) -> [UInt8]? {
        let symbols = Array(text.utf8)
        guard symbols.count % 4 != 1 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(symbols.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for symbol in symbols {
            let value = reverseAlphabet[Int(symbol)]
            guard value != 0xff else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        guard accumulator & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }
}
