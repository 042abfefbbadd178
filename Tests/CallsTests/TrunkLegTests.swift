import SIPCore
import Testing

@testable import Calls

/// `trunk carrier strip 1 prefix +39`: the call goes out to the provider with the rewritten
/// number and the organisation's caller ID, answering one Digest challenge (RFC 3261 §22.2).
@Suite struct TrunkLegTests {
    let bed: CallTestbed

    init() throws {
        bed = try CallTestbed(dialplan: "context internal { match 9X. { trunk carrier strip 1 prefix +39 } }")
        bed.b2bua.trunks = ["carrier": Carrier.trunk()]
    }

    private func firstINVITE() throws -> SentRequest {
        try #require(bed.signalling.requests(.invite, to: Carrier.destination).first)
    }

    @Test func theINVITEGoesToTheTrunkWithTheRewrittenNumber() throws {
        let call = try bed.placeCall(to: "90612345679")
        let invite = try firstINVITE()
        #expect(invite.request.uriString == "sip:+390612345679@sip.carrier.example")
        let from = try NameAddress(parsing: invite.request.headers[HeaderName.from]!)
        #expect(from.uri.description == "sip:+390612345678@sip.carrier.example")
        #expect(from.tag != nil)
        let to = try NameAddress(parsing: invite.request.headers[HeaderName.to]!)
        #expect(to.uri.description == "sip:+390612345679@sip.carrier.example")
        #expect(invite.request.bodyText == SDP.callerOffer)
        #expect(bed.responses(to: call).map(\.statusCode) == [100])
    }

    @Test func aProxyChallengeIsAnsweredOnceWithValidCredentials() throws {
        try bed.placeCall(to: "90612345679")
        let first = try firstINVITE()
        bed.respond(
            to: first, 407, tag: "prov", headers: [(HeaderName.proxyAuthenticate, Carrier.challenge(nonce: "n-1"))])

        let invites = bed.signalling.requests(.invite, to: Carrier.destination)
        #expect(invites.count == 2)
        let second = try #require(invites.last)
        let credentials = try #require(Carrier.credentials(second.request.headers[HeaderName.proxyAuthorization]))
        #expect(credentials.username == Carrier.username)
        #expect(credentials.realm == Carrier.realm)
        #expect(credentials.nonce == "n-1")
        #expect(credentials.uri == second.request.uriString)
        #expect(credentials.hasValidResponse(ha1: Carrier.ha1, method: "INVITE"))
        #expect(second.request.headers[HeaderName.authorization] == nil)
        // §22.2: CSeq one higher; a new transaction, so a new branch; same dialog identifiers.
        #expect(second.request.cseq == CSeq(2, .invite))
        #expect(second.request.topVia?.branch != first.request.topVia?.branch)
        #expect(second.request.callID == first.request.callID)
        #expect(second.request.fromTag == first.request.fromTag)
        #expect(second.request.uriString == first.request.uriString)
        #expect(second.request.body == first.request.body)
    }

    @Test func aWWWChallengeIsAnsweredWithAuthorization() throws {
        try bed.placeCall(to: "90612345679")
        bed.respond(
            to: try firstINVITE(), 401, tag: "prov",
            headers: [(HeaderName.wwwAuthenticate, Carrier.challenge(nonce: "n-w"))])
        let second = try #require(bed.signalling.requests(.invite, to: Carrier.destination).last)
        let credentials = try #require(Carrier.credentials(second.request.headers[HeaderName.authorization]))
        #expect(credentials.hasValidResponse(ha1: Carrier.ha1, method: "INVITE"))
        #expect(second.request.headers[HeaderName.proxyAuthorization] == nil)
    }

    @Test func theAuthenticatedCallIsAnsweredAndRecorded() throws {
        let call = try bed.placeCall(to: "90612345679")
        bed.respond(
            to: try firstINVITE(), 407, tag: "prov",
            headers: [(HeaderName.proxyAuthenticate, Carrier.challenge(nonce: "n-1"))])
        let second = try #require(bed.signalling.requests(.invite, to: Carrier.destination).last)
        bed.respond(to: second, 200, tag: "prov2", sdp: SDP.calleeAnswer)
        #expect(bed.finalResponse(to: call)?.statusCode == 200)
        let ack = try #require(bed.signalling.acks(to: Carrier.destination).first)
        #expect(ack.request.cseq == CSeq(2, .ack))  // §13.2.2.4: the CSeq number of the INVITE answered

        try bed.callerACK(call)
        try bed.callerRequest("BYE", in: call, cseq: 2)
        let bye = try #require(bed.signalling.requests(.bye, to: Carrier.destination).first)
        #expect(bye.request.cseq == CSeq(3, .bye))
        #expect(bed.records.first?.callee == "trunk carrier +390612345679")
    }

    @Test func theProvidersFailureReachesTheCaller() throws {
        let call = try bed.placeCall(to: "90612345679")
        bed.respond(to: try firstINVITE(), 503, tag: "prov")
        #expect(bed.finalResponse(to: call)?.statusCode == 503)
        #expect(bed.records.first?.failureCode == 503)
    }

    @Test func aTrunkThatDoesNotAnswerGives480() throws {
        let call = try bed.placeCall(to: "90612345679")
        bed.b2bua.transactionTimedOut(try firstINVITE().id)  // Timer B
        #expect(bed.finalResponse(to: call)?.statusCode == 480)
    }

    @Test func anUnknownTrunkGives503() throws {
        bed.b2bua.trunks = [:]
        let call = try bed.placeCall(to: "90612345679")
        #expect(bed.finalResponse(to: call)?.statusCode == 503)
        #expect(bed.signalling.requests.isEmpty)
    }

    private func challenge(_ leg: SentRequest, nonce: String, stale: Bool = false) {
        bed.respond(
            to: leg, 407, tag: "prov",
            headers: [(HeaderName.proxyAuthenticate, Carrier.challenge(nonce: nonce, stale: stale))])
    }

    /// RFC 7616 §3.3: a second challenge without `stale=true` means the credentials are wrong;
    /// sending the same ones again is pointless.
    @Test func aSecondChallengeIsNotAnsweredAgain() throws {
        let call = try bed.placeCall(to: "90612345679")
        challenge(try firstINVITE(), nonce: "n-1")
        challenge(try #require(bed.signalling.requests(.invite, to: Carrier.destination).last), nonce: "n-2")

        #expect(bed.signalling.requests(.invite, to: Carrier.destination).count == 2)
        let final = try #require(bed.finalResponse(to: call))
        #expect(final.statusCode >= 400)
        #expect(bed.records.first?.outcome == .failed)
    }

    /// RFC 3261 §21.4.8: a 407 MUST carry Proxy-Authenticate, so the caller must not get the
    /// provider's challenge code with no challenge in it.
    @Test func theCallerDoesNotGetAChallengeItCannotAnswer() throws {
        let call = try bed.placeCall(to: "90612345679")
        for nonce in ["n-1", "n-2", "n-3"] {
            guard bed.finalResponse(to: call) == nil,
                let leg = bed.signalling.requests(.invite, to: Carrier.destination).last
            else { break }
            challenge(leg, nonce: nonce)
        }
        let final = try #require(bed.finalResponse(to: call))
        #expect(final.statusCode != 407 || final.headers[HeaderName.proxyAuthenticate] != nil)
        #expect(final.statusCode != 401 || final.headers[HeaderName.wwwAuthenticate] != nil)
    }

    /// RFC 7616 §3.3: a stale nonce earns one retry with the new nonce.
    @Test func aStaleSecondChallengeIsAnswered() throws {
        try bed.placeCall(to: "90612345679")
        challenge(try firstINVITE(), nonce: "n-1")
        challenge(
            try #require(bed.signalling.requests(.invite, to: Carrier.destination).last), nonce: "n-2", stale: true)

        let invites = bed.signalling.requests(.invite, to: Carrier.destination)
        #expect(invites.count == 3)
        let third = try #require(invites.last)
        let credentials = try #require(Carrier.credentials(third.request.headers[HeaderName.proxyAuthorization]))
        #expect(credentials.nonce == "n-2")
        #expect(credentials.hasValidResponse(ha1: Carrier.ha1, method: "INVITE"))
        #expect(third.request.cseq == CSeq(3, .invite))
    }
}
