import Testing

@testable import SIPCore

/// Each typed header prints in a form that parses back to an equal value.
@Suite struct HeaderRoundTripTests {
    @Test(arguments: [
        "sip:1001@clinic.example", "sips:alice:secret@[2001:db8::1]:5061;transport=tls",
        "sip:+390612345678;phone-context=+39@gw.example;user=phone", "sip:clinic.example;lr",
        "sip:user@host.example:5062;transport=tcp;ob?Subject=hi&Priority=urgent", "tel:+886-2-1234-5678;ext=12",
        "sip:%61lice@example.com", "sip:127.0.0.1:5070",
    ])
    func uri(_ text: String) throws {
        let uri = try URI(parsing: text)
        #expect(uri.description == text)
        #expect(try URI(parsing: uri.description) == uri)
    }

    @Test func uriComponents() throws {
        let u = try SIPURI(parsing: "sips:alice:secret@[2001:db8::1]:5061;transport=TLS;lr")
        #expect(u.scheme == .sips)
        #expect(u.user == "alice")
        #expect(u.password == "secret")
        #expect(u.host == "[2001:db8::1]")
        #expect(u.port == 5061)
        #expect(u.transport == "tls")
        #expect(u.parameters.has("lr"))
        #expect(u.addressOfRecord == "sips:alice@[2001:db8::1]")
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: "sip:user@host:99999") }
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: "sip:user@ho st") }
        #expect(throws: SIPParseError.self) { try URI(parsing: "nocolon") }
    }

    @Test(arguments: [
        "\"Dr. Rossi\" <sip:1001@clinic.example>;tag=abc", "<sip:1002@clinic.example>",
        "\"張偉 \\\"Wei\\\"\" <sip:1003@clinic.example;transport=tcp>;expires=3600;q=0.5",
        "<tel:+15551234567>;tag=x", "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>",
    ])
    func nameAddress(_ text: String) throws {
        let a = try NameAddress(parsing: text)
        #expect(try NameAddress(parsing: a.description) == a)
    }

    @Test func addrSpecFormKeepsParametersOnTheHeader() throws {
        let a = try NameAddress(parsing: "sip:1001@clinic.example;tag=xyz")
        #expect(a.tag == "xyz")
        #expect(a.uri.sipURI?.parameters.isEmpty == true)
        let b = try NameAddress(parsing: "Niccolò <sip:1001@clinic.example>")
        #expect(b.displayName == "Niccolò")
    }

    @Test(arguments: [
        "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport", "SIP/2.0/TCP [::1]:5062;branch=z9hG4bKx;received=::1",
        "SIP/2.0/TLS pc33.example.com;branch=z9hG4bK1;rport=5066;received=192.0.2.9",
    ])
    func via(_ text: String) throws {
        let v = try Via(parsing: text)
        #expect(v.description == text)
        #expect(try Via(parsing: v.description) == v)
    }

    @Test func viaParts() throws {
        let v = try Via(parsing: "SIP / 2.0 / udp host.example:5070 ; branch = z9hG4bKabc ; rport")
        #expect(v.transport == "UDP")
        #expect(v.port == 5070)
        #expect(v.branch == "z9hG4bKabc")
        #expect(v.hasRFC3261Branch)
        #expect(v.rport == .some(nil))
        #expect(throws: SIPParseError.self) { try Via(parsing: "SIP/2.0/UDP 192.0.2.15;;,;,,") }
        #expect(throws: SIPParseError.self) { try Via(parsing: "SIP/3.0/UDP host") }
    }

    @Test func cseq() throws {
        let c = try CSeq(parsing: "4711 REGISTER")
        #expect(c == CSeq(4711, .register))
        #expect(try CSeq(parsing: c.description) == c)
        #expect(throws: SIPParseError.self) { try CSeq(parsing: "2147483648 INVITE") }
        #expect(throws: SIPParseError.self) { try CSeq(parsing: "-1 INVITE") }
    }

    @Test func contactList() throws {
        var h = SIPHeaders()
        h.add("m", "<sip:a@192.0.2.1>;expires=60, \"B, Bee\" <sip:b@192.0.2.2>")
        h.add("Contact", "sip:c@192.0.2.3;q=0.1")
        guard case .addresses(let list) = try ContactList(parsing: h) else { Issue.record("expected addresses"); return }
        #expect(list.count == 3)
        #expect(try list[0].expiresParameter() == 60)
        #expect(list[1].displayName == "B, Bee")
        #expect(list[2].parameters["q"] == "0.1")
        var star = SIPHeaders()
        star.add("Contact", "*")
        #expect(try ContactList(parsing: star) == .wildcard)
    }

    @Test func compactFormsAreCanonicalised() throws {
        let text = "OPTIONS sip:s.example SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nf: <sip:a@b>;tag=1\r\nt: <sip:s.example>\r\ni: x@y\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n"
        let m = try SIPParser().parseDatagram(Array(text.utf8))
        #expect(m.headers["Call-ID"] == "x@y")
        #expect(m.headers["call-id"] == "x@y")
        #expect(m.headers.fields.map(\.name) == ["Via", "From", "To", "Call-ID", "CSeq", "Content-Length"])
    }

    @Test func messageRoundTrip() throws {
        let text = "REGISTER sip:clinic.example SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.4:5062;branch=z9hG4bKnashds7\r\nMax-Forwards: 70\r\nTo: <sip:1001@clinic.example>\r\nFrom: <sip:1001@clinic.example>;tag=456248\r\nCall-ID: 843817637684230@998sdasdh09\r\nCSeq: 1826 REGISTER\r\nContact: <sip:1001@192.0.2.4:5062;transport=tcp>\r\nExpires: 7200\r\nContent-Length: 0\r\n\r\n"
        let m = try SIPParser().parseDatagram(Array(text.utf8))
        #expect(m.serialized() == Array(text.utf8))
        let response = SIPResponse(statusCode: 200, headers: m.headers, body: Array("hi".utf8))
        let again = try SIPParser().parseDatagram(response.serialized())
        #expect(again == .response(response) || again.headers[HeaderName.contentLength] == "2")
    }

    @Test func streamFramingByContentLength() throws {
        let one = "OPTIONS sip:s SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nContent-Length: 4\r\n\r\nabcd"
        let two = "\r\n\r\nOPTIONS sip:t SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK2\r\nContent-Length: 0\r\n\r\n"
        let bytes = Array((one + two).utf8)
        let (first, end) = try #require(try SIPParser().parseStream(bytes))
        guard case .request(let r1) = first else { Issue.record("not a request"); return }
        #expect(r1.body == Array("abcd".utf8))
        let (second, end2) = try #require(try SIPParser().parseStream(bytes, from: end))
        guard case .request(let r2) = second else { Issue.record("not a request"); return }
        #expect(r2.uriString == "sip:t")
        #expect(end2 == bytes.count)
        #expect(try SIPParser().parseStream(Array(bytes.prefix(30))) == nil)
    }

    @Test func limitsAreEnforced() {
        let big = "OPTIONS sip:s SIP/2.0\r\nX: " + String(repeating: "a", count: 9000) + "\r\n\r\n"
        #expect(throws: SIPParseError.headerTooLong(limit: 8192)) { try SIPParser().parseDatagram(Array(big.utf8)) }
        var limits = ParserLimits()
        limits.maxHeaderCount = 3
        let many = "OPTIONS sip:s SIP/2.0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"
        #expect(throws: SIPParseError.tooManyHeaders(limit: 3)) { try SIPParser(limits: limits).parseDatagram(Array(many.utf8)) }
    }
}
