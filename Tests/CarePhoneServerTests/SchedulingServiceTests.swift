import Foundation
import Messaging
import Scheduling
import Testing

/// Booking, moving and cancelling on SQLite, with the delegation rule, double-booking, working
/// hours, series, meetings, history, and the reminders that follow each change.
@Suite struct SchedulingServiceTests {
    @Test func aDelegatedSchedulerBooksAndTheRemindersAreQueued() async throws {
        let f = try CalendarFixture()
        let visit = try #require(try await f.service.book(f.booking(in: 72), by: f.reception, source: "test").first)
        #expect(visit.version == 1 && visit.status == .booked && visit.changedBy == f.reception.id)
        let queued = try f.queued(visit.id).sorted { $0.sendAt < $1.sendAt }
        #expect(queued.map(\.sendAt) == [visit.start.addingTimeInterval(-48 * 3600), visit.start.addingTimeInterval(-2 * 3600)])
        #expect(queued.allSatisfy { $0.text.hasPrefix("Gentile Giulia") && $0.text.contains("Via Roma 1") && $0.to == "+393471234567" })
        #expect(queued.map(\.idempotencyKey) == ["\(visit.id)/org/v1/P2D", "\(visit.id)/org/v1/PT2H"])
        #expect(try f.calendar.history(appointmentID: visit.id).map(\.action) == [.created])
    }

    @Test func aSchedulerWithoutDelegationIsRefusedAndNothingIsStored() async throws {
        let f = try CalendarFixture()
        await #expect(throws: SchedulingError.refused(.notDelegated(providerID: f.provider.id))) {
            try await f.service.book(f.booking(in: 72), by: f.nurse, source: "test")
        }
        #expect(try f.calendar.appointments(organisationID: f.provider.organisationID, providerID: nil, from: nil, to: nil).isEmpty)
        // The provider herself may.
        #expect(try await f.service.book(f.booking(in: 72), by: f.doctor, source: "test").count == 1)
    }

    @Test func aTakenSlotAndHoursOutsideWorkingHoursAreConflicts() async throws {
        let f = try CalendarFixture()
        let first = try await f.service.book(f.booking(in: 72), by: f.reception, source: "test")[0]
        do {
            _ = try await f.service.book(f.booking(in: 72.25), by: f.reception, source: "test")
            Issue.record("a double booking must be refused")
        } catch {
            guard case .conflict(let field, let message) = error else { Issue.record("\(error)"); return }
            #expect(field == "start" && message.contains("visit \(first.id)"))
        }
        var overlapping = f.booking(in: 72.25)
        overlapping.allowOverlap = true
        #expect(try await f.service.book(overlapping, by: f.reception, source: "test").count == 1)
        try f.calendar.setWorkingHours([WorkingHours(weekday: 1, startMinute: 8 * 60, endMinute: 9 * 60)], providerID: f.provider.id)
        await #expect(throws: SchedulingError.self) { try await f.service.book(f.booking(in: 100), by: f.reception, source: "test") }
    }

    @Test func badInputNamesTheField() async throws {
        let f = try CalendarFixture()
        var backwards = f.booking(in: 72)
        backwards.end = backwards.start.addingTimeInterval(-60)
        backwards.timeZoneIdentifier = "Mars/Olympus"
        do {
            _ = try await f.service.book(backwards, by: f.reception, source: "test")
            Issue.record("must be refused")
        } catch {
            guard case .invalid(let errors) = error else { Issue.record("\(error)"); return }
            #expect(errors.map(\.field) == ["end", "time_zone"])
        }
        var open = f.booking(in: 72)
        open.recurrence = "FREQ=WEEKLY"
        await #expect(throws: SchedulingError.self) { try await f.service.book(open, by: f.reception, source: "test") }
    }

    @Test func movingReplansAndCancellingCancelsReminders() async throws {
        let f = try CalendarFixture()
        let visit = try await f.service.book(f.booking(in: 72), by: f.reception, source: "test")[0]
        let moved = try await f.service.move(id: visit.id, start: visit.start.addingTimeInterval(86_400), end: nil, by: f.reception, source: "test")
        #expect(moved.version == 2 && moved.end.timeIntervalSince(moved.start) == 1800)
        let queued = try f.queued(visit.id)
        #expect(queued.count == 2 && queued.allSatisfy { $0.idempotencyKey.contains("/v2/") })
        let all = try f.outbox.messages(organisationID: f.provider.organisationID, appointmentID: visit.id, patientID: nil, limit: 10)
        #expect(all.filter { $0.state == .cancelled }.count == 2)
        _ = try await f.service.cancel(id: visit.id, by: f.reception, source: "test")
        #expect(try f.queued(visit.id).isEmpty)
        #expect(try f.calendar.history(appointmentID: visit.id).map(\.action) == [.created, .moved, .cancelled])
        await #expect(throws: SchedulingError.self) { try await f.service.cancel(id: visit.id, by: f.reception, source: "test") }
    }

    @Test func aSeriesWithAnExceptionAndAVideoMeetingPerVisit() async throws {
        let f = try CalendarFixture()
        var weekly = f.booking(in: 72, kind: .video)
        weekly.recurrence = "FREQ=WEEKLY;COUNT=4"
        weekly.exceptions = [weekly.start.addingTimeInterval(7 * 86_400)]
        let visits = try await f.service.book(weekly, by: f.reception, source: "test")
        #expect(visits.count == 3)
        #expect(Set(visits.compactMap(\.seriesID)).count == 1)
        #expect(Set(visits.compactMap { $0.meeting?.joinURL }).count == 3)
        #expect(visits.allSatisfy { $0.meeting?.joinURL.hasPrefix("https://meet.example/CarePhone-") == true })
        // The join link is the reminder's place.
        #expect(try f.queued(visits[0].id).first?.text.contains(visits[0].meeting!.joinURL) == true)
    }

    @Test func aVisitBookedTooLateForAReminderGetsNone() async throws {
        let f = try CalendarFixture()
        let soon = try await f.service.book(f.booking(in: 1), by: f.reception, source: "test")[0]
        #expect(try f.queued(soon.id).isEmpty)
    }

    @Test func outcomesAreRecordedOnlyOnceAVisitHasStarted() async throws {
        let f = try CalendarFixture()
        let visit = try await f.service.book(f.booking(in: 72), by: f.reception, source: "test")[0]
        await #expect(throws: SchedulingError.conflict(field: "status", message: "the visit has not started yet")) {
            try await f.service.setOutcome(id: visit.id, .noShow, by: f.reception, source: "test")
        }
        f.clock.set(visit.start.addingTimeInterval(600))
        await #expect(throws: SchedulingError.refused(.notDelegated(providerID: f.provider.id))) {
            try await f.service.setOutcome(id: visit.id, .completed, by: f.nurse, source: "test")
        }
        let done = try await f.service.setOutcome(id: visit.id, .noShow, by: f.doctor, source: "test")
        #expect(done.status == .noShow && done.version == 2)
        #expect(try f.queued(visit.id).isEmpty, "no reminder for a visit that is over")
    }
}
