import Dialplan
import SIPCore
import Testing

@testable import Calls

/// The slot media anchoring plugs into: every SDP crossing the B2BUA goes through the relay,
/// in the right direction, and the relay hears when the call is over.
@Suite struct MediaRelayTests {
    /// Tags each body with the side it is sent to, as an anchoring relay would rewrite c=/m=.
    final class TaggingRelay: MediaRelay {
        var ended: [String] = []
        var applications: [MediaApplication] = []
        var pending: [(StepOutcome) -> Void] = []
        var joined: [String] = []
        var digits: [Character] = []
        var refuse: String?
        func relay(_ body: [UInt8], contentType: String?, callID: String, towards side: CallSide) -> [UInt8] {
            Array("a=anchored-towards-\(side == .caller ? "caller" : "callee")\r\n".utf8) + body
        }
        func callEnded(_ callID: String) -> MediaQuality? {
            ended.append(callID)
            return MediaQuality(packetsFromCaller: 10, packetsFromCallee: 0, lossPercent: 0, jitterMilliseconds: 1, roundTripMilliseconds: nil, mos: 4.4)
        }
        func answerCaller(callID: String, offer: [UInt8]) -> MediaAnswer {
            refuse.map { .refused($0) } ?? .sdp(Array("v=0 server-answer".utf8))
        }
        func callerAnswered(callID: String, answer: [UInt8]) {}
        func offerToCallee(callID: String) -> [UInt8] { Array("v=0 server-offer".utf8) }
        func calleeAnswered(callID: String, answer: [UInt8]) { joined.append(String(decoding: answer, as: UTF8.self)) }
        func run(_ application: MediaApplication, callID: String, caller: CallerIdentity, done: @escaping (StepOutcome) -> Void) {
            applications.append(application)
            pending.append(done)
        }
        func digit(_ key: Character, callID: String) { digits.append(key) }
        var ringbacks = 0
        func ringback(callID: String) { ringbacks += 1 }
        var missingMailboxes: Set<String> = []
        func accepts(_ application: MediaApplication, caller: CallerIdentity) -> Bool {
            if case .voicemail(let number, _) = application { return !missingMailboxes.contains(number) }
            return true
        }
        /// Finishes the oldest running application with `outcome`.
        func finish(_ outcome: StepOutcome) { pending.removeFirst()(outcome) }
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
        #expect(bed.records.first?.quality?.packetsFromCaller == 10, "the relay's figures go into the CDR")
    }

    /// Nobody registered: the server answers with its own SDP and takes a message; the caller's
    /// BYE ends the call, and the CDR says voicemail answered.
    @Test func voicemailIsAnsweredByTheServer() throws {
        let bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s; voicemail 1002 } }")
        let relay = TaggingRelay()
        bed.b2bua.media = relay
        bed.directory.add("1002", contacts: [])
        let call = try bed.placeCall(to: "1002")
        let ok = try #require(bed.finalResponse(to: call))
        #expect(ok.statusCode == 200 && ok.bodyText == "v=0 server-answer")
        #expect(relay.applications == [.voicemail(mailbox: "1002", busy: false)])
        try bed.callerACK(call)
        try bed.callerRequest("INFO", in: call, cseq: 2, sdp: "Signal=#\r\nDuration=160\r\n", headers: [("Content-Type", "application/dtmf-relay")])
        #expect(relay.digits == ["#"], "a SIP INFO key reaches the application")
        _ = try bed.callerRequest("BYE", in: call, cseq: 3)
        let record = try #require(bed.records.first)
        #expect(record.outcome == .answered && record.answeredBy == "voicemail 1002" && record.endedBy == "caller")
        relay.finish(.played)  // the application ends after the call: nothing more happens
        #expect(bed.records.count == 1)
    }

    /// A menu answered by the server routes by key: the chosen extension is offered the server's
    /// media, its answer joins the two, and the caller gets no second 200.
    @Test func aMenuKeyRingsAnExtensionThroughTheServer() throws {
        let bed = try CallTestbed(dialplan: "context internal { match 500 { menu welcome { 1: ring 1002 for 30s\n wait 5s\n tries 2 } } }")
        let relay = TaggingRelay()
        bed.b2bua.media = relay
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        let call = try bed.placeCall(to: "500")
        #expect(bed.finalResponse(to: call)?.statusCode == 200)
        try bed.callerACK(call)
        relay.finish(.digit("4"))
        #expect(relay.applications.count == 2, "an invalid key replays the menu")
        relay.finish(.digit("1"))
        let leg = try #require(bed.invites(to: Phones.softphone1002).first)
        #expect(leg.request.bodyText == "v=0 server-offer")
        #expect(relay.ringbacks == 1, "the caller hears ringing from the server")
        bed.respond(to: leg, 180, tag: "soft")
        bed.respond(to: leg, 200, tag: "soft", sdp: SDP.calleeAnswer)
        #expect(relay.joined == [SDP.calleeAnswer])
        #expect(bed.responses(to: call).filter { $0.statusCode == 200 }.count == 1, "one 200 to the caller")
        #expect(!bed.responses(to: call).contains { $0.statusCode == 180 }, "no ringing after the answer")
        _ = try bed.callerRequest("BYE", in: call, cseq: 2)
        #expect(bed.signalling.requests(.bye, to: Phones.softphone1002.destination).count == 1)
        #expect(bed.records.first?.answeredBy?.contains("1002") == true)
    }

    /// No mailbox for the number: the voicemail step is skipped, nothing is answered, and the
    /// caller hears why the ring failed.
    @Test func voicemailWithoutAMailboxIsSkipped() throws {
        let bed = try CallTestbed(dialplan: "context internal { match 4444 { ring 4444 for 30s; voicemail 4444 } }")
        let relay = TaggingRelay()
        relay.missingMailboxes = ["4444"]
        bed.b2bua.media = relay
        let call = try bed.placeCall(to: "4444")
        #expect(bed.finalResponse(to: call)?.statusCode == 404)
        #expect(relay.applications.isEmpty)
    }

    @Test func aCallerWithoutUsableMediaGets488() throws {
        let bed = try CallTestbed(dialplan: "context internal { match 500 { play welcome } }")
        let relay = TaggingRelay()
        relay.refuse = "no G.711"
        bed.b2bua.media = relay
        let call = try bed.placeCall(to: "500")
        #expect(bed.finalResponse(to: call)?.statusCode == 488)
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
