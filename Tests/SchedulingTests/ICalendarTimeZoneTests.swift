import Foundation
import Testing

@testable import Scheduling

/// RFC 5545 §3.6.5 VTIMEZONE components cover the appointments' span with exact transitions.
@Suite struct ICalendarTimeZoneTests {
    @Test func romeAcrossBothChangesOf2027() {
        let zone = TimeZone(identifier: "Europe/Rome")!
        let span = instant(2027, 3, 29, 9, in: "Europe/Rome")...instant(2027, 11, 2, 9, in: "Europe/Rome")
        let lines = ICalendarTimeZone(zone: zone).lines(covering: span)
        #expect(lines.first == "BEGIN:VTIMEZONE")
        #expect(lines[1] == "TZID:Europe/Rome")
        let withoutNames = lines.filter { !$0.hasPrefix("TZNAME:") }
        #expect(
            withoutNames == [
                "BEGIN:VTIMEZONE", "TZID:Europe/Rome",
                "BEGIN:DAYLIGHT", "DTSTART:20270328T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "END:DAYLIGHT",
                "BEGIN:STANDARD", "DTSTART:20271031T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "END:STANDARD",
                "END:VTIMEZONE",
            ])
    }

    @Test func newYorkInWinterUsesTheNovemberChange() {
        let zone = TimeZone(identifier: "America/New_York")!
        let start = instant(2027, 12, 1, 9, in: "America/New_York")
        let lines = ICalendarTimeZone(zone: zone).lines(covering: start...start.addingTimeInterval(1800))
        #expect(lines.contains("BEGIN:STANDARD"))
        #expect(lines.contains("DTSTART:20271107T020000"))
        #expect(lines.contains("TZOFFSETFROM:-0400"))
        #expect(lines.contains("TZOFFSETTO:-0500"))
        #expect(!lines.contains("BEGIN:DAYLIGHT"))
    }

    @Test func zoneWithoutDaylightSavingHasOneFixedObservance() {
        let zone = TimeZone(identifier: "Asia/Tokyo")!
        let start = instant(2027, 6, 1, 9, in: "Asia/Tokyo")
        let lines = ICalendarTimeZone(zone: zone).lines(covering: start...start)
        #expect(
            lines.filter { !$0.hasPrefix("TZNAME:") } == [
                "BEGIN:VTIMEZONE", "TZID:Asia/Tokyo", "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0900",
                "TZOFFSETTO:+0900", "END:STANDARD", "END:VTIMEZONE",
            ])
    }

    @Test(arguments: [(0, "+0000"), (3600, "+0100"), (-18000, "-0500"), (19800, "+0530"), (-2670, "-004430")])
    func utcOffsetFormat(_ seconds: Int, _ expected: String) {
        #expect(ICalendarTimeZone.utcOffset(seconds) == expected)
    }

    @Test func writerEmitsOneTimeZonePerZoneBeforeEvents() throws {
        var newYork = sampleAppointment()
        newYork.id = 44
        newYork.bookedTimeZoneIdentifier = "America/New_York"
        let text = ICalendarWriter()
            .document(for: [sampleAppointment(), newYork, sampleAppointment()], stamp: Date(timeIntervalSince1970: 0))
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.filter { $0.hasPrefix("TZID:") } == ["TZID:America/New_York", "TZID:Europe/Rome"])
        let lastZone = try #require(lines.lastIndex(of: "END:VTIMEZONE"))
        let firstEvent = try #require(lines.firstIndex(of: "BEGIN:VEVENT"))
        #expect(lastZone < firstEvent)
    }
}
