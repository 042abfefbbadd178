import SIPCore
import Testing

@testable import Calls

/// A user with two registered phones: both ring, the first 2xx wins (RFC 3261 §16.7-style forking).
@Suite struct ParallelForkingTests {
    let bed: CallTestbed

    init() throws {
        bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s } }")
        bed.directory.add("1002", contacts: [Phones.deskPhone1002, Phones.softphone1002])
    }

    @Test func eachContactGetsItsOwnINVITEWithTheCallersOffer() throws {
        let call = try bed.placeCall(to: "1002")
        let desk = try #require(bed.invites(to: Phones.deskPhone1002).first)
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        #expect(bed.signalling.requests(.invite).count == 2)
        #expect(bed.responses(to: call).map(\.statusCode) == [100])

        #expect(desk.request.uriString == Phones.deskPhone1002.uri)
        #expect(soft.request.uriString == Phones.softphone1002.uri)
        for leg in [desk, soft] {
            #expect(leg.request.body == call.invite.body)
            #expect(leg.request.headers[HeaderName.contentType] == "application/sdp")
            #expect(leg.request.maxForwards == 69)  // §16.6 step 3: one less than the caller's 70
            #expect(leg.request.cseq?.method == .invite)
        }
        #expect(desk.request.callID != soft.request.callID)
        #expect(desk.request.callID != call.invite.callID)
        #expect(desk.request.topVia?.branch != soft.request.topVia?.branch)
        #expect(desk.request.topVia?.hasRFC3261Branch == true)
    }

    @Test func theSecondPhoneAnswersAndTheFirstIsCancelled() throws {
        let call = try bed.placeCall(to: "1002")
        let desk = try #require(bed.invites(to: Phones.deskPhone1002).first)
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: desk, 180, tag: "desk")
        bed.respond(to: soft, 180, tag: "soft")
        #expect(bed.responses(to: call).map(\.statusCode) == [100, 180, 180])

        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)

        let ok = try #require(bed.finalResponse(to: call))
        #expect(ok.statusCode == 200)
        #expect(ok.bodyText == SDP.calleeAnswer)
        #expect(ok.toTag != nil && ok.toTag == bed.responses(to: call)[1].toTag)

        // §9.1: the CANCEL matches the INVITE's branch, Request-URI and CSeq number.
        let cancels = bed.signalling.requests(.cancel)
        #expect(cancels.count == 1)
        let cancel = try #require(cancels.first)
        #expect(cancel.destination == Phones.deskPhone1002.destination)
        #expect(cancel.request.uriString == desk.request.uriString)
        #expect(cancel.request.topVia?.branch == desk.request.topVia?.branch)
        #expect(cancel.request.cseq == CSeq(1, .cancel))
        #expect(cancel.request.callID == desk.request.callID)
        #expect(cancel.request.fromTag == desk.request.fromTag)
        #expect(cancel.request.toTag == nil)
    }

    @Test func theAnswerIsACKedAtOnceWhenTheINVITECarriedTheOffer() throws {
        try bed.placeCall(to: "1002")
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 180, tag: "soft")
        #expect(bed.signalling.acks.isEmpty)

        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)

        let ack = try #require(bed.signalling.acks(to: Phones.softphone1002.destination).first)
        #expect(bed.signalling.acks.count == 1)
        #expect(ack.request.uriString == CallTestbed.calleeContact(soft))  // §12.1.2: remote target
        #expect(ack.request.cseq == CSeq(1, .ack))
        #expect(ack.request.toTag == "soft")
        #expect(ack.request.callID == soft.request.callID)
        #expect(ack.request.topVia?.branch != soft.request.topVia?.branch)  // §13.2.2.4: a new transaction
        #expect(ack.request.body.isEmpty)
    }

    @Test func theCallers200IsRetransmittedUntilItsACK() throws {
        let call = try bed.placeCall(to: "1002")
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        func oks() -> [Int64] {
            bed.signalling.responses.filter { $0.transaction == call.transaction && $0.response.statusCode == 200 }.map(
                \.time)
        }
        #expect(oks() == [0])

        // §13.3.1.4: at T1, then doubling (T1 = 500 ms).
        bed.signalling.advance(byMilliseconds: 499)
        #expect(oks() == [0])
        bed.signalling.advance(byMilliseconds: 1)
        #expect(oks() == [0, 500])
        bed.signalling.advance(byMilliseconds: 1000)
        #expect(oks() == [0, 500, 1500])
        bed.signalling.advance(byMilliseconds: 2000)
        #expect(oks() == [0, 500, 1500, 3500])

        try bed.callerACK(call)
        bed.signalling.advance(bySeconds: 60)
        #expect(oks() == [0, 500, 1500, 3500])
        #expect(bed.b2bua.activeCalls == 1)  // an ACKed call is not ended for a missing ACK
    }

    @Test func a2xxRetransmittedByTheCalleeIsACKedAgain() throws {
        try bed.placeCall(to: "1002")
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        let acks = bed.signalling.acks(to: Phones.softphone1002.destination)
        #expect(acks.count == 2)
        #expect(acks.last?.request.cseq == CSeq(1, .ack))
    }
}
