import SIPCore
import Testing

@testable import CarePhoneServer

@Suite struct MalformedRequestResponderTests {
    @Test func answers400WithTheHeadersItCanRead() throws {
        let text = "INVITE <sip:user@example.com> SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=9\r\nTo: <sip:user@example.com>\r\nCall-ID: lt\r\nCSeq: 8 INVITE\r\n\r\n"
        let bytes = Array(text.utf8)
        let error = SIPParseError.invalidURI("<sip:user@example.com>", "Request-URI must not be enclosed in <>")
        let (response, via) = try #require(MalformedRequestResponder.response(to: bytes, error: error))
        #expect(response.statusCode == 400)
        #expect(response.reasonPhrase == error.reasonPhrase)
        #expect(response.headers[HeaderName.callID] == "lt")
        #expect(response.headers[HeaderName.cseq] == "8 INVITE")
        #expect(response.headers[HeaderName.to]?.contains(";tag=") == true)
        #expect(via?.host == "192.0.2.5")
    }

    @Test func nothingWithoutAViaOrForAResponse() {
        let noVia = Array("INVITE sip:a@b\r\nTo: x\r\n\r\n".utf8)
        #expect(MalformedRequestResponder.response(to: noVia, error: .malformedStartLine("x")) == nil)
        let response = Array("SIP/2.0 4294967301 better not break the receiver\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n".utf8)
        #expect(MalformedRequestResponder.response(to: response, error: .invalidStatusCode("4294967301")) == nil)
    }

    @Test func versionErrorsAre505() throws {
        let bytes = Array("OPTIONS sip:t.watson@example.org SIP/7.0\r\nVia: SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw\r\n\r\n".utf8)
        let (response, _) = try #require(MalformedRequestResponder.response(to: bytes, error: .unsupportedVersion("SIP/7.0")))
        #expect(response.statusCode == 505)
    }
}
