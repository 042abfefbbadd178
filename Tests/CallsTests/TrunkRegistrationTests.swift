import SIPCore
import Testing

@testable import Calls

/// Our REGISTER to a trunk provider (RFC 3261 §10.2): one challenge answered, refreshed before expiry.
@Suite struct TrunkRegistrationTests {
    let bed: CallTestbed

    init() throws {
        bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 } }")
        bed.b2bua.trunks = ["carrier": Carrier.trunk(register: true)]
        bed.b2bua.startTrunkRegistrations()
    }

    private var registers: [SentRequest] { bed.signalling.requests(.register, to: Carrier.destination) }

    private func reply(_ code: Int, to register: SentRequest, headers: [(String, String)] = []) {
        var response = SIPResponse(replyingTo: register.request, statusCode: code, toTag: "reg")
        for (name, value) in headers { response.headers.add(name, value) }
        bed.b2bua.receiveResponse(response, transaction: register.id)
    }

    @Test func startingSendsREGISTER() throws {
        #expect(registers.count == 1)
        let register = try #require(registers.first)
        #expect(register.request.uriString == "sip:sip.carrier.example")
        let to = try NameAddress(parsing: register.request.headers[HeaderName.to]!)
        #expect(to.uri.description == "sip:clinic@sip.carrier.example")
        #expect(register.request.headers[HeaderName.expires] == "600")
        #expect(register.request.headers[HeaderName.contact]?.contains("192.0.2.1:5060") == true)
        #expect(register.request.cseq == CSeq(1, .register))
        #expect(bed.b2bua.trunkRegistrationStates["carrier"] == .registering)
    }

    @Test func a401IsAnsweredOnceWithAuthorization() throws {
        let first = try #require(registers.first)
        reply(401, to: first, headers: [(HeaderName.wwwAuthenticate, Carrier.challenge(nonce: "r-1"))])

        #expect(registers.count == 2)
        let second = try #require(registers.last)
        let credentials = try #require(Carrier.credentials(second.request.headers[HeaderName.authorization]))
        #expect(credentials.username == Carrier.username)
        #expect(credentials.uri == "sip:sip.carrier.example")
        #expect(credentials.hasValidResponse(ha1: Carrier.ha1, method: "REGISTER"))
        #expect(second.request.cseq == CSeq(2, .register))
        #expect(second.request.callID == first.request.callID)  // §10.2: one Call-ID per registration
        #expect(second.request.topVia?.branch != first.request.topVia?.branch)

        reply(401, to: second, headers: [(HeaderName.wwwAuthenticate, Carrier.challenge(nonce: "r-2"))])
        #expect(registers.count == 2)  // wrong credentials: not tried again at once
        #expect(bed.b2bua.trunkRegistrationStates["carrier"] == .failed(code: 401))
    }

    @Test func aStaleSecondChallengeIsAnswered() throws {
        reply(
            401, to: try #require(registers.first),
            headers: [(HeaderName.wwwAuthenticate, Carrier.challenge(nonce: "r-1"))])
        reply(
            401, to: try #require(registers.last),
            headers: [(HeaderName.wwwAuthenticate, Carrier.challenge(nonce: "r-2", stale: true))])
        #expect(registers.count == 3)
        #expect(Carrier.credentials(registers.last?.request.headers[HeaderName.authorization])?.nonce == "r-2")
    }

    @Test func registeredIsRefreshedAt80PercentOfTheGrantedTime() throws {
        reply(
            401, to: try #require(registers.first),
            headers: [(HeaderName.wwwAuthenticate, Carrier.challenge(nonce: "r-1"))])
        let second = try #require(registers.last)
        reply(200, to: second, headers: [(HeaderName.contact, "<sip:clinic@192.0.2.1:5060>;expires=300")])
        #expect(bed.b2bua.trunkRegistrationStates["carrier"] == .registered(expires: 300))

        bed.signalling.advance(byMilliseconds: 239_999)
        #expect(registers.count == 2)
        bed.signalling.advance(byMilliseconds: 1)
        #expect(registers.count == 3)
        let refresh = try #require(registers.last)
        #expect(refresh.request.cseq == CSeq(3, .register))
        #expect(refresh.request.callID == second.request.callID)
    }

    @Test func theExpiresHeaderIsUsedWithoutAContactParameter() throws {
        reply(200, to: try #require(registers.first), headers: [(HeaderName.expires, "100")])
        #expect(bed.b2bua.trunkRegistrationStates["carrier"] == .registered(expires: 100))
        bed.signalling.advance(bySeconds: 79)
        #expect(registers.count == 1)
        bed.signalling.advance(bySeconds: 1)
        #expect(registers.count == 2)
    }

    /// RFC 3261 §10.2.8: 423 with Min-Expires is retried at once with that interval, once.
    @Test func a423IsRetriedWithMinExpires() throws {
        reply(423, to: try #require(registers.first), headers: [(HeaderName.minExpires, "3600")])
        #expect(registers.count == 2)
        #expect(registers.last?.request.headers[HeaderName.expires] == "3600")
        reply(423, to: try #require(registers.last), headers: [(HeaderName.minExpires, "3600")])
        #expect(registers.count == 2, "the same Min-Expires again is not a reason to loop")
        #expect(bed.b2bua.trunkRegistrationStates["carrier"] == .failed(code: 423))
    }

    /// Endless stale=true challenges get at most three answers in a row, not a REGISTER storm.
    @Test func staleChallengesAreAnsweredABoundedNumberOfTimes() throws {
        for i in 1...6 {
            let last = try #require(registers.last)
            reply(401, to: last, headers: [(HeaderName.wwwAuthenticate, Carrier.challenge(nonce: "s-\(i)", stale: true))])
        }
        #expect(registers.count == 4, "REGISTERs sent: \(registers.count)")
        #expect(bed.b2bua.trunkRegistrationStates["carrier"] == .failed(code: 401))
    }
}
