import Foundation
import Testing

@testable import Scheduling

/// VCALENDAR export: structure, CRLF, time zones, status mapping and patient privacy.
@Suite struct ICalendarWriterTests {
    let writer = ICalendarWriter()
    let stamp = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z

    @Test func writesOneEventPerAppointmentWithCRLF() {
        var second = sampleAppointment()
        second.id = 43
        second.kind = .video
        second.location = nil
        second.status = .cancelled
        let text = writer.document(for: [sampleAppointment(), second], stamp: stamp)

        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CarePhone//Scheduling//EN\r\n"))
        #expect(text.hasSuffix("END:VEVENT\r\nEND:VCALENDAR\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == 2)
        #expect(lines.contains("UID:appointment-42@clinic.example.org"))
        #expect(lines.contains("DTSTAMP:20270115T080000Z"))
        #expect(lines.contains("DTSTART;TZID=Europe/Rome:20270329T090000"))
        #expect(lines.contains("DTEND;TZID=Europe/Rome:20270329T093000"))
        #expect(lines.contains("SUMMARY:In-person appointment"))
        #expect(lines.contains("LOCATION:Room 2"))
        #expect(lines.contains("STATUS:CONFIRMED"))
        #expect(lines.contains("SEQUENCE:1"))
        #expect(lines.contains("SUMMARY:Video appointment"))
        #expect(lines.contains("STATUS:CANCELLED"))
        #expect(lines.filter { $0.hasPrefix("LOCATION:") }.count == 1)
    }

    @Test func patientNamesAreAbsentByDefault() {
        let patient = samplePatient()
        let text = writer.document(for: [sampleAppointment()], patients: [patient.id: patient], stamp: stamp)
        #expect(!text.contains("Giulia"))
        #expect(!text.contains("Bianchi"))
    }

    @Test func patientNamesAppearWhenAllowed() {
        let patient = samplePatient()
        let named = ICalendarWriter(includePatientNames: true)
        let text = named.document(for: [sampleAppointment()], patients: [patient.id: patient], stamp: stamp)
        #expect(text.contains("SUMMARY:In-person appointment: Giulia Bianchi\r\n"))
    }

    @Test func locationIsEscapedAndFolded() {
        var appointment = sampleAppointment()
        appointment.location = "Via Roma 1, Milano; Ambulatorio \"Città\" — piano 2, stanza 14, ingresso laterale"
        let text = writer.document(for: [appointment], stamp: stamp)
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(
            unfolded.contains(
                "LOCATION:Via Roma 1\\, Milano\\; Ambulatorio \"Città\" — piano 2\\, stanza 14\\, ingresso laterale\r\n"
            ))
    }

    @Test(arguments: [
        (Appointment.Status.booked, "TENTATIVE"), (.confirmed, "CONFIRMED"), (.completed, "CONFIRMED"),
        (.noShow, "CONFIRMED"), (.cancelled, "CANCELLED"), (.rescheduled, "CANCELLED"),
    ])
    func statusMapsToVEventValues(_ status: Appointment.Status, _ expected: String) {
        #expect(ICalendarWriter.status(status) == expected)
    }

    @Test func unknownZoneFallsBackToUTC() {
        var appointment = sampleAppointment()
        appointment.bookedTimeZoneIdentifier = "Nowhere/Special"
        let text = writer.document(for: [appointment], stamp: stamp)
        #expect(text.contains("DTSTART:20270329T070000Z\r\n"))
    }

    /// RFC 5545 §3.3.5: a local time repeated by a fall-back change names its first occurrence,
    /// so an instant in the second one is written in UTC.
    @Test func theRepeatedHourAtFallBackIsWrittenInUTC() {
        // 2027-11-07 in New York: 01:30 EDT is 05:30Z, 01:30 EST is 06:30Z.
        let first = Date(timeIntervalSince1970: 1_825_565_400)  // 2027-11-07T05:30:00Z
        let second = first.addingTimeInterval(3600)
        #expect(ICalendarWriter.dateTimeProperty("DTSTART", first, zone: "America/New_York") == "DTSTART;TZID=America/New_York:20271107T013000")
        #expect(ICalendarWriter.dateTimeProperty("DTSTART", second, zone: "America/New_York") == "DTSTART:20271107T063000Z")
    }
}
