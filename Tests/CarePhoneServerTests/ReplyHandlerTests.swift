import Foundation
import Messaging
import Scheduling
import Testing

/// Patients' texts: confirm, reschedule, STOP (one confirmation, later reminders suppressed),
/// START, HELP, free text to the inbox, and numbers nobody has.
@Suite struct ReplyHandlerTests {
    @Test func confirmWordsConfirmTheNearestPendingVisit() async throws {
        let f = try CalendarFixture()
        let later = try await f.service.book(f.booking(in: 96), by: f.reception, source: "test")[0]
        let sooner = try await f.service.book(f.booking(in: 72), by: f.reception, source: "test")[0]
        let record = try await f.replies.handle(from: "+393471234567", to: "4000", text: " Sì! ")
        #expect(record.reply == .confirm && record.appointmentID == sooner.id && !record.needsStaff)
        #expect(try f.calendar.appointment(id: sooner.id)?.status == .confirmed)
        #expect(try f.calendar.appointment(id: later.id)?.status == .booked)
        let history = try f.calendar.history(appointmentID: sooner.id).last
        #expect(history?.action == .confirmed && history?.source == "sms" && history?.userID == nil)
    }

    @Test func stopOptsOutWithOneConfirmationAndSuppressesLaterReminders() async throws {
        let f = try CalendarFixture()
        let visit = try await f.service.book(f.booking(in: 72), by: f.reception, source: "test")[0]
        _ = try await f.replies.handle(from: "00393471234567", to: "4000", text: "stop")
        #expect(try f.calendar.patient(id: f.patient.id)?.smsConsent.granted == false)
        let texts = try f.outbox.messages(organisationID: f.provider.organisationID, appointmentID: nil, patientID: f.patient.id, limit: 10)
        let confirmations = texts.filter { $0.purpose == .optOutConfirmation }
        #expect(confirmations.count == 1 && confirmations[0].text.contains("non riceverà altri SMS"))
        // A second STOP sends no second confirmation.
        _ = try await f.replies.handle(from: "+393471234567", to: "4000", text: "UNSUBSCRIBE")
        #expect(try f.outbox.messages(organisationID: f.provider.organisationID, appointmentID: nil, patientID: f.patient.id, limit: 10)
            .filter { $0.purpose == .optOutConfirmation }.count == 1)

        let gateway = RecordingGateway(clock: f.clock)
        let clock = f.clock
        let dispatcher = ReminderDispatcher(scheduler: f.scheduler, gateway: gateway, clock: { clock.read() })
        f.clock.set(visit.start.addingTimeInterval(-60))
        try await dispatcher.runOnce()
        let sent = gateway.sent.withLock { $0.map(\.1.text) }
        #expect(sent.count == 1 && sent[0].contains("non riceverà"))
        let reminders = try f.outbox.messages(organisationID: f.provider.organisationID, appointmentID: visit.id, patientID: nil, limit: 10)
        #expect(reminders.map(\.state) == [.suppressed, .suppressed])

        _ = try await f.replies.handle(from: "+393471234567", to: "4000", text: "START")
        #expect(try f.calendar.patient(id: f.patient.id)?.smsConsent.granted == true)
        #expect(try f.outbox.messages(organisationID: f.provider.organisationID, appointmentID: nil, patientID: f.patient.id, limit: 10)
            .contains { $0.purpose == .optInConfirmation })
    }

    @Test func helpRescheduleAndFreeText() async throws {
        let f = try CalendarFixture()
        let visit = try await f.service.book(f.booking(in: 72), by: f.reception, source: "test")[0]
        let help = try await f.replies.handle(from: "+393471234567", to: "4000", text: "HELP")
        #expect(help.reply == .help && !help.needsStaff)
        #expect(try f.outbox.messages(organisationID: f.provider.organisationID, appointmentID: nil, patientID: f.patient.id, limit: 10)
            .contains { $0.purpose == .help && $0.text.contains("+390612345678") })
        let move = try await f.replies.handle(from: "+393471234567", to: "4000", text: "R")
        #expect(move.reply == .reschedule && move.needsStaff && move.appointmentID == visit.id)
        let other = try await f.replies.handle(from: "+393471234567", to: "4000", text: "Posso venire alle 15?")
        #expect(other.reply == .other && other.needsStaff)
        let inbox = try f.inbox.inbox(organisationID: f.provider.organisationID, onlyNeedingStaff: true, limit: 10)
        #expect(inbox.map(\.text) == ["Posso venire alle 15?", "R"])
        #expect(try f.calendar.appointment(id: visit.id)?.status == .booked)
        let stranger = try await f.replies.handle(from: "+15550000000", to: "4000", text: "C")
        #expect(stranger.organisationID == nil && stranger.outcome.contains("no patient has this number"))
    }
}
