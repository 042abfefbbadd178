import Foundation

/// One reminder a planner decided to send.
public struct PlannedReminder: Sendable, Hashable {
    /// The rule offset it came from.
    public let offset: ReminderOffset
    /// When to send it, already moved out of quiet hours.
    public let sendAt: Date
    /// Same for the same appointment, rule, appointment version and offset, so a sender that
    /// records sent keys never texts twice, and a rescheduled (new version) visit gets new ones.
    public let idempotencyKey: String

    public init(offset: ReminderOffset, sendAt: Date, idempotencyKey: String) {
        self.offset = offset
        self.sendAt = sendAt
        self.idempotencyKey = idempotencyKey
    }

    /// `appointment/rule/v<version>/<offset>`, with `%` and `/` in the identifiers percent-escaped
    /// so distinct inputs never give the same key.
    public static func idempotencyKey(
        appointmentID: String, ruleID: String, appointmentVersion: Int, offset: ReminderOffset
    ) -> String {
        func escaped(_ s: String) -> String {
            s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "/", with: "%2F")
        }
        return "\(escaped(appointmentID))/\(escaped(ruleID))/v\(appointmentVersion)/\(offset)"
    }
}
