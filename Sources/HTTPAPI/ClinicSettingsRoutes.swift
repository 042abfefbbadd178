import Foundation
import Hummingbird
import Messaging
import Scheduling

/// `GET` / `PUT /api/clinic/settings`: the organisation's own reminder offsets, quiet hours,
/// name and number in texts, and whether feeds show patients' names (owners and admins change
/// them). A changed rule re-plans the organisation's pending visits.
func addClinicSettingsRoutes(to router: Router<APIRequestContext>, api: CalendarAPI) {
    router.get("api/clinic/settings") { request, _ -> Response in
        try await withUser(request, api) { _, user in
            jsonObject(view(try api.calendar.clinicSettings(organisationID: user.organisationID)))
        }
    }
    router.put("api/clinic/settings") { request, _ -> Response in
        try await withUser(request, api) { _, user in
            guard user.role != .member else {
                throw HTTPFieldError(status: .forbidden, field: "role", message: "only an organisation owner or admin may change the clinic's settings")
            }
            let body = try await JSONFields(request)
            var settings = try api.calendar.clinicSettings(organisationID: user.organisationID)
            if body.object.keys.contains("reminder_offsets") {
                let text = try body.string("reminder_offsets")
                if let text {
                    do throws(Scheduling.ValidationError) { _ = try ReminderOffset.list(parsing: text, field: "reminder_offsets") } catch {
                        throw HTTPFieldError(field: "reminder_offsets", message: error.message)
                    }
                }
                settings.reminderOffsets = text
            }
            if body.object.keys.contains("quiet_hours") {
                let text = try body.string("quiet_hours")
                if let text, !text.isEmpty, QuietHours(parsing: text) == nil {
                    throw HTTPFieldError(field: "quiet_hours", message: "'\(text)' should be HH:MM-HH:MM, e.g. 21:00-08:00 (empty for none)")
                }
                settings.quietHours = text
            }
            if body.object.keys.contains("clinic_name") {
                let text = try body.string("clinic_name")
                if let text, text.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw HTTPFieldError(field: "clinic_name", message: "must not be blank; send null for the default")
                }
                settings.clinicName = text
            }
            if body.object.keys.contains("clinic_phone") {
                let text = try body.string("clinic_phone")
                if let text, let e = FieldValidation.e164(text, field: "clinic_phone") { throw HTTPFieldError(field: e.field, message: e.message) }
                settings.clinicPhone = text
            }
            if body.object.keys.contains("patient_names_in_feeds") { settings.patientNamesInFeeds = try body.bool("patient_names_in_feeds") }
            let known: Set<String> = ["reminder_offsets", "quiet_hours", "clinic_name", "clinic_phone", "patient_names_in_feeds"]
            if let unknown = body.object.keys.first(where: { !known.contains($0) }) {
                throw HTTPFieldError(field: unknown, message: "is not a clinic setting (\(known.sorted().joined(separator: ", ")))")
            }
            try api.calendar.setClinicSettings(settings, organisationID: user.organisationID)
            // Plan the pending visits again under the new rule.
            for visit in try api.calendar.appointments(organisationID: user.organisationID, providerID: nil, from: Date(), to: nil) where visit.isPending {
                await api.scheduling.onChange(visit, .updated)
            }
            return jsonObject(view(settings))
        }
    }
}

private func view(_ s: ClinicSettings) -> [String: Any] {
    [
        "reminder_offsets": s.reminderOffsets.map { $0 as Any } ?? NSNull(), "quiet_hours": s.quietHours.map { $0 as Any } ?? NSNull(),
        "clinic_name": s.clinicName.map { $0 as Any } ?? NSNull(), "clinic_phone": s.clinicPhone.map { $0 as Any } ?? NSNull(),
        "patient_names_in_feeds": s.patientNamesInFeeds.map { $0 as Any } ?? NSNull(),
    ]
}
