import Foundation
import Testing

@testable import Scheduling

/// The multistatus reader on bodies shaped like those of other servers (prefixes, default
/// namespaces, propstats with 404 for missing properties).
@Suite struct DAVMultistatusTests {
    @Test func readsPrefixedBodiesAndIgnoresNon200Propstats() throws {
        let body = """
            <?xml version="1.0" encoding="utf-8"?>
            <d:multistatus xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">
              <d:response><d:href>/cal/a.ics</d:href>
                <d:propstat><d:prop><d:getetag>"1"</d:getetag><cal:calendar-data><![CDATA[BEGIN:VCALENDAR
            END:VCALENDAR
            ]]></cal:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
                <d:propstat><d:prop><cs:getctag/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>
              </d:response>
              <d:response><d:href>/cal/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>
              <d:sync-token>tok-2</d:sync-token>
            </d:multistatus>
            """
        let status = try DAVMultistatus.parse(Data(body.utf8))
        #expect(status.syncToken == "tok-2")
        #expect(status.responses.count == 2)
        #expect(status.responses[0].properties[.getetag] == "\"1\"")
        #expect(status.responses[0].properties[.calendarData] == "BEGIN:VCALENDAR\nEND:VCALENDAR\n")
        #expect(status.responses[0].properties[.getctag] == nil)
        #expect(status.responses[1].status == 404)
    }

    @Test func refusesWhatIsNotAMultistatus() {
        #expect(throws: CalDAVError.self) { try DAVMultistatus.parse(Data("<html>oops".utf8)) }
        #expect(throws: CalDAVError.self) { try DAVMultistatus.parse(Data("<a xmlns='DAV:'/>".utf8)) }
    }
}
