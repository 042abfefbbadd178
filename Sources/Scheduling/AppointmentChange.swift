import Foundation

/// One line of an appointment's history: who changed it, how, from where and when.
public struct AppointmentChange: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case created, moved, cancelled, confirmed, rescheduleRequested = "reschedule-requested", updated, deleted
    }

    public var appointmentID: Int64
    /// The appointment's version after the change.
    public var version: Int
    public var action: Action
    /// The user who made it; nil when the patient did (an SMS reply) or another calendar did.
    public var userID: Int64?
    /// `http`, `cli`, `sms`, `caldav`, `import`.
    public var source: String
    public var at: Date
    /// e.g. the old and new times of a move.
    public var detail: String

    public init(appointmentID: Int64, version: Int, action: Action, userID: Int64?, source: String, at: Date, detail: String = "") {
        self.appointmentID = appointmentID
        self.version = version
        self.action = action
        self.userID = userID
        self.source = source
        self.at = at
        self.detail = detail
    }
}
