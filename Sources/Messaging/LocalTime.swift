import Foundation

/// A wall-clock time of day, hour and minute, in whatever zone the caller applies it to.
public struct LocalTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 0...23.
    public let hour: Int
    /// 0...59.
    public let minute: Int

    /// Fails when `hour` is outside 0...23 or `minute` outside 0...59.
    public init?(hour: Int, minute: Int = 0) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// Minutes since local midnight.
    public var minuteOfDay: Int { hour * 60 + minute }

    /// `HH:mm`.
    public var description: String {
        let h = hour < 10 ? "0\(hour)" : "\(hour)"
        let m = minute < 10 ? "0\(minute)" : "\(minute)"
        return "\(h):\(m)"
    }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool { lhs.minuteOfDay < rhs.minuteOfDay }
}
