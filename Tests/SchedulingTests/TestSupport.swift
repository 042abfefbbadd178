import Foundation

@testable import Scheduling

/// An instant given as wall-clock time in a named zone.
func instant(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0, in zone: String) -> Date {
    var calendar = Foundation.Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: zone)!
    return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
}

/// "yyyy-MM-dd HH:mm" of `date` in a named zone.
func wallClock(_ date: Date, in zone: String) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: zone)
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.string(from: date)
}

func samplePatient() -> Patient {
    Patient(
        id: 7, organisationID: 1, firstName: "Giulia", lastName: "Bianchi", mobile: "+393471234567", localeTag: "it",
        timeZoneIdentifier: "Europe/Rome",
        smsConsent: SMSConsent(granted: true, source: "intake form", at: Date(timeIntervalSince1970: 1_800_000_000)))
}

func sampleAppointment() -> Appointment {
    let start = instant(2027, 3, 29, 9, in: "Europe/Rome")
    return Appointment(
        id: 42, organisationID: 1, providerID: 3, patientID: 7, start: start, end: start.addingTimeInterval(30 * 60),
        bookedTimeZoneIdentifier: "Europe/Rome", kind: .inPerson, location: "Room 2", status: .confirmed, version: 2,
        changedBy: 11, changedAt: Date(timeIntervalSince1970: 1_800_000_000), uid: "appointment-42@clinic.example.org")
}
