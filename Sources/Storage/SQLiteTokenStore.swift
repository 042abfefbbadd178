import Directory
import Foundation

/// API tokens (hashes only) and the audit log on SQLite.
public struct SQLiteTokenStore: TokenStore {
    public let database: SQLiteDatabase

    /// `database` must have been migrated (``SQLiteDatabase/open(path:options:migrations:)``).
    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func createToken(userID: Int64, label: String, hash: String, at: Date) throws -> APIToken {
        try database.transaction { connection in
            try connection.execute(
                "INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES (?, ?, ?, ?)",
                [.integer(userID), .text(hash), .text(label), .integer(Milliseconds.from(at))])
            return APIToken(id: connection.lastInsertRowID, userID: userID, label: label, createdAt: Milliseconds.date(Milliseconds.from(at)))
        }
    }

    public func tokens(userID: Int64?) throws -> [APIToken] {
        try database.query(
            "SELECT id, user_id, label, created_at, revoked_at, last_used_at FROM api_tokens"
                + (userID == nil ? "" : " WHERE user_id = ?") + " ORDER BY id",
            userID.map { [.integer($0)] } ?? []
        ) { row in
            APIToken(
                id: try row.int64(0), userID: try row.int64(1), label: try row.string(2), createdAt: Milliseconds.date(try row.int64(3)),
                revokedAt: try row.optionalInt64(4).map(Milliseconds.date), lastUsedAt: try row.optionalInt64(5).map(Milliseconds.date))
        }
    }

    public func revokeToken(id: Int64, at: Date) throws -> Bool {
        try database.transaction { connection in
            let active = try connection.queryFirst(
                "SELECT 1 FROM api_tokens WHERE id = ? AND revoked_at IS NULL", [.integer(id)]
            ) { _ in true } ?? false
            guard active else { return false }
            try connection.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", [.integer(Milliseconds.from(at)), .integer(id)])
            return true
        }
    }

    public func user(forTokenHash hash: String, at: Date) throws -> User? {
        let found = try database.queryFirst(
            """
            SELECT t.id, u.id, u.organisation_id, u.extension, u.display_name, u.email, u.role, u.locale
            FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = ? AND t.revoked_at IS NULL
            """, [.text(hash)]
        ) { row -> (Int64, User) in
            let roleName = try row.string(6)
            guard let role = Role(rawValue: roleName) else {
                throw SQLiteError.decoding("users.role \"\(roleName)\" is not a known role", sql: row.sql)
            }
            return (
                try row.int64(0),
                User(
                    id: try row.int64(1), organisationID: try row.int64(2), extension: try row.string(3),
                    displayName: try row.string(4), email: try row.string(5), role: role, locale: try row.optionalString(7))
            )
        }
        guard let (tokenID, user) = found else { return nil }
        try database.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [.integer(Milliseconds.from(at)), .integer(tokenID)])
        return user
    }

    public func record(_ entry: AuditEntry) throws {
        try database.execute(
            "INSERT INTO audit_log (at, user_id, action, object, source) VALUES (?, ?, ?, ?, ?)",
            [.integer(Milliseconds.from(entry.at)), .integer(entry.userID), .text(entry.action), .text(entry.object), .text(entry.source)])
    }

    public func auditEntries(limit: Int) throws -> [AuditEntry] {
        try database.query(
            "SELECT at, user_id, action, object, source FROM audit_log ORDER BY id DESC LIMIT ?", [.integer(Int64(limit))]
        ) { row in
            AuditEntry(
                at: Milliseconds.date(try row.int64(0)), userID: try row.int64(1), action: try row.string(2), object: try row.string(3),
                source: try row.string(4))
        }
    }

}
