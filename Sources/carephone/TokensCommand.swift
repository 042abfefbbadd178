import ArgumentParser
import CarePhoneServer
import Directory
import Foundation
import Storage

struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Bearer tokens for the HTTP API (visual voicemail and more).",
        subcommands: [Create.self, List.self, Revoke.self])

    /// The user with `ext` in the organisation `domain` (or the only organisation).
    static func user(_ ext: String, domain: String?, store: SQLiteDirectoryStore) throws -> User {
        let organisations = try store.organisations()
        let organisation: Organisation
        if let domain {
            guard let found = try store.organisation(forDomain: domain) else { throw ValidationError("--domain: no organisation \(domain)") }
            organisation = found
        } else {
            guard organisations.count == 1, let only = organisations.first else {
                throw ValidationError("--domain is needed: there are \(organisations.count) organisations")
            }
            organisation = only
        }
        guard let user = try store.users(organisationID: organisation.id).first(where: { $0.extension == ext }) else {
            throw ValidationError("--user: no extension \(ext) in \(organisation.sipDomain)")
        }
        return user
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token for a user; the secret is printed once and stored only as a hash.")
        @OptionGroup var dataOption: DataOption
        @Option(name: .long, help: ArgumentHelp("The user's extension.", valueName: "EXT")) var user: String
        @Option(name: .long, help: ArgumentHelp("The organisation's SIP domain (if there are several).", valueName: "DOMAIN")) var domain: String?
        @Option(name: .long, help: ArgumentHelp("What the token is for.", valueName: "TEXT")) var label = "API token"

        func run() throws {
            let database = try dataOption.openExistingDatabase()
            defer { database.close() }
            let owner = try TokensCommand.user(user, domain: domain, store: SQLiteDirectoryStore(database: database))
            let secret = APIToken.newSecret()
            let token = try SQLiteTokenStore(database: database).createToken(
                userID: owner.id, label: label, hash: APIToken.hash(secret), at: Date())
            print("token \(token.id) for extension \(owner.extension) (\(owner.displayName)): \(secret)")
            print("Keep it now: only its hash is stored. Use it as `Authorization: Bearer \(secret)`.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var dataOption: DataOption

        func run() throws {
            let database = try dataOption.openExistingDatabase()
            defer { database.close() }
            let formatter = ISO8601DateFormatter()
            let tokens = try SQLiteTokenStore(database: database).tokens(userID: nil)
            if tokens.isEmpty { print("No tokens.") }
            for t in tokens {
                let state = t.revokedAt.map { "revoked \(formatter.string(from: $0))" } ?? "active"
                print("\(t.id)\tuser \(t.userID)\t\(t.label)\tcreated \(formatter.string(from: t.createdAt))\t\(state)\tlast used \(t.lastUsedAt.map(formatter.string(from:)) ?? "never")")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token at once.")
        @OptionGroup var dataOption: DataOption
        @Argument(help: ArgumentHelp("The token's number (from `tokens list`).", valueName: "ID")) var id: Int64

        func run() throws {
            let database = try dataOption.openExistingDatabase()
            defer { database.close() }
            guard try SQLiteTokenStore(database: database).revokeToken(id: id, at: Date()) else {
                throw ValidationError("no active token \(id)")
            }
            print("token \(id) revoked")
        }
    }
}
