import Foundation
import Testing

@testable import Scheduling

/// Expansion keeps wall-clock time in the booking zone and honours COUNT, UNTIL, EXDATE and the limit.
@Suite struct RecurrenceRuleExpansionTests {
    let rome = TimeZone(identifier: "Europe/Rome")!
    let newYork = TimeZone(identifier: "America/New_York")!

    func occurrences(_ rule: String, from start: Date, in zone: TimeZone, exceptions: Set<Date> = [], limit: Int = 100)
        throws -> [String]
    {
        try RecurrenceRule(parsing: rule).expand(start: start, timeZone: zone, exceptions: exceptions, limit: limit)
            .map { wallClock($0, in: zone.identifier) }
    }

    @Test func weeklyVisitStaysAtNineAcrossRomeSpringForward() throws {
        // Europe/Rome moves from UTC+1 to UTC+2 on Sunday 2027-03-28.
        let start = instant(2027, 3, 22, 9, in: "Europe/Rome")
        let dates = try RecurrenceRule(parsing: "FREQ=WEEKLY;COUNT=3").expand(start: start, timeZone: rome, limit: 10)
        #expect(
            dates.map { wallClock($0, in: "Europe/Rome") } == [
                "2027-03-22 09:00", "2027-03-29 09:00", "2027-04-05 09:00",
            ])
        #expect(dates[1].timeIntervalSince(dates[0]) == (7 * 24 - 1) * 3600)
    }

    @Test func dailyVisitStaysAtNineOnTheDayOfTheChange() throws {
        let start = instant(2027, 3, 27, 9, in: "Europe/Rome")
        #expect(
            try occurrences("FREQ=DAILY;COUNT=3", from: start, in: rome)
                == ["2027-03-27 09:00", "2027-03-28 09:00", "2027-03-29 09:00"])
    }

    @Test func weeklyVisitStaysAtNineAcrossNewYorkFallBack() throws {
        // America/New_York moves from UTC-4 to UTC-5 on Sunday 2027-11-07.
        let start = instant(2027, 11, 1, 9, in: "America/New_York")
        let dates = try RecurrenceRule(parsing: "FREQ=WEEKLY;COUNT=2").expand(
            start: start, timeZone: newYork, limit: 10)
        #expect(dates.map { wallClock($0, in: "America/New_York") } == ["2027-11-01 09:00", "2027-11-08 09:00"])
        #expect(dates[1].timeIntervalSince(dates[0]) == (7 * 24 + 1) * 3600)
    }

    @Test func everyOtherWeekOnMondayAndWednesday() throws {
        let start = instant(2027, 1, 4, 14, 30, in: "Europe/Rome")  // a Monday
        #expect(
            try occurrences("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=6", from: start, in: rome) == [
                "2027-01-04 14:30", "2027-01-06 14:30", "2027-01-18 14:30", "2027-01-20 14:30", "2027-02-01 14:30",
                "2027-02-03 14:30",
            ])
    }

    @Test func startOffTheRuleIsStillTheFirstOccurrence() throws {
        // RFC 5545 §3.3.10: DTSTART always counts as the first occurrence.
        let start = instant(2027, 1, 5, 9, in: "Europe/Rome")  // a Tuesday
        #expect(
            try occurrences("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=3", from: start, in: rome)
                == ["2027-01-05 09:00", "2027-01-06 09:00", "2027-01-11 09:00"])
    }

    @Test func untilIsInclusive() throws {
        let start = instant(2027, 1, 29, 9, in: "Europe/Rome")
        #expect(
            try occurrences("FREQ=DAILY;UNTIL=20270131T080000Z", from: start, in: rome)
                == ["2027-01-29 09:00", "2027-01-30 09:00", "2027-01-31 09:00"])
        #expect(
            try occurrences("FREQ=DAILY;UNTIL=20270131T075959Z", from: start, in: rome)
                == ["2027-01-29 09:00", "2027-01-30 09:00"])
    }

    @Test func exceptionsAreRemovedAfterCount() throws {
        let start = instant(2027, 2, 1, 9, in: "Europe/Rome")
        let skipped = instant(2027, 2, 8, 9, in: "Europe/Rome")
        #expect(
            try occurrences("FREQ=WEEKLY;COUNT=4", from: start, in: rome, exceptions: [skipped])
                == ["2027-02-01 09:00", "2027-02-15 09:00", "2027-02-22 09:00"])
    }

    @Test func limitBoundsAnOpenEndedRule() throws {
        let start = instant(2027, 2, 1, 9, in: "Europe/Rome")
        #expect(try occurrences("FREQ=DAILY", from: start, in: rome, limit: 4).count == 4)
        #expect(try occurrences("FREQ=DAILY", from: start, in: rome, limit: 0).isEmpty)
    }

    @Test func monthlyOnThe31stSkipsShortMonths() throws {
        let start = instant(2027, 1, 31, 10, in: "Europe/Rome")
        #expect(
            try occurrences("FREQ=MONTHLY;COUNT=3", from: start, in: rome)
                == ["2027-01-31 10:00", "2027-03-31 10:00", "2027-05-31 10:00"])
    }

    @Test func monthlyWithIntervalCrossesTheYear() throws {
        let start = instant(2027, 11, 15, 10, in: "America/New_York")
        #expect(
            try occurrences("FREQ=MONTHLY;INTERVAL=2;COUNT=3", from: start, in: newYork)
                == ["2027-11-15 10:00", "2028-01-15 10:00", "2028-03-15 10:00"])
    }
}

/// RFC 5545 §3.3.5: a local time skipped by a DST change uses the offset before the gap; a repeated
/// local time means its first occurrence. These pin down Foundation's behaviour we rely on.
@Suite struct RecurrenceRuleDaylightSavingEdgeTests {
    @Test func nonexistentLocalTimeUsesTheOffsetBeforeTheGap() throws {
        let rome = TimeZone(identifier: "Europe/Rome")!
        let start = instant(2027, 3, 27, 2, 30, in: "Europe/Rome")
        let dates = try RecurrenceRule(parsing: "FREQ=DAILY;COUNT=3").expand(start: start, timeZone: rome, limit: 10)
        // 02:30 on 2027-03-28 does not exist; 02:30 at +01:00 is 01:30Z, shown as 03:30 CEST.
        #expect(dates.map { wallClock($0, in: "UTC") } == ["2027-03-27 01:30", "2027-03-28 01:30", "2027-03-29 00:30"])
    }

    @Test func repeatedLocalTimeIsTheFirstOccurrence() throws {
        let newYork = TimeZone(identifier: "America/New_York")!
        let start = instant(2027, 11, 6, 1, 30, in: "America/New_York")
        let dates = try RecurrenceRule(parsing: "FREQ=DAILY;COUNT=2").expand(start: start, timeZone: newYork, limit: 10)
        // 01:30 happens twice on 2027-11-07; the first is at -04:00, 05:30Z.
        #expect(dates.map { wallClock($0, in: "UTC") } == ["2027-11-06 05:30", "2027-11-07 05:30"])
    }
}
