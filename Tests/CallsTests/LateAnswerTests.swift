import SIPCore
import Testing

@testable import Calls

/// A losing fork that answers anyway (its 200 crossed our CANCEL) gets ACK then BYE
/// (RFC 3261 §13.2.2.4 and §15), and the caller's call is untouched.
@Suite struct LateAnswerTests {
    let bed: CallTestbed

    init() throws {
        bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s } }")
        bed.directory.add("1002", contacts: [Phones.deskPhone1002, Phones.softphone1002])
    }

    @Test func aLosingLegsLate200IsACKedThenHungUp() throws {
        let call = try bed.placeCall(to: "1002")
        let desk = try #require(bed.invites(to: Phones.deskPhone1002).first)
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: desk, 180, tag: "desk")
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        #expect(bed.signalling.requests(.cancel, to: Phones.deskPhone1002.destination).count == 1)

        bed.respond(to: desk, 200, tag: "desk", sdp: SDP.calleeOffer)

        let acks = bed.signalling.acks(to: Phones.deskPhone1002.destination)
        #expect(acks.count == 1)
        let ack = try #require(acks.first)
        #expect(ack.request.toTag == "desk")
        #expect(ack.request.cseq == CSeq(1, .ack))
        #expect(ack.request.uriString == CallTestbed.calleeContact(desk))

        let byes = bed.signalling.requests(.bye, to: Phones.deskPhone1002.destination)
        #expect(byes.count == 1)
        let bye = try #require(byes.first)
        #expect(bye.request.uriString == CallTestbed.calleeContact(desk))
        #expect(bye.request.toTag == "desk")
        #expect(bye.request.fromTag == desk.request.fromTag)
        #expect(bye.request.callID == desk.request.callID)
        #expect((bye.request.cseq?.sequence ?? 0) > 1)
        #expect(ack.order < bye.order)

        // The winner and the caller are not disturbed.
        #expect(bed.signalling.requests(.bye, to: Phones.softphone1002.destination).isEmpty)
        #expect(bed.signalling.requests(.bye, to: Phones.caller).isEmpty)
        #expect(bed.responses(to: call).filter { $0.statusCode == 200 }.count == 1)
        #expect(bed.b2bua.activeCalls == 1)
    }

    @Test func aRetransmittedLate200IsACKedAgainButNotHungUpTwice() throws {
        try bed.placeCall(to: "1002")
        let desk = try #require(bed.invites(to: Phones.deskPhone1002).first)
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        bed.respond(to: desk, 200, tag: "desk", sdp: SDP.calleeOffer)
        bed.respond(to: desk, 200, tag: "desk", sdp: SDP.calleeOffer)
        #expect(bed.signalling.acks(to: Phones.deskPhone1002.destination).count == 2)
        #expect(bed.signalling.requests(.bye, to: Phones.deskPhone1002.destination).count == 1)
    }
}
