import SIPCore
import Testing

@testable import Calls

/// 18x responses of the ringing legs reach the caller in its early dialog, with any SDP.
@Suite struct EarlyMediaTests {
    @Test func a183WithSDPReachesTheCaller() throws {
        let bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s } }")
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        let call = try bed.placeCall(to: "1002")
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 100, tag: "soft")
        bed.respond(to: soft, 183, tag: "soft", sdp: SDP.calleeAnswer)

        let responses = bed.responses(to: call)
        #expect(responses.map(\.statusCode) == [100, 183])  // the leg's 100 stays hop-by-hop
        let progress = try #require(responses.last)
        #expect(progress.bodyText == SDP.calleeAnswer)
        #expect(progress.headers[HeaderName.contentType] == "application/sdp")
        #expect(progress.toTag != nil)
        #expect(progress.headers[HeaderName.contact] != nil)
    }
}
