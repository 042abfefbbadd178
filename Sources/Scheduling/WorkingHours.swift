import Foundation

/// A span of a weekday in which a provider sees patients, on the provider's wall clock.
public struct WorkingHours: Sendable, Hashable, Codable {
    /// 1 Monday ... 7 Sunday (ISO 8601).
    public var weekday: Int
    /// Minutes after local midnight.
    public var startMinute: Int
    public var endMinute: Int

    public init(weekday: Int, startMinute: Int, endMinute: Int) {
        self.weekday = weekday
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    /// Parses `mon 08:00-12:30`.
    public init(parsing text: String) throws(ValidationError) {
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        let parts = text.lowercased().split(separator: " ", omittingEmptySubsequences: true)
        func minute(_ s: Substring) -> Int? {
            let hm = s.split(separator: ":")
            guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0..<60).contains(m),
                h * 60 + m <= 24 * 60
            else { return nil }
            return h * 60 + m
        }
        guard parts.count == 2, let day = names.firstIndex(of: String(parts[0].prefix(3))) else {
            throw ValidationError(field: "working_hours", message: "'\(text)' should look like 'mon 08:00-12:30'")
        }
        let span = parts[1].split(separator: "-")
        guard span.count == 2, let start = minute(span[0]), let end = minute(span[1]), end > start else {
            throw ValidationError(field: "working_hours", message: "'\(text)': the times should be HH:MM-HH:MM, the end after the start")
        }
        self.init(weekday: day + 1, startMinute: start, endMinute: end)
    }

    /// `mon 08:00-12:30`.
    public var text: String {
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        func hm(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
        return "\(names[(weekday - 1) % 7]) \(hm(startMinute))-\(hm(endMinute))"
    }

    /// Whether `start..<end` lies within one of `hours` on `zone`'s wall clock. No hours: always.
    public static func covers(_ hours: [WorkingHours], start: Date, end: Date, zone: TimeZone) -> Bool {
        guard !hours.isEmpty else { return true }
        var calendar = Foundation.Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let s = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: start)
        let e = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: end.addingTimeInterval(-1))
        guard s.year == e.year, s.month == e.month, s.day == e.day, let wd = s.weekday else { return false }
        let iso = wd == 1 ? 7 : wd - 1
        let from = (s.hour ?? 0) * 60 + (s.minute ?? 0)
        let to = (e.hour ?? 0) * 60 + (e.minute ?? 0) + 1
        return hours.contains { $0.weekday == iso && $0.startMinute <= from && to <= $0.endMinute }
    }
}
