import Dialplan
import Directory
import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import HTTPAPI
import Logging
import Messaging
import Scheduling
import ServiceLifecycle
import Storage

/// The shared calendar, reminders and SMS as the running server uses them: the stores on
/// SQLite, the booking service, the reminder scheduler and dispatcher, reply handling, CalDAV
/// sync, and what the HTTP API and the dialplan ask of them.
public final class CalendarServices: Sendable {
    public let calendar: SQLiteSchedulingStore
    public let outbox: SQLiteOutboxStore
    public let inbox: SQLiteInboxStore
    let caldavState: SQLiteCalDAVStore
    let directory: SQLiteDirectoryStore
    let settings: CalendarSettings
    public let scheduling: SchedulingService
    public let reminders: ReminderScheduler
    public let replies: ReplyHandler
    let dispatcher: ReminderDispatcher?
    let sync: CalDAVSync
    let syncSignal: AsyncStream<Void>.Continuation
    let syncRequests: AsyncStream<Void>
    let callbackSecret: String
    let logger: Logger

    public init(database: SQLiteDatabase, directory: SQLiteDirectoryStore, settings: CalendarSettings, callbackBase: String, callbackSecret: String, logger: Logger) throws {
        let calendar = SQLiteSchedulingStore(database: database)
        let outbox = SQLiteOutboxStore(database: database)
        let inbox = SQLiteInboxStore(database: database)
        self.calendar = calendar
        self.outbox = outbox
        self.inbox = inbox
        self.caldavState = SQLiteCalDAVStore(database: database)
        self.directory = directory
        self.settings = settings
        self.callbackSecret = callbackSecret
        self.logger = logger
        (syncRequests, syncSignal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let texting = Self.texting(settings: settings, directory: directory, calendar: calendar)
        let reminders = ReminderScheduler(outbox: outbox, calendar: calendar, texting: { org, provider in texting(org, provider) })
        self.reminders = reminders
        let meetings = try TemplateMeetingProvider(urlTemplate: settings.meetingURLTemplate)
        let signal = syncSignal
        let scheduling = SchedulingService(store: calendar, meetings: meetings, onChange: { appointment, _ in
            do { try reminders.appointmentChanged(appointment) } catch {
                logger.error("could not plan reminders", metadata: ["visit": "\(appointment.id)", "error": "\(error)"])
            }
            signal.yield()
        })
        self.scheduling = scheduling
        self.replies = ReplyHandler(
            calendar: calendar, scheduling: scheduling, outbox: outbox, inbox: inbox, texting: texting,
            defaultOrganisation: {
                let all = (try? directory.organisations()) ?? []
                return all.count == 1 ? all[0].id : nil
            })
        self.sync = CalDAVSync(calendar: calendar, state: caldavState, scheduling: scheduling)
        let secret = callbackSecret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? callbackSecret
        let gateway: (any SMSGateway)? =
            switch settings.gateway {
            case "kannel":
                KannelGateway(
                    sendsmsURL: settings.kannelSendsmsURL, username: settings.kannelUsername, password: settings.kannelPassword,
                    defaultFrom: settings.smsFrom, deliveryReportURL: "\(callbackBase)/sms/kannel/dlr?secret=\(secret)")
            case "rest":
                RESTSMSGateway(
                    messagesURL: settings.restURL, accountID: settings.restAccount, authToken: settings.restToken, defaultFrom: settings.smsFrom,
                    statusCallbackURL: "\(callbackBase)/sms/rest/status?secret=\(secret)")
            default: nil
            }
        if settings.gateway == "kannel", settings.smsFrom == nil {
            logger.warning("sms.from is not set: Kannel refuses texts without a sender unless its sendsms-user has a default-sender")
        }
        var options = ReminderDispatcher.Options()
        options.backoff = .seconds(settings.retrySeconds)
        options.maxAttempts = settings.maxAttempts
        options.unsettledWait = .seconds(settings.unsettledSeconds)
        options.pollInterval = .milliseconds(settings.pollMilliseconds)
        // Fault injection for the crash tests (README §Testing): CAREPHONE_CRASH_AT=claimed or
        // handed-over makes the server kill itself with SIGKILL at that point of the first send.
        let crashAt = ProcessInfo.processInfo.environment["CAREPHONE_CRASH_AT"]
        self.dispatcher = gateway.map {
            ReminderDispatcher(
                scheduler: reminders, gateway: $0, options: options, log: { logger.info("\($0)") },
                reached: { stage, _ in
                    if (stage == .claimed && crashAt == "claimed") || (stage == .handedOver && crashAt == "handed-over") {
                        kill(getpid(), SIGKILL)
                    }
                })
        }
    }

    /// The organisation's name and the configured texting settings.
    /// Layered: the provider's offsets, then the organisation's own settings
    /// (`PUT /api/clinic/settings`), then the configuration file, then the organisation's name.
    static func texting(
        settings: CalendarSettings, directory: SQLiteDirectoryStore, calendar: SQLiteSchedulingStore
    ) -> @Sendable (Int64, Provider?) -> ClinicTexting {
        let defaultRule = settings.reminderRule
        let templates = settings.templates.compactMapValues { try? ReminderTemplate($0) }
        return { organisationID, provider in
            let own = (try? calendar.clinicSettings(organisationID: organisationID)) ?? ClinicSettings()
            let name = own.clinicName ?? settings.clinicName ?? ((try? directory.organisation(id: organisationID))??.name ?? "the clinic")
            var rule = defaultRule
            if own.reminderOffsets != nil || own.quietHours != nil {
                let offsets = own.reminderOffsets.flatMap { try? ReminderOffset.list(parsing: $0, field: "offsets") } ?? defaultRule.offsets
                let quiet = own.quietHours.map { $0.isEmpty ? nil : QuietHours(parsing: $0) } ?? defaultRule.quietHours
                rule = ReminderRule(id: "org", offsets: offsets, quietHours: quiet)
            }
            var chosen = rule
            // A provider's own offsets: a rule of their own (its id is in the reminders' keys).
            if let provider, let text = provider.reminderOffsets, let offsets = try? ReminderOffset.list(parsing: text, field: "reminder_offsets") {
                chosen = ReminderRule(id: "provider-\(provider.id)", offsets: offsets, quietHours: rule.quietHours)
            }
            return ClinicTexting(clinicName: name, clinicPhone: own.clinicPhone ?? settings.clinicPhone, rule: chosen, templates: templates)
        }
    }

    /// Plans reminders for every pending visit (a change the server died before planning).
    func planAtStart() {
        do {
            let started = Date()
            let (visits, queued) = try reminders.planAll(log: { [logger] in logger.warning("\($0)") })
            logger.info("reminders planned", metadata: [
                "visits": "\(visits)", "queued": "\(queued)", "seconds": "\(String(format: "%.2f", Date().timeIntervalSince(started)))",
            ])
        } catch {
            logger.error("could not plan reminders at start", metadata: ["error": "\(error)"])
        }
    }

    func api(tokens: any TokenStore) -> CalendarAPI {
        CalendarAPI(
            tokens: tokens, directory: directory, calendar: calendar, scheduling: scheduling, outbox: outbox, inbox: inbox, replies: replies,
            callbackSecret: callbackSecret, patientNamesInFeeds: settings.patientNamesInFeeds,
            importICS: { [self] text, provider, user in try await ICSImport(services: self).run(text, provider: provider, user: user) },
            caldav: caldavState,
            log: { [logger] in logger.info("\($0)") })
    }

    /// The CalDAV client for `provider`, when CalDAV is configured.
    func caldavClient(for provider: Provider) -> CalDAVClient? {
        guard let template = settings.caldavURLTemplate,
            let user = try? directory.users(organisationID: provider.organisationID).first(where: { $0.id == provider.userID }),
            let url = URL(string: template.replacingOccurrences(of: "{extension}", with: user.extension))
        else { return nil }
        let credentials = settings.caldavUsername.isEmpty ? nil : CalDAVClient.Credentials(username: settings.caldavUsername, password: settings.caldavPassword)
        return CalDAVClient(collection: url, credentials: credentials)
    }

    /// One sync of every provider's calendar.
    func syncAll() async {
        for organisation in (try? directory.organisations()) ?? [] {
            for provider in (try? calendar.providers(organisationID: organisation.id)) ?? [] {
                guard let client = caldavClient(for: provider) else { continue }
                do {
                    let report = try await sync.sync(provider, client: client)
                    if report != CalDAVSync.Report() {
                        logger.info("CalDAV sync", metadata: [
                            "provider": "\(provider.id)", "pushed": "\(report.pushed)", "pulled": "\(report.pulled)",
                            "deleted": "\(report.deleted)", "conflicts": "\(report.conflicts)",
                        ])
                    }
                    if report.conflicts > 0 {
                        logger.warning("CalDAV conflict: an event changed on both sides; see GET /api/calendar/conflicts", metadata: ["provider": "\(provider.id)"])
                    }
                } catch {
                    logger.warning("CalDAV sync failed", metadata: ["provider": "\(provider.id)", "error": "\(error)"])
                }
            }
        }
    }
}

/// Sends due texts until shutdown.
struct ReminderDispatchService: Service {
    let dispatcher: ReminderDispatcher
    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }
}

/// Syncs with CalDAV every interval, and soon after a local change.
struct CalDAVSyncService: Service {
    let services: CalendarServices
    func run() async throws {
        let interval = Duration.seconds(services.settings.caldavIntervalSeconds)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Wake on a change or the interval, whichever first.
                let ticker = Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        services.syncSignal.yield()
                    }
                }
                services.syncSignal.yield()
                for await _ in services.syncRequests {
                    if Task.isCancelled { break }
                    await services.syncAll()
                }
                ticker.cancel()
            }
            try? await gracefulShutdown()
            services.syncSignal.finish()
            group.cancelAll()
        }
    }
}
