import Foundation

/// How long before a visit a reminder goes out.
///
/// Whole days are counted on the patient's wall clock: "2 days" before a 10:00 visit is 10:00 two
/// days earlier even when a daylight-saving change falls in between (then 47 or 49 hours elapse).
/// The remaining hours and minutes are elapsed time. ``hours(_:)`` splits whole multiples of 24 h
/// into days, so `.hours(48)` is two wall-clock days and `.hours(2)` is two elapsed hours.
public struct ReminderOffset: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Wall-clock days.
    public let days: Int
    /// Elapsed minutes after the days, below 24 h.
    public let minutes: Int

    /// Days a reminder may precede its visit: a year, which also keeps the arithmetic far from overflow.
    public static let maximumDays = 366

    /// Fails for negative values, more than ``maximumDays`` days, or `hours`/`minutes` that add up
    /// to a day or more.
    public init?(days: Int = 0, hours: Int = 0, minutes: Int = 0) {
        guard (0...Self.maximumDays).contains(days), (0..<24).contains(hours), (0..<(24 * 60)).contains(minutes) else { return nil }
        let elapsed = hours * 60 + minutes
        guard elapsed < 24 * 60 else { return nil }
        self.days = days
        self.minutes = elapsed
    }

    /// `total` hours, with whole 24 h multiples as wall-clock days; `nil` when negative.
    public static func hours(_ total: Int) -> ReminderOffset? {
        ReminderOffset(days: total / 24, hours: total % 24)
    }

    /// Nominal length in minutes (a day counted as 24 h), used for ordering.
    public var nominalMinutes: Int { days * 24 * 60 + minutes }

    /// ISO 8601 duration, such as `P2D`, `PT2H`, `P1DT2H30M`; stable, so usable in keys.
    public var description: String {
        let h = minutes / 60
        let m = minutes % 60
        var text = "P"
        if days > 0 || minutes == 0 { text += "\(days)D" }
        if minutes > 0 {
            text += "T"
            if h > 0 { text += "\(h)H" }
            if m > 0 { text += "\(m)M" }
        }
        return text
    }

    public static func < (lhs: ReminderOffset, rhs: ReminderOffset) -> Bool {
        lhs.nominalMinutes < rhs.nominalMinutes
    }
}
