import Foundation

/// Why a recurrence rule text was rejected. Each case names the offending part so the message
/// can tell the user exactly what to change.
public enum RecurrenceRuleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A part is not of the form NAME=VALUE.
    case malformedPart(String)
    /// FREQ is missing (RFC 5545 §3.3.10: "The FREQ rule part is REQUIRED").
    case missingFrequency
    /// FREQ is valid iCalendar but not supported here (e.g. YEARLY, HOURLY).
    case unsupportedFrequency(String)
    /// A rule part that is not supported here (e.g. BYMONTHDAY, WKST) or unknown.
    case unsupportedPart(String)
    /// The same part appears twice (RFC 5545 §3.3.10: each part MUST NOT occur more than once).
    case duplicatePart(String)
    /// A part's value cannot be used.
    case invalidValue(part: String, value: String, expected: String)
    /// COUNT and UNTIL together (RFC 5545 §3.3.10: they MUST NOT occur in the same rule).
    case countAndUntil
    /// BYDAY with a frequency other than WEEKLY.
    case byDayRequiresWeekly(RecurrenceRule.Frequency)

    public var description: String {
        switch self {
        case .malformedPart(let part):
            "'\(part)' is not a rule part; expected NAME=VALUE separated by ';'"
        case .missingFrequency:
            "FREQ is required, e.g. FREQ=WEEKLY"
        case .unsupportedFrequency(let value):
            "FREQ=\(value) is not supported; use DAILY, WEEKLY or MONTHLY"
        case .unsupportedPart(let name):
            "\(name) is not supported; supported parts are FREQ, INTERVAL, COUNT, UNTIL and BYDAY"
        case .duplicatePart(let name):
            "\(name) appears more than once"
        case .invalidValue(let part, let value, let expected):
            "\(part)=\(value) is invalid; expected \(expected)"
        case .countAndUntil:
            "COUNT and UNTIL cannot both be given; choose one way for the series to end"
        case .byDayRequiresWeekly(let frequency):
            "BYDAY is only supported with FREQ=WEEKLY, not FREQ=\(frequency.rawValue)"
        }
    }
}
