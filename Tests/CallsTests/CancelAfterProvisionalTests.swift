import SIPCore
import Testing

@testable import Calls

/// RFC 3261 §9.1: a CANCEL must not be sent for a request that has had no provisional response;
/// the UAC waits for one, then sends the CANCEL.
@Suite struct CancelAfterProvisionalTests {
    let bed: CallTestbed

    init() throws {
        bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s } }")
        bed.directory.add("1002", contacts: [Phones.deskPhone1002, Phones.softphone1002])
    }

    @Test func aSilentLosingLegIsCancelledOnlyOnceItRings() throws {
        try bed.placeCall(to: "1002")
        let desk = try #require(bed.invites(to: Phones.deskPhone1002).first)
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        #expect(bed.signalling.requests(.cancel).isEmpty)

        bed.respond(to: desk, 180, tag: "desk")

        let cancels = bed.signalling.requests(.cancel)
        #expect(cancels.count == 1)
        #expect(cancels.first?.destination == Phones.deskPhone1002.destination)
        #expect(cancels.first?.request.topVia?.branch == desk.request.topVia?.branch)
        #expect(cancels.first?.request.cseq == CSeq(1, .cancel))
    }

    @Test func aSecondProvisionalDoesNotSendAnotherCANCEL() throws {
        try bed.placeCall(to: "1002")
        let desk = try #require(bed.invites(to: Phones.deskPhone1002).first)
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        bed.respond(to: desk, 100, tag: "desk")
        bed.respond(to: desk, 180, tag: "desk")
        #expect(bed.signalling.requests(.cancel).count == 1)
    }

    @Test func aLosingLegsRingingIsNotRelayedToTheCaller() throws {
        let call = try bed.placeCall(to: "1002")
        let desk = try #require(bed.invites(to: Phones.deskPhone1002).first)
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        bed.respond(to: desk, 180, tag: "desk")
        #expect(bed.responses(to: call).map(\.statusCode) == [100, 200])
    }
}
