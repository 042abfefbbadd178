import Directory
import Foundation
import Messaging
import Scheduling
import Storage
import Synchronization
import Testing

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let now: Mutex<Date>
    init(_ start: Date) { now = Mutex(start) }
    func read() -> Date { now.withLock { $0 } }
    func set(_ date: Date) { now.withLock { $0 = date } }
}

/// A gateway that records when (by the manual clock) each text was handed to it.
final class RecordingGateway: SMSGateway {
    let name = "recording"
    let clock: ManualClock
    let sent = Mutex<[(Date, OutgoingSMS)]>([])
    init(clock: ManualClock) { self.clock = clock }
    func send(_ sms: OutgoingSMS) async throws(SMSGatewayError) -> String? {
        sent.withLock { $0.append((clock.read(), sms)) }
        return nil
    }
}

/// Reminders for visits just after the spring and autumn clock changes go out at the right local
/// time: booked through ``SchedulingService``, queued in the SQLite outbox by
/// ``ReminderScheduler``, sent by ``ReminderDispatcher``, with the clock moved in 5-minute steps
/// from booking to the visit. Offsets 1 day (wall clock) and 2 hours (elapsed), quiet hours
/// 21:00-08:00 in the patient's zone.
@Suite struct ReminderDSTTests {
    struct Case: Sendable, CustomStringConvertible {
        let zone: String
        /// Visit start, local: y, m, d, h.
        let visit: (Int, Int, Int, Int)
        /// Expected local send times, ISO 8601 with the zone's offset then.
        let expected: [String]
        var description: String { "\(zone) \(visit)" }
    }

    static let cases: [Case] = [
        // Europe/Rome springs forward at 02:00 on 28 March 2027: the day before is 23 h away.
        Case(zone: "Europe/Rome", visit: (2027, 3, 29, 10), expected: ["2027-03-28T10:00:00+02:00", "2027-03-29T08:00:00+02:00"]),
        Case(zone: "Europe/Rome", visit: (2027, 3, 28, 10), expected: ["2027-03-27T10:00:00+01:00", "2027-03-28T08:00:00+02:00"]),
        // ... and falls back at 03:00 on 31 October 2027 (25 h day).
        Case(zone: "Europe/Rome", visit: (2027, 10, 31, 10), expected: ["2027-10-30T10:00:00+02:00", "2027-10-31T08:00:00+01:00"]),
        // America/New_York: 14 March and 7 November 2027 at 02:00.
        Case(zone: "America/New_York", visit: (2027, 3, 14, 9), expected: ["2027-03-13T09:00:00-05:00", "2027-03-14T08:00:00-04:00"]),
        Case(zone: "America/New_York", visit: (2027, 11, 7, 9), expected: ["2027-11-06T09:00:00-04:00", "2027-11-07T08:00:00-05:00"]),
        Case(zone: "America/New_York", visit: (2027, 11, 7, 11), expected: ["2027-11-06T11:00:00-04:00", "2027-11-07T09:00:00-05:00"]),
        // Asia/Taipei has no daylight saving.
        Case(zone: "Asia/Taipei", visit: (2027, 3, 28, 10), expected: ["2027-03-27T10:00:00+08:00", "2027-03-28T08:00:00+08:00"]),
    ]

    @Test(arguments: cases)
    func remindersGoOutAtLocalTimes(_ c: Case) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("carephone-dst-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try SQLiteDatabase.open(path: folder.appendingPathComponent("db.sqlite").path, options: .init(synchronous: .normal))
        defer { database.close() }
        let directory = SQLiteDirectoryStore(database: database)
        let demo = try DemoSeed.ensure(domain: "clinic.test", in: directory, makePassword: { "password1234" })
        _ = demo
        let organisation = try #require(try directory.organisations().first)
        let users = try directory.users(organisationID: organisation.id)
        let doctor = try #require(users.first { $0.extension == "1002" })
        let calendar = SQLiteSchedulingStore(database: database)
        let outbox = SQLiteOutboxStore(database: database)
        let provider = try calendar.createProvider(
            Provider(id: 0, organisationID: organisation.id, userID: doctor.id, displayName: "Dr Rossi", timeZoneIdentifier: c.zone))
        let patient = try calendar.createPatient(
            Patient(id: 0, organisationID: organisation.id, firstName: "Ann", lastName: "Lee", mobile: "+15551234567", localeTag: "en",
                    timeZoneIdentifier: c.zone, smsConsent: SMSConsent(granted: true, source: "form", at: Date(timeIntervalSince1970: 0))))

        var wall = Foundation.Calendar(identifier: .gregorian)
        wall.timeZone = TimeZone(identifier: c.zone)!
        let start = try #require(wall.date(from: DateComponents(year: c.visit.0, month: c.visit.1, day: c.visit.2, hour: c.visit.3)))
        let clock = ManualClock(start.addingTimeInterval(-5 * 86_400))
        let rule = ReminderRule(
            id: "org", offsets: [ReminderOffset(days: 1)!, .hours(2)!],
            quietHours: QuietHours(start: LocalTime(hour: 21)!, end: LocalTime(hour: 8)!))
        let texting: @Sendable (Int64, Provider) -> ClinicTexting = { _, _ in ClinicTexting(clinicName: "Clinic", clinicPhone: "+1555", rule: rule) }
        let scheduler = ReminderScheduler(outbox: outbox, calendar: calendar, texting: texting, clock: { clock.read() })
        let service = SchedulingService(store: calendar, meetings: nil, clock: { clock.read() }, onChange: { a, _ in _ = try? scheduler.appointmentChanged(a) })
        let owner = ActingUser(id: doctor.id, organisationID: organisation.id, role: .member)
        _ = try await service.book(
            BookingRequest(providerID: provider.id, patientID: patient.id, start: start, end: start.addingTimeInterval(1800), kind: .inPerson,
                           location: "Room 2"), by: owner, source: "test")

        let gateway = RecordingGateway(clock: clock)
        let dispatcher = ReminderDispatcher(scheduler: scheduler, gateway: gateway, clock: { clock.read() })
        while clock.read() < start {
            try await dispatcher.runOnce()
            clock.set(clock.read().addingTimeInterval(300))
        }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: c.zone)
        let sent = gateway.sent.withLock { $0 }
        #expect(sent.map { formatter.string(from: $0.0) } == c.expected)
        #expect(sent.allSatisfy { $0.1.text.contains("Room 2") && $0.1.to == "+15551234567" })
        let states = try outbox.messages(organisationID: organisation.id, appointmentID: nil, patientID: nil, limit: 10).map(\.state)
        #expect(states == [.sent, .sent])
    }
}
