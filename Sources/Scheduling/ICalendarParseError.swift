import Foundation

/// Why an iCalendar object could not be read, and on which line.
///
/// `line` is the 1-based physical line where the offending content line starts (before
/// unfolding), so a person can open the file at that line.
public struct ICalendarParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public enum Reason: Sendable, Equatable {
        /// The text has no `BEGIN:VCALENDAR` (RFC 5545 §3.4).
        case noCalendar
        /// A content line without the `name:value` shape (RFC 5545 §3.1), or an unclosed quote.
        case malformedLine(String)
        /// `END:found` where `END:expected` was due, or the text ended first (`found` nil).
        case unbalancedComponent(expected: String, found: String?)
        /// A property the component must have, e.g. UID or DTSTART in a VEVENT (RFC 5545 §3.6.1).
        case missingProperty(String, component: String)
        /// A DATE or DATE-TIME (RFC 5545 §3.3.4, §3.3.5) that does not parse.
        case badDate(property: String, value: String)
        /// A DURATION (RFC 5545 §3.3.6) that does not parse.
        case badDuration(String)
        /// An integer property (e.g. SEQUENCE, §3.8.7.4) that is not an integer.
        case badInteger(property: String, value: String)
        /// A TZID that is neither an IANA name nor resolvable through the object's VTIMEZONE.
        case unknownTimeZone(String)
    }

    /// 1-based physical line number.
    public var line: Int
    /// What was wrong there.
    public var reason: Reason

    /// Creates an error.
    public init(line: Int, reason: Reason) {
        self.line = line
        self.reason = reason
    }

    public var description: String {
        let what =
            switch reason {
            case .noCalendar: "no BEGIN:VCALENDAR found; is this an iCalendar (.ics) file?"
            case .malformedLine(let text): "not a content line (expected NAME[;PARAM=VALUE]:VALUE): \(text.prefix(80))"
            case .unbalancedComponent(let expected, let found?): "END:\(found) where END:\(expected) was expected"
            case .unbalancedComponent(let expected, nil): "the text ends before END:\(expected)"
            case .missingProperty(let name, let component): "\(component) has no \(name), which it must have"
            case .badDate(let property, let value):
                "\(property) value \"\(value)\" is not a DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS[Z])"
            case .badDuration(let value): "DURATION \"\(value)\" is not like PT30M, P1D or P1W"
            case .badInteger(let property, let value): "\(property) value \"\(value)\" is not an integer"
            case .unknownTimeZone(let tzid):
                "TZID \"\(tzid)\" is not an IANA time zone name and its VTIMEZONE does not name one; "
                    + "export the calendar with IANA zone names or in UTC"
            }
        return "iCalendar line \(line): \(what)"
    }
}
