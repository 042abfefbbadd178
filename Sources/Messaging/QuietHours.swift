import Foundation

/// A daily span of local time in which no reminder is sent, such as 21:00-08:00.
///
/// The span includes `start` and excludes `end`. When `end` is earlier than `start` the span wraps
/// past midnight; when they are equal there are no quiet hours.
public struct QuietHours: Sendable, Hashable {
    /// First quiet minute.
    public let start: LocalTime
    /// First minute at which sending may resume.
    public let end: LocalTime

    public init(start: LocalTime, end: LocalTime) {
        self.start = start
        self.end = end
    }

    /// Whether the span wraps past midnight.
    public var wrapsMidnight: Bool { end < start }

    /// Whether `time` falls in the span.
    public func contains(_ time: LocalTime) -> Bool {
        let m = time.minuteOfDay
        if start == end { return false }
        if wrapsMidnight { return m >= start.minuteOfDay || m < end.minuteOfDay }
        return m >= start.minuteOfDay && m < end.minuteOfDay
    }

    /// Whether the span containing `time` ends on the following local day (it wraps midnight and
    /// `time` is in its evening part).
    func endsNextDay(after time: LocalTime) -> Bool {
        wrapsMidnight && time.minuteOfDay >= start.minuteOfDay
    }
}
