import Directory
import Foundation
import Messaging
import Scheduling
import Storage

/// A demo organisation on a scratch SQLite file, with 1002 a provider in Europe/Rome, 1001
/// (reception) delegated to book for her, 1003 not, and an Italian patient who agreed to texts.
final class CalendarFixture {
    let folder: URL
    let database: SQLiteDatabase
    let directory: SQLiteDirectoryStore
    let calendar: SQLiteSchedulingStore
    let outbox: SQLiteOutboxStore
    let inbox: SQLiteInboxStore
    let clock: ManualClock
    let provider: Provider
    let patient: Patient
    let reception: ActingUser
    let nurse: ActingUser
    let doctor: ActingUser
    let scheduler: ReminderScheduler
    let service: SchedulingService
    let replies: ReplyHandler

    init(now: Date = Date(timeIntervalSince1970: 1_800_000_000), offsets: String = "48h, 2h") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("carephone-calendar-\(UUID().uuidString)")
        database = try SQLiteDatabase.open(path: folder.appendingPathComponent("db.sqlite").path, options: .init(synchronous: .normal))
        directory = SQLiteDirectoryStore(database: database)
        _ = try DemoSeed.ensure(domain: "clinic.test", in: directory, makePassword: { "password1234" })
        let organisation = try directory.organisations()[0]
        let users = try directory.users(organisationID: organisation.id)
        func user(_ ext: String) -> User { users.first { $0.extension == ext }! }
        calendar = SQLiteSchedulingStore(database: database)
        outbox = SQLiteOutboxStore(database: database)
        inbox = SQLiteInboxStore(database: database)
        clock = ManualClock(now)
        provider = try calendar.createProvider(
            Provider(id: 0, organisationID: organisation.id, userID: user("1002").id, displayName: "Dr Rossi", timeZoneIdentifier: "Europe/Rome"))
        try calendar.addDelegation(Delegation(providerID: provider.id, schedulerUserID: user("1001").id))
        patient = try calendar.createPatient(
            Patient(id: 0, organisationID: organisation.id, firstName: "Giulia", lastName: "Bianchi", mobile: "+393471234567", localeTag: "it",
                    timeZoneIdentifier: "Europe/Rome", smsConsent: SMSConsent(granted: true, source: "intake form", at: now)))
        reception = ActingUser(id: user("1001").id, organisationID: organisation.id, role: .member)
        nurse = ActingUser(id: user("1003").id, organisationID: organisation.id, role: .member)
        doctor = ActingUser(id: user("1002").id, organisationID: organisation.id, role: .member)
        let rule = ReminderRule(id: "org", offsets: try ReminderOffset.list(parsing: offsets, field: "offsets"), quietHours: nil)
        let texting: @Sendable (Int64, Provider?) -> ClinicTexting = { _, _ in
            ClinicTexting(clinicName: "Studio Rossi", clinicPhone: "+390612345678", rule: rule)
        }
        let clock = self.clock
        let scheduler = ReminderScheduler(outbox: outbox, calendar: calendar, texting: { texting($0, $1) }, clock: { clock.read() })
        self.scheduler = scheduler
        service = SchedulingService(
            store: calendar, meetings: try TemplateMeetingProvider(urlTemplate: "https://meet.example/{room}"), clock: { clock.read() },
            onChange: { a, _ in _ = try? scheduler.appointmentChanged(a) })
        replies = ReplyHandler(calendar: calendar, scheduling: service, outbox: outbox, inbox: inbox, texting: texting, clock: { clock.read() })
    }

    deinit {
        database.close()
        try? FileManager.default.removeItem(at: folder)
    }

    func booking(in hours: Double, minutes: Double = 30, kind: Appointment.Kind = .inPerson) -> BookingRequest {
        let start = clock.read().addingTimeInterval(hours * 3600)
        return BookingRequest(providerID: provider.id, patientID: kind == .blocked ? nil : patient.id, start: start,
                              end: start.addingTimeInterval(minutes * 60), kind: kind, location: kind == .inPerson ? "Via Roma 1" : nil)
    }

    func queued(_ visit: Int64) throws -> [OutboxMessage] {
        try outbox.messages(organisationID: provider.organisationID, appointmentID: visit, patientID: nil, limit: 100).filter { $0.state == .queued }
    }
}
