import Foundation

/// A user's role in the clinic organisation.
public enum OrganisationRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// Owns the organisation account; may manage every calendar.
    case owner
    /// Administers the organisation; may manage every calendar.
    case admin
    /// Ordinary staff; may manage only their own calendar and those delegated to them.
    case member
}

/// The signed-in user asking to change a calendar.
public struct ActingUser: Sendable, Hashable {
    /// The user's identifier.
    public var id: Int64
    /// The organisation the user belongs to; the role holds there only.
    public var organisationID: Int64
    /// The user's role in that organisation.
    public var role: OrganisationRole

    /// Creates an acting user.
    public init(id: Int64, organisationID: Int64, role: OrganisationRole) {
        self.id = id
        self.organisationID = organisationID
        self.role = role
    }

    /// Creates an acting user from a stored role name; unknown names get the least privilege, `member`.
    public init(id: Int64, organisationID: Int64, roleName: String) {
        self.init(id: id, organisationID: organisationID, role: OrganisationRole(rawValue: roleName.lowercased()) ?? .member)
    }
}

/// A change to a provider's calendar that needs permission.
public enum SchedulingAction: String, Sendable, Hashable, CaseIterable {
    case create
    case move
    case cancel
}

/// Why a user may act on a provider's calendar.
public enum SchedulingGrant: Sendable, Hashable {
    /// The user is the provider.
    case ownCalendar
    /// The user is an owner or admin of the organisation.
    case organisationRole(OrganisationRole)
    /// The provider delegated their calendar to the user.
    case delegated
}

/// Why a user may not act on a provider's calendar. An HTTP layer maps every case to 403 Forbidden.
public enum SchedulingRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The user is neither the provider, an organisation owner/admin, nor a delegated scheduler.
    case notDelegated(providerID: Int64)

    public var description: String {
        switch self {
        case .notDelegated(let providerID):
            "not allowed to manage provider \(providerID)'s calendar; ask the provider to delegate it to you "
                + "or an organisation admin to make the change"
        }
    }
}

/// Decides who may create, move or cancel appointments in a provider's calendar.
///
/// Allowed: the provider themselves, any owner or admin of the organisation, and users the
/// provider has delegated to. Everyone else is refused with `SchedulingRefusal.notDelegated`.
/// The same rule applies to all three actions today; the action is passed so that it can differ later
/// without changing callers.
public struct SchedulingPolicy: Sendable {
    /// Creates the policy.
    public init() {}

    /// Returns why `user` may perform `action` on `provider`'s calendar, or throws the refusal.
    @discardableResult
    public func authorize(
        _ action: SchedulingAction, by user: ActingUser, for provider: Provider, delegations: [Delegation]
    ) throws(SchedulingRefusal) -> SchedulingGrant {
        // Roles and delegations hold within one organisation: another clinic's admin is nobody here.
        guard user.organisationID == provider.organisationID else { throw .notDelegated(providerID: provider.id) }
        if user.id == provider.userID { return .ownCalendar }
        switch user.role {
        case .owner, .admin:
            return .organisationRole(user.role)
        case .member:
            let delegated = delegations.contains { $0.providerID == provider.id && $0.schedulerUserID == user.id }
            if delegated { return .delegated }
            throw .notDelegated(providerID: provider.id)
        }
    }
}
