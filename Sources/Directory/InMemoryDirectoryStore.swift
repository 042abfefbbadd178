import Foundation
import SIPCore

/// A ``DirectoryStore`` in memory, for unit tests and tools that need no database.
///
/// Every operation works on a copy of the state and replaces it only on success, so a throwing
/// import leaves nothing behind, as a rolled-back transaction would.
public final class InMemoryDirectoryStore: DirectoryStore, @unchecked Sendable {
    // @unchecked: `state` is only touched with `lock` held.
    private let lock = NSLock()
    private var state = State()

    private struct State {
        var organisations: [Int64: Organisation] = [:]
        var users: [Int64: User] = [:]
        var devices: [Int64: Device] = [:]
        var nextID: Int64 = 1

        mutating func makeID() -> Int64 {
            defer { nextID += 1 }
            return nextID
        }
    }

    public init() {}

    private func withState<T>(_ body: (inout State) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        var copy = state
        let result = try body(&copy)
        state = copy
        return result
    }

    public func createOrganisation(_ organisation: Organisation) throws -> Organisation {
        try organisation.validate()
        return try withState { state in
            if state.organisations.values.contains(where: {
                $0.sipDomain.lowercased() == organisation.sipDomain.lowercased()
            }) {
                throw DirectoryError.domainTaken(organisation.sipDomain)
            }
            var created = organisation
            created.id = state.makeID()
            state.organisations[created.id] = created
            return created
        }
    }

    public func organisations() throws -> [Organisation] {
        withState { $0.organisations.values.sorted { $0.id < $1.id } }
    }

    public func organisation(id: Int64) throws -> Organisation? {
        withState { $0.organisations[id] }
    }

    public func organisation(forDomain domain: String) throws -> Organisation? {
        let wanted = domain.lowercased()
        return withState { $0.organisations.values.first { $0.sipDomain.lowercased() == wanted } }
    }

    public func users(organisationID: Int64) throws -> [User] {
        withState { state in
            state.users.values.filter { $0.organisationID == organisationID }
                .sorted { ($0.extension.count, $0.extension) < ($1.extension.count, $1.extension) }
        }
    }

    public func devices(organisationID: Int64) throws -> [Device] {
        withState { state in
            state.devices.values.filter { $0.organisationID == organisationID }.sorted { $0.username < $1.username }
        }
    }

    public func device(organisationID: Int64, username: String) throws -> Device? {
        withState { state in
            state.devices.values.first { $0.organisationID == organisationID && $0.username == username }
        }
    }

    public func setDigestAlgorithms(_ algorithms: [DigestAlgorithm], organisationID: Int64) throws {
        try Organisation.validateDigestAlgorithms(algorithms)
        try withState { state in
            guard state.organisations[organisationID] != nil else {
                throw DirectoryError.organisationNotFound(id: organisationID)
            }
            state.organisations[organisationID]!.digestAlgorithms = algorithms
        }
    }

    public func setDigestAlgorithms(_ algorithms: [DigestAlgorithm]?, deviceID: Int64) throws {
        if let algorithms { try Organisation.validateDigestAlgorithms(algorithms) }
        try withState { state in
            guard state.devices[deviceID] != nil else { throw DirectoryError.deviceNotFound(id: deviceID) }
            state.devices[deviceID]!.digestAlgorithms = algorithms
        }
    }

    public func importUsers(_ rows: [UserImportRow], organisationID: Int64) throws -> ImportSummary {
        let problems = UserImport.validate(rows)
        if !problems.isEmpty { throw DirectoryError.invalidImport(problems) }
        return try withState { state in
            guard let organisation = state.organisations[organisationID] else {
                throw DirectoryError.organisationNotFound(id: organisationID)
            }
            let plan = try UserImportPlan.make(
                rows: rows, organisation: organisation,
                users: state.users.values.filter { $0.organisationID == organisationID },
                devices: state.devices.values.filter { $0.organisationID == organisationID })
            for step in plan.steps {
                switch step {
                case .createUser(var user, var device):
                    user.id = state.makeID()
                    state.users[user.id] = user
                    device.id = state.makeID()
                    device.userID = user.id
                    state.devices[device.id] = device
                case .updateUser(let user):
                    state.users[user.id] = user
                case .createDevice(var device):
                    device.id = state.makeID()
                    state.devices[device.id] = device
                case .updateDevice(let device):
                    state.devices[device.id] = device
                }
            }
            return plan.summary
        }
    }
}
