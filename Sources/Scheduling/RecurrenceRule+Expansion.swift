import Foundation

extension RecurrenceRule {
    /// The start instants of the series beginning at `start`, in order.
    ///
    /// Occurrences are computed on wall-clock time in `timeZone` (RFC 5545 §3.3.10: the rule is
    /// applied to DTSTART's local time when DTSTART has a TZID), so a weekly 09:00 visit in
    /// Europe/Rome stays at 09:00 local time across the daylight-saving change, 23 or 25 hours
    /// after the day before rather than exactly 24.
    ///
    /// - A local time that a DST change skips takes the offset before the gap, and one that occurs
    ///   twice means the first (RFC 5545 §3.3.5).
    /// - `start` is always the first occurrence and counts towards COUNT (RFC 5545 §3.3.10).
    /// - `exceptions` (EXDATE, RFC 5545 §3.8.5.1) are removed after COUNT is applied
    ///   (RFC 5545 §3.8.5.3), so COUNT=6 with one exception yields 5 dates. They match exact instants.
    /// - UNTIL is inclusive. MONTHLY on a day a month lacks (e.g. the 31st) skips that month, as
    ///   RFC 5545 §3.3.10 says invalid dates are ignored.
    /// - At most `limit` dates are returned, which bounds rules without COUNT or UNTIL.
    public func expand(start: Date, timeZone: TimeZone, exceptions: Set<Date> = [], limit: Int) -> [Date] {
        guard limit > 0 else { return [] }
        // Bounded, so the period arithmetic below cannot overflow whatever a caller passes.
        let limit = Swift.min(limit, 100_000)
        var zoned = Foundation.Calendar(identifier: .gregorian)
        zoned.timeZone = timeZone
        let local = zoned.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: start)
        guard let startDay = CivilDate(year: local.year, month: local.month, day: local.day) else { return [] }

        func instant(on day: CivilDate) -> Date? {
            var components = DateComponents(
                year: day.year, month: day.month, day: day.day, hour: local.hour, minute: local.minute,
                second: local.second)
            components.nanosecond = local.nanosecond
            return zoned.date(from: components)
        }

        var results: [Date] = []
        var ruleOccurrences = 0
        // Returns false when the series has ended.
        func accept(_ occurrence: Date) -> Bool {
            if case .until(let until) = end, occurrence > until { return false }
            ruleOccurrences += 1
            if case .count(let count) = end, ruleOccurrences > count { return false }
            if !exceptions.contains(occurrence) { results.append(occurrence) }
            return results.count < limit
        }

        guard accept(start) else { return results }
        // A generous bound on periods examined, so an all-excluded open-ended series still stops.
        let maxPeriods = Swift.max(limit, 1) * 12 + exceptions.count * 12 + 1000
        for period in 0..<maxPeriods {
            for day in candidateDays(period: period, startDay: startDay) {
                guard let occurrence = instant(on: day), occurrence > start else { continue }
                guard accept(occurrence) else { return results }
            }
        }
        return results
    }

    /// The local dates of one period (the `period`-th day, week or month step of `interval`).
    private func candidateDays(period: Int, startDay: CivilDate) -> [CivilDate] {
        switch frequency {
        case .daily:
            return [startDay.adding(days: period * interval)]
        case .weekly:
            let startWeekday = Weekday(gregorianWeekday: startDay.gregorianWeekday)
            // Weeks begin on Monday, the RFC 5545 default WKST.
            let weekStart = startDay.adding(days: -startWeekday.offsetFromMonday + period * interval * 7)
            let days = byDay.isEmpty ? [startWeekday] : byDay.sorted()
            return days.map { weekStart.adding(days: $0.offsetFromMonday) }
        case .monthly:
            let monthIndex = startDay.year * 12 + (startDay.month - 1) + period * interval
            let day = CivilDate(year: monthIndex / 12, month: monthIndex % 12 + 1, day: startDay.day)
            return day.map { [$0] } ?? []
        }
    }
}

/// A calendar date with no time or zone, for day arithmetic that daylight saving cannot disturb.
struct CivilDate: Hashable, Sendable {
    let year: Int
    let month: Int
    let day: Int

    private static let utc: Foundation.Calendar = {
        var calendar = Foundation.Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Nil when the date does not exist, e.g. 31 April.
    init?(year: Int?, month: Int?, day: Int?) {
        guard let year, let month, let day,
            DateComponents(year: year, month: month, day: day).isValidDate(in: Self.utc)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    private var midnightUTC: Date { Self.utc.date(from: DateComponents(year: year, month: month, day: day))! }

    func adding(days: Int) -> CivilDate {
        let moved = Self.utc.date(byAdding: .day, value: days, to: midnightUTC)!
        let parts = Self.utc.dateComponents([.year, .month, .day], from: moved)
        return CivilDate(year: parts.year, month: parts.month, day: parts.day)!
    }

    /// Foundation's weekday number: 1 = Sunday ... 7 = Saturday.
    var gregorianWeekday: Int { Self.utc.component(.weekday, from: midnightUTC) }
}
