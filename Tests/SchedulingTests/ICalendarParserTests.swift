import Foundation
import Testing

@testable import Scheduling

/// RFC 5545 reading: round trip with `ICalendarWriter`, real-world exports, and precise errors.
@Suite struct ICalendarParserTests {
    let rome = TimeZone(identifier: "Europe/Rome")!

    func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "ics", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func roundTripsWhatTheWriterWrites() throws {
        var appointment = sampleAppointment()
        // Escapes, a long folded line and multi-octet characters all survive.
        appointment.location =
            "Studio 2, piano 1; chiedere al banco \\ reception – 診所 " + String(repeating: "è", count: 60)
        let writer = ICalendarWriter(includePatientNames: true)
        let text = writer.document(
            for: [appointment], patients: [7: samplePatient()], stamp: Date(timeIntervalSince1970: 1_800_000_500))
        let events = try ICalendarParser().events(in: text)
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.uid == "appointment-42@clinic.example.org")
        #expect(event.start == appointment.start)
        #expect(event.end == appointment.end)
        #expect(event.timeZoneIdentifier == "Europe/Rome")
        #expect(event.location == appointment.location)
        #expect(event.summary == "In-person appointment: Giulia Bianchi")
        #expect(event.status == .confirmed)
        #expect(event.sequence == 1)
        #expect(event.lastModified == appointment.changedAt)
        #expect(!event.isAllDay)
    }

    @Test func roundTripsUTCFallbackAndEveryStatus() throws {
        var appointments: [Appointment] = []
        for (index, status) in Appointment.Status.allCases.enumerated() {
            var appointment = sampleAppointment()
            appointment.id = Int64(index)
            appointment.status = status
            appointment.bookedTimeZoneIdentifier = index == 0 ? "Not/AZone" : "America/New_York"
            appointments.append(appointment)
        }
        let text = ICalendarWriter().document(
            for: appointments, stamp: Date(timeIntervalSince1970: 0))
        let events = try ICalendarParser().events(in: text)
        #expect(events.map(\.start) == appointments.map(\.start))
        #expect(events.map(\.status?.rawValue) == appointments.map { ICalendarWriter.status($0.status) })
        #expect(events[0].timeZoneIdentifier == nil)  // written in UTC form
        #expect(events[1].timeZoneIdentifier == "America/New_York")
    }

    @Test func readsAGoogleCalendarExport() throws {
        let events = try ICalendarParser(defaultTimeZone: rome).events(in: fixture("google-export"))
        #expect(events.count == 3)
        let series = events[0]
        #expect(series.uid == "7kukuqrfedlm2f9t0vr42q2g1s@google.com")
        #expect(series.start == instant(2027, 3, 29, 9, in: "Europe/Rome"))
        #expect(series.end == instant(2027, 3, 29, 9, 30, in: "Europe/Rome"))
        #expect(series.recurrenceRule == "FREQ=WEEKLY;BYDAY=MO;COUNT=4")
        #expect(
            series.exceptionDates == [
                instant(2027, 4, 5, 9, in: "Europe/Rome"), instant(2027, 4, 12, 9, in: "Europe/Rome"),
            ])
        #expect(series.description == "Portare l'impegnativa, grazie.\nSecondo piano.")
        #expect(series.location == "Via Roma 1, Milano")
        #expect(series.sequence == 2)
        #expect(series.lastModified == ICalendarParserTests.utc(2027, 1, 1, 11, 59, 59))
        #expect(try RecurrenceRule(parsing: #require(series.recurrenceRule)).frequency == .weekly)
        let moved = events[1]
        #expect(moved.recurrenceID == instant(2027, 4, 12, 9, in: "Europe/Rome"))
        #expect(moved.status == .tentative)
        let closed = events[2]
        #expect(closed.isAllDay)
        #expect(closed.start == instant(2027, 4, 1, 0, in: "Europe/Rome"))
        #expect(closed.end == instant(2027, 4, 2, 0, in: "Europe/Rome"))
        #expect(closed.timeZoneIdentifier == nil)
    }

    @Test func readsAnOutlookExportWithWindowsAndCustomZones() throws {
        let events = try ICalendarParser().events(in: fixture("outlook-export"))
        #expect(events.count == 2)
        let visit = events[0]
        #expect(
            visit.uid == "040000008200E00074C5B7101A82E00800000000D0E1C2B3A4F5D601000000000000000010000000A1B2C3D4E5F6")
        #expect(visit.timeZoneIdentifier == "W. Europe Standard Time")
        #expect(visit.start == instant(2027, 7, 10, 11, in: "Europe/Berlin"))
        #expect(visit.summary == "Visita di controllo – Dr. Rossi")
        #expect(
            visit.description
                == "Referral from Dr. Verdi. The patient asks for a morning slot if possible; bring previous X-rays.\n")
        #expect(visit.extensions["X-MICROSOFT-CDO-BUSYSTATUS"] == "BUSY")
        let consult = events[1]
        #expect(consult.start == ICalendarParserTests.utc(2027, 7, 11, 3, 30, 0))
        #expect(consult.end.timeIntervalSince(consult.start) == 45 * 60)
    }

    @Test func readsCarePhoneExtensionsFloatingTimesAndDurations() throws {
        let text = """
            BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:x-1\nDTSTART:20270301T080000\nDURATION:P1DT1H\n\
            X-CAREPHONE-KIND:phone\nX-CAREPHONE-APPOINTMENT;X-PARAM="a;b:c":42\nX-CAREPHONE-KIND:ignored\n\
            SUMMARY:a\\\\b\\,c\\;d\\Ne\nEND:VEVENT\nEND:VCALENDAR\n
            """
        let event = try #require(try ICalendarParser(defaultTimeZone: rome).events(in: text).first)
        #expect(event.start == instant(2027, 3, 1, 8, in: "Europe/Rome"))
        #expect(event.end == instant(2027, 3, 2, 9, in: "Europe/Rome"))
        #expect(event.extensions == ["X-CAREPHONE-KIND": "phone", "X-CAREPHONE-APPOINTMENT": "42"])
        #expect(event.summary == "a\\b,c;d\ne")
    }

    @Test func parsesQuotedParametersAndCaretEscapes() throws {
        let line = try ICalendarContentLine.parse(
            #"ATTENDEE;CN="Rossi, Anna: MD";X-A=a,"b;c",d;X-B=say ^'hi^':mailto:a@b"#, lineNumber: 1)
        #expect(line.name == "ATTENDEE")
        #expect(line.parameters["CN"] == ["Rossi, Anna: MD"])
        #expect(line.parameters["X-A"] == ["a", "b;c", "d"])
        #expect(line.parameters["X-B"] == ["say \"hi\""])
        #expect(line.value == "mailto:a@b")
    }

    @Test func durationForms() {
        #expect(ICalendarParser.duration("PT30M")! == (0, 1800))
        #expect(ICalendarParser.duration("P2W")! == (14, 0))
        #expect(ICalendarParser.duration("-P1DT2H3M4S")! == (-1, -7384))
        #expect(ICalendarParser.duration("P") == nil)
        #expect(ICalendarParser.duration("PT5") == nil)
        #expect(ICalendarParser.duration("P1H") == nil)
    }

    @Test(arguments: [
        ("BEGIN:VEVENT\nUID:a\nEND:VEVENT\n", ICalendarParseError(line: 1, reason: .noCalendar)),
        ("hello\n", ICalendarParseError(line: 1, reason: .malformedLine("hello"))),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20270101T000000Z\nEND:VEVENT\nEND:VCALENDAR\n",
            ICalendarParseError(line: 2, reason: .missingProperty("UID", component: "VEVENT"))
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\nEND:VCALENDAR\n",
            ICalendarParseError(line: 2, reason: .missingProperty("DTSTART", component: "VEVENT"))
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20270431T090000Z\nEND:VEVENT\nEND:VCALENDAR\n",
            ICalendarParseError(line: 4, reason: .badDate(property: "DTSTART", value: "20270431T090000Z"))
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:2027-01-01\nEND:VEVENT\nEND:VCALENDAR\n",
            ICalendarParseError(line: 4, reason: .badDate(property: "DTSTART", value: "2027-01-01"))
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART;TZID=Mars/Olympus:20270101T090000\nEND:VEVENT\nEND:VCALENDAR\n",
            ICalendarParseError(line: 4, reason: .unknownTimeZone("Mars/Olympus"))
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20270101T090000Z\nSEQUENCE:two\nEND:VEVENT\nEND:VCALENDAR\n",
            ICalendarParseError(line: 5, reason: .badInteger(property: "SEQUENCE", value: "two"))
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20270101T090000Z\nDURATION:1H\nEND:VEVENT\nEND:VCALENDAR\n",
            ICalendarParseError(line: 5, reason: .badDuration("1H"))
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20270101T090000Z\nEND:VCALENDAR\n",
            ICalendarParseError(line: 5, reason: .unbalancedComponent(expected: "VEVENT", found: "VCALENDAR"))
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\n",
            ICalendarParseError(line: 2, reason: .unbalancedComponent(expected: "VEVENT", found: nil))
        ),
    ])
    func refusesWithLineAndReason(text: String, expected: ICalendarParseError) {
        #expect(throws: expected) { try ICalendarParser().events(in: text) }
    }

    @Test func errorLineCountsPhysicalLinesBeforeUnfolding() {
        let text =
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDESCRIPTION:long\r\n  text\r\nDTSTART:2027\r\n 9999\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        #expect(throws: ICalendarParseError(line: 6, reason: .badDate(property: "DTSTART", value: "20279999"))) {
            try ICalendarParser().events(in: text)
        }
    }

    @Test func unescapeReversesEscape() {
        let samples = ["plain", "a,b;c\\d", "line\nbreak", "trailing\\", #"odd \x kept"#]
        for sample in samples.prefix(3) {
            #expect(ICalendarText.unescape(ICalendarText.escape(sample)) == sample)
        }
        #expect(ICalendarText.unescape(#"odd \x kept"#) == #"odd \x kept"#)
    }

    static func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Date {
        var calendar = Foundation.Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
    }
}
