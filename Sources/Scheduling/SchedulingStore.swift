import Foundation

/// Where providers, patients and appointments are kept. `Storage.SQLiteSchedulingStore`
/// implements it on SQLite; every write is one transaction, durable when it returns.
public protocol SchedulingStore: Sendable {
    func createProvider(_ provider: Provider) throws -> Provider
    func provider(id: Int64) throws -> Provider?
    func provider(userID: Int64) throws -> Provider?
    func providers(organisationID: Int64) throws -> [Provider]
    func delegations(providerID: Int64) throws -> [Delegation]
    func addDelegation(_ delegation: Delegation) throws
    func removeDelegation(_ delegation: Delegation) throws
    func workingHours(providerID: Int64) throws -> [WorkingHours]
    func setWorkingHours(_ hours: [WorkingHours], providerID: Int64) throws
    /// The SHA-256 (hex) of the provider's calendar feed secret; nil to turn the feed off.
    /// The provider's own reminder offsets; nil: the organisation's.
    func setReminderOffsets(_ offsets: String?, providerID: Int64) throws
    func setFeedTokenHash(_ hash: String?, providerID: Int64) throws
    func provider(feedTokenHash: String) throws -> Provider?

    func clinicSettings(organisationID: Int64) throws -> ClinicSettings
    func setClinicSettings(_ settings: ClinicSettings, organisationID: Int64) throws

    func createPatient(_ patient: Patient) throws -> Patient
    func updatePatient(_ patient: Patient) throws
    func patient(id: Int64) throws -> Patient?
    func patients(organisationID: Int64) throws -> [Patient]
    /// Patients with this mobile number, in every organisation.
    func patients(mobile: String) throws -> [Patient]

    /// Inserts the appointments (ids assigned) and a `created` history line for each, in one transaction.
    func insertAppointments(_ appointments: [Appointment], change: AppointmentChange) throws -> [Appointment]
    /// Replaces the stored appointment if its version is still `expectedVersion`, adding `change`
    /// to its history; false when someone else changed it first.
    func updateAppointment(_ appointment: Appointment, expectedVersion: Int, change: AppointmentChange) throws -> Bool
    func deleteAppointment(id: Int64, change: AppointmentChange) throws
    func appointment(id: Int64) throws -> Appointment?
    /// The provider's entry with this iCalendar UID.
    func appointment(uid: String, providerID: Int64) throws -> Appointment?
    /// Appointments overlapping `from..<to` (either may be nil for open-ended), by start time.
    func appointments(organisationID: Int64, providerID: Int64?, from: Date?, to: Date?) throws -> [Appointment]
    func appointments(patientID: Int64) throws -> [Appointment]
    /// Booked or confirmed appointments starting after `instant`, in every organisation.
    func pendingAppointments(startingAfter instant: Date) throws -> [Appointment]
    func history(appointmentID: Int64) throws -> [AppointmentChange]
}
