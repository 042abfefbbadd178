import Foundation

extension RecurrenceRule {
    /// Parses RFC 5545 §3.3.10 RECUR text such as `FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=6`
    /// or `FREQ=DAILY;UNTIL=20270131T235959Z`. A leading `RRULE:` is accepted. Names are
    /// case-insensitive (RFC 5545 §3.1: property and parameter names are case-insensitive).
    public init(parsing text: String) throws(RecurrenceRuleError) {
        var body = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        if body.uppercased().hasPrefix("RRULE:") { body = body.dropFirst("RRULE:".count) }

        var values: [String: String] = [:]
        for part in body.split(separator: ";", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty else { throw .malformedPart(String(part)) }
            let name = pieces[0].uppercased()
            guard ["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY"].contains(name) else { throw .unsupportedPart(name) }
            guard values[name] == nil else { throw .duplicatePart(name) }
            values[name] = pieces[1].uppercased()
        }

        guard let freqText = values["FREQ"] else { throw .missingFrequency }
        guard let frequency = Frequency(rawValue: freqText) else {
            let known = ["SECONDLY", "MINUTELY", "HOURLY", "YEARLY"]
            if known.contains(freqText) { throw .unsupportedFrequency(freqText) }
            throw .invalidValue(part: "FREQ", value: freqText, expected: "DAILY, WEEKLY or MONTHLY")
        }

        var interval = 1
        if let text = values["INTERVAL"] {
            guard let value = Int(text), RecurrenceRule.intervals.contains(value) else {
                throw .invalidValue(part: "INTERVAL", value: text, expected: "a whole number from 1 to \(RecurrenceRule.intervals.upperBound)")
            }
            interval = value
        }

        var end = End.never
        if values["COUNT"] != nil, values["UNTIL"] != nil { throw .countAndUntil }
        if let text = values["COUNT"] {
            guard let value = Int(text), value >= 1 else {
                throw .invalidValue(part: "COUNT", value: text, expected: "a whole number of 1 or more")
            }
            end = .count(value)
        }
        if let text = values["UNTIL"] {
            guard let instant = Self.parseUTCDateTime(text) else {
                throw .invalidValue(part: "UNTIL", value: text, expected: "a UTC date-time like 20270131T235959Z")
            }
            end = .until(instant)
        }

        var byDay: Set<Weekday> = []
        if let text = values["BYDAY"] {
            guard frequency == .weekly else { throw .byDayRequiresWeekly(frequency) }
            for day in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let weekday = Weekday(rawValue: String(day)) else {
                    throw .invalidValue(
                        part: "BYDAY", value: String(day),
                        expected: "weekdays MO, TU, WE, TH, FR, SA, SU without ordinals")
                }
                byDay.insert(weekday)
            }
        }

        try self.init(frequency: frequency, interval: interval, end: end, byDay: byDay)
    }

    /// RFC 5545 §3.3.5 form #2 (UTC): `YYYYMMDDTHHMMSSZ`.
    static func parseUTCDateTime(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count == 16, chars[8] == UInt8(ascii: "T"), chars[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            let slice = chars[range]
            guard slice.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
            return Int(String(decoding: slice, as: UTF8.self))
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15)
        else { return nil }
        var calendar = Foundation.Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        // Reject values Foundation would roll over, such as month 13 or 31 February.
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }

    /// The rule as RFC 5545 §3.3.10 text, parts in a fixed order (FREQ first).
    public var text: String {
        var parts = ["FREQ=\(frequency.rawValue)"]
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        if !byDay.isEmpty { parts.append("BYDAY=" + byDay.sorted().map(\.rawValue).joined(separator: ",")) }
        switch end {
        case .never: break
        case .count(let count): parts.append("COUNT=\(count)")
        case .until(let date):
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            parts.append("UNTIL=" + formatter.string(from: date))
        }
        return parts.joined(separator: ";")
    }
}
