import Foundation

/// A provider's permission for another user (a receptionist or assistant) to manage their calendar.
public struct Delegation: Sendable, Hashable, Codable {
    /// The provider whose calendar is delegated.
    public var providerID: Int64
    /// The user allowed to create, move and cancel appointments for that provider.
    public var schedulerUserID: Int64

    /// Creates a delegation.
    public init(providerID: Int64, schedulerUserID: Int64) {
        self.providerID = providerID
        self.schedulerUserID = schedulerUserID
    }
}
