import SIPCore
import Testing

@testable import Calls

/// A call that comes back to us (482, RFC 3261 §16.3 step 4 style) or has run out of hops (483, §16.3 step 3).
@Suite struct LoopDetectionTests {
    let bed: CallTestbed

    init() throws {
        bed = try CallTestbed(dialplan: "context internal { match X. { ring ${exten} for 30s } }")
        bed.directory.add("1002", contacts: [Phones.deskPhone1002])
        bed.directory.add("1003", contacts: [Phones.phone1003])
    }

    @Test func anINVITECarryingOneOfOurBranchesGets482() throws {
        try bed.placeCall(to: "1002")
        let leg = try #require(bed.invites(to: Phones.deskPhone1002).first)
        let ourBranch = try #require(leg.request.topVia?.branch)

        // The phone forwarded our INVITE back to us, its own Via on top of ours.
        let looped = try bed.placeCall(to: "1003", extraVias: ["SIP/2.0/UDP 192.0.2.1:5060;branch=\(ourBranch);rport"])

        #expect(bed.responses(to: looped).map(\.statusCode) == [482])
        #expect(bed.invites(to: Phones.phone1003).isEmpty)
        #expect(bed.b2bua.activeCalls == 1)
    }

    @Test func anINVITEWithOtherBranchesIsACall() throws {
        try bed.placeCall(to: "1002")
        let call = try bed.placeCall(to: "1003", extraVias: ["SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-somebody-else"])
        #expect(bed.responses(to: call).map(\.statusCode) == [100])
        #expect(bed.invites(to: Phones.phone1003).count == 1)
    }

    @Test func maxForwardsZeroGets483() throws {
        let call = try bed.placeCall(to: "1002", maxForwards: 0)
        #expect(bed.responses(to: call).map(\.statusCode) == [483])
        #expect(bed.signalling.requests.isEmpty)
        #expect(bed.b2bua.activeCalls == 0)
    }

    @Test func maxForwardsIsDecrementedNotReset() throws {
        try bed.placeCall(to: "1002", maxForwards: 5)
        #expect(bed.invites(to: Phones.deskPhone1002).first?.request.maxForwards == 4)
    }
}
