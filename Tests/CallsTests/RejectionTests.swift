import SIPCore
import Testing

@testable import Calls

/// Calls the plan cannot ring anybody for: the caller gets a final response at once, and a CDR.
@Suite struct RejectionTests {
    @Test func anUnknownExtensionGets404() throws {
        let bed = try CallTestbed(dialplan: "context internal { match X. { ring ${exten} } }")
        let call = try bed.placeCall(to: "1099")
        #expect(bed.responses(to: call).map(\.statusCode) == [100, 404])
        #expect(bed.signalling.requests.isEmpty)
        #expect(bed.records.first?.outcome == .failed)
        #expect(bed.records.first?.failureCode == 404)
    }

    @Test func aNumberNoPatternMatchesGets404() throws {
        let bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 } }")
        let call = try bed.placeCall(to: "555")
        #expect(bed.finalResponse(to: call)?.statusCode == 404)
    }

    @Test func aUserWithNoRegisteredPhoneGets480() throws {
        let bed = try CallTestbed(dialplan: "context internal { match X. { ring ${exten} } }")
        bed.directory.add("1002", contacts: [])
        let call = try bed.placeCall(to: "1002")
        #expect(bed.responses(to: call).map(\.statusCode) == [100, 480])
        #expect(bed.signalling.requests.isEmpty)
        #expect(bed.records.first?.failureCode == 480)
        #expect(bed.b2bua.activeCalls == 0)
    }

    @Test func hangupGivesItsCode() throws {
        let bed = try CallTestbed(dialplan: "context internal { match 1002 { hangup 603 } }")
        let call = try bed.placeCall(to: "1002")
        let final = try #require(bed.finalResponse(to: call))
        #expect(final.statusCode == 603)
        #expect(final.toTag != nil)  // §8.2.6.2: a final response carries our To tag
        #expect(bed.records.first?.failureCode == 603)
        #expect(bed.records.first?.outcome == .failed)
    }

    @Test func hangupBusyIsRecordedAsBusy() throws {
        let bed = try CallTestbed(dialplan: "context internal { match 1002 { hangup busy } }")
        let call = try bed.placeCall(to: "1002")
        #expect(bed.finalResponse(to: call)?.statusCode == 486)
        #expect(bed.records.first?.outcome == .busy)
    }
}
