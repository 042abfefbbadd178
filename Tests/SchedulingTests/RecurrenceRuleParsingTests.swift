import Foundation
import Testing

@testable import Scheduling

/// RFC 5545 §3.3.10 RECUR text: the supported subset parses, everything else is a precise error.
@Suite struct RecurrenceRuleParsingTests {
    @Test func parsesBiweeklyRuleWithDaysAndCount() throws {
        let rule = try RecurrenceRule(parsing: "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=6")
        #expect(rule.frequency == .weekly)
        #expect(rule.interval == 2)
        #expect(rule.byDay == [.monday, .wednesday])
        #expect(rule.end == .count(6))
    }

    @Test func parsesUntilAsUTCInstant() throws {
        let rule = try RecurrenceRule(parsing: "RRULE:freq=daily;until=20270131T235959Z")
        #expect(rule.frequency == .daily)
        #expect(rule.interval == 1)
        #expect(rule.end == .until(instant(2027, 1, 31, 23, 59, in: "UTC").addingTimeInterval(59)))
    }

    @Test(arguments: [
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=6", "FREQ=DAILY;UNTIL=20270131T235959Z", "FREQ=MONTHLY;INTERVAL=3",
    ])
    func textRoundTrips(_ text: String) throws {
        #expect(try RecurrenceRule(parsing: text).text == text)
    }

    @Test(arguments: [
        ("FREQ=YEARLY", RecurrenceRuleError.unsupportedFrequency("YEARLY")),
        ("FREQ=FORTNIGHTLY", .invalidValue(part: "FREQ", value: "FORTNIGHTLY", expected: "DAILY, WEEKLY or MONTHLY")),
        ("INTERVAL=2", .missingFrequency),
        ("FREQ", .malformedPart("FREQ")),
        ("FREQ=DAILY;COUNT=", .malformedPart("COUNT=")),
        ("FREQ=MONTHLY;BYMONTHDAY=1", .unsupportedPart("BYMONTHDAY")),
        ("FREQ=WEEKLY;WKST=SU", .unsupportedPart("WKST")),
        ("FREQ=DAILY;FREQ=WEEKLY", .duplicatePart("FREQ")),
        ("FREQ=DAILY;COUNT=3;UNTIL=20270131T235959Z", .countAndUntil),
        ("FREQ=DAILY;BYDAY=MO", .byDayRequiresWeekly(.daily)),
        ("FREQ=DAILY;COUNT=0", .invalidValue(part: "COUNT", value: "0", expected: "a whole number of 1 or more")),
        (
            "FREQ=DAILY;INTERVAL=two",
            .invalidValue(part: "INTERVAL", value: "TWO", expected: "a whole number from 1 to 1000")
        ),
        (
            "FREQ=WEEKLY;BYDAY=1MO",
            .invalidValue(part: "BYDAY", value: "1MO", expected: "weekdays MO, TU, WE, TH, FR, SA, SU without ordinals")
        ),
        (
            "FREQ=DAILY;UNTIL=20270131",
            .invalidValue(part: "UNTIL", value: "20270131", expected: "a UTC date-time like 20270131T235959Z")
        ),
        (
            "FREQ=DAILY;UNTIL=20270231T120000Z",
            .invalidValue(part: "UNTIL", value: "20270231T120000Z", expected: "a UTC date-time like 20270131T235959Z")
        ),
    ])
    func rejectsWithPreciseError(_ text: String, _ expected: RecurrenceRuleError) {
        #expect(throws: expected) { try RecurrenceRule(parsing: text) }
    }

    @Test func errorMessagesNameThePart() {
        #expect(RecurrenceRuleError.unsupportedPart("BYMONTHDAY").description.hasPrefix("BYMONTHDAY is not supported"))
        #expect(RecurrenceRuleError.countAndUntil.description.contains("COUNT and UNTIL"))
    }

    /// Huge intervals would overflow the period arithmetic; rules made directly follow the
    /// parser's rules, so their text always parses back.
    @Test func boundsAndDirectRulesAreChecked() throws {
        #expect(throws: RecurrenceRuleError.self) { try RecurrenceRule(parsing: "FREQ=WEEKLY;INTERVAL=9223372036854775807") }
        #expect(throws: RecurrenceRuleError.self) { try RecurrenceRule(parsing: "FREQ=DAILY;INTERVAL=1001") }
        #expect(throws: RecurrenceRuleError.self) { try RecurrenceRule(frequency: .daily, byDay: [.monday]) }
        #expect(throws: RecurrenceRuleError.self) { try RecurrenceRule(frequency: .daily, interval: 0) }
        let rule = try RecurrenceRule(frequency: .weekly, interval: 1000, byDay: [.monday])
        #expect(try RecurrenceRule(parsing: rule.text) == rule)
        #expect(rule.expand(start: Date(timeIntervalSince1970: 1_800_000_000), timeZone: .gmt, limit: .max).count > 0)
    }
}
