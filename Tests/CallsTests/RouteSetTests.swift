import SIPCore
import Testing

@testable import Calls

/// Record-Route (RFC 3261 §12.1.2): requests in the callee's dialog carry its route set,
/// reversed, and go to the first route.
@Suite struct RouteSetTests {
    @Test func requestsToTheCalleeFollowItsRecordRoute() throws {
        let bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s } }")
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        let call = try bed.placeCall(to: "1002")
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(
            to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer,
            headers: [(HeaderName.recordRoute, "<sip:10.0.0.51:5070;lr>, <sip:10.0.0.50:5070;lr>")])
        let edge = CallDestination(transport: "udp", host: "10.0.0.50", port: 5070)

        let ack = try #require(bed.signalling.acks.first)
        #expect(ack.destination == edge)
        #expect(
            ack.request.headers.listElements(HeaderName.route) == [
                "<sip:10.0.0.50:5070;lr>", "<sip:10.0.0.51:5070;lr>",
            ])
        #expect(ack.request.uriString == CallTestbed.calleeContact(soft))

        try bed.callerACK(call)
        try bed.callerRequest("BYE", in: call, cseq: 2)
        let bye = try #require(bed.signalling.requests(.bye).first)
        #expect(bye.destination == edge)
        #expect(
            bye.request.headers.listElements(HeaderName.route) == [
                "<sip:10.0.0.50:5070;lr>", "<sip:10.0.0.51:5070;lr>",
            ])
    }

    @Test func requestsToTheCallerCarryItsRecordRouteInOrder() throws {
        let bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s } }")
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        let call = try bed.placeCall(
            to: "1002", headers: [(HeaderName.recordRoute, "<sip:10.0.0.61;lr>, <sip:10.0.0.60;lr>")])
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)
        try bed.callerACK(call)
        try bed.calleeRequest("BYE", answering: soft, tag: "soft", cseq: 2)
        let bye = try #require(bed.signalling.requests(.bye, to: Phones.caller).first)
        #expect(bye.request.headers.listElements(HeaderName.route) == ["<sip:10.0.0.61;lr>", "<sip:10.0.0.60;lr>"])
        // Record-Route is not copied into the legs' INVITEs: the B2BUA starts new dialogs.
        #expect(soft.request.headers[HeaderName.recordRoute] == nil)
    }

    /// RFC 3261 §12.1.1: the UAS "MUST copy all Record-Route header field values from the request
    /// into the response" that creates a dialog (18x with a To tag, and 2xx).
    @Test func dialogCreatingResponsesToTheCallerCopyRecordRoute() throws {
        let bed = try CallTestbed(dialplan: "context internal { match 1002 { ring 1002 for 30s } }")
        bed.directory.add("1002", contacts: [Phones.softphone1002])
        let call = try bed.placeCall(
            to: "1002", headers: [(HeaderName.recordRoute, "<sip:10.0.0.61;lr>, <sip:10.0.0.60;lr>")])
        let soft = try #require(bed.invites(to: Phones.softphone1002).first)
        bed.respond(to: soft, 180, tag: "soft")
        bed.respond(to: soft, 200, tag: "soft", sdp: SDP.calleeAnswer)

        let tagged = bed.responses(to: call).filter { $0.statusCode > 100 }
        #expect(tagged.map(\.statusCode) == [180, 200])
        for response in tagged {
            #expect(
                response.headers.listElements(HeaderName.recordRoute) == ["<sip:10.0.0.61;lr>", "<sip:10.0.0.60;lr>"],
                "\(response.statusCode) has no Record-Route")
        }
    }
}
