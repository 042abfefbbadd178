import Registrar
import SIPCore
import Testing

/// SplitMix64: a seeded generator so nonces in tests are reproducible.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

@Suite("NonceIssuerTests")
struct NonceIssuerTests {
    let issuer = NonceIssuer(secret: Array("correct horse battery staple 42!".utf8), lifetime: 300)
    let realm = "clinic.example"
    let now: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z

    @Test("a fresh nonce is valid for its realm, up to and including its lifetime")
    func valid() {
        let nonce = issuer.issue(now: now, realm: realm)
        #expect(issuer.check(nonce, now: now, realm: realm) == .valid)
        #expect(issuer.check(nonce, now: now + 299, realm: realm) == .valid)
        #expect(issuer.check(nonce, now: now + 300, realm: realm) == .valid)
    }

    @Test("a nonce is stale once older than its lifetime")
    func stale() {
        let nonce = issuer.issue(now: now, realm: realm)
        #expect(issuer.check(nonce, now: now + 301, realm: realm) == .stale)
        #expect(issuer.check(nonce, now: now + 86_400 * 365, realm: realm) == .stale)
    }

    @Test("a small clock step backwards is tolerated; a nonce from far in the future is stale")
    func clockSkew() {
        let nonce = issuer.issue(now: now, realm: realm)
        #expect(issuer.check(nonce, now: now - 30, realm: realm) == .valid)
        #expect(issuer.check(nonce, now: now - 31, realm: realm) == .stale)
    }

    @Test("a nonce for another realm is invalid")
    func foreignRealm() {
        let nonce = issuer.issue(now: now, realm: realm)
        #expect(issuer.check(nonce, now: now, realm: "other.example") == .invalid)
        #expect(issuer.check(nonce, now: now, realm: "Clinic.example") == .invalid)
    }

    @Test("a nonce signed with another secret is invalid")
    func foreignSecret() {
        let other = NonceIssuer(secret: Array("another secret entirely, 32 bytes".utf8), lifetime: 300)
        #expect(issuer.check(other.issue(now: now, realm: realm), now: now, realm: realm) == .invalid)
    }

    @Test("changing any single character makes the nonce invalid")
    func tampered() {
        var generator = SeededGenerator(state: 7)
        let nonce = Array(issuer.issue(now: now, realm: realm, using: &generator).utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        for position in nonce.indices {
            var changed = nonce
            changed[position] = alphabet[(alphabet.firstIndex(of: nonce[position])! + 1) % alphabet.count]
            let text = String(decoding: changed, as: UTF8.self)
            #expect(issuer.check(text, now: now, realm: realm) == .invalid, "changed position \(position)")
        }
    }

    @Test("pushing the timestamp forward to revive a stale nonce does not work")
    func forgedTimestamp() {
        // Re-issue at a later time with the same random part: the MAC differs, so splicing the
        // new timestamp onto the old MAC fails.
        var g1 = SeededGenerator(state: 1)
        var g2 = SeededGenerator(state: 1)
        let old = Array(issuer.issue(now: now, realm: realm, using: &g1).utf8)
        let new = Array(issuer.issue(now: now + 1000, realm: realm, using: &g2).utf8)
        // The first 11 base64 characters carry the 8-byte timestamp (plus 2 bits of random).
        let spliced = String(decoding: new.prefix(11) + old.dropFirst(11), as: UTF8.self)
        #expect(issuer.check(spliced, now: now + 1000, realm: realm) == .invalid)
    }

    @Test(
        "garbage is invalid, never a crash",
        arguments: [
            "", "x", "====", "AAAA", "not a nonce at all", String(repeating: "A", count: 43),
            String(repeating: "A", count: 44), "é", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ])
    func garbage(nonce: String) {
        #expect(issuer.check(nonce, now: now, realm: realm) == .invalid)
    }

    @Test("nonces are distinct, URL- and quoted-string-safe, and 43 characters long")
    func shape() {
        var seen = Set<String>()
        for _ in 0..<1000 {
            let nonce = issuer.issue(now: now, realm: realm)
            #expect(nonce.utf8.count == 43)
            #expect(
                nonce.utf8.allSatisfy {
                    $0 == 0x2d || $0 == 0x5f || (0x30...0x39).contains($0) || (0x41...0x5a).contains($0)
                        || (0x61...0x7a).contains($0)
                })
            seen.insert(nonce)
        }
        #expect(seen.count == 1000)
    }

    @Test("a nonce issued in a challenge survives the Authorization round trip")
    func throughHeaders() throws {
        let nonce = issuer.issue(now: now, realm: realm)
        let challenge = try DigestChallenge(
            parsing: DigestChallenge(realm: realm, nonce: nonce, algorithm: .sha256).headerValue)
        let credentials = DigestCredentials(
            answering: challenge, username: "1001", password: "pw", method: "REGISTER", uri: "sip:\(realm)", cnonce: "c"
        )
        let parsed = try DigestCredentials(parsing: credentials.headerValue)
        #expect(issuer.check(parsed.nonce, now: now + 5, realm: parsed.realm) == .valid)
    }
}
