import ArgumentParser
import CarePhoneServer
import Directory
import Foundation
import Logging
import Messaging
import Scheduling
import Storage

/// What every calendar command needs: the database, the acting user (`--as EXT`, whose
/// privileges apply and who is recorded as making the change) and the calendar services.
struct CalendarContext {
    let database: SQLiteDatabase
    let directory: SQLiteDirectoryStore
    let services: CalendarServices
    let user: User
    var acting: ActingUser { ActingUser(id: user.id, organisationID: user.organisationID, roleName: user.role.rawValue) }

    init(_ data: DataOption, as ext: String, domain: String?, config: String?) throws {
        // The server's reminder rules, templates and meeting template, so a visit booked here is
        // planned exactly as one booked over HTTP.
        var configuration = ServerConfiguration()
        if let config {
            do { try configuration.load(file: config) } catch { throw ArgumentParser.ValidationError("--config: \(error)") }
        }
        database = try data.openExistingDatabase()
        directory = SQLiteDirectoryStore(database: database)
        user = try TokensCommand.user(ext, domain: domain, store: directory)
        services = try CalendarServices(
            database: database, directory: directory, settings: configuration.calendar, callbackBase: "", callbackSecret: "",
            logger: Logger(label: "carephone"))
    }

    func provider(_ ext: String) throws -> Provider {
        guard let member = try directory.users(organisationID: user.organisationID).first(where: { $0.extension == ext }),
            let provider = try services.calendar.provider(userID: member.id)
        else { throw ArgumentParser.ValidationError("--provider: \(ext) is not a provider (carephone providers add --extension \(ext))") }
        return provider
    }
}

struct CalendarUserOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: ArgumentHelp("Act as this user (their privileges apply; they are recorded as making the change).", valueName: "EXT"))
    var actingExtension: String
    @Option(name: .long, help: ArgumentHelp("The organisation's SIP domain (if there are several).", valueName: "DOMAIN")) var domain: String?
    @Option(name: .long, help: ArgumentHelp("The server's JSON config file, for its reminder rules and meeting template.", valueName: "FILE"))
    var config: String?
}

func parseTime(_ text: String, zone: String, option: String) throws -> Date {
    let timeZone = TimeZone(identifier: zone)
    guard let date = TimeText.parse(text, zone: timeZone) else {
        throw ArgumentParser.ValidationError("\(option): \(TimeText.problem(text, zone: timeZone))")
    }
    return date
}

/// Runs `body` for every organisation of the data folder's database (the list commands).
func forEachOrganisation(_ dataOption: DataOption, _ body: (SQLiteDatabase, SQLiteDirectoryStore, Organisation) throws -> Void) throws {
    let database = try dataOption.openExistingDatabase()
    defer { database.close() }
    let directory = SQLiteDirectoryStore(database: database)
    for organisation in try directory.organisations() { try body(database, directory, organisation) }
}

func describe(_ error: SchedulingError) -> ArgumentParser.ValidationError {
    switch error {
    case .invalid(let errors): ArgumentParser.ValidationError(errors.map { "--\($0.field.replacingOccurrences(of: "_", with: "-")): \($0.message)" }.joined(separator: "\n"))
    case .refused(let r): ArgumentParser.ValidationError("refused: \(r.description)")
    default: ArgumentParser.ValidationError(error.description)
    }
}

func show(_ a: Appointment) -> String {
    let f = ISO8601DateFormatter()
    f.timeZone = TimeZone(identifier: a.bookedTimeZoneIdentifier) ?? .gmt
    var line = "visit \(a.id)  \(f.string(from: a.start)) – \(f.string(from: a.end))  \(a.kind.rawValue)  \(a.status.rawValue)  v\(a.version)"
    line += "  provider \(a.providerID)  patient \(a.patientID.map(String.init) ?? "-")"
    if let m = a.meeting { line += "  \(m.joinURL)" }
    if let t = a.title { line += "  \"\(t)\"" }
    return line
}

struct ProvidersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers", abstract: "Providers (clinicians with a calendar), their working hours and who may book for them.",
        subcommands: [Add.self, Delegate.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a user a provider.")
        @OptionGroup var dataOption: DataOption
        @Option(name: .long, help: ArgumentHelp("The user's extension.", valueName: "EXT")) var `extension`: String
        @Option(name: .long, help: ArgumentHelp("IANA time zone (default: the organisation's).", valueName: "ZONE")) var timeZone: String?
        @Option(name: .long, help: ArgumentHelp("Working hours, repeatable: 'mon 08:00-12:30'.", valueName: "HOURS")) var hours: [String] = []
        @Option(name: .long, help: ArgumentHelp("The provider's own reminder offsets, e.g. '24h, 1h' (default: the organisation's).", valueName: "OFFSETS"))
        var reminders: String?
        @Option(name: .long, help: ArgumentHelp("The organisation's SIP domain (if there are several).", valueName: "DOMAIN")) var domain: String?

        func run() throws {
            let database = try dataOption.openExistingDatabase()
            defer { database.close() }
            let directory = SQLiteDirectoryStore(database: database)
            let user = try TokensCommand.user(`extension`, domain: domain, store: directory)
            let store = SQLiteSchedulingStore(database: database)
            if try store.provider(userID: user.id) != nil { throw ArgumentParser.ValidationError("--extension: \(user.extension) is already a provider") }
            let zone = try timeZone ?? directory.organisation(id: user.organisationID)?.timeZone ?? "UTC"
            if let e = FieldValidation.timeZone(zone, field: "--time-zone") { throw ArgumentParser.ValidationError(e.description) }
            let parsed = try hours.map { text in
                do { return try WorkingHours(parsing: text) } catch { throw ArgumentParser.ValidationError("--hours: \(error)") }
            }
            if let reminders {
                do { _ = try ReminderOffset.list(parsing: reminders, field: "--reminders") } catch { throw ArgumentParser.ValidationError(error.description) }
            }
            let provider = try store.createProvider(
                Provider(id: 0, organisationID: user.organisationID, userID: user.id, displayName: user.displayName, timeZoneIdentifier: zone,
                         reminderOffsets: reminders))
            try store.setWorkingHours(parsed, providerID: provider.id)
            print("provider \(provider.id): \(user.displayName) (\(user.extension)), \(zone)")
        }
    }

    struct Delegate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a user (a scheduler) book, move and cancel for a provider.")
        @OptionGroup var dataOption: DataOption
        @Option(name: .long, help: ArgumentHelp("The provider's extension.", valueName: "EXT")) var provider: String
        @Option(name: .long, help: ArgumentHelp("The scheduler's extension.", valueName: "EXT")) var to: String
        @Flag(name: .long, help: "Take the delegation back.") var revoke = false
        @Option(name: .long, help: ArgumentHelp("The organisation's SIP domain (if there are several).", valueName: "DOMAIN")) var domain: String?

        func run() throws {
            let database = try dataOption.openExistingDatabase()
            defer { database.close() }
            let directory = SQLiteDirectoryStore(database: database)
            let store = SQLiteSchedulingStore(database: database)
            let owner = try TokensCommand.user(provider, domain: domain, store: directory)
            guard let p = try store.provider(userID: owner.id) else { throw ArgumentParser.ValidationError("--provider: \(provider) is not a provider") }
            let scheduler = try TokensCommand.user(to, domain: domain, store: directory)
            let delegation = Delegation(providerID: p.id, schedulerUserID: scheduler.id)
            if revoke { try store.removeDelegation(delegation) } else { try store.addDelegation(delegation) }
            print("\(scheduler.extension) \(revoke ? "may no longer" : "may") book for \(owner.extension)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List providers.")
        @OptionGroup var dataOption: DataOption
        func run() throws {
            try forEachOrganisation(dataOption) { database, directory, organisation in
                let store = SQLiteSchedulingStore(database: database)
                let users = Dictionary(try directory.users(organisationID: organisation.id).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                for p in try store.providers(organisationID: organisation.id) {
                    let delegates = try store.delegations(providerID: p.id).compactMap { users[$0.schedulerUserID]?.extension }
                    let hours = try store.workingHours(providerID: p.id).map(\.text)
                    print("provider \(p.id)  \(users[p.userID]?.extension ?? "?")  \(p.displayName)  \(p.timeZoneIdentifier)  hours: \(hours.isEmpty ? "any" : hours.joined(separator: ", "))  delegates: \(delegates.isEmpty ? "none" : delegates.joined(separator: ", "))")
                }
            }
        }
    }
}

struct PatientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "patients", abstract: "Patients: add and list.", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a patient.")
        @OptionGroup var dataOption: DataOption
        @OptionGroup var who: CalendarUserOptions
        @Option(name: .long) var firstName: String
        @Option(name: .long) var lastName: String
        @Option(name: .long, help: ArgumentHelp("E.164 mobile number, e.g. +393471234567.", valueName: "NUMBER")) var mobile: String
        @Option(name: .long, help: ArgumentHelp("en, it or zh-TW.", valueName: "TAG")) var locale = "en"
        @Option(name: .long, help: ArgumentHelp("IANA time zone.", valueName: "ZONE")) var timeZone: String
        @Option(name: .long, help: ArgumentHelp("Where the patient agreed to texts (e.g. 'intake form'); without it no texts are sent.", valueName: "SOURCE"))
        var smsConsent: String?

        func run() async throws {
            let context = try CalendarContext(dataOption, as: who.actingExtension, domain: who.domain, config: who.config)
            defer { context.database.close() }
            let patient = Patient(
                id: 0, organisationID: context.user.organisationID, firstName: firstName, lastName: lastName, mobile: mobile, localeTag: locale,
                timeZoneIdentifier: timeZone, smsConsent: SMSConsent(granted: smsConsent != nil, source: smsConsent ?? "not asked", at: Date()))
            do {
                let created = try context.services.scheduling.createPatient(patient, by: context.acting)
                print("patient \(created.id): \(created.firstName) \(created.lastName) \(created.mobile)")
            } catch {
                throw describe(error)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List patients.")
        @OptionGroup var dataOption: DataOption
        func run() throws {
            try forEachOrganisation(dataOption) { database, _, organisation in
                for p in try SQLiteSchedulingStore(database: database).patients(organisationID: organisation.id) {
                    print("patient \(p.id)  \(p.firstName) \(p.lastName)  \(p.mobile)  \(p.localeTag)  \(p.timeZoneIdentifier)  texts: \(p.smsConsent.granted ? "yes" : "no") (\(p.smsConsent.source))")
                }
            }
        }
    }
}

struct VisitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visits", abstract: "Book, move, cancel and list visits.", subcommands: [Book.self, Move.self, Cancel.self, List.self])

    struct Book: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Book a visit (reminders are queued at once).")
        @OptionGroup var dataOption: DataOption
        @OptionGroup var who: CalendarUserOptions
        @Option(name: .long, help: ArgumentHelp("The provider's extension.", valueName: "EXT")) var provider: String
        @Option(name: .long, help: ArgumentHelp("The patient's id (carephone patients list).", valueName: "ID")) var patient: Int64?
        @Option(name: .long, help: ArgumentHelp("Start: 2027-03-29T09:00 in the provider's zone, or with an offset.", valueName: "TIME")) var start: String
        @Option(name: .long, help: ArgumentHelp("Length.", valueName: "MINUTES")) var minutes: Int = 30
        @Option(name: .long, help: ArgumentHelp("in-person, phone, video or blocked.", valueName: "KIND")) var kind = "in-person"
        @Option(name: .long) var location: String?
        @Option(name: .long, help: ArgumentHelp("RRULE for a series, e.g. FREQ=WEEKLY;COUNT=6.", valueName: "RRULE")) var recurrence: String?

        func run() async throws {
            let context = try CalendarContext(dataOption, as: who.actingExtension, domain: who.domain, config: who.config)
            defer { context.database.close() }
            let p = try context.provider(provider)
            guard let k = Appointment.Kind(name: kind) else {
                throw ArgumentParser.ValidationError("--kind: '\(kind)' is not one of \(Appointment.Kind.names)")
            }
            let startTime = try parseTime(start, zone: p.timeZoneIdentifier, option: "--start")
            let request = BookingRequest(
                providerID: p.id, patientID: patient, start: startTime, end: startTime.addingTimeInterval(Double(minutes) * 60), kind: k,
                location: location, recurrence: recurrence)
            do {
                for a in try await context.services.scheduling.book(request, by: context.acting, source: "cli") { print(show(a)) }
            } catch {
                throw describe(error)
            }
        }
    }

    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a visit (its reminders are planned again).")
        @OptionGroup var dataOption: DataOption
        @OptionGroup var who: CalendarUserOptions
        @Argument var id: Int64
        @Option(name: .long) var start: String

        func run() async throws {
            let context = try CalendarContext(dataOption, as: who.actingExtension, domain: who.domain, config: who.config)
            defer { context.database.close() }
            guard let a = try context.services.calendar.appointment(id: id) else { throw ArgumentParser.ValidationError("no visit \(id)") }
            let startTime = try parseTime(start, zone: a.bookedTimeZoneIdentifier, option: "--start")
            do { print(show(try await context.services.scheduling.move(id: id, start: startTime, end: nil, by: context.acting, source: "cli"))) } catch {
                throw describe(error)
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a visit (and its reminders).")
        @OptionGroup var dataOption: DataOption
        @OptionGroup var who: CalendarUserOptions
        @Argument var id: Int64

        func run() async throws {
            let context = try CalendarContext(dataOption, as: who.actingExtension, domain: who.domain, config: who.config)
            defer { context.database.close() }
            do { print(show(try await context.services.scheduling.cancel(id: id, by: context.acting, source: "cli"))) } catch {
                throw describe(error)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List visits, by start time.")
        @OptionGroup var dataOption: DataOption
        func run() throws {
            try forEachOrganisation(dataOption) { database, _, organisation in
                for a in try SQLiteSchedulingStore(database: database).appointments(organisationID: organisation.id, providerID: nil, from: nil, to: nil) { print(show(a)) }
            }
        }
    }
}

struct RemindersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reminders", abstract: "Texts in the outbox, with their state.")
    @OptionGroup var dataOption: DataOption
    @Option(name: .long, help: ArgumentHelp("Only this visit's.", valueName: "ID")) var visit: Int64?

    func run() throws {
        let f = ISO8601DateFormatter()
        try forEachOrganisation(dataOption) { database, _, organisation in
            for m in try SQLiteOutboxStore(database: database).messages(organisationID: organisation.id, appointmentID: visit, patientID: nil, limit: 10_000).reversed() {
                print("\(f.string(from: m.sendAt))  \(m.state.rawValue)  \(m.purpose.rawValue)  visit \(m.appointmentID.map(String.init) ?? "-")  to \(m.to)  \(m.encoding.rawValue)×\(m.segments)  tries \(m.attempts)\(m.lastError.map { "  (\($0))" } ?? "")")
            }
        }
    }
}

struct InboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inbox", abstract: "Texts from patients that need staff (--all: every text).")
    @OptionGroup var dataOption: DataOption
    @Flag(name: .long, help: "Every text, with what was done with it.") var all = false

    func run() throws {
        let f = ISO8601DateFormatter()
        try forEachOrganisation(dataOption) { database, _, organisation in
            for m in try SQLiteInboxStore(database: database).inbox(organisationID: organisation.id, onlyNeedingStaff: !all, limit: 1000) {
                print("\(m.id)  \(f.string(from: m.receivedAt))  from \(m.from)  \"\(m.text)\"  → \(m.outcome)\(m.handledAt == nil ? "" : "  (handled)")")
            }
        }
    }
}
