import Foundation

/// An organisation's own reminder and calendar settings; a nil value means the server's
/// default from the configuration file (`reminders.*`, `calendar.patient_names_in_feeds`).
public struct ClinicSettings: Sendable, Equatable, Codable {
    /// e.g. `48h, 2h`.
    public var reminderOffsets: String?
    /// `HH:MM-HH:MM` in the patient's zone; empty for none.
    public var quietHours: String?
    /// The name texts give the clinic.
    public var clinicName: String?
    /// The number HELP answers with.
    public var clinicPhone: String?
    /// Patients' names in calendar feeds and CalDAV.
    public var patientNamesInFeeds: Bool?

    public init(
        reminderOffsets: String? = nil, quietHours: String? = nil, clinicName: String? = nil, clinicPhone: String? = nil,
        patientNamesInFeeds: Bool? = nil
    ) {
        self.reminderOffsets = reminderOffsets
        self.quietHours = quietHours
        self.clinicName = clinicName
        self.clinicPhone = clinicPhone
        self.patientNamesInFeeds = patientNamesInFeeds
    }
}
