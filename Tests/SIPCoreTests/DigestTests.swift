import Foundation
import SIPCore
import Testing

private func hex(_ bytes: [UInt8]) -> String { DigestAlgorithm.lowercaseHex(bytes) }
private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
private func bytes(hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var chars = Array(hex.utf8)[...]
    while chars.count >= 2 {
        out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!)
        chars = chars.dropFirst(2)
    }
    return out
}
/// Deterministic test data: byte i is (7i + 3) mod 256.
private func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) } }

@Suite("DigestTests")
struct DigestTests {
    // MARK: MD5

    @Test(
        "MD5: the RFC 1321 §A.5 test suite",
        arguments: [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ])
    func md5Suite(input: String, expected: String) {
        #expect(hex(MD5.hash(bytes(input))) == expected)
        #expect(DigestAlgorithm.md5.hex(input) == expected)
    }

    // Lengths around the padding boundaries (55/56 bytes, one and two blocks), checked
    // against Python's hashlib.
    static let boundaryVectors: [(Int, String, String)] = [
        (55, "52c0e574e1198de5fe3f8f11440dcb1b", "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"),
        (56, "46c9907fc908ee68b1e7b8e71286a518", "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"),
        (57, "1c805dd236c35cab25fcb1bc73802c51", "35df609437dcfea3279283ab79fd554e2bf78f8f7ae2de532d8ee300b09e8f73"),
        (63, "a62f6d59e837867693f042f5b8f5a236", "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"),
        (64, "7160b8fb5e9e4023d549c3971fbaeead", "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"),
        (65, "70bd662e7aefbda85a0f7244167b7897", "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"),
        (119, "e84905d4214f4d1ca56c2cdcc152b143", "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"),
        (120, "e3eb5a6c8669ea01a8c185b8abc8a5dc", "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"),
        (128, "10b2da1a82f16d99a81a7203fe9f02cb", "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6"),
        (1000, "10046f077f2082ac19676b8079f1cb1a", "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371"),
    ]

    @Test("MD5 and SHA-256 at block boundaries, whole and fed in odd chunks")
    func boundaries() {
        for (count, md5, sha256) in Self.boundaryVectors {
            let data = pattern(count)
            #expect(hex(MD5.hash(data)) == md5, "MD5 of \(count) bytes")
            #expect(hex(SHA256.hash(data)) == sha256, "SHA-256 of \(count) bytes")
            for chunk in [1, 3, 17, 63, 64, 65] {
                var m = MD5()
                var s = SHA256()
                var start = 0
                while start < data.count {
                    let end = min(start + chunk, data.count)
                    m.update(data[start..<end])
                    s.update(data[start..<end])
                    start = end
                }
                #expect(hex(m.finalize()) == md5, "MD5 of \(count) bytes in chunks of \(chunk)")
                #expect(hex(s.finalize()) == sha256, "SHA-256 of \(count) bytes in chunks of \(chunk)")
            }
        }
    }

    @Test("finalize leaves the hasher usable")
    func finalizeIsNonDestructive() {
        var s = SHA256()
        s.update(bytes("ab"))
        _ = s.finalize()
        s.update(bytes("c"))
        #expect(hex(s.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    // MARK: SHA-256

    @Test(
        "SHA-256: FIPS 180-4 / NIST examples",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            // Two blocks: 448 bits of message leaves no room for the length in the first block.
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
            ),
        ])
    func sha256Vectors(input: String, expected: String) {
        #expect(hex(SHA256.hash(bytes(input))) == expected)
        #expect(DigestAlgorithm.sha256.hex(input) == expected)
    }

    @Test("SHA-256 of one million 'a'")
    func sha256MillionA() {
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(hex(SHA256.hash(million)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    // MARK: HMAC-SHA256

    @Test(
        "HMAC-SHA256: RFC 4231 §4.2-4.8",
        arguments: [
            (
                bytes(hex: String(repeating: "0b", count: 20)), bytes("Hi There"),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
            ),
            (
                bytes("Jefe"), bytes("what do ya want for nothing?"),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (
                bytes(hex: String(repeating: "aa", count: 20)), bytes(hex: String(repeating: "dd", count: 50)),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
            ),
            (
                bytes(hex: "0102030405060708090a0b0c0d0e0f10111213141516171819"),
                bytes(hex: String(repeating: "cd", count: 50)),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
            ),
            (
                bytes(hex: String(repeating: "aa", count: 131)),
                bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
            (
                bytes(hex: String(repeating: "aa", count: 131)),
                bytes(
                    "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
                ),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
            ),
        ])
    func hmacVectors(key: [UInt8], message: [UInt8], expected: String) {
        #expect(hex(HMACSHA256.authenticationCode(key: key, message: message)) == expected)
    }

    @Test("HMAC-SHA256: RFC 4231 §4.6, truncated to 128 bits")
    func hmacTruncated() {
        let mac = HMACSHA256.authenticationCode(
            key: [UInt8](repeating: 0x0c, count: 20), message: bytes("Test With Truncation"))
        #expect(hex(Array(mac.prefix(16))) == "a3b6167473100ee06e0c796c2955552b")
    }

    // MARK: Digest response

    @Test("RFC 2617 §3.5 example (MD5, qop=auth)")
    func rfc2617Example() {
        let md5 = DigestAlgorithm.md5
        let ha1 = md5.ha1(username: "Mufasa", realm: "testrealm@host.com", password: "Circle Of Life")
        let response = md5.response(
            ha1: ha1, nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", nc: "00000001", cnonce: "0a4f113b", qop: "auth",
            method: "GET", uri: "/dir/index.html")
        #expect(response == "6629fae49393a05397450978507c4ef1")
    }

    // RFC 7616 §3.9.1; note the password is "Circle of Life" with a lowercase "of" (erratum 4495).
    static let rfc7616Authorization = """
        Digest username="Mufasa",
            realm="http-auth@example.org",
            uri="/dir/index.html",
            algorithm=SHA-256,
            nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            nc=00000001,
            cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            qop=auth,
            response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
        """

    @Test("RFC 7616 §3.9.1 examples (SHA-256 and MD5)")
    func rfc7616Example() {
        let expected: [(DigestAlgorithm, String)] = [
            (.sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
            (.md5, "8ca523f5e9506fed4657c9700eebdbec"),
        ]
        for (algorithm, response) in expected {
            let ha1 = algorithm.ha1(username: "Mufasa", realm: "http-auth@example.org", password: "Circle of Life")
            let computed = algorithm.response(
                ha1: ha1, nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc: "00000001",
                cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop: "auth", method: "GET",
                uri: "/dir/index.html")
            #expect(computed == response, "\(algorithm)")
        }
    }

    @Test("RFC 7616 §3.9.1 Authorization header parses and verifies")
    func rfc7616HeaderVerifies() throws {
        let credentials = try DigestCredentials(parsing: Self.rfc7616Authorization)
        #expect(credentials.username == "Mufasa")
        #expect(credentials.algorithm == .sha256)
        #expect(credentials.nonceCount == 1)
        #expect(credentials.opaque == "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")
        let ha1 = DigestAlgorithm.sha256.ha1(
            username: "Mufasa", realm: "http-auth@example.org", password: "Circle of Life")
        #expect(credentials.hasValidResponse(ha1: ha1, method: "GET"))
        #expect(!credentials.hasValidResponse(ha1: ha1, method: "POST"))
        let wrong = DigestAlgorithm.sha256.ha1(
            username: "Mufasa", realm: "http-auth@example.org", password: "Circle Of Life")
        #expect(!credentials.hasValidResponse(ha1: wrong, method: "GET"))
    }

    @Test("RFC 2069 form when qop is absent")
    func rfc2069Form() {
        let md5 = DigestAlgorithm.md5
        let ha1 = md5.ha1(username: "1001", realm: "clinic.example", password: "secret")
        let ha2 = md5.ha2(method: "REGISTER", uri: "sip:clinic.example")
        #expect(
            md5.response(
                ha1: ha1, nonce: "abc", nc: nil, cnonce: nil, qop: nil, method: "REGISTER", uri: "sip:clinic.example")
                == md5.hex("\(ha1):abc:\(ha2)"))
    }

    @Test("answering a challenge produces credentials that verify")
    func answerChallenge() throws {
        let challenge = DigestChallenge(realm: "clinic.example", nonce: "n0nce", algorithm: .sha256, opaque: "op")
        let credentials = DigestCredentials(
            answering: challenge, username: "1001", password: "pw", method: "REGISTER", uri: "sip:clinic.example",
            cnonce: "c1", nonceCount: 2)
        #expect(credentials.nc == "00000002")
        #expect(credentials.qop == "auth")
        #expect(credentials.opaque == "op")
        let ha1 = DigestAlgorithm.sha256.ha1(username: "1001", realm: "clinic.example", password: "pw")
        #expect(credentials.hasValidResponse(ha1: ha1, method: "REGISTER"))
        #expect(try DigestCredentials(parsing: credentials.headerValue) == credentials)
    }

    @Test("algorithm names are case-insensitive; -sess and SHA-512-256 are not supported")
    func algorithmNames() {
        #expect(DigestAlgorithm(headerValue: "md5") == .md5)
        #expect(DigestAlgorithm(headerValue: "Sha-256") == .sha256)
        #expect(DigestAlgorithm(headerValue: "MD5-sess") == nil)
        #expect(DigestAlgorithm(headerValue: "SHA-512-256") == nil)
        #expect(DigestAlgorithm(headerValue: "") == nil)
    }

    @Test("responses compare case-insensitively on hex letters only")
    func responseComparison() {
        #expect(DigestAlgorithm.responsesMatch("6629FAE49393a05397450978507c4ef1", "6629fae49393a05397450978507c4ef1"))
        #expect(!DigestAlgorithm.responsesMatch("6629fae49393a05397450978507c4ef", "6629fae49393a05397450978507c4ef1"))
        #expect(!DigestAlgorithm.responsesMatch("7629fae49393a05397450978507c4ef1", "6629fae49393a05397450978507c4ef1"))
    }

    // MARK: Challenge header

    @Test("challenge prints as documented")
    func challengePrints() {
        let challenge = DigestChallenge(
            realm: "clinic.example", nonce: "abc", algorithm: .sha256, qop: ["auth"], stale: true)
        #expect(
            challenge.headerValue
                == #"Digest realm="clinic.example", nonce="abc", algorithm=SHA-256, qop="auth", stale=true"#)
    }

    @Test(
        "challenge round trips",
        arguments: [
            DigestChallenge(
                realm: "clinic.example", nonce: "AAAAAGZ2-_x", algorithm: .sha256, qop: ["auth"], stale: true),
            DigestChallenge(
                realm: "clinic.example", nonce: "n", algorithm: .md5, qop: [], stale: false, opaque: "o/p=q"),
            DigestChallenge(realm: #"we"ird\realm"#, nonce: "n,n", algorithm: .md5, qop: ["auth", "auth-int"]),
            DigestChallenge(realm: "Clínica Ñ 診所", nonce: "n", algorithm: .sha256),
        ])
    func challengeRoundTrip(challenge: DigestChallenge) throws {
        #expect(try DigestChallenge(parsing: challenge.headerValue) == challenge)
    }

    @Test("challenge parsing: defaults, case, unknown parameters")
    func challengeParsing() throws {
        let parsed = try DigestChallenge(
            parsing:
                #"DIGEST Realm="r",domain="sip:a sip:b", NONCE=n1 , qop="auth, auth-int", stale=TRUE, charset=UTF-8"#)
        #expect(
            parsed == DigestChallenge(realm: "r", nonce: "n1", algorithm: .md5, qop: ["auth", "auth-int"], stale: true))
        #expect(throws: DigestParseError.missingParameter("nonce")) {
            try DigestChallenge(parsing: #"Digest realm="r""#)
        }
        #expect(throws: DigestParseError.unsupportedAlgorithm("SHA-512-256")) {
            try DigestChallenge(parsing: #"Digest realm="r", nonce="n", algorithm=SHA-512-256"#)
        }
        #expect(throws: DigestParseError.unsupportedScheme("Basic")) {
            try DigestChallenge(parsing: #"Basic realm="r""#)
        }
    }

    // MARK: Credentials header

    @Test(
        "credentials round trip",
        arguments: [
            DigestCredentials(
                username: "1001", realm: "clinic.example", nonce: "AAAAAGZ2", uri: "sip:clinic.example",
                response: "6629fae49393a05397450978507c4ef1"),
            DigestCredentials(
                username: #"dr "who"\x"#, realm: "clinic.example", nonce: "n",
                uri: "sip:1002@clinic.example;transport=tcp",
                response: "00", algorithm: .sha256, cnonce: "c, n", opaque: "", qop: "auth", nc: "0000000a"),
            DigestCredentials(
                username: "Ælfrida", realm: "診所", nonce: "n", uri: "sip:x", response: "r", algorithm: .md5,
                cnonce: "c", qop: "auth-int", nc: "00000001"),
        ])
    func credentialsRoundTrip(credentials: DigestCredentials) throws {
        #expect(try DigestCredentials(parsing: credentials.headerValue) == credentials)
    }

    @Test("credentials print in RFC 7616 order with unquoted algorithm, qop and nc")
    func credentialsPrint() {
        let credentials = DigestCredentials(
            username: "1001", realm: "r", nonce: "n", uri: "sip:r", response: "abc", algorithm: .sha256, cnonce: "c",
            qop: "auth", nc: "00000001")
        #expect(
            credentials.headerValue
                == #"Digest username="1001", realm="r", nonce="n", uri="sip:r", response="abc", algorithm=SHA-256, cnonce="c", qop=auth, nc=00000001"#
        )
    }

    @Test("credentials parsing is liberal in whitespace, case and quoting")
    func credentialsLiberal() throws {
        let header =
            "digest  USERNAME = \"1001\" ,realm=\"r\",,nonce=\"n\",\r\n uri=\"sip:r\"\t, response=\"x\", qop=\"auth\", nc=00000001, cnonce=c, algorithm=md5, userhash=false, new-param=\"a\\\"b\""
        let parsed = try DigestCredentials(parsing: header)
        #expect(
            parsed
                == DigestCredentials(
                    username: "1001", realm: "r", nonce: "n", uri: "sip:r", response: "x", algorithm: .md5, cnonce: "c",
                    qop: "auth", nc: "00000001"))
    }

    @Test("RFC 4475 §3.3.7: an unknown authorization scheme is a distinct error")
    func unknownScheme() throws {
        #expect(throws: DigestParseError.unsupportedScheme("NoOneKnowsThisScheme")) {
            try DigestCredentials(parsing: "NoOneKnowsThisScheme opaque-data=here")
        }
    }

    @Test("RFC 4475 §3.3.7 message file: the Authorization value gives .unsupportedScheme")
    func unknownSchemeFromTortureMessage() throws {
        let url = try #require(
            Bundle.module.url(forResource: "regaut01", withExtension: "dat", subdirectory: "RFC4475"))
        let message = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        let line = try #require(message.split(separator: "\r\n").first { $0.lowercased().hasPrefix("authorization:") })
        let value = line.drop { $0 != ":" }.dropFirst()
        #expect(throws: DigestParseError.unsupportedScheme("NoOneKnowsThisScheme")) {
            try DigestCredentials(parsing: value)
        }
    }

    @Test(
        "credentials errors name the parameter",
        arguments: [
            (#"Digest realm="r", nonce="n", uri="u", response="x""#, DigestParseError.missingParameter("username")),
            (#"Digest username="a", nonce="n", uri="u", response="x""#, .missingParameter("realm")),
            (#"Digest username="a", realm="r", uri="u", response="x""#, .missingParameter("nonce")),
            (#"Digest username="a", realm="r", nonce="n", response="x""#, .missingParameter("uri")),
            (#"Digest username="a", realm="r", nonce="n", uri="u""#, .missingParameter("response")),
            (
                #"Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, nc=00000001"#,
                .missingParameter("cnonce")
            ),
            (
                #"Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, cnonce="c""#,
                .missingParameter("nc")
            ),
            (
                #"Digest username="a", Username="b", realm="r", nonce="n", uri="u", response="x""#,
                .duplicateParameter("username")
            ),
            (
                #"Digest username="a", realm="r", nonce="n", uri="u", response="x", algorithm=MD5-sess"#,
                .unsupportedAlgorithm("MD5-sess")
            ),
            (
                #"Digest username="a", realm="r", nonce="n", uri="u", response="x", algorithm="SHA-256-sess""#,
                .unsupportedAlgorithm("SHA-256-sess")
            ),
            (
                #"Digest username="a", realm="r", nonce="n", uri="u", response="x", algorithm=SHA-512-256"#,
                .unsupportedAlgorithm("SHA-512-256")
            ),
            (
                #"Digest username="a", realm="r", nonce="n", uri="u", response="x", nc=xyz, qop=auth, cnonce=c"#,
                .invalidValue(parameter: "nc", value: "xyz", expected: "8 hex digits such as 00000001")
            ),
            ("Digest", .missingParameter("username")),
            ("   ", .empty),
            ("", .empty),
        ])
    func credentialsErrors(header: String, error: DigestParseError) {
        #expect(throws: error) { try DigestCredentials(parsing: header) }
    }

    @Test(
        "malformed credentials throw .malformed, never crash",
        arguments: [
            #"Digest username="a"#,
            #"Digest username"#,
            #"Digest username="a" realm="r""#,
            #"Digest username=, realm="r""#,
            #"Digest ="a""#,
            "Digest username=\"a\\",
            #"Digest username="a", Basic realm="r""#,
        ])
    func malformed(header: String) {
        #expect {
            try DigestCredentials(parsing: header)
        } throws: { error in
            guard case .malformed = error as? DigestParseError else { return false }
            return true
        }
    }

    @Test("error descriptions say what and where")
    func errorDescriptions() {
        #expect(DigestParseError.missingParameter("nonce").description.contains("'nonce'"))
        #expect(DigestParseError.unsupportedScheme("Basic").description.contains("'Basic'"))
        #expect(DigestParseError.malformed(reason: "x", offset: 7).description.contains("byte 7"))
    }

    @Test("CR and LF never reach the printed header")
    func noHeaderInjection() {
        let credentials = DigestCredentials(
            username: "a\r\nVia: evil", realm: "r", nonce: "n", uri: "u", response: "x")
        #expect(!credentials.headerValue.contains("\r"))
        #expect(!credentials.headerValue.contains("\n"))
    }
}
