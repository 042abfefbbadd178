import Foundation
import Testing

@testable import Dialplan

/// Hours are wall-clock times in the file's time zone. The instants below are UTC, worked out by
/// hand from each zone's offset on that day, so a fixed offset gives the wrong answer.
@Suite struct OfficeHoursTests {
    func hours(_ zone: String, _ body: String = "mon-fri 08:30-18:00") throws -> Dialplan {
        try plan(
            """
            timezone \(zone)
            hours office { \(body) }
            context internal { match ! { when office { play open } otherwise { play closed } } }
            """)
    }

    func isOpen(_ plan: Dialplan, _ instant: String) -> Bool {
        steps(plan, call("1", now: utc(instant))) == [.play(prompt: "open")]
    }

    @Test func romeAfterSpringForward() throws {
        // Sunday 2026-03-29 02:00 CET became 03:00 CEST; Monday 08:30 CEST is 06:30 UTC.
        let plan = try hours("Europe/Rome")
        #expect(!isOpen(plan, "2026-03-30T06:29"))
        #expect(isOpen(plan, "2026-03-30T06:30"))
        #expect(isOpen(plan, "2026-03-30T15:59"))
        #expect(!isOpen(plan, "2026-03-30T16:00"))
        // The Friday before, still CET: 08:30 is 07:30 UTC.
        #expect(!isOpen(plan, "2026-03-27T07:29"))
        #expect(isOpen(plan, "2026-03-27T07:30"))
    }

    @Test func romeAfterFallBack() throws {
        // Sunday 2026-10-25 03:00 CEST became 02:00 CET; Monday 08:30 CET is 07:30 UTC.
        let plan = try hours("Europe/Rome")
        #expect(!isOpen(plan, "2026-10-26T07:29"))
        #expect(isOpen(plan, "2026-10-26T07:30"))
        #expect(!isOpen(plan, "2026-10-26T17:00"))
        #expect(isOpen(plan, "2026-10-26T16:59"))
    }

    @Test func romeRepeatedHourOnFallBackDay() throws {
        // 02:00-03:00 happens twice: 00:00-01:00 UTC (CEST) and 01:00-02:00 UTC (CET).
        let plan = try hours("Europe/Rome", "sun 02:00-03:00")
        #expect(!isOpen(plan, "2026-10-24T23:59"))
        #expect(isOpen(plan, "2026-10-25T00:00"))
        #expect(isOpen(plan, "2026-10-25T00:59"))
        #expect(isOpen(plan, "2026-10-25T01:00"))
        #expect(isOpen(plan, "2026-10-25T01:59"))
        #expect(!isOpen(plan, "2026-10-25T02:00"))
    }

    @Test func newYorkAfterSpringForward() throws {
        // Sunday 2026-03-08 02:00 EST became 03:00 EDT; Monday 08:30 EDT is 12:30 UTC.
        let plan = try hours("America/New_York")
        #expect(!isOpen(plan, "2026-03-09T12:29"))
        #expect(isOpen(plan, "2026-03-09T12:30"))
        #expect(!isOpen(plan, "2026-03-09T22:00"))
    }

    @Test func newYorkAfterFallBack() throws {
        // Sunday 2026-11-01 02:00 EDT became 01:00 EST; Monday 08:30 EST is 13:30 UTC.
        let plan = try hours("America/New_York")
        #expect(!isOpen(plan, "2026-11-02T13:29"))
        #expect(isOpen(plan, "2026-11-02T13:30"))
        #expect(isOpen(plan, "2026-11-02T22:59"))
        #expect(!isOpen(plan, "2026-11-02T23:00"))
    }

    @Test func newYorkRepeatedHour() throws {
        // 01:00-02:00 happens twice: 05:00-06:00 UTC (EDT) and 06:00-07:00 UTC (EST).
        let plan = try hours("America/New_York", "sun 01:00-02:00")
        #expect(!isOpen(plan, "2026-11-01T04:59"))
        #expect(isOpen(plan, "2026-11-01T05:30"))
        #expect(isOpen(plan, "2026-11-01T06:30"))
        #expect(!isOpen(plan, "2026-11-01T07:00"))
    }

    @Test func closedDaysOverrideOpeningTimes() throws {
        let plan = try hours(
            "Europe/Rome",
            "mon-fri 08:30-18:00; sat 09:00-12:00; closed 2026-12-25; closed 12-31..01-01; closed 2026-04-06")
        #expect(isOpen(plan, "2026-12-24T09:00"))  // Thursday 10:00 CET
        #expect(!isOpen(plan, "2026-12-25T09:00"))  // Christmas, a Friday
        #expect(isOpen(plan, "2026-12-26T09:00"))  // Saturday 10:00
        #expect(!isOpen(plan, "2026-12-26T11:00"))  // Saturday 12:00
        #expect(!isOpen(plan, "2026-12-31T09:00"))  // annual range over New Year
        #expect(!isOpen(plan, "2027-01-01T09:00"))
        #expect(isOpen(plan, "2027-01-04T09:00"))
        #expect(!isOpen(plan, "2026-04-06T08:00"))  // Easter Monday, 10:00 CEST
        #expect(isOpen(plan, "2026-04-07T08:00"))
    }

    @Test func environmentTimeZoneWhenTheFileHasNone() throws {
        let text = """
            hours office { daily 08:00-09:00 }
            context internal { match ! { when office { play open } otherwise { play closed } } }
            """
        let tokyo = try plan(
            text, environment: DialplanEnvironment(defaultTimeZone: TimeZone(identifier: "Asia/Tokyo")!))
        #expect(isOpen(tokyo, "2026-06-01T23:30"))  // 08:30 in Tokyo
        #expect(!isOpen(tokyo, "2026-06-01T08:30"))
    }
}
