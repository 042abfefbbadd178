import Foundation
import Testing

@testable import Messaging

/// Planning in the patient's zone, across the 2027 daylight-saving changes.
@Suite struct ReminderPlannerTests {
    /// 48 h and 2 h before, quiet 21:00-08:00.
    static let rule = ReminderRule(
        id: "standard",
        offsets: [ReminderOffset.hours(48)!, ReminderOffset.hours(2)!],
        quietHours: QuietHours(start: LocalTime(hour: 21)!, end: LocalTime(hour: 8)!))

    func plan(
        visit: Date, booked: Date, zone: String, rule: ReminderRule = rule
    ) throws -> [PlannedReminder] {
        try ReminderPlanner.plan(
            appointmentID: "appt-1", appointmentVersion: 3, visitStart: visit, bookedAt: booked,
            patientTimeZone: zone, rule: rule)
    }

    static let longAgo = Date(timeIntervalSince1970: 0)

    @Test func romeSpringForwardKeepsWallClockDays() throws {
        let rome = LocalClock("Europe/Rome")
        let visit = rome.date(2027, 3, 29, 10)
        let planned = try plan(visit: visit, booked: Self.longAgo, zone: "Europe/Rome")
        #expect(planned.map { rome.wallTime($0.sendAt) } == [[27, 10, 0], [29, 8, 0]])
        // Only 47 hours elapse: the night of 28 March lost an hour.
        #expect(visit.timeIntervalSince(planned[0].sendAt) == 47 * 3600)
        #expect(planned.map(\.offset.description) == ["P2D", "PT2H"])
    }

    @Test func romeElapsedHoursCrossTheGap() throws {
        let rome = LocalClock("Europe/Rome")
        let noQuiet = ReminderRule(id: "r", offsets: [ReminderOffset.hours(2)!], quietHours: nil)
        // 04:00 CEST on the change day; two real hours earlier is 01:00 CET, not the missing 02:00.
        let planned = try plan(
            visit: rome.date(2027, 3, 28, 4), booked: Self.longAgo, zone: "Europe/Rome", rule: noQuiet)
        #expect(planned.map { rome.wallTime($0.sendAt) } == [[28, 1, 0]])
        // With quiet hours the 2 h reminder would move to 08:00, after the visit, so it is dropped;
        // the 48 h one (04:00 on the 26th) moves to 08:00 that morning.
        let quietPlan = try plan(visit: rome.date(2027, 3, 28, 4), booked: Self.longAgo, zone: "Europe/Rome")
        #expect(quietPlan.map { rome.wallTime($0.sendAt) } == [[26, 8, 0]])
        #expect(quietPlan.map(\.offset.description) == ["P2D"])
    }

    @Test func romeFallBackKeepsWallClockDays() throws {
        let rome = LocalClock("Europe/Rome")
        let visit = rome.date(2027, 11, 1, 10)
        let planned = try plan(visit: visit, booked: Self.longAgo, zone: "Europe/Rome")
        #expect(planned.map { rome.wallTime($0.sendAt) } == [[30, 10, 0], [1, 8, 0]])
        #expect(visit.timeIntervalSince(planned[0].sendAt) == 49 * 3600)
    }

    @Test func romeQuietEveningMovesToNextMorningAcrossFallBack() throws {
        let rome = LocalClock("Europe/Rome")
        let rule = ReminderRule(
            id: "r", offsets: [ReminderOffset.hours(12)!], quietHours: Self.rule.quietHours)
        // 09:00 CET on 31 October less 12 h is 22:00 CEST on the 30th, quiet until 08:00 CET.
        let planned = try plan(
            visit: rome.date(2027, 10, 31, 9), booked: Self.longAgo, zone: "Europe/Rome", rule: rule)
        #expect(planned.map { rome.wallTime($0.sendAt) } == [[31, 8, 0]])
    }

    @Test func newYorkSpringForward() throws {
        let newYork = LocalClock("America/New_York")
        let planned = try plan(
            visit: newYork.date(2027, 3, 15, 9), booked: Self.longAgo, zone: "America/New_York")
        #expect(planned.map { newYork.wallTime($0.sendAt) } == [[13, 9, 0], [15, 8, 0]])

        let rule = ReminderRule(
            id: "r", offsets: [ReminderOffset.hours(12)!], quietHours: Self.rule.quietHours)
        // 10:00 EDT on 14 March less 12 h is 21:00 EST on the 13th, quiet until 08:00 EDT.
        let evening = try plan(
            visit: newYork.date(2027, 3, 14, 10), booked: Self.longAgo, zone: "America/New_York", rule: rule)
        #expect(evening.map { newYork.wallTime($0.sendAt) } == [[14, 8, 0]])
    }

    @Test func newYorkFallBack() throws {
        let newYork = LocalClock("America/New_York")
        let visit = newYork.date(2027, 11, 8, 9)
        let planned = try plan(visit: visit, booked: Self.longAgo, zone: "America/New_York")
        #expect(planned.map { newYork.wallTime($0.sendAt) } == [[6, 9, 0], [8, 8, 0]])
        #expect(visit.timeIntervalSince(planned[0].sendAt) == 49 * 3600)
    }

    @Test func taipeiHasNoDaylightSaving() throws {
        let taipei = LocalClock("Asia/Taipei")
        let visit = taipei.date(2027, 3, 29, 10)
        let planned = try plan(visit: visit, booked: Self.longAgo, zone: "Asia/Taipei")
        #expect(planned.map { taipei.wallTime($0.sendAt) } == [[27, 10, 0], [29, 8, 0]])
        #expect(visit.timeIntervalSince(planned[0].sendAt) == 48 * 3600)
    }

    @Test func patientZoneNotServerZoneDecidesQuietHours() throws {
        // 14:00 in Taipei is 07:00 in Rome: quiet for a Roman patient, not for a Taiwanese one.
        let taipei = LocalClock("Asia/Taipei")
        let rome = LocalClock("Europe/Rome")
        let rule = ReminderRule(id: "r", offsets: [ReminderOffset.hours(2)!], quietHours: Self.rule.quietHours)
        let visit = rome.date(2027, 6, 1, 9)
        let forTaipei = try plan(visit: visit, booked: Self.longAgo, zone: "Asia/Taipei", rule: rule)
        let forRome = try plan(visit: visit, booked: Self.longAgo, zone: "Europe/Rome", rule: rule)
        #expect(forTaipei.map { taipei.wallTime($0.sendAt) } == [[1, 13, 0]])
        #expect(forRome.map { rome.wallTime($0.sendAt) } == [[1, 8, 0]])
    }

    @Test func remindersDueBeforeBookingAreSkipped() throws {
        let rome = LocalClock("Europe/Rome")
        let planned = try plan(
            visit: rome.date(2027, 6, 2, 10), booked: rome.date(2027, 6, 1, 15), zone: "Europe/Rome")
        #expect(planned.map(\.offset.description) == ["PT2H"])
    }

    @Test func offsetsMovedToTheSameMomentCollapseToTheNearest() throws {
        let rome = LocalClock("Europe/Rome")
        let rule = ReminderRule(
            id: "r", offsets: [ReminderOffset.hours(2)!, ReminderOffset.hours(12)!],
            quietHours: Self.rule.quietHours)
        let planned = try plan(
            visit: rome.date(2027, 6, 2, 9), booked: Self.longAgo, zone: "Europe/Rome", rule: rule)
        #expect(planned.count == 1)
        #expect(planned.first?.offset == ReminderOffset.hours(2))
        #expect(planned.map { rome.wallTime($0.sendAt) } == [[2, 8, 0]])
    }

    @Test func daytimeQuietHoursEndTheSameDay() throws {
        let rome = LocalClock("Europe/Rome")
        let lunch = ReminderRule(
            id: "r", offsets: [ReminderOffset.hours(2)!],
            quietHours: QuietHours(start: LocalTime(hour: 12)!, end: LocalTime(hour: 14)!))
        let planned = try plan(
            visit: rome.date(2027, 6, 2, 15), booked: Self.longAgo, zone: "Europe/Rome", rule: lunch)
        #expect(planned.map { rome.wallTime($0.sendAt) } == [[2, 14, 0]])
    }

    @Test func idempotencyKeysNameAppointmentRuleVersionAndOffset() throws {
        let rome = LocalClock("Europe/Rome")
        let planned = try plan(visit: rome.date(2027, 6, 2, 10), booked: Self.longAgo, zone: "Europe/Rome")
        #expect(planned.map(\.idempotencyKey) == ["appt-1/standard/v3/P2D", "appt-1/standard/v3/PT2H"])
        let a = PlannedReminder.idempotencyKey(
            appointmentID: "a/b", ruleID: "c", appointmentVersion: 1, offset: ReminderOffset.hours(2)!)
        let b = PlannedReminder.idempotencyKey(
            appointmentID: "a", ruleID: "b/c", appointmentVersion: 1, offset: ReminderOffset.hours(2)!)
        #expect(a == "a%2Fb/c/v1/PT2H")
        #expect(a != b)
    }

    @Test func unknownTimeZoneIsATypedError() {
        #expect(throws: ReminderPlanningError.unknownTimeZone("Mars/Olympus")) {
            try plan(visit: Date(), booked: Self.longAgo, zone: "Mars/Olympus")
        }
    }
}
