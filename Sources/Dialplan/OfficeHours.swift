import Foundation

/// `hours NAME { mon-fri 08:30-18:00; closed 12-24..12-26 }`: when a clinic is open.
///
/// An instant is turned into wall-clock time in the file's time zone with the Gregorian calendar,
/// so opening times follow daylight-saving changes. `closed` days win over opening times.
struct OfficeHours: Sendable, Equatable {
    /// Open on these weekdays (1 Sunday ... 7 Saturday, as `Calendar` counts) between `start` and
    /// `end`, in minutes after midnight; `end` is exclusive and may be 1440 (24:00).
    struct Opening: Sendable, Equatable {
        var weekdays: Set<Int>
        var start: Int
        var end: Int
    }

    /// A day written `yyyy-mm-dd`, or `mm-dd` for every year.
    struct Day: Sendable, Equatable {
        var year: Int?
        var month: Int
        var day: Int

        /// Orders days of one kind: `yyyymmdd` or `mmdd`.
        var sortKey: Int { (year ?? 0) * 10_000 + month * 100 + day }
    }

    /// `closed DAY` or `closed DAY..DAY` (both ends included). An annual range may run over New
    /// Year (`12-24..01-02`).
    struct Closure: Sendable, Equatable {
        var first: Day
        var last: Day

        func contains(year: Int, month: Int, day: Int) -> Bool {
            let key = first.year == nil ? month * 100 + day : year * 10_000 + month * 100 + day
            if first.sortKey <= last.sortKey { return first.sortKey <= key && key <= last.sortKey }
            return key >= first.sortKey || key <= last.sortKey
        }
    }

    var name: String
    var location: SourcePosition
    var openings: [Opening] = []
    var closures: [Closure] = []
    /// Set by the compiler from the file's `timezone` line.
    var timeZone: TimeZone = .current

    /// Whether the clinic is open at `instant`.
    func isOpen(at instant: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: instant)
        guard let year = parts.year, let month = parts.month, let day = parts.day, let weekday = parts.weekday,
            let hour = parts.hour, let minute = parts.minute
        else { return false }
        if closures.contains(where: { $0.contains(year: year, month: month, day: day) }) { return false }
        let minutes = hour * 60 + minute
        return openings.contains { $0.weekdays.contains(weekday) && $0.start <= minutes && minutes < $0.end }
    }
}
