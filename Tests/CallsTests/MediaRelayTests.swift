import SIPCore
import Testing

@testable import Calls

/// The slot media anchoring plugs into: every SDP crossing the B2BUA goes through the relay,
/// in the right direction, and the relay hears when the call is over.
@Suite struct MediaRelayTests {
    /// Tags each body with the side it is sent to, as an anchoring relay would rewrite c=/m=.
    final class TaggingRelay: MediaRelay {
        var ended: [String] = []
        func relay(_ body: [UInt8], contentType: String?, callID: String, towards side: CallSide) -> [UInt8] {
            Array("a=anchored-towards-\(side == .caller ? "caller" : "callee")\r\n".utf8) + body
        }
        func callEnded(_ callID: String) { ended.append(callID) }
    }

    @Test func offerAndAnswerPassThroughTheRelay() throws {
        let bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s } }")
        let relay = TaggingRelay()
        bed.b2bua.media = relay
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        let call = try bed.placeCall(to: "1002")
        let leg = try #require(bed.invites(to: Phones.softphone1002).first)
        #expect(leg.request.bodyText == "a=anchored-towards-callee\r\n" + SDP.callerOffer)
        bed.respond(to: leg, 200, tag: "soft", sdp: SDP.calleeAnswer)
        let ok = try #require(bed.finalResponse(to: call))
        #expect(ok.bodyText == "a=anchored-towards-caller\r\n" + SDP.calleeAnswer)
        try bed.callerACK(call)
        _ = try bed.callerRequest("BYE", in: call, cseq: 3)
        #expect(relay.ended.count == 1)
        #expect(bed.records.first?.id == relay.ended.first)
    }

    @Test func withoutARelayBodiesAreUnchanged() throws {
        let bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s } }")
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        _ = try bed.placeCall(to: "1002")
        #expect(try #require(bed.invites(to: Phones.softphone1002).first).request.bodyText == SDP.callerOffer)
    }
}

/// Which requests are calls in from a trunk: listed sources (any port or one port), or the
/// address and port the trunk registers to.
@Suite struct TrunkSourceTests {
    let trunk = Trunk(
        name: "carrier", destination: CallDestination(transport: "udp", host: "203.0.113.5", port: 5070),
        inboundSources: ["198.51.100.7", "198.51.100.8:5060", "[2001:db8::1]:5062"])

    @Test func listedSources() {
        #expect(trunk.accepts(source: "198.51.100.7", port: 40000))
        #expect(trunk.accepts(source: "198.51.100.8", port: 5060))
        #expect(!trunk.accepts(source: "198.51.100.8", port: 5061))
        #expect(trunk.accepts(source: "2001:db8::1", port: 5062))
        #expect(!trunk.accepts(source: "203.0.113.5", port: 5070), "not registering: its address alone is not a source")
    }

    @Test func theRegisteredAddressAndPort() {
        var registering = trunk
        registering.register = true
        #expect(registering.accepts(source: "203.0.113.5", port: 5070))
        // A phone on the provider's host but another port is not the trunk.
        #expect(!registering.accepts(source: "203.0.113.5", port: 40000))
    }
}
