/// The writes an import needs, worked out from the rows and what is stored before anything is
/// written. Both stores execute a plan inside one transaction, so they agree on what "created",
/// "updated" and "unchanged" mean.
public struct UserImportPlan: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        /// Insert a user, then its device with `userID` set to the new user's id.
        case createUser(User, device: Device)
        /// Update an existing user's name, e-mail and role.
        case updateUser(User)
        /// Insert a device for an existing user.
        case createDevice(Device)
        /// Replace an existing device's HA1 values.
        case updateDevice(Device)
    }

    public var steps: [Step]
    public var summary: ImportSummary

    /// Plans an import of already validated `rows` into `organisation`, whose stored users and
    /// devices are given.
    ///
    /// HA1 values are computed with the organisation's realm; a password that hashes to the
    /// stored HA1 counts as unchanged. Throws ``DirectoryError/importConflict(_:)`` if a row's
    /// extension is the username of another user's device.
    public static func make(
        rows: [UserImportRow], organisation: Organisation, users: [User], devices: [Device]
    ) throws(DirectoryError) -> UserImportPlan {
        let usersByExtension = Dictionary(users.map { ($0.extension, $0) }, uniquingKeysWith: { first, _ in first })
        let usersByID = Dictionary(users.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let devicesByUsername = Dictionary(devices.map { ($0.username, $0) }, uniquingKeysWith: { first, _ in first })
        var plan = UserImportPlan(steps: [], summary: ImportSummary())

        for row in rows {
            let existingUser = usersByExtension[row.extension]
            let existingDevice = devicesByUsername[row.extension]
            if let device = existingDevice, device.userID != existingUser?.id {
                let owner = usersByID[device.userID].map { "user \($0.extension) (\(quoted($0.displayName)))" }
                throw .importConflict(
                    UserImportError(
                        line: row.line,
                        message: "extension \(row.extension) is already the SIP username of a device of "
                            + "\(owner ?? "user id \(device.userID)"); rename that device first"))
            }
            var device = Device(
                organisationID: organisation.id, userID: existingUser?.id ?? 0, username: row.extension,
                password: row.password, realm: organisation.realm)

            guard let user = existingUser else {
                let user = User(
                    organisationID: organisation.id, extension: row.extension, displayName: row.displayName,
                    email: row.email, role: row.role ?? .member, locale: row.locale)
                plan.steps.append(.createUser(user, device: device))
                plan.summary.created.append(row.extension)
                continue
            }

            var changed = false
            var newUser = user
            newUser.displayName = row.displayName
            newUser.email = row.email
            newUser.role = row.role ?? user.role
            newUser.locale = row.locale ?? user.locale
            if newUser != user {
                plan.steps.append(.updateUser(newUser))
                changed = true
            }
            if let stored = existingDevice {
                device.id = stored.id
                device.digestAlgorithms = stored.digestAlgorithms
                if device != stored {
                    plan.steps.append(.updateDevice(device))
                    changed = true
                }
            } else {
                plan.steps.append(.createDevice(device))
                changed = true
            }
            if changed {
                plan.summary.updated.append(row.extension)
            } else {
                plan.summary.unchanged.append(row.extension)
            }
        }
        return plan
    }
}
