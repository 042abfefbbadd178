import SIPCore
import Testing

@testable import Calls

/// A `ring ... for` step that nobody answers in time: its legs are cancelled and the plan goes on.
@Suite struct RingTimeoutTests {
    let bed: CallTestbed

    init() throws {
        bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 5s; ring 1003 for 5s } }")
        bed.directory.add("1002", contacts: [Phones.deskPhone1002])
        bed.directory.add("1003", contacts: [Phones.phone1003])
    }

    @Test func afterTheRingTimeTheNextStepRings() throws {
        try bed.placeCall(to: "1002")
        let desk = try #require(bed.invites(to: Phones.deskPhone1002).first)
        bed.respond(to: desk, 180, tag: "desk")

        bed.signalling.advance(byMilliseconds: 4999)
        #expect(bed.invites(to: Phones.phone1003).isEmpty)
        #expect(bed.signalling.requests(.cancel).isEmpty)

        bed.signalling.advance(byMilliseconds: 1)
        let cancels = bed.signalling.requests(.cancel, to: Phones.deskPhone1002.destination)
        #expect(cancels.count == 1)
        #expect(cancels.first?.request.topVia?.branch == desk.request.topVia?.branch)
        let next = try #require(bed.invites(to: Phones.phone1003).first)
        #expect(next.request.uriString == Phones.phone1003.uri)
        #expect(next.time == 5000)
    }

    @Test func whenThePlanRunsOutTheCallerGets480AndTheRecordSaysNoAnswer() throws {
        let call = try bed.placeCall(to: "1002")
        let desk = try #require(bed.invites(to: Phones.deskPhone1002).first)
        bed.respond(to: desk, 180, tag: "desk")
        bed.signalling.advance(bySeconds: 5)
        let other = try #require(bed.invites(to: Phones.phone1003).first)
        bed.respond(to: other, 180, tag: "other")
        // The cancelled first leg's 487 changes nothing.
        bed.respond(to: desk, 487, tag: "desk")
        #expect(bed.finalResponse(to: call) == nil)

        bed.signalling.advance(bySeconds: 5)

        #expect(bed.finalResponse(to: call)?.statusCode == 480)
        #expect(bed.signalling.requests(.cancel, to: Phones.phone1003.destination).count == 1)
        let record = try #require(bed.records.first)
        #expect(bed.records.count == 1)
        #expect(record.outcome == .noAnswer)
        #expect(record.failureCode == 480)
        #expect(record.answeredAt == nil)
        #expect(record.endedAt == bed.signalling.epoch.addingTimeInterval(10))
        #expect(bed.b2bua.activeCalls == 0)
    }
}
