import Foundation

/// A clinician whose calendar patients are booked into.
public struct Provider: Sendable, Hashable, Codable, Identifiable {
    /// Storage identifier of the provider.
    public var id: Int64
    /// The organisation (clinic) whose calendar this is.
    public var organisationID: Int64
    /// The user account the provider signs in with; used by `SchedulingPolicy` to recognise them.
    public var userID: Int64
    /// Name shown to staff, e.g. "Dr. Anna Rossi".
    public var displayName: String
    /// IANA time zone identifier the provider works in, e.g. "Europe/Rome".
    public var timeZoneIdentifier: String
    /// The provider's own reminder offsets (e.g. `24h, 1h`), overriding the organisation's; nil: the organisation's.
    public var reminderOffsets: String?

    /// Creates a provider.
    public init(
        id: Int64, organisationID: Int64, userID: Int64, displayName: String, timeZoneIdentifier: String, reminderOffsets: String? = nil
    ) {
        self.reminderOffsets = reminderOffsets
        self.id = id
        self.organisationID = organisationID
        self.userID = userID
        self.displayName = displayName
        self.timeZoneIdentifier = timeZoneIdentifier
    }
}
