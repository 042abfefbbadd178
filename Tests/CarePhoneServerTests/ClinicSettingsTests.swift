import CarePhoneServer
import Foundation
import Logging
import Messaging
import Scheduling
import Testing

/// An organisation's own settings win over the configuration file's, and a provider's offsets
/// win over both.
@Suite struct ClinicSettingsTests {
    @Test func organisationSettingsAreLayeredOverTheConfiguration() async throws {
        let f = try CalendarFixture(now: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded()))
        var configured = CalendarSettings()
        configured.reminderOffsets = "48h, 2h"
        configured.clinicPhone = "+390600000000"
        let services = try CalendarServices(
            database: f.database, directory: f.directory, settings: configured, callbackBase: "", callbackSecret: "", logger: Logger(label: "test"))
        try f.calendar.setClinicSettings(
            ClinicSettings(reminderOffsets: "24h", quietHours: "", clinicName: "Studio Rossi", clinicPhone: "+390611111111"),
            organisationID: f.provider.organisationID)

        let visit = try await services.scheduling.book(f.booking(in: 72), by: f.reception, source: "test")[0]
        let queued = try f.queued(visit.id)
        #expect(queued.map(\.sendAt) == [visit.start.addingTimeInterval(-24 * 3600)])
        #expect(queued.first?.text.contains("presso Studio Rossi") == true)

        _ = try await services.replies.handle(from: "+393471234567", to: "4000", text: "HELP")
        let help = try f.outbox.messages(organisationID: f.provider.organisationID, appointmentID: nil, patientID: f.patient.id, limit: 10)
            .first { $0.purpose == .help }
        #expect(help?.text.contains("+390611111111") == true)

        try f.calendar.setReminderOffsets("3h", providerID: f.provider.id)
        let other = try await services.scheduling.book(f.booking(in: 96), by: f.reception, source: "test")[0]
        #expect(try f.queued(other.id).map(\.idempotencyKey) == ["\(other.id)/provider-\(f.provider.id)/v1/PT3H"])
    }
}
