import Foundation

/// Builds and reads instants on a given zone's wall clock, for planner tests.
struct LocalClock {
    let clock: Foundation.Calendar

    init(_ zone: String) {
        var clock = Foundation.Calendar(identifier: .gregorian)
        clock.timeZone = TimeZone(identifier: zone)!
        self.clock = clock
    }

    /// The instant at the given local wall time.
    func date(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        clock.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
    }

    /// Local (day, hour, minute) of an instant.
    func wallTime(_ date: Date) -> [Int] {
        let parts = clock.dateComponents([.day, .hour, .minute], from: date)
        return [parts.day!, parts.hour!, parts.minute!]
    }
}
