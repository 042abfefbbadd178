import Foundation

/// Times are stored as whole milliseconds since 1970 (UTC) in INTEGER columns.
enum Milliseconds {
    /// Clamped to about ±290,000 years, so no date can trap the conversion.
    static func from(_ date: Date) -> Int64 {
        let millis = (date.timeIntervalSince1970 * 1000).rounded()
        guard millis.isFinite else { return 0 }
        return Int64(max(-9e18, min(9e18, millis)))
    }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}
