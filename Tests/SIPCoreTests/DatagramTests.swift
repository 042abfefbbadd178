import Testing

@testable import SIPCore

@Suite struct DatagramTests {
    @Test func plainOptionsDatagramParses() throws {
        let text = "OPTIONS sip:127.0.0.1:15060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:4000;branch=z9hG4bKabc;rport\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: abc\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        let m = try SIPParser().parseDatagram(Array(text.utf8))
        let routing = try RoutingHeaders(m)
        #expect(routing.cseq == CSeq(1, .options))
    }
}
