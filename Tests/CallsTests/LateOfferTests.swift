import SIPCore
import Testing

@testable import Calls

/// An INVITE without SDP (RFC 3261 §13.2.1 late offer): the callee's 200 carries the offer, and
/// the caller's ACK the answer, which the B2BUA carries into its ACK to the callee.
@Suite struct LateOfferTests {
    let bed: CallTestbed
    let call: CallerLeg
    let soft: SentRequest

    init() throws {
        bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s } }")
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        call = try bed.placeCall(to: "1002", sdp: nil)
        soft = try #require(bed.invites(to: Phones.softphone1002).first)
    }

    @Test func theLegINVITEHasNoBodyEither() {
        #expect(soft.request.body.isEmpty)
        #expect(soft.request.headers[HeaderName.contentType] == nil)
    }

    @Test func theCalleesOfferReachesTheCallerAndItsACKWaits() throws {
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeOffer)

        let ok = try #require(bed.finalResponse(to: call))
        #expect(ok.statusCode == 200)
        #expect(ok.bodyText == SDP.calleeOffer)
        #expect(bed.signalling.acks.isEmpty)
        bed.signalling.advance(bySeconds: 2)
        #expect(bed.signalling.acks.isEmpty)
    }

    @Test func theCallersACKCarriesTheAnswerToTheCallee() throws {
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeOffer)
        bed.signalling.advance(byMilliseconds: 700)
        try bed.callerACK(call, sdp: SDP.callerAnswer)

        let acks = bed.signalling.acks(to: Phones.softphone1002.destination)
        #expect(acks.count == 1)
        let ack = try #require(acks.first)
        #expect(ack.request.bodyText == SDP.callerAnswer)
        #expect(ack.request.headers[HeaderName.contentType] == "application/sdp")
        #expect(ack.request.cseq == CSeq(1, .ack))
        #expect(ack.request.toTag == "soft")
        #expect(ack.request.uriString == CallTestbed.calleeContact(soft))
        #expect(ack.time == 700)
    }

    @Test func aRetransmitted200AfterTheACKGetsTheSameACK() throws {
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeOffer)
        try bed.callerACK(call, sdp: SDP.callerAnswer)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeOffer)
        let acks = bed.signalling.acks(to: Phones.softphone1002.destination)
        #expect(acks.count == 2)
        #expect(acks.last?.request.bodyText == SDP.callerAnswer)
    }
}
