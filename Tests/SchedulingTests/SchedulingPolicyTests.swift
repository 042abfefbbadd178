import Foundation
import Testing

@testable import Scheduling

/// The provider, organisation owners/admins and delegated schedulers may change a calendar; nobody else.
@Suite struct SchedulingPolicyTests {
    let provider = Provider(id: 3, organisationID: 1, userID: 30, displayName: "Dr. Anna Rossi", timeZoneIdentifier: "Europe/Rome")
    let delegations = [Delegation(providerID: 3, schedulerUserID: 50), Delegation(providerID: 4, schedulerUserID: 60)]
    let policy = SchedulingPolicy()

    @Test(arguments: SchedulingAction.allCases)
    func providerManagesOwnCalendar(_ action: SchedulingAction) throws {
        let grant = try policy.authorize(action, by: ActingUser(id: 30, organisationID: 1, role: .member), for: provider, delegations: [])
        #expect(grant == .ownCalendar)
    }

    @Test(arguments: [OrganisationRole.owner, .admin])
    func ownersAndAdminsManageAnyCalendar(_ role: OrganisationRole) throws {
        let grant = try policy.authorize(.cancel, by: ActingUser(id: 99, organisationID: 1, role: role), for: provider, delegations: [])
        #expect(grant == .organisationRole(role))
    }

    @Test func delegatedSchedulerMayMove() throws {
        let grant = try policy.authorize(
            .move, by: ActingUser(id: 50, organisationID: 1, role: .member), for: provider, delegations: delegations)
        #expect(grant == .delegated)
    }

    @Test func delegationForAnotherProviderDoesNotCount() {
        #expect(throws: SchedulingRefusal.notDelegated(providerID: 3)) {
            try policy.authorize(
                .create, by: ActingUser(id: 60, organisationID: 1, role: .member), for: provider, delegations: delegations)
        }
    }

    @Test func unknownRoleNameIsTreatedAsMember() {
        let user = ActingUser(id: 77, organisationID: 1, roleName: "superuser")
        #expect(user.role == .member)
        #expect(ActingUser(id: 77, organisationID: 1, roleName: "Admin").role == .admin)
        #expect(throws: SchedulingRefusal.notDelegated(providerID: 3)) {
            try policy.authorize(.cancel, by: user, for: provider, delegations: delegations)
        }
    }

    @Test func refusalTellsTheUserWhatToDo() {
        let text = SchedulingRefusal.notDelegated(providerID: 3).description
        #expect(text.contains("provider 3"))
        #expect(text.contains("delegate"))
    }

    @Test func anotherOrganisationsAdminIsRefused() {
        #expect(throws: SchedulingRefusal.notDelegated(providerID: 3)) {
            try policy.authorize(.create, by: ActingUser(id: 99, organisationID: 2, role: .admin), for: provider, delegations: [])
        }
    }
}
