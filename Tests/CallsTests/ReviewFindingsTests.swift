import SIPCore
import SIPTransaction
import Testing

@testable import Calls

/// Behaviour an independent review found missing or wrong (each was wrong before its fix).
@Suite struct ReviewFindingsTests {
    static let plan = """
        context internal {
          match 1002 { ring 1002 for 30s }
          match 0 { ring 1001 1002 for 30s }
          match X. { ring 1002 for 30s }
        }
        """

    /// RFC 3261 §9.1: a cancelled leg that never gives a final response is given up after 64*T1,
    /// so its transaction, its leg and its call are freed.
    @Test func aCancelledLegWithoutFinalResponseIsGivenUp() throws {
        let bed = try CallTestbed(dialplan: Self.plan)
        bed.directory.add("1002", contacts: [Phones.deskPhone1002, Phones.softphone1002])
        let call = try bed.placeCall(to: "1002")
        let desk = try #require(bed.invites(to: Phones.deskPhone1002).first)
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: desk, 180, tag: "desk")
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        try bed.callerACK(call)
        #expect(bed.signalling.requests(.cancel, to: Phones.deskPhone1002.destination).count == 1)
        // The desk phone never answers the CANCEL nor sends 487.
        bed.signalling.advance(byMilliseconds: 64 * 500 - 1)
        #expect(!bed.signalling.terminated.contains(desk.id))
        bed.signalling.advance(byMilliseconds: 1)
        #expect(bed.signalling.terminated.contains(desk.id), "the silent leg's INVITE transaction was not given up")
        #expect(bed.b2bua.clientTransactions[desk.id] == nil)
        #expect(!bed.b2bua.ourBranches.contains { desk.request.headers["Via"]?.contains($0) == true })
    }

    /// RFC 3326: "Call completed elsewhere" only when another device answered; a caller who hung
    /// up leaves a missed call on the phones.
    @Test func theCancelReasonSaysWhetherSomebodyAnswered() throws {
        let bed = try CallTestbed(dialplan: Self.plan)
        bed.directory.add("1002", contacts: [Phones.deskPhone1002, Phones.softphone1002])
        let answered = try bed.placeCall(to: "1002")
        let desk = try #require(bed.invites(to: Phones.deskPhone1002).first)
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: desk, 180, tag: "desk")
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        try bed.callerACK(answered)
        let elsewhere = try #require(bed.signalling.requests(.cancel, to: Phones.deskPhone1002.destination).last)
        #expect(elsewhere.request.headers["Reason"]?.contains("cause=200") == true)

        let missed = try bed.placeCall(to: "1002")
        let desk2 = try #require(bed.invites(to: Phones.deskPhone1002).last)
        bed.respond(to: desk2, 180, tag: "desk2")
        _ = try bed.callerCancel(missed)
        let cancel = try #require(bed.signalling.requests(.cancel, to: Phones.deskPhone1002.destination).last)
        #expect(cancel.order > elsewhere.order)
        #expect(cancel.request.headers["Reason"] == nil, "a caller's hang-up is not 'completed elsewhere'")
    }

    /// A relayed re-INVITE still pending when the call ends gets 487, and its client
    /// transaction is ended (it would otherwise wait in Proceeding for ever).
    @Test func aRelayedRequestPendingAtHangUpGetsAFinalAnswer() throws {
        let bed = try CallTestbed(dialplan: Self.plan)
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        let call = try bed.placeCall(to: "1002")
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        try bed.callerACK(call)
        let reinvite = try bed.calleeRequest("INVITE", answering: soft, tag: "soft", cseq: 2, sdp: SDP.calleeOffer)
        let relayed = try #require(bed.signalling.requests(.invite, to: Phones.caller).last)
        _ = try bed.callerRequest("BYE", in: call, cseq: 2)
        let answers = bed.signalling.responses(to: reinvite)
        #expect(answers.contains { $0.statusCode == 487 }, "the callee's re-INVITE got \(answers.map(\.statusCode))")
        #expect(bed.signalling.terminated.contains(relayed.id))
    }

    /// Supported/Require are the B2BUA's own (`timer`), never the caller's: a callee must not
    /// be invited to use 100rel, which nobody here implements.
    @Test func optionTagsAreNotRelayedBlindly() throws {
        let bed = try CallTestbed(dialplan: Self.plan)
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        _ = try bed.placeCall(to: "1002", headers: [("Supported", "100rel, timer, replaces"), ("Require", "timer")])
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        #expect(soft.request.headers.values("Supported") == ["timer"])
        #expect(soft.request.headers["Require"] == nil)
    }

    /// The 2xx waits for the ACK with the INVITE's CSeq, even after an early in-dialog request.
    @Test func theACKMatchesTheInviteCSeqAfterAnEarlyRequest() throws {
        let bed = try CallTestbed(dialplan: Self.plan)
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        let call = try bed.placeCall(to: "1002")
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 180, tag: "soft")
        _ = try bed.callerRequest("INFO", in: call, cseq: 5)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        try bed.callerACK(call, cseq: 1)
        let sent = bed.signalling.responses(to: call.transaction).filter { $0.statusCode == 200 }.count
        bed.signalling.advance(bySeconds: 40)
        #expect(bed.signalling.responses(to: call.transaction).filter { $0.statusCode == 200 }.count == sent, "the 2xx was still retransmitted")
        #expect(bed.b2bua.activeCalls == 1, "the call was ended for want of an ACK")
    }

    /// A decoded CR LF (or anything else a URI or header cannot carry) in the dialed number is
    /// refused before it can reach a trunk's INVITE.
    @Test func unsafeDialedNumbersAreRefused() throws {
        let bed = try CallTestbed(dialplan: Self.plan)
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        let call = try bed.placeCall(to: "9123%0D%0AX-Injected:%20yes")
        let final = try #require(bed.finalResponse(to: call))
        #expect(final.statusCode == 404 && final.reasonPhrase == "Number Has Characters Not Allowed")
        #expect(bed.signalling.requests(.invite).isEmpty)
        #expect(B2BUA.isSafeNumber("+390612345678") && B2BUA.isSafeNumber("*97") && B2BUA.isSafeNumber("reception"))
        #expect(!B2BUA.isSafeNumber("1002@evil") && !B2BUA.isSafeNumber("a b") && !B2BUA.isSafeNumber(""))
    }

    /// The calling phone does not ring itself when it calls a group it belongs to.
    @Test func theCallingDeviceIsNotRung() throws {
        let bed = try CallTestbed(dialplan: Self.plan)
        bed.caller.deviceAOR = "sip:1001@clinic.example"
        let own = Phones.contact("1001", host: "10.0.0.1")
        bed.directory.add("1001", contacts: [own])
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        _ = try bed.placeCall(to: "0")
        #expect(bed.invites(to: own).isEmpty, "the caller's own phone rang")
        #expect(bed.invites(to: Phones.softphone1002).count == 1)
    }

    /// A second 2xx with another To tag on an answered leg (a fork further on) is ACKed and hung
    /// up (RFC 3261 §13.2.2.4), not mistaken for a retransmission.
    @Test func aSecondDialogFromTheAnsweredLegIsHungUp() throws {
        let bed = try CallTestbed(dialplan: Self.plan)
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        let call = try bed.placeCall(to: "1002")
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 200, tag: "first", sdp: SDP.calleeAnswer)
        try bed.callerACK(call)
        bed.respond(to: soft, 200, tag: "second", sdp: SDP.calleeAnswer)
        let byes = bed.signalling.requests(.bye, to: Phones.softphone1002.destination)
        #expect(byes.count == 1 && byes.first?.request.headers["To"]?.contains("tag=second") == true, "\(byes.map { $0.request.headers["To"] ?? "" })")
        #expect(bed.b2bua.activeCalls == 1)
    }
}

/// RFC 3261 §13.3.1.4 holds over TCP too: no retransmissions, but a call whose ACK never comes
/// is ended 64*T1 after the 2xx.
@Suite struct ReliableACKTimeoutTests {
    @Test func aTCPCallerThatNeverACKsIsHungUp() throws {
        let bed = try CallTestbed(dialplan: ReviewFindingsTests.plan)
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        let call = try bed.placeCall(to: "1002", source: CallDestination(transport: "tcp", host: "10.0.0.1", port: 5060))
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        let oks = { bed.signalling.responses(to: call.transaction).filter { $0.statusCode == 200 }.count }
        bed.signalling.advance(byMilliseconds: 64 * 500 - 1)
        #expect(oks() == 1, "a 2xx over TCP is not retransmitted")
        #expect(bed.b2bua.activeCalls == 1)
        bed.signalling.advance(byMilliseconds: 1)
        #expect(bed.b2bua.activeCalls == 0)
        #expect(bed.records.first?.endedBy == "ack-timeout")
    }
}
