import Foundation

/// What a reminder may say. Deliberately no field for the reason of the visit, department or
/// anything clinical: SMS is not a private channel, so reminders carry no health details.
public struct ReminderValues: Sendable, Hashable {
    /// Patient's first name only.
    public let firstName: String
    /// Visit start; shown as `{date}` and `{time}` on the patient's wall clock.
    public let visitStart: Date
    /// Clinic name.
    public let clinic: String
    /// Provider's display name, such as "Dr Rossi".
    public let provider: String
    /// Where to go, such as the address or "Room 3, 2nd floor".
    public let location: String

    public init(firstName: String, visitStart: Date, clinic: String, provider: String, location: String) {
        self.firstName = firstName
        self.visitStart = visitStart
        self.clinic = clinic
        self.provider = provider
        self.location = location
    }
}
