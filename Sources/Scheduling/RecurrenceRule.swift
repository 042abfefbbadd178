import Foundation

/// A repeating pattern for appointments: the subset of the RFC 5545 §3.3.10 RECUR value that
/// clinic bookings need (FREQ DAILY/WEEKLY/MONTHLY, INTERVAL, COUNT, UNTIL, and BYDAY for WEEKLY).
///
/// Parse with `RecurrenceRule(parsing:)`, e.g. `FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=6`;
/// anything outside the subset is rejected with a `RecurrenceRuleError` rather than ignored,
/// so a rule is never silently expanded differently from what the user asked for.
public struct RecurrenceRule: Sendable, Hashable {
    /// How often the rule repeats (RFC 5545 §3.3.10 FREQ).
    public enum Frequency: String, Sendable, Hashable, CaseIterable {
        case daily = "DAILY"
        case weekly = "WEEKLY"
        case monthly = "MONTHLY"
    }

    /// A day of the week as written in BYDAY, in RFC 5545 order starting with Monday (the default WKST).
    public enum Weekday: String, Sendable, Hashable, CaseIterable, Comparable {
        case monday = "MO"
        case tuesday = "TU"
        case wednesday = "WE"
        case thursday = "TH"
        case friday = "FR"
        case saturday = "SA"
        case sunday = "SU"

        /// Days after Monday: 0 for Monday ... 6 for Sunday.
        var offsetFromMonday: Int { Self.allCases.firstIndex(of: self)! }

        /// From Foundation's weekday number (1 = Sunday ... 7 = Saturday).
        init(gregorianWeekday: Int) {
            self = Self.allCases[(gregorianWeekday + 5) % 7]
        }

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.offsetFromMonday < rhs.offsetFromMonday }
    }

    /// How the rule ends: after a number of occurrences, at an instant, or never.
    /// RFC 5545 §3.3.10: COUNT and UNTIL MUST NOT occur in the same rule.
    public enum End: Sendable, Hashable {
        case never
        /// After this many occurrences, the first (DTSTART) included.
        case count(Int)
        /// No occurrence starts after this instant (inclusive bound).
        case until(Date)
    }

    /// FREQ.
    public var frequency: Frequency
    /// INTERVAL: repeat every `interval` days, weeks or months; at least 1.
    public var interval: Int
    /// COUNT or UNTIL.
    public var end: End
    /// BYDAY for WEEKLY rules; empty means the weekday of the start.
    public var byDay: Set<Weekday>

    /// INTERVAL values accepted: enough for any real series, and small enough that period
    /// arithmetic cannot overflow.
    public static let intervals = 1...1000

    /// Creates a rule directly, refusing what the parser refuses (so `text` always parses back to
    /// the same rule).
    public init(frequency: Frequency, interval: Int = 1, end: End = .never, byDay: Set<Weekday> = []) throws(RecurrenceRuleError) {
        guard Self.intervals.contains(interval) else {
            throw .invalidValue(part: "INTERVAL", value: String(interval), expected: "a whole number from 1 to \(Self.intervals.upperBound)")
        }
        if case .count(let count) = end, count < 1 {
            throw .invalidValue(part: "COUNT", value: String(count), expected: "a whole number of 1 or more")
        }
        if frequency != .weekly, !byDay.isEmpty { throw .byDayRequiresWeekly(frequency) }
        self.frequency = frequency
        self.interval = interval
        self.end = end
        self.byDay = byDay
    }
}
