import Foundation

/// One VEVENT (RFC 5545 §3.6.1) as read by `ICalendarParser`, with the properties the shared
/// calendar keeps. TEXT values are unescaped; times are absolute instants.
public struct ICalendarEvent: Sendable, Equatable {
    /// VEVENT STATUS values (RFC 5545 §3.8.1.11).
    public enum Status: String, Sendable, Equatable, CaseIterable {
        case tentative = "TENTATIVE"
        case confirmed = "CONFIRMED"
        case cancelled = "CANCELLED"
    }

    /// UID (§3.8.4.7): the identity shared across every copy of the event.
    public var uid: String
    /// SUMMARY (§3.8.1.12).
    public var summary: String?
    /// LOCATION (§3.8.1.7).
    public var location: String?
    /// DESCRIPTION (§3.8.1.5).
    public var description: String?
    /// DTSTART (§3.8.2.4). For an all-day event, midnight of the day in the parser's default zone.
    public var start: Date
    /// DTEND (§3.8.2.2), or DTSTART + DURATION (§3.8.2.5); when both are absent, the end of the
    /// day for an all-day event and `start` otherwise (§3.6.1).
    public var end: Date
    /// DTSTART is a DATE (VALUE=DATE): an all-day event.
    public var isAllDay: Bool
    /// DTSTART's TZID parameter exactly as written (nil for UTC, floating and DATE values).
    public var timeZoneIdentifier: String?
    /// SEQUENCE (§3.8.7.4), 0 when absent.
    public var sequence: Int
    /// STATUS; nil when absent or not one of the three VEVENT values.
    public var status: Status?
    /// RRULE (§3.8.5.3) value as written, e.g. `FREQ=WEEKLY;BYDAY=MO`; parse it with `RecurrenceRule`.
    public var recurrenceRule: String?
    /// EXDATE instants (§3.8.5.1), from every EXDATE property in order.
    public var exceptionDates: [Date]
    /// RECURRENCE-ID (§3.8.4.4): set on an overridden instance of a recurring event.
    public var recurrenceID: Date?
    /// LAST-MODIFIED (§3.8.7.3).
    public var lastModified: Date?
    /// Non-standard `X-` properties (§3.8.8.2) by upper-cased name, TEXT-unescaped, first one wins,
    /// e.g. `X-CAREPHONE-KIND`, `X-CAREPHONE-APPOINTMENT`.
    public var extensions: [String: String]

    /// Creates an event.
    public init(
        uid: String, summary: String? = nil, location: String? = nil, description: String? = nil, start: Date,
        end: Date, isAllDay: Bool = false, timeZoneIdentifier: String? = nil, sequence: Int = 0,
        status: Status? = nil, recurrenceRule: String? = nil, exceptionDates: [Date] = [], recurrenceID: Date? = nil,
        lastModified: Date? = nil, extensions: [String: String] = [:]
    ) {
        self.uid = uid
        self.summary = summary
        self.location = location
        self.description = description
        self.start = start
        self.end = end
        self.isAllDay = isAllDay
        self.timeZoneIdentifier = timeZoneIdentifier
        self.sequence = sequence
        self.status = status
        self.recurrenceRule = recurrenceRule
        self.exceptionDates = exceptionDates
        self.recurrenceID = recurrenceID
        self.lastModified = lastModified
        self.extensions = extensions
    }
}
