import Testing

@testable import Messaging

@Suite struct ReminderOffsetTests {
    @Test func hoursSplitIntoWallClockDays() throws {
        let offset = try #require(ReminderOffset.hours(50))
        #expect(offset.days == 2)
        #expect(offset.minutes == 120)
        #expect(ReminderOffset.hours(48) == ReminderOffset(days: 2))
    }

    @Test func descriptionIsISO8601Duration() throws {
        #expect(try #require(ReminderOffset.hours(48)).description == "P2D")
        #expect(try #require(ReminderOffset.hours(2)).description == "PT2H")
        #expect(try #require(ReminderOffset(days: 1, hours: 2, minutes: 30)).description == "P1DT2H30M")
        #expect(try #require(ReminderOffset(minutes: 45)).description == "PT45M")
        #expect(try #require(ReminderOffset()).description == "P0D")
    }

    @Test func rejectsNegativeAndOverflowingParts() {
        #expect(ReminderOffset(days: -1) == nil)
        #expect(ReminderOffset(hours: 24) == nil)
        #expect(ReminderOffset(minutes: -5) == nil)
        #expect(ReminderOffset.hours(-2) == nil)
    }

    @Test func localTimeValidatesAndPrints() {
        #expect(LocalTime(hour: 24) == nil)
        #expect(LocalTime(hour: 8, minute: 60) == nil)
        #expect(LocalTime(hour: 8, minute: 5)?.description == "08:05")
    }

    @Test func quietHoursWrapPastMidnight() throws {
        let quiet = QuietHours(
            start: try #require(LocalTime(hour: 21)), end: try #require(LocalTime(hour: 8)))
        #expect(quiet.contains(try #require(LocalTime(hour: 21))))
        #expect(quiet.contains(try #require(LocalTime(hour: 3))))
        #expect(quiet.contains(try #require(LocalTime(hour: 7, minute: 59))))
        #expect(!quiet.contains(try #require(LocalTime(hour: 8))))
        #expect(!quiet.contains(try #require(LocalTime(hour: 20, minute: 59))))
    }

    @Test func absurdOffsetsAreRefusedNotOverflowed() {
        #expect(ReminderOffset.hours(.max) == nil)
        #expect(ReminderOffset(hours: .max) == nil)
        #expect(ReminderOffset(days: 367) == nil)
        #expect(ReminderOffset(days: 366)?.nominalMinutes == 366 * 24 * 60)
    }
}
