import Foundation
import Messaging

/// The `sms`, `reminders`, `meetings` and `calendar` sections (README §Configuration).
public struct CalendarSettings: Sendable, Equatable {
    /// `kannel`, `rest`, or `none` (texts stay queued in the outbox).
    public var gateway = "none"
    public var kannelSendsmsURL = "http://127.0.0.1:13013/cgi-bin/sendsms"
    public var kannelUsername = "carephone"
    public var kannelPassword = ""
    public var smsFrom: String?
    public var restURL = ""
    public var restAccount = ""
    public var restToken = ""
    /// How the gateway reaches this server's callbacks; nil: `http://<http_bind>:<http_port>`.
    public var callbackBaseURL: String?
    /// The `?secret=` callbacks must carry; nil: made on first start (`<data>/sms-callback.key`).
    public var callbackSecret: String?

    /// Reminder offsets before the visit, e.g. `48h, 2h`.
    public var reminderOffsets = "48h, 2h"
    /// Quiet hours in the patient's zone, `HH:MM-HH:MM`; empty for none.
    public var quietHours = "21:00-08:00"
    /// The clinic's name in texts; nil: the organisation's name.
    public var clinicName: String?
    /// The number HELP answers with.
    public var clinicPhone = ""
    /// Custom templates per language (`en`, `it`, `zh-TW`).
    public var templates: [String: String] = [:]
    public var retrySeconds = 30
    public var maxAttempts = 6
    /// How long a text whose hand-over was not recorded waits for a delivery report before it is sent again.
    public var unsettledSeconds = 600
    public var pollMilliseconds = 500

    /// `{room}` is replaced by an unguessable room name.
    public var meetingURLTemplate = "https://meet.jit.si/{room}"

    /// Patients' names in calendar feeds and CalDAV (off: names are health information).
    public var patientNamesInFeeds = false
    /// CalDAV: the collection of each provider, with `{extension}`; nil: no CalDAV sync.
    public var caldavURLTemplate: String?
    public var caldavUsername = ""
    public var caldavPassword = ""
    public var caldavIntervalSeconds = 60

    public init() {}

    mutating func applySMS(_ r: inout KeyReader) throws {
        gateway = try r.string("gateway", oneOf: ["kannel", "rest", "none"]) ?? gateway
        kannelSendsmsURL = try r.string("kannel_sendsms_url") ?? kannelSendsmsURL
        kannelUsername = try r.string("kannel_username") ?? kannelUsername
        kannelPassword = try r.string("kannel_password") ?? kannelPassword
        smsFrom = try r.string("from") ?? smsFrom
        restURL = try r.string("rest_url") ?? restURL
        restAccount = try r.string("rest_account") ?? restAccount
        restToken = try r.string("rest_token") ?? restToken
        callbackBaseURL = try r.string("callback_base_url") ?? callbackBaseURL
        callbackSecret = try r.string("callback_secret") ?? callbackSecret
        if let secret = callbackSecret, secret.count < 16 {
            throw ConfigurationError("\(r.file): \(r.name("callback_secret")) must be at least 16 characters (it is what lets the gateway in)")
        }
        for (key, value) in [("kannel_sendsms_url", kannelSendsmsURL), ("rest_url", restURL), ("callback_base_url", callbackBaseURL ?? "http://x")]
        where !value.isEmpty {
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? "") else {
                throw ConfigurationError("\(r.file): \(r.name(key)) is \"\(value)\"; it must be an http(s) URL")
            }
        }
        if gateway == "rest", restURL.isEmpty { throw ConfigurationError("\(r.file): \(r.name("rest_url")) is needed with gateway \"rest\"") }
    }

    mutating func applyReminders(_ r: inout KeyReader) throws {
        if let text = try r.string("offsets") {
            do { _ = try ReminderOffset.list(parsing: text, field: r.name("offsets")) } catch {
                throw ConfigurationError("\(r.file): \(error.description)")
            }
            reminderOffsets = text
        }
        if let text = try r.string("quiet_hours") {
            guard text.isEmpty || QuietHours(parsing: text) != nil else {
                throw ConfigurationError("\(r.file): \(r.name("quiet_hours")) is \"\(text)\"; write HH:MM-HH:MM, e.g. 21:00-08:00")
            }
            quietHours = text
        }
        clinicName = try r.string("clinic_name") ?? clinicName
        clinicPhone = try r.string("clinic_phone") ?? clinicPhone
        if var t = try r.object("templates") {
            for language in ["en", "it", "zh-TW"] {
                guard let text = try t.string(language) else { continue }
                do { _ = try ReminderTemplate(text) } catch {
                    throw ConfigurationError("\(r.file): \(t.name(language)): \(error.description)")
                }
                templates[language] = text
            }
            try t.finish()
        }
        retrySeconds = try r.int("retry_seconds", range: 1...86_400) ?? retrySeconds
        maxAttempts = try r.int("max_attempts", range: 1...100) ?? maxAttempts
        unsettledSeconds = try r.int("unsettled_seconds", range: 1...86_400) ?? unsettledSeconds
        pollMilliseconds = try r.int("poll_milliseconds", range: 50...60_000) ?? pollMilliseconds
    }

    mutating func applyMeetings(_ r: inout KeyReader) throws {
        if let text = try r.string("url_template") {
            guard text.contains("{room}"), URL(string: text.replacingOccurrences(of: "{room}", with: "r"))?.scheme?.hasPrefix("http") == true else {
                throw ConfigurationError("\(r.file): \(r.name("url_template")) is \"\(text)\"; it must be an http(s) URL with {room}, e.g. https://meet.jit.si/{room}")
            }
            meetingURLTemplate = text
        }
    }

    mutating func applyCalendar(_ r: inout KeyReader) throws {
        patientNamesInFeeds = try r.bool("patient_names_in_feeds") ?? patientNamesInFeeds
        if let text = try r.string("caldav_url") {
            guard text.contains("{extension}"), URL(string: text.replacingOccurrences(of: "{extension}", with: "1"))?.scheme?.hasPrefix("http") == true else {
                throw ConfigurationError("\(r.file): \(r.name("caldav_url")) is \"\(text)\"; it must be an http(s) URL with {extension}, e.g. http://127.0.0.1:5232/clinic/{extension}/")
            }
            caldavURLTemplate = text
        }
        caldavUsername = try r.string("caldav_username") ?? caldavUsername
        caldavPassword = try r.string("caldav_password") ?? caldavPassword
        caldavIntervalSeconds = try r.int("caldav_interval_seconds", range: 1...86_400) ?? caldavIntervalSeconds
    }

    /// The organisation-wide rule.
    public var reminderRule: ReminderRule {
        let offsets = (try? ReminderOffset.list(parsing: reminderOffsets, field: "offsets")) ?? []
        return ReminderRule(id: "org", offsets: offsets, quietHours: quietHours.isEmpty ? nil : QuietHours(parsing: quietHours))
    }
}
