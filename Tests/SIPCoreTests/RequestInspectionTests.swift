import Testing

@testable import SIPCore

@Suite struct RequestInspectionTests {
    let inspection = RequestInspection(allowedMethods: [.register, .options, .invite, .ack, .bye, .cancel])

    func request(_ text: String) throws -> SIPRequest {
        guard case .request(let r) = try SIPParser().parseDatagram(Array(text.utf8)) else { throw SIPParseError.incomplete }
        return r
    }

    let head = "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:s@b>\r\nCall-ID: c\r\n"

    @Test func unknownMethodIs501KnownButNotAllowedIs405() throws {
        let r = try request("FOO sip:s@b SIP/2.0\r\n\(head)CSeq: 1 FOO\r\n\r\n")
        #expect(inspection.inspect(r)?.statusCode == 501)
        let m = try request("MESSAGE sip:s@b SIP/2.0\r\n\(head)CSeq: 1 MESSAGE\r\n\r\n")
        let response = try #require(inspection.inspect(m))
        #expect(response.statusCode == 405)
        #expect(response.headers[HeaderName.allow] == "REGISTER, OPTIONS, INVITE, ACK, BYE, CANCEL")
    }

    @Test func requireListsUnsupported() throws {
        let r = try request("OPTIONS sip:s@b SIP/2.0\r\n\(head)CSeq: 1 OPTIONS\r\nRequire: path, x-foo\r\n\r\n")
        let response = try #require(inspection.inspect(r))
        #expect(response.statusCode == 420)
        #expect(response.headers[HeaderName.unsupported] == "x-foo")
    }

    @Test func bodyTypes() throws {
        let sdp = try request("INVITE sip:s@b SIP/2.0\r\n\(head)CSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n")
        #expect(inspection.inspect(sdp) == nil)
        let odd = try request("INVITE sip:s@b SIP/2.0\r\n\(head)CSeq: 1 INVITE\r\nContent-Type: application/unknownformat\r\n\r\nxx")
        #expect(inspection.inspect(odd)?.statusCode == 415)
        #expect(inspection.inspect(odd)?.headers[HeaderName.accept] == "application/sdp")
    }

    @Test func responseCopiesHeadersAndAddsToTag() throws {
        let r = try request("OPTIONS sip:s@b SIP/2.0\r\n\(head)CSeq: 1 OPTIONS\r\n\r\n")
        let response = SIPResponse(replyingTo: r, statusCode: 200, toTag: "srv1")
        #expect(response.headers[HeaderName.to] == "<sip:s@b>;tag=srv1")
        #expect(response.headers[HeaderName.via] == "SIP/2.0/UDP h;branch=z9hG4bK1")
        #expect(response.headers[HeaderName.cseq] == "1 OPTIONS")
    }
}
