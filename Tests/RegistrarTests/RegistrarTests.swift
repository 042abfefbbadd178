import Directory
import Testing

@testable import Registrar
@testable import SIPCore

/// REGISTER handling per RFC 3261 §10.3, without sockets: requests are built as text,
/// challenges answered with the digest code, time passed in explicitly.
@Suite struct RegistrarTests {
    let directory = InMemoryDirectoryStore()
    let registrar: Registrar
    let organisation: Organisation
    let now: Int64 = 1_800_000_000
    let source = Registrar.Source(transport: "udp", host: "192.0.2.10", port: 5062, localHost: "192.0.2.1", localPort: 5060)

    init() throws {
        organisation = try directory.createOrganisation(Organisation(name: "Clinic", sipDomain: "clinic.example"))
        _ = try directory.importUsers([
            UserImportRow(line: 2, extension: "1001", displayName: "Reception", password: "secret-1001", email: "r@clinic.example"),
            UserImportRow(line: 3, extension: "1002", displayName: "Dr. Rossi", password: "secret-1002", email: "m@clinic.example"),
        ], organisationID: organisation.id)
        registrar = Registrar(directory: directory, bindings: [], nonces: NonceIssuer(secret: Array("test-secret".utf8), lifetime: 300),
                              throttle: AuthThrottle.Settings(window: 60, slowAfter: 3, blockAfter: 5, blockSeconds: 100, userAlarmAfter: 4, delayMilliseconds: 500),
                              resolver: OrganisationResolver(serverNames: ["pbx.clinic.example"]))
    }

    func register(user: String = "1001", contact: String = "<sip:1001@192.0.2.10:5062>", expires: String? = "3600",
                  callID: String = "call-1", cseq: Int = 1, authorization: String? = nil, host: String = "clinic.example") throws -> (SIPRequest, RoutingHeaders) {
        var text = "REGISTER sip:\(host) SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK\(cseq)\(callID)\r\nMax-Forwards: 70\r\n"
        text += "From: <sip:\(user)@\(host)>;tag=a1\r\nTo: <sip:\(user)@\(host)>\r\nCall-ID: \(callID)\r\nCSeq: \(cseq) REGISTER\r\n"
        if !contact.isEmpty { text += "Contact: \(contact)\r\n" }
        if let expires { text += "Expires: \(expires)\r\n" }
        if let authorization { text += "Authorization: \(authorization)\r\n" }
        text += "Content-Length: 0\r\n\r\n"
        let message = try SIPParser().parseDatagram(Array(text.utf8))
        guard case .request(let r) = message else { throw SIPParseError.incomplete }
        return (r, try RoutingHeaders(message))
    }

    func respond(_ decision: Registrar.Decision) -> SIPResponse? {
        switch decision {
        case .respond(let r, _): return r
        case .store(let changes, let r):
            registrar.commit(changes)
            return r
        case .drop: return nil
        }
    }

    /// The challenge a first REGISTER (without credentials) gets.
    func firstChallenge(user: String = "1001", host: String = "clinic.example") throws -> DigestChallenge {
        let (first, routing) = try register(user: user, host: host)
        let response = try #require(respond(registrar.register(first, routing: routing, source: source, now: now)))
        #expect(response.statusCode == 401)
        return try DigestChallenge(parsing: try #require(response.headers[HeaderName.wwwAuthenticate]))
    }

    func answer(_ challenge: DigestChallenge, user: String, password: String, uri: String, nonceCount: UInt32) -> DigestCredentials {
        DigestCredentials(answering: challenge, username: user, password: password, method: "REGISTER", uri: uri, cnonce: "c\(nonceCount)", nonceCount: nonceCount)
    }

    /// Sends a REGISTER, answers the challenge with `password`, returns the final response.
    func authenticated(user: String = "1001", password: String = "secret-1001", contact: String = "<sip:1001@192.0.2.10:5062>", expires: String? = "3600", callID: String = "call-1", cseq: Int = 1, at time: Int64? = nil, from: Registrar.Source? = nil, algorithm: DigestAlgorithm = .md5) throws -> SIPResponse? {
        let t = time ?? now
        let (first, routing) = try register(user: user, contact: contact, expires: expires, callID: callID, cseq: cseq)
        guard let challengeResponse = respond(registrar.register(first, routing: routing, source: from ?? source, now: t)) else { return nil }
        #expect(challengeResponse.statusCode == 401)
        let challenges = try challengeResponse.headers.values(HeaderName.wwwAuthenticate).map { try DigestChallenge(parsing: $0) }
        let challenge = try #require(challenges.first { $0.algorithm == algorithm })
        let credentials = DigestCredentials(answering: challenge, username: user, password: password, method: "REGISTER", uri: "sip:clinic.example", cnonce: "c0ffee", nonceCount: 1)
        let (second, routing2) = try register(user: user, contact: contact, expires: expires, callID: callID, cseq: cseq + 1, authorization: credentials.headerValue)
        return respond(registrar.register(second, routing: routing2, source: from ?? source, now: t))
    }

    @Test func challengeThenRegister() throws {
        let response = try #require(try authenticated())
        #expect(response.statusCode == 200)
        #expect(response.headers.values(HeaderName.contact) == ["<sip:1001@192.0.2.10:5062>;expires=3600"])
        #expect(response.headers[HeaderName.to]?.contains(";tag=") == true)
        let bindings = registrar.location.bindings(of: "sip:1001@clinic.example", now: now)
        #expect(bindings.count == 1)
        #expect(bindings[0].expiresAt == now + 3600)
        #expect(bindings[0].sourceHost == "192.0.2.10")
    }

    @Test func unknownUserAndWrongPasswordLookTheSame() throws {
        let wrong = try #require(try authenticated(password: "not-the-password"))
        let unknown = try #require(try authenticated(user: "1999", password: "whatever-pw", contact: "<sip:1999@192.0.2.10>"))
        #expect(wrong.statusCode == 401)
        #expect(unknown.statusCode == 401)
        #expect(wrong.reasonPhrase == unknown.reasonPhrase)
        #expect(wrong.headers.fields.map(\.name) == unknown.headers.fields.map(\.name))
        let a = try DigestChallenge(parsing: wrong.headers[HeaderName.wwwAuthenticate]!)
        let b = try DigestChallenge(parsing: unknown.headers[HeaderName.wwwAuthenticate]!)
        #expect(a.realm == b.realm && a.algorithm == b.algorithm && a.stale == b.stale && a.qop == b.qop)
    }

    @Test func sha256WhenOffered() throws {
        try directory.setDigestAlgorithms([.sha256, .md5], organisationID: organisation.id)
        let (first, routing) = try register()
        let challenge = try #require(respond(registrar.register(first, routing: routing, source: source, now: now + 10)))
        #expect(try challenge.headers.values(HeaderName.wwwAuthenticate).map { try DigestChallenge(parsing: $0).algorithm } == [.sha256, .md5])
        let response = try #require(try authenticated(at: now + 10, algorithm: .sha256))
        #expect(response.statusCode == 200)
    }

    @Test func perDeviceAlgorithmsOverrideTheOrganisation() throws {
        let device = try #require(try directory.device(organisationID: organisation.id, username: "1002"))
        try directory.setDigestAlgorithms([.sha256], deviceID: device.id)
        let (first, routing) = try register(user: "1002", contact: "<sip:1002@192.0.2.10>")
        let challenge = try #require(respond(registrar.register(first, routing: routing, source: source, now: now)))
        #expect(try challenge.headers.values(HeaderName.wwwAuthenticate).map { try DigestChallenge(parsing: $0).algorithm } == [.sha256])
        // An MD5 answer is refused for this device even with the right password.
        let md5 = try #require(try authenticated(user: "1002", password: "secret-1002", contact: "<sip:1002@192.0.2.10>", algorithm: .sha256))
        #expect(md5.statusCode == 200)
    }

    @Test func staleNonceGetsStaleTrue() throws {
        let challenge = try firstChallenge()
        let credentials = answer(challenge, user: "1001", password: "secret-1001", uri: "sip:clinic.example", nonceCount: 1)
        let (second, routing2) = try register(cseq: 2, authorization: credentials.headerValue)
        let late = try #require(respond(registrar.register(second, routing: routing2, source: source, now: now + 1000)))
        #expect(late.statusCode == 401)
        #expect(try DigestChallenge(parsing: late.headers[HeaderName.wwwAuthenticate]!).stale)
    }

    /// A captured Authorization header cannot be replayed (RFC 7616 §5.12): the same nonce
    /// count again gets a fresh challenge with stale=true and changes nothing.
    @Test func replayedCredentialsAreRefused() throws {
        let challenge = try firstChallenge()
        let credentials = answer(challenge, user: "1001", password: "secret-1001", uri: "sip:clinic.example", nonceCount: 1)
        let (second, routing2) = try register(cseq: 2, authorization: credentials.headerValue)
        #expect(respond(registrar.register(second, routing: routing2, source: source, now: now))?.statusCode == 200)
        // The attacker replays it with another Contact and Call-ID.
        let (replay, routing3) = try register(contact: "<sip:1001@203.0.113.66:5060>", callID: "evil", cseq: 2, authorization: credentials.headerValue)
        let refused = try #require(respond(registrar.register(replay, routing: routing3, source: source, now: now)))
        #expect(refused.statusCode == 401)
        #expect(try DigestChallenge(parsing: refused.headers[HeaderName.wwwAuthenticate]!).stale)
        #expect(registrar.location.bindings(of: "sip:1001@clinic.example", now: now).map(\.contactURI) == ["sip:1001@192.0.2.10:5062"])
        // The next count on the same nonce is fine (phones reuse nonces).
        let next = self.answer(challenge, user: "1001", password: "secret-1001", uri: "sip:clinic.example", nonceCount: 2)
        let (again, routing4) = try register(cseq: 3, authorization: next.headerValue)
        #expect(respond(registrar.register(again, routing: routing4, source: source, now: now))?.statusCode == 200)
    }

    @Test func credentialsMustAnswerOurChallengeForThisRequest() throws {
        let challenge = try firstChallenge()
        // Digest URI for another host.
        let elsewhere = answer(challenge, user: "1001", password: "secret-1001", uri: "sip:other.example", nonceCount: 1)
        let (a, ra) = try register(cseq: 2, authorization: elsewhere.headerValue)
        #expect(respond(registrar.register(a, routing: ra, source: source, now: now))?.statusCode == 401)
        // RFC 2069 form (no qop) although we asked for qop=auth.
        let ha1 = DigestAlgorithm.md5.ha1(username: "1001", realm: "clinic.example", password: "secret-1001")
        let bare = DigestCredentials(username: "1001", realm: "clinic.example", nonce: challenge.nonce, uri: "sip:clinic.example",
                                     response: DigestAlgorithm.md5.response(ha1: ha1, nonce: challenge.nonce, nc: nil, cnonce: nil, qop: nil, method: "REGISTER", uri: "sip:clinic.example"))
        let (b, rb) = try register(cseq: 3, authorization: bare.headerValue)
        #expect(respond(registrar.register(b, routing: rb, source: source, now: now))?.statusCode == 401)
        #expect(registrar.location.count == 0)
    }

    @Test func intervalTooBrief() throws {
        let response = try #require(try authenticated(expires: "30"))
        #expect(response.statusCode == 423)
        #expect(response.headers[HeaderName.minExpires] == "60")
        #expect(registrar.location.count == 0)
    }

    @Test func severalContactsAndTheirOwnExpires() throws {
        let response = try #require(try authenticated(contact: "<sip:1001@192.0.2.10:5062>;expires=120, <sip:1001@192.0.2.11:5062>", expires: "600"))
        #expect(response.statusCode == 200)
        let bindings = registrar.location.bindings(of: "sip:1001@clinic.example", now: now).sorted { $0.contactURI < $1.contactURI }
        #expect(bindings.map(\.expiresAt) == [now + 120, now + 600])
        #expect(response.headers.values(HeaderName.contact).count == 2)
        // Bindings lapse on time.
        #expect(registrar.location.bindings(of: "sip:1001@clinic.example", now: now + 121).count == 1)
        #expect(registrar.expiredChange(now: now + 121) == .removeExpired(atOrBefore: now + 121))
    }

    @Test func wildcardRemovesAll() throws {
        _ = try authenticated(contact: "<sip:1001@192.0.2.10:5062>, <sip:1001@192.0.2.11:5062>")
        #expect(registrar.location.count == 2)
        let bad = try #require(try authenticated(contact: "*", expires: "60", callID: "other", cseq: 10))
        #expect(bad.statusCode == 400)
        let response = try #require(try authenticated(contact: "*", expires: "0", callID: "other", cseq: 10))
        #expect(response.statusCode == 200)
        #expect(registrar.location.count == 0)
        #expect(response.headers[HeaderName.contact] == nil)
    }

    @Test func expiresZeroRemovesOne() throws {
        _ = try authenticated(contact: "<sip:1001@192.0.2.10:5062>, <sip:1001@192.0.2.11:5062>")
        let response = try #require(try authenticated(contact: "<sip:1001@192.0.2.11:5062>;expires=0", callID: "c2"))
        #expect(response.statusCode == 200)
        #expect(registrar.location.bindings(of: "sip:1001@clinic.example", now: now).map(\.contactURI) == ["sip:1001@192.0.2.10:5062"])
    }

    @Test func aRebootedDeviceReplacesItsOldContact() throws {
        let instance = "\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\""
        _ = try authenticated(contact: "<sip:1001@192.0.2.10:5062>;+sip.instance=\(instance)", callID: "boot-1")
        _ = try authenticated(contact: "<sip:1001@192.0.2.99:5070>", callID: "softphone")
        let response = try #require(try authenticated(contact: "<sip:1001@192.0.2.10:6000>;+sip.instance=\(instance)", callID: "boot-2"))
        #expect(response.statusCode == 200)
        let contacts = registrar.location.bindings(of: "sip:1001@clinic.example", now: now).map(\.contactURI).sorted()
        #expect(contacts == ["sip:1001@192.0.2.10:6000", "sip:1001@192.0.2.99:5070"])
        #expect(response.headers.values(HeaderName.contact).count == 2)
    }

    @Test func outOfOrderCSeqIsRefused() throws {
        _ = try authenticated(callID: "same", cseq: 10)
        let response = try #require(try authenticated(expires: "1200", callID: "same", cseq: 5))
        #expect(response.statusCode == 400)
        #expect(registrar.location.bindings(of: "sip:1001@clinic.example", now: now)[0].expiresAt == now + 3600)
        let newer = try #require(try authenticated(expires: "1200", callID: "same", cseq: 20))
        #expect(newer.statusCode == 200)
    }

    @Test func cannotRegisterSomeoneElsesAddress() throws {
        // 1001's credentials, 1002's address-of-record.
        let challenge = try firstChallenge(user: "1002")
        let credentials = answer(challenge, user: "1001", password: "secret-1001", uri: "sip:clinic.example", nonceCount: 1)
        let (second, routing2) = try register(user: "1002", cseq: 2, authorization: credentials.headerValue)
        #expect(respond(registrar.register(second, routing: routing2, source: source, now: now))?.statusCode == 403)
    }

    @Test func serverAddressMeansTheOrganisation() throws {
        let (first, routing) = try register(host: "192.0.2.1")
        let challengeResponse = try #require(respond(registrar.register(first, routing: routing, source: source, now: now)))
        #expect(try DigestChallenge(parsing: challengeResponse.headers[HeaderName.wwwAuthenticate]!).realm == "clinic.example")
        let challenge = try DigestChallenge(parsing: challengeResponse.headers[HeaderName.wwwAuthenticate]!)
        let credentials = answer(challenge, user: "1001", password: "secret-1001", uri: "sip:192.0.2.1", nonceCount: 1)
        let (second, routing2) = try register(cseq: 2, authorization: credentials.headerValue, host: "192.0.2.1")
        #expect(respond(registrar.register(second, routing: routing2, source: source, now: now))?.statusCode == 200)
        #expect(registrar.location.bindings(of: "sip:1001@clinic.example", now: now).count == 1)
    }

    @Test func bruteForceBlocksTheSourceButNotTheUser() throws {
        var blocked = false
        for i in 0..<6 {
            let r = try authenticated(password: "guess-\(i)-xx", callID: "attack", cseq: 1 + 2 * i)
            if r == nil { blocked = true }
        }
        #expect(blocked)
        #expect(registrar.isBlocked("192.0.2.10", now: now))
        #expect(registrar.isBlocked("192.0.2.10", now: now + 101) == false)
        // The clinician's phone elsewhere still registers at once.
        let phone = Registrar.Source(transport: "udp", host: "198.51.100.7", port: 5060, localHost: "192.0.2.1", localPort: 5060)
        let response = try #require(try authenticated(callID: "phone", from: phone))
        #expect(response.statusCode == 200)
    }

    @Test func failedCallAuthenticationCountsTowardsTheBlock() {
        // Settings: slow after 3, block after 5.
        #expect(registrar.recordFailure(source: "203.0.113.9", user: "1001", now: now) == 0)
        #expect(registrar.recordFailure(source: "203.0.113.9", user: "1001", now: now) == 0)
        #expect(registrar.recordFailure(source: "203.0.113.9", user: "1001", now: now) == 500)
        #expect(registrar.recordFailure(source: "203.0.113.9", user: "1001", now: now) == 500)
        #expect(registrar.recordFailure(source: "203.0.113.9", user: "1001", now: now) == nil)
        #expect(registrar.isBlocked("203.0.113.9", now: now))
    }

    @Test func failuresAreSlowedAfterTheThreshold() throws {
        var throttle = AuthThrottle(settings: .init(window: 60, slowAfter: 2, blockAfter: 10, blockSeconds: 10, userAlarmAfter: 3, delayMilliseconds: 700))
        #expect(throttle.delay(for: "a", now: 0) == 0)
        _ = throttle.recordFailure(source: "a", user: "1001", now: 0)
        let events = throttle.recordFailure(source: "b", user: "1001", now: 1) + throttle.recordFailure(source: "a", user: "1001", now: 2)
        #expect(events == [.userUnderAttack(user: "1001", failures: 3, sources: 2)])
        #expect(throttle.delay(for: "a", now: 2) == 700)
        #expect(throttle.failureDelay(user: "1001", now: 2) == 700)
        #expect(throttle.delay(for: "a", now: 100) == 0)
    }

    @Test func httpDateIsRFC1123() {
        #expect(Registrar.httpDate(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(Registrar.httpDate(1_795_820_400) == "Fri, 27 Nov 2026 23:00:00 GMT")
        #expect(Registrar.httpDate(951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(SIPDate.isValid(Registrar.httpDate(1_795_820_400)))
    }
}
