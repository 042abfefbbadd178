import SIPCore
import Testing

@testable import Calls

/// The caller hangs up while it rings (RFC 3261 §9.2): 200 to the CANCEL, 487 to the INVITE,
/// and the B2BUA cancels its own legs.
@Suite struct CallerCancelTests {
    let bed: CallTestbed

    init() throws {
        bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s } }")
        bed.directory.add("1002", contacts: [Phones.deskPhone1002, Phones.softphone1002])
    }

    @Test func cancelWhileRingingEndsTheCallAndCancelsTheLegs() throws {
        let call = try bed.placeCall(to: "1002")
        let desk = try #require(bed.invites(to: Phones.deskPhone1002).first)
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: desk, 180, tag: "desk")
        bed.respond(to: soft, 180, tag: "soft")
        bed.signalling.advance(bySeconds: 3)

        let cancelTransaction = try bed.callerCancel(call)

        #expect(bed.signalling.responses(to: cancelTransaction).map(\.statusCode) == [200])
        #expect(bed.finalResponse(to: call)?.statusCode == 487)
        let cancels = bed.signalling.requests(.cancel)
        #expect(
            Set(cancels.map(\.destination)) == [Phones.deskPhone1002.destination, Phones.softphone1002.destination])
        #expect(cancels.count == 2)
        for (cancel, leg) in [
            (cancels.first { $0.destination == desk.destination }, desk),
            (cancels.first { $0.destination == soft.destination }, soft),
        ] {
            #expect(cancel?.request.topVia?.branch == leg.request.topVia?.branch)
            #expect(cancel?.request.cseq == CSeq(1, .cancel))
        }
        let record = try #require(bed.records.first)
        #expect(record.outcome == .cancelled)
        #expect(record.failureCode == 487)
        #expect(record.endedAt == bed.signalling.epoch.addingTimeInterval(3))
        #expect(bed.b2bua.activeCalls == 0)
    }

    @Test func legsAnsweringAfterTheCancelAreHungUpNotConnected() throws {
        let call = try bed.placeCall(to: "1002")
        let desk = try #require(bed.invites(to: Phones.deskPhone1002).first)
        bed.respond(to: desk, 180, tag: "desk")
        try bed.callerCancel(call)

        bed.respond(to: desk, 200, tag: "desk", sdp: SDP.calleeAnswer)

        #expect(bed.responses(to: call).filter { $0.statusCode == 200 }.isEmpty)
        #expect(bed.signalling.acks(to: Phones.deskPhone1002.destination).count == 1)
        #expect(bed.signalling.requests(.bye, to: Phones.deskPhone1002.destination).count == 1)
        #expect(bed.records.count == 1)
    }

    @Test func aCancelForAnAnsweredCallIsAnsweredButChangesNothing() throws {
        let call = try bed.placeCall(to: "1002")
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)

        let cancelTransaction = try bed.callerCancel(call)

        #expect(bed.signalling.responses(to: cancelTransaction).map(\.statusCode) == [200])
        #expect(bed.responses(to: call).contains { $0.statusCode == 487 } == false)
        #expect(bed.b2bua.activeCalls == 1)
        #expect(bed.records.isEmpty)
    }
}
