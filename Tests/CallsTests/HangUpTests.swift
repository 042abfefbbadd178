import Foundation
import SIPCore
import Testing

@testable import Calls

/// BYE on one side of an answered call is answered there and sent on in the other dialog
/// (RFC 3261 §15.1); the CDR says who hung up and how long the call lasted.
@Suite struct HangUpTests {
    let bed: CallTestbed
    let call: CallerLeg
    let soft: SentRequest

    init() throws {
        bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s } }")
        bed.directory.add("1002", contacts: [Phones.deskPhone1002, Phones.softphone1002])
        call = try bed.placeCall(to: "1002")
        soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.signalling.advance(bySeconds: 4)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        try bed.callerACK(call)
    }

    @Test func byeFromTheCallerGoesToTheCalleeInItsDialog() throws {
        bed.signalling.advance(bySeconds: 42)
        let byeTransaction = try bed.callerRequest("BYE", in: call, cseq: 2)

        #expect(bed.signalling.responses(to: byeTransaction).map(\.statusCode) == [200])
        let byes = bed.signalling.requests(.bye)
        #expect(byes.count == 1)
        let bye = try #require(byes.first)
        #expect(bye.destination == Phones.softphone1002.destination)
        #expect(bye.request.uriString == CallTestbed.calleeContact(soft))  // the Contact of its 200
        #expect(bye.request.toTag == "soft")
        #expect(bye.request.fromTag == soft.request.fromTag)
        #expect(bye.request.callID == soft.request.callID)
        #expect((bye.request.cseq?.sequence ?? 0) > (soft.request.cseq?.sequence ?? .max))
        #expect(bye.request.cseq?.method == .bye)

        let record = try #require(bed.records.first)
        #expect(record.outcome == .answered)
        #expect(record.endedBy == "caller")
        #expect(record.failureCode == nil)
        #expect(record.answeredAt == bed.signalling.epoch.addingTimeInterval(4))
        #expect(record.duration == 42)
        #expect(record.answeredBy?.contains("Soft") == true)
        #expect(bed.b2bua.activeCalls == 0)
    }

    @Test func byeFromTheCalleeGoesToTheCallerInItsDialog() throws {
        bed.signalling.advance(bySeconds: 10)
        let byeTransaction = try bed.calleeRequest("BYE", answering: soft, tag: "soft", cseq: 2)

        #expect(bed.signalling.responses(to: byeTransaction).map(\.statusCode) == [200])
        let bye = try #require(bed.signalling.requests(.bye).first)
        #expect(bed.signalling.requests(.bye).count == 1)
        #expect(bye.destination == Phones.caller)
        #expect(bye.request.uriString == "sip:1001@10.0.0.1:5060")  // the caller's Contact
        #expect(bye.request.callID == call.invite.callID)
        #expect(bye.request.toTag == call.invite.fromTag)
        #expect(bye.request.fromTag == bed.ourTag(towards: call))
        #expect(bed.records.first?.endedBy == "callee")
        #expect(bed.records.first?.duration == 10)
    }

    @Test func aSecondBYEIsNotInAnyDialog() throws {
        try bed.callerRequest("BYE", in: call, cseq: 2)
        let request = try SIPText.request(
            "BYE sip:carephone@192.0.2.1:5060 SIP/2.0",
            headers: [
                ("Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-again"), ("Max-Forwards", "70"),
                ("From", call.invite.headers[HeaderName.from]!),
                ("To", call.invite.headers[HeaderName.to]! + ";tag=\(bed.ourTag(towards: call)!)"),
                ("Call-ID", call.invite.callID!), ("CSeq", "3 BYE"),
            ])
        let (transaction, routing) = try bed.signalling.receive(request, from: Phones.caller)
        // Not ours any more: the server answers 481.
        #expect(bed.b2bua.receiveInDialog(request, routing: routing, transaction: transaction) == false)
        #expect(bed.records.count == 1)
    }
}
