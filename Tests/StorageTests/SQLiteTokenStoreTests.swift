import Directory
import Foundation
import Testing

@testable import Storage

@Suite("SQLiteTokenStore")
struct SQLiteTokenStoreTests {
    let folder = TemporaryFolder()

    func setup() throws -> (SQLiteTokenStore, User) {
        let database = try folder.open()
        let directory = SQLiteDirectoryStore(database: database)
        let clinic = try directory.createOrganisation(Organisation(name: "Clinic", sipDomain: "clinic.example"))
        _ = try directory.importUsers(
            [UserImportRow(extension: "1002", displayName: "Dr Rossi", password: "password-1002", email: "r@clinic.example")],
            organisationID: clinic.id)
        return (SQLiteTokenStore(database: database), try #require(try directory.users(organisationID: clinic.id).first))
    }

    @Test func aTokenAuthenticatesItsUserUntilRevoked() throws {
        let (store, user) = try setup()
        let secret = APIToken.newSecret()
        #expect(secret.hasPrefix("cpt_") && secret.count == 47)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let token = try store.createToken(userID: user.id, label: "phone app", hash: APIToken.hash(secret), at: now)
        #expect(try store.user(forTokenHash: APIToken.hash(secret), at: now.addingTimeInterval(5)) == user)
        #expect(try store.user(forTokenHash: APIToken.hash(secret + "x"), at: now) == nil)
        #expect(try store.tokens(userID: user.id).first?.lastUsedAt == now.addingTimeInterval(5))
        #expect(try store.revokeToken(id: token.id, at: now.addingTimeInterval(10)))
        #expect(try !store.revokeToken(id: token.id, at: now.addingTimeInterval(11)), "revoked twice")
        #expect(try store.user(forTokenHash: APIToken.hash(secret), at: now) == nil)
        // Only the hash is stored.
        let stored = try store.database.query("SELECT token_hash FROM api_tokens", []) { try $0.string(0) }
        #expect(stored == [APIToken.hash(secret)] && !stored[0].contains(secret))
    }

    @Test func auditEntriesNewestFirst() throws {
        let (store, user) = try setup()
        let first = AuditEntry(at: Date(timeIntervalSince1970: 1_800_000_000), userID: user.id, action: "voicemail.play", object: "m1", source: "192.0.2.7")
        let second = AuditEntry(at: Date(timeIntervalSince1970: 1_800_000_009), userID: user.id, action: "voicemail.delete", object: "m1", source: "192.0.2.7")
        try store.record(first)
        try store.record(second)
        #expect(try store.auditEntries(limit: 10) == [second, first])
    }
}
