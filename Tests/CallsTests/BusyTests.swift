import SIPCore
import Testing

@testable import Calls

/// 486 Busy Here from every leg of a step: the plan goes on; when it ends the caller hears busy.
@Suite struct BusyTests {
    let bed: CallTestbed

    init() throws {
        bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s; ring 1003 for 30s } }")
        bed.directory.add("1002", contacts: [Phones.deskPhone1002])
        bed.directory.add("1003", contacts: [Phones.phone1003])
    }

    @Test func busyMovesToTheNextActionAtOnce() throws {
        let call = try bed.placeCall(to: "1002")
        let desk = try #require(bed.invites(to: Phones.deskPhone1002).first)
        bed.respond(to: desk, 486, tag: "desk")
        #expect(bed.invites(to: Phones.phone1003).count == 1)
        #expect(bed.finalResponse(to: call) == nil)
        #expect(bed.signalling.requests(.cancel).isEmpty)
    }

    @Test func busyAtTheEndOfThePlanGives486AndABusyRecord() throws {
        let call = try bed.placeCall(to: "1002")
        bed.respond(to: try #require(bed.invites(to: Phones.deskPhone1002).first), 486, tag: "desk")
        bed.respond(to: try #require(bed.invites(to: Phones.phone1003).first), 486, tag: "other")

        #expect(bed.finalResponse(to: call)?.statusCode == 486)
        let record = try #require(bed.records.first)
        #expect(record.outcome == .busy)
        #expect(record.failureCode == 486)
        #expect(bed.b2bua.activeCalls == 0)
    }
}
