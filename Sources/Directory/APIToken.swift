import Foundation
import SIPCore

/// A bearer token for the HTTP API, as stored: only the SHA-256 of the secret is kept, so a
/// copy of the database cannot be used to call the API. The secret is shown once, at creation.
public struct APIToken: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var userID: Int64
    /// What the token is for, e.g. "Dr Rossi's phone app".
    public var label: String
    public var createdAt: Date
    public var revokedAt: Date?
    public var lastUsedAt: Date?

    public init(id: Int64 = 0, userID: Int64, label: String, createdAt: Date, revokedAt: Date? = nil, lastUsedAt: Date? = nil) {
        self.id = id
        self.userID = userID
        self.label = label
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }

    /// A new secret: `cpt_` and 43 base64url characters (32 random bytes).
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "cpt_" + base64
    }

    /// What is stored for `secret`: lowercase hex SHA-256.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(Array(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// One line of the audit log: who did what to which object, when, and from where.
public struct AuditEntry: Sendable, Equatable {
    public var at: Date
    public var userID: Int64
    /// e.g. `voicemail.play`, `voicemail.delete`.
    public var action: String
    /// e.g. the message id.
    public var object: String
    /// The client's address.
    public var source: String

    public init(at: Date, userID: Int64, action: String, object: String, source: String) {
        self.at = at
        self.userID = userID
        self.action = action
        self.object = object
        self.source = source
    }
}

/// API tokens and the audit log. `Storage.SQLiteTokenStore` implements it on SQLite.
public protocol TokenStore: Sendable {
    func createToken(userID: Int64, label: String, hash: String, at: Date) throws -> APIToken
    /// Every token (of one user when `userID` is given), revoked ones included.
    func tokens(userID: Int64?) throws -> [APIToken]
    /// Returns false when there is no such token or it was already revoked.
    func revokeToken(id: Int64, at: Date) throws -> Bool
    /// The user an active (not revoked) token with this hash belongs to; records its use.
    func user(forTokenHash hash: String, at: Date) throws -> User?
    func record(_ entry: AuditEntry) throws
    func auditEntries(limit: Int) throws -> [AuditEntry]
}
