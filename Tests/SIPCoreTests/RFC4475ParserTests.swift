import Foundation
import Testing

@testable import SIPCore

@Suite("RFC 4475 torture messages through the parser")
struct RFC4475ParserTests {
    @Test("every file of the archive has an expected outcome")
    func everyFileListed() throws {
        let folder = Bundle.module.resourceURL!.appendingPathComponent("RFC4475")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".dat") }
        #expect(files.count == 50)
        #expect(Set(files.map { String($0.dropLast(4)) }) == Set(TortureCase.all.map(\.file)))
    }

    @Test("valid messages parse, invalid ones are rejected", arguments: TortureCase.all)
    func outcome(_ c: TortureCase) {
        let result: Result<RoutingHeaders, SIPParseError>
        do throws(SIPParseError) {
            let message = try SIPParser().parseDatagram(c.bytes)
            result = .success(try RoutingHeaders(message))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success:
            #expect(c.parserValid, "\(c.file) parsed but RFC 4475 §\(c.section) says it is invalid")
        case .failure(let error):
            #expect(!c.parserValid, "\(c.file) rejected: \(error.reasonPhrase)")
            if let code = c.serverAnswer, code == 505 { #expect(error.statusCode == 505) }
        }
    }

    @Test("the same outcome when a stream delivers the bytes one at a time", arguments: TortureCase.all.filter { $0.parserValid && $0.file != "dblreq" && $0.file != "mpart01" })
    func byteByByte(_ c: TortureCase) throws {
        let whole = try SIPParser().parseDatagram(c.bytes)
        var buffer: [UInt8] = []
        var parsed: SIPMessage?
        for b in c.bytes {
            buffer.append(b)
            if let (m, end) = try SIPParser().parseStream(buffer) {
                parsed = m
                #expect(end == buffer.count)
                break
            }
        }
        // Torture files with Content-Length parse on a stream too; those without it parse with an empty body.
        if c.bytes.count == buffer.count, whole.headers[HeaderName.contentLength] != nil {
            #expect(parsed == whole)
        }
    }

    @Test func shortTortuousInvite() throws {
        let c = TortureCase.all.first { $0.file == "wsinv" }!
        guard case .request(let r) = try SIPParser().parseDatagram(c.bytes) else { Issue.record("not a request"); return }
        let routing = try RoutingHeaders(.request(r))
        #expect(r.method == .invite)
        #expect(routing.to.tag == "1918181833n")
        #expect(routing.from.displayName == "J Rosenberg \\\"")
        #expect(routing.from.tag == "98asjd8")
        #expect(routing.maxForwards == 68)
        #expect(routing.cseq == CSeq(9, .invite))
        #expect(routing.vias.count == 3)
        #expect(routing.vias[0].branch == "390skdjuw")
        #expect(routing.vias[1].transport == "TCP")
        #expect(routing.vias[1].host == "spindle.example.com")
        #expect(routing.vias[2].branch == "z9hG4bK30239")
        #expect(r.headers["Subject"] == "")
        #expect(r.headers["NewFangledHeader"] == "newfangled value continued newfangled value")
        #expect(r.body.count == 150)
        guard case .addresses(let contacts) = try ContactList(parsing: r.headers) else { Issue.record("no contacts"); return }
        #expect(contacts[0].displayName == "Quoted string \"\"")
        #expect(contacts[0].parameters["newparam"] == "newvalue")
        #expect(contacts[0].parameters["q"] == "0.33")
        #expect(contacts[0].parameters.has("secondparam"))
    }

    @Test func extraOctetsAfterContentLengthAreIgnored() throws {
        let c = TortureCase.all.first { $0.file == "dblreq" }!
        guard case .request(let r) = try SIPParser().parseDatagram(c.bytes) else { Issue.record("not a request"); return }
        #expect(r.method == .register)
        #expect(r.body.isEmpty)
    }

    @Test func escapedNullsDecode() throws {
        let c = TortureCase.all.first { $0.file == "escnull" }!
        guard case .request(let r) = try SIPParser().parseDatagram(c.bytes) else { Issue.record("not a request"); return }
        let routing = try RoutingHeaders(.request(r))
        #expect(routing.to.uri.sipURI?.decodedUser == "null-\u{0}-null")
    }

    @Test func precise400Reasons() throws {
        func reason(_ file: String) -> String? {
            let c = TortureCase.all.first { $0.file == file }!
            do {
                _ = try RoutingHeaders(try SIPParser().parseDatagram(c.bytes))
                return nil
            } catch { return error.reasonPhrase }
        }
        #expect(reason("ncl") == "Invalid Content-Length -999")
        #expect(reason("mcl01") == "Multiple Content-Length Header Values")
        #expect(reason("mismatch01") == "CSeq Method INVITE Does Not Match Request Method OPTIONS")
        #expect(reason("badvers") == "Version Not Supported: SIP/7.0")
        #expect(reason("quotbal")?.contains("unterminated quoted string") == true)
        #expect(reason("escruri")?.contains("headers are not allowed in the Request-URI") == true)
        #expect(reason("baddate")?.contains("Date") == true)
        #expect(reason("insuf")?.hasPrefix("Missing") == true)
    }
}
