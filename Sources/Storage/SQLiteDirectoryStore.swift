import Directory
import Foundation
import SIPCore

/// The directory (organisations, users, devices) on SQLite.
public struct SQLiteDirectoryStore: DirectoryStore {
    public let database: SQLiteDatabase

    /// `database` must have been migrated (``SQLiteDatabase/open(path:options:migrations:)``).
    public init(database: SQLiteDatabase) {
        self.database = database
    }

    // MARK: Organisations

    public func createOrganisation(_ organisation: Organisation) throws -> Organisation {
        try organisation.validate()
        return try database.transaction { connection in
            let taken = try connection.queryFirst(
                "SELECT 1 FROM organisations WHERE sip_domain = ?", [.text(organisation.sipDomain)]
            ) { _ in true }
            if taken != nil { throw DirectoryError.domainTaken(organisation.sipDomain) }
            try connection.execute(
                """
                INSERT INTO organisations (name, sip_domain, realm, time_zone, locale, baa_signed, digest_algorithms)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(organisation.name), .text(organisation.sipDomain), .text(organisation.realm),
                    .text(organisation.timeZone), .text(organisation.locale), SQLiteValue(organisation.baaSigned),
                    .text(DigestAlgorithm.encodeList(organisation.digestAlgorithms)),
                ])
            var created = organisation
            created.id = connection.lastInsertRowID
            return created
        }
    }

    public func organisations() throws -> [Organisation] {
        try database.query("SELECT \(Self.organisationColumns) FROM organisations ORDER BY id", [], Self.organisation)
    }

    public func organisation(id: Int64) throws -> Organisation? {
        try database.queryFirst(
            "SELECT \(Self.organisationColumns) FROM organisations WHERE id = ?", [.integer(id)], Self.organisation)
    }

    public func organisation(forDomain domain: String) throws -> Organisation? {
        // The column's NOCASE collation folds ASCII case; lowercasing first covers the rest.
        try database.queryFirst(
            "SELECT \(Self.organisationColumns) FROM organisations WHERE sip_domain = ?",
            [.text(domain.lowercased())], Self.organisation)
    }

    public func setDigestAlgorithms(_ algorithms: [DigestAlgorithm], organisationID: Int64) throws {
        try Organisation.validateDigestAlgorithms(algorithms)
        try database.withConnection { connection in
            try connection.execute(
                "UPDATE organisations SET digest_algorithms = ? WHERE id = ?",
                [.text(DigestAlgorithm.encodeList(algorithms)), .integer(organisationID)])
            if connection.changes == 0 { throw DirectoryError.organisationNotFound(id: organisationID) }
        }
    }

    // MARK: Users and devices

    public func users(organisationID: Int64) throws -> [User] {
        try database.read { try Self.users(organisationID: organisationID, on: $0) }
    }

    public func devices(organisationID: Int64) throws -> [Device] {
        try database.read { try Self.devices(organisationID: organisationID, on: $0) }
    }

    public func device(organisationID: Int64, username: String) throws -> Device? {
        try database.queryFirst(
            "SELECT \(Self.deviceColumns) FROM devices WHERE organisation_id = ? AND username = ?",
            [.integer(organisationID), .text(username)], Self.device)
    }

    public func setDigestAlgorithms(_ algorithms: [DigestAlgorithm]?, deviceID: Int64) throws {
        if let algorithms { try Organisation.validateDigestAlgorithms(algorithms) }
        try database.withConnection { connection in
            try connection.execute(
                "UPDATE devices SET digest_algorithms = ? WHERE id = ?",
                [SQLiteValue(algorithms.map(DigestAlgorithm.encodeList)), .integer(deviceID)])
            if connection.changes == 0 { throw DirectoryError.deviceNotFound(id: deviceID) }
        }
    }

    public func importUsers(_ rows: [UserImportRow], organisationID: Int64) throws -> ImportSummary {
        let problems = UserImport.validate(rows)
        if !problems.isEmpty { throw DirectoryError.invalidImport(problems) }
        return try database.transaction { connection in
            guard
                let organisation = try connection.queryFirst(
                    "SELECT \(Self.organisationColumns) FROM organisations WHERE id = ?", [.integer(organisationID)],
                    Self.organisation)
            else { throw DirectoryError.organisationNotFound(id: organisationID) }
            let plan = try UserImportPlan.make(
                rows: rows, organisation: organisation,
                users: try Self.users(organisationID: organisationID, on: connection),
                devices: try Self.devices(organisationID: organisationID, on: connection))
            for step in plan.steps {
                switch step {
                case .createUser(let user, var device):
                    try Self.insert(user, on: connection)
                    device.userID = connection.lastInsertRowID
                    try Self.insert(device, on: connection)
                case .updateUser(let user):
                    try connection.execute(
                        "UPDATE users SET display_name = ?, email = ?, role = ?, locale = ? WHERE id = ?",
                        [.text(user.displayName), .text(user.email), .text(user.role.rawValue), SQLiteValue(user.locale), .integer(user.id)])
                case .createDevice(let device):
                    try Self.insert(device, on: connection)
                case .updateDevice(let device):
                    try connection.execute(
                        "UPDATE devices SET ha1_md5 = ?, ha1_sha256 = ? WHERE id = ?",
                        [.text(device.ha1MD5), .text(device.ha1SHA256), .integer(device.id)])
                }
            }
            return plan.summary
        }
    }

    // MARK: Rows

    private static let organisationColumns =
        "id, name, sip_domain, realm, time_zone, locale, baa_signed, digest_algorithms"

    private static func organisation(_ row: SQLiteRow) throws -> Organisation {
        Organisation(
            id: try row.int64(0), name: try row.string(1), sipDomain: try row.string(2), realm: try row.string(3),
            timeZone: try row.string(4), locale: try row.string(5), baaSigned: try row.bool(6),
            digestAlgorithms: try algorithms(try row.string(7), column: "organisations.digest_algorithms", sql: row.sql)
        )
    }

    private static let userColumns = "id, organisation_id, extension, display_name, email, role, locale"

    private static func users(organisationID: Int64, on connection: SQLiteConnection) throws -> [User] {
        try connection.query(
            "SELECT \(userColumns) FROM users WHERE organisation_id = ? ORDER BY length(extension), extension",
            [.integer(organisationID)]
        ) { row in
            let roleName = try row.string(5)
            guard let role = Role(rawValue: roleName) else {
                throw SQLiteError.decoding("users.role \"\(roleName)\" is not a known role", sql: row.sql)
            }
            return User(
                id: try row.int64(0), organisationID: try row.int64(1), extension: try row.string(2),
                displayName: try row.string(3), email: try row.string(4), role: role, locale: try row.optionalString(6))
        }
    }

    private static let deviceColumns =
        "id, organisation_id, user_id, username, ha1_md5, ha1_sha256, digest_algorithms"

    private static func devices(organisationID: Int64, on connection: SQLiteConnection) throws -> [Device] {
        try connection.query(
            "SELECT \(deviceColumns) FROM devices WHERE organisation_id = ? ORDER BY username",
            [.integer(organisationID)], device)
    }

    private static func device(_ row: SQLiteRow) throws -> Device {
        Device(
            id: try row.int64(0), organisationID: try row.int64(1), userID: try row.int64(2),
            username: try row.string(3), ha1MD5: try row.string(4), ha1SHA256: try row.string(5),
            digestAlgorithms: try row.optionalString(6).map {
                try algorithms($0, column: "devices.digest_algorithms", sql: row.sql)
            })
    }

    private static func algorithms(_ text: String, column: String, sql: String) throws -> [DigestAlgorithm] {
        guard let list = DigestAlgorithm.decodeList(text), !list.isEmpty else {
            throw SQLiteError.decoding("\(column) \"\(text)\" is not a list of digest algorithms", sql: sql)
        }
        return list
    }

    private static func insert(_ user: User, on connection: SQLiteConnection) throws {
        try connection.execute(
            "INSERT INTO users (organisation_id, extension, display_name, email, role, locale) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .integer(user.organisationID), .text(user.extension), .text(user.displayName), .text(user.email),
                .text(user.role.rawValue), SQLiteValue(user.locale),
            ])
    }

    private static func insert(_ device: Device, on connection: SQLiteConnection) throws {
        try connection.execute(
            """
            INSERT INTO devices (organisation_id, user_id, username, ha1_md5, ha1_sha256, digest_algorithms)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(device.organisationID), .integer(device.userID), .text(device.username),
                .text(device.ha1MD5), .text(device.ha1SHA256),
                SQLiteValue(device.digestAlgorithms.map(DigestAlgorithm.encodeList)),
            ])
    }
}
