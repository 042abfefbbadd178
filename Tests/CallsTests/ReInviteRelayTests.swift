import SIPCore
import Testing

@testable import Calls

/// A re-INVITE from one party is sent to the other in that party's dialog; the 2xx comes back,
/// and the ACK goes on only when the party that sent the re-INVITE acknowledges (§14, §13.2.2.4).
@Suite struct ReInviteRelayTests {
    let bed: CallTestbed
    let call: CallerLeg
    let soft: SentRequest

    init() throws {
        bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s } }")
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        call = try bed.placeCall(to: "1002")
        soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        try bed.callerACK(call)
    }

    /// The re-INVITE as the caller received it.
    private func relayedToCaller() throws -> SentRequest {
        let invites = bed.signalling.requests(.invite, to: Phones.caller)
        #expect(invites.count == 1)
        return try #require(invites.first)
    }

    private func callerAnswers(_ reinvite: SentRequest, sdp: String = SDP.callerAnswer) {
        var ok = SIPResponse(replyingTo: reinvite.request, statusCode: 200)
        ok.headers.add(HeaderName.contact, "<sip:1001@10.0.0.1:5060>")
        ok.headers.add(HeaderName.contentType, "application/sdp")
        ok.body = Array(sdp.utf8)
        bed.b2bua.receiveResponse(ok, transaction: reinvite.id)
    }

    @Test func theCalleesReINVITEReachesTheCallerInTheCallersDialog() throws {
        try bed.calleeRequest("INVITE", answering: soft, tag: "soft", cseq: 101, sdp: SDP.calleeOffer)

        let reinvite = try relayedToCaller()
        #expect(reinvite.request.uriString == "sip:1001@10.0.0.1:5060")
        #expect(reinvite.request.callID == call.invite.callID)
        #expect(reinvite.request.fromTag == bed.ourTag(towards: call))
        #expect(reinvite.request.toTag == call.invite.fromTag)
        #expect(reinvite.request.cseq?.method == .invite)
        #expect(reinvite.request.bodyText == SDP.calleeOffer)
        #expect(reinvite.request.headers[HeaderName.contentType] == "application/sdp")
        #expect(reinvite.request.headers[HeaderName.contact] != nil)
    }

    @Test func theCallers200GoesBackToTheCallee() throws {
        let transaction = try bed.calleeRequest("INVITE", answering: soft, tag: "soft", cseq: 101, sdp: SDP.calleeOffer)
        callerAnswers(try relayedToCaller())

        let ok = try #require(bed.signalling.responses(to: transaction).last)
        #expect(ok.statusCode == 200)
        #expect(ok.bodyText == SDP.callerAnswer)
        #expect(ok.cseq == CSeq(101, .invite))
        #expect(ok.toTag == soft.request.fromTag)
        #expect(ok.headers[HeaderName.contact] != nil)
    }

    @Test func theCalleesACKIsRelayedOnlyWhenItArrives() throws {
        let transaction = try bed.calleeRequest("INVITE", answering: soft, tag: "soft", cseq: 101, sdp: SDP.calleeOffer)
        let reinvite = try relayedToCaller()
        callerAnswers(reinvite)
        bed.signalling.advance(bySeconds: 2)
        #expect(bed.signalling.acks(to: Phones.caller).isEmpty)
        // Until then our 200 to the callee is retransmitted (§13.3.1.4).
        #expect(bed.signalling.responses(to: transaction).filter { $0.statusCode == 200 }.count > 1)

        try bed.calleeACK(answering: soft, tag: "soft", cseq: 101)

        let acks = bed.signalling.acks(to: Phones.caller)
        #expect(acks.count == 1)
        let ack = try #require(acks.first)
        #expect(ack.request.cseq == CSeq(reinvite.request.cseq?.sequence ?? 0, .ack))
        #expect(ack.request.callID == call.invite.callID)
        #expect(ack.request.toTag == call.invite.fromTag)
        #expect(ack.request.uriString == "sip:1001@10.0.0.1:5060")

        let sent = bed.signalling.responses(to: transaction).count
        bed.signalling.advance(bySeconds: 30)
        #expect(bed.signalling.responses(to: transaction).count == sent)
        #expect(bed.b2bua.activeCalls == 1)
    }

    @Test func aSecondReINVITEWhileOneIsPendingGets491() throws {
        try bed.calleeRequest("INVITE", answering: soft, tag: "soft", cseq: 101, sdp: SDP.calleeOffer)
        let second = try bed.callerRequest("INVITE", in: call, cseq: 2, sdp: SDP.callerOffer)
        #expect(bed.signalling.responses(to: second).map(\.statusCode) == [491])
    }

    @Test func aRequestWithAnOldCSeqGets500() throws {
        try bed.callerRequest("INFO", in: call, cseq: 5)
        let stale = try bed.callerRequest("INFO", in: call, cseq: 4)
        #expect(bed.signalling.responses(to: stale).map(\.statusCode) == [500])  // §12.2.2
    }
}
