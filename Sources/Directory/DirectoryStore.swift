import SIPCore

/// What the server asks of storage about organisations, users and devices.
///
/// `Storage.SQLiteDirectoryStore` implements it on SQLite; ``InMemoryDirectoryStore`` in memory.
/// Every method either completes or throws with nothing changed.
public protocol DirectoryStore: Sendable {
    /// Creates an organisation after ``Organisation/validate()``; its `id` is ignored and the
    /// returned copy carries the assigned one.
    /// Throws ``DirectoryError/domainTaken(_:)`` if the domain is in use (case-insensitively).
    func createOrganisation(_ organisation: Organisation) throws -> Organisation
    /// All organisations, by id.
    func organisations() throws -> [Organisation]
    func organisation(id: Int64) throws -> Organisation?
    /// The organisation whose SIP domain equals `domain`, ignoring case.
    func organisation(forDomain domain: String) throws -> Organisation?

    /// The organisation's users, by extension (shorter extensions first).
    func users(organisationID: Int64) throws -> [User]
    /// The organisation's devices, by username.
    func devices(organisationID: Int64) throws -> [Device]
    /// The device a REGISTER or INVITE authenticates as (the digest `username`, compared exactly).
    func device(organisationID: Int64, username: String) throws -> Device?

    /// Sets the algorithms the organisation offers; see ``Organisation/digestAlgorithms``.
    func setDigestAlgorithms(_ algorithms: [DigestAlgorithm], organisationID: Int64) throws
    /// Sets a device's own algorithms, or with `nil` makes it follow its organisation.
    func setDigestAlgorithms(_ algorithms: [DigestAlgorithm]?, deviceID: Int64) throws

    /// Creates or updates one user and one device (username = extension) per row, in one
    /// transaction: either every row is applied or none is.
    ///
    /// Rows are validated first (``UserImport/validate(_:)``); any problem throws
    /// ``DirectoryError/invalidImport(_:)``. An extension that already exists is updated, or
    /// left as it is when nothing differs, so importing the same rows twice changes nothing.
    /// A row without a role leaves an existing user's role alone (new users become members).
    func importUsers(_ rows: [UserImportRow], organisationID: Int64) throws -> ImportSummary
}

/// What an import did, row by row.
public struct ImportSummary: Sendable, Equatable, CustomStringConvertible {
    /// Extensions of users created (with their device).
    public var created: [String]
    /// Extensions of users whose name, e-mail, role or password changed.
    public var updated: [String]
    /// Extensions of users left exactly as they were.
    public var unchanged: [String]

    public init(created: [String] = [], updated: [String] = [], unchanged: [String] = []) {
        self.created = created
        self.updated = updated
        self.unchanged = unchanged
    }

    public var createdCount: Int { created.count }
    public var updatedCount: Int { updated.count }
    public var unchangedCount: Int { unchanged.count }

    public var description: String {
        "\(created.count) created, \(updated.count) updated, \(unchanged.count) unchanged"
    }
}
