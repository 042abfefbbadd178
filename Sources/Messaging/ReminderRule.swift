import Foundation

/// A clinic's policy for reminding patients of a visit: when before it, and when never to text.
public struct ReminderRule: Sendable, Hashable {
    /// Stable identifier; part of every reminder's idempotency key.
    public let id: String
    /// When to send, before the visit start.
    public let offsets: [ReminderOffset]
    /// Local span in the patient's time zone in which nothing is sent; `nil` for none.
    public let quietHours: QuietHours?

    public init(id: String, offsets: [ReminderOffset], quietHours: QuietHours?) {
        self.id = id
        self.offsets = offsets
        self.quietHours = quietHours
    }
}
