import SIPCore
import Testing

@testable import Calls

/// Session timers (RFC 4028): too short an interval is refused with 422; an answered call that
/// is not refreshed within its interval is ended on both sides.
@Suite struct SessionTimerTests {
    let bed: CallTestbed

    init() throws {
        bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s } }")
        bed.directory.add("1002", contacts: [Phones.softphone1002])
    }

    @Test func anIntervalBelowMinSEGets422() throws {
        let call = try bed.placeCall(to: "1002", headers: [("Session-Expires", "30"), ("Supported", "timer")])
        let final = try #require(bed.finalResponse(to: call))
        #expect(final.statusCode == 422)
        #expect(final.headers["Min-SE"] == "90")  // §8.1
        #expect(bed.signalling.requests.isEmpty)
    }

    @Test func theIntervalIsPassedToTheCallee() throws {
        try bed.placeCall(to: "1002", headers: [("Session-Expires", "120"), ("Supported", "timer")])
        let leg = try #require(bed.invites(to: Phones.softphone1002).first)
        #expect(leg.request.headers["Session-Expires"] == "120")
    }

    /// An answered call with a 120 s session interval.
    private func answeredCall() throws -> (CallerLeg, SentRequest) {
        let call = try bed.placeCall(to: "1002", headers: [("Session-Expires", "120"), ("Supported", "timer")])
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(
            to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer,
            headers: [("Session-Expires", "120;refresher=uac"), ("Require", "timer")])
        try bed.callerACK(call)
        return (call, soft)
    }

    @Test func withoutARefreshBothSidesGetBYE() throws {
        _ = try answeredCall()
        // §10: the BYE may come a little before expiry, never long before.
        bed.signalling.advance(bySeconds: 80)
        #expect(bed.signalling.requests(.bye).isEmpty)

        bed.signalling.advance(bySeconds: 40)

        #expect(bed.signalling.requests(.bye, to: Phones.caller).count == 1)
        #expect(bed.signalling.requests(.bye, to: Phones.softphone1002.destination).count == 1)
        let record = try #require(bed.records.first)
        #expect(record.outcome == .answered)
        #expect(record.endedBy == "session-expired")
        #expect(bed.b2bua.activeCalls == 0)
    }

    @Test func aRelayedReINVITEsuccessRestartsTheTimer() throws {
        let (call, soft) = try answeredCall()
        bed.signalling.advance(bySeconds: 100)
        try bed.callerRequest(
            "INVITE", in: call, cseq: 2, sdp: SDP.callerOffer, headers: [("Session-Expires", "120;refresher=uac")])
        let refresh = try #require(bed.signalling.requests(.invite, to: Phones.softphone1002.destination).last)
        #expect(refresh.request.toTag == "soft")
        var ok = SIPResponse(replyingTo: refresh.request, statusCode: 200)
        ok.headers.add(HeaderName.contact, "<\(CallTestbed.calleeContact(soft))>")
        ok.headers.add("Session-Expires", "120;refresher=uac")
        ok.headers.add(HeaderName.contentType, "application/sdp")
        ok.body = Array(SDP.calleeAnswer.utf8)
        bed.b2bua.receiveResponse(ok, transaction: refresh.id)
        try bed.callerACK(call, cseq: 2)

        bed.signalling.advance(bySeconds: 100)  // 200 s after the answer, 100 s after the refresh
        #expect(bed.signalling.requests(.bye).isEmpty)
        #expect(bed.b2bua.activeCalls == 1)

        bed.signalling.advance(bySeconds: 20)
        #expect(bed.signalling.requests(.bye).count == 2)
        #expect(bed.records.first?.endedBy == "session-expired")
    }

    /// RFC 3261 §13.3.1.4: a 2xx retransmitted for 64*T1 without an ACK ends the session.
    @Test func anUnACKed200EndsTheCallAt64T1() throws {
        try bed.placeCall(to: "1002")
        bed.respond(
            to: try #require(bed.invites(to: Phones.softphone1002).first), 200, tag: "soft", sdp: SDP.calleeAnswer)
        bed.signalling.advance(byMilliseconds: 31_999)
        #expect(bed.b2bua.activeCalls == 1)
        bed.signalling.advance(byMilliseconds: 1)
        #expect(bed.b2bua.activeCalls == 0)
        #expect(bed.records.first?.endedBy == "ack-timeout")
        #expect(bed.signalling.requests(.bye, to: Phones.softphone1002.destination).count == 1)
    }

    /// RFC 4028 §7.2: "If the 2xx response did not contain a Session-Expires header field, there is
    /// no session expiration." A callee without timer support answers; unless the caller's 200 tells
    /// it to refresh, nobody will, so the B2BUA must not end the call for want of a refresh.
    @Test func aTimerTheCallerWasNotToldAboutIsNotEnforced() throws {
        let call = try bed.placeCall(to: "1002", headers: [("Session-Expires", "120"), ("Supported", "timer")])
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)  // no Session-Expires
        try bed.callerACK(call)
        let ok = try #require(bed.finalResponse(to: call))

        #expect(ok.headers["Session-Expires"] == nil, "the callee gave no Session-Expires; none may be invented")
        bed.signalling.advance(bySeconds: 600)
        #expect(bed.b2bua.activeCalls == 1, "hung up by a session timer nobody was told to refresh")
    }
}
