import ArgumentParser
import CarePhoneServer
import Directory
import Foundation
import Storage
import Voicemail

struct MailboxesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailboxes", abstract: "Voicemail boxes: PINs for access by phone, shared (group) mailboxes.",
        subcommands: [SetPIN.self, Shared.self, List.self])

    struct SetPIN: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pin", abstract: "Set the PIN of a user's own mailbox (asked for when dialing *97); stored only as a salted hash.")
        @OptionGroup var dataOption: DataOption
        @Option(name: .long, help: ArgumentHelp("The user's extension.", valueName: "EXT")) var user: String
        @Option(name: .long, help: ArgumentHelp("4 to 10 digits.", valueName: "DIGITS")) var pin: String
        @Option(name: .long, help: ArgumentHelp("The organisation's SIP domain (if there are several).", valueName: "DOMAIN")) var domain: String?

        func validate() throws {
            if let problem = PINHash.problem(pin) { throw ValidationError("--pin: \(problem)") }
        }

        func run() throws {
            let database = try dataOption.openExistingDatabase()
            defer { database.close() }
            let owner = try TokensCommand.user(user, domain: domain, store: SQLiteDirectoryStore(database: database))
            let store = SQLiteMailboxStore(database: database)
            guard let mailbox = try store.mailbox(organisationID: owner.organisationID, number: owner.extension, creatingFor: (owner.id, owner.extension)) else {
                throw ValidationError("no mailbox for \(owner.extension)")
            }
            try store.setPINHash(PINHash.make(pin), mailboxID: mailbox.id)
            print("PIN set for mailbox \(mailbox.number)")
        }
    }

    struct Shared: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a shared mailbox (e.g. reception's) that several users can open; the dialplan names it (`voicemail 1900`).")
        @OptionGroup var dataOption: DataOption
        @Option(name: .long, help: ArgumentHelp("The mailbox number.", valueName: "NUMBER")) var number: String
        @Option(name: .long, help: ArgumentHelp("Extensions of the users who may open it, comma-separated.", valueName: "EXT,EXT")) var members: String
        @Option(name: .long, help: ArgumentHelp("The organisation's SIP domain (if there are several).", valueName: "DOMAIN")) var domain: String?

        func validate() throws {
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "*" || $0 == "#") }) else {
                throw ValidationError("--number \(number): digits only (and * #)")
            }
        }

        func run() throws {
            let database = try dataOption.openExistingDatabase()
            defer { database.close() }
            let directory = SQLiteDirectoryStore(database: database)
            let users = try members.split(separator: ",").map { try TokensCommand.user(String($0).trimmingCharacters(in: .whitespaces), domain: domain, store: directory) }
            guard let organisationID = users.first?.organisationID else { throw ValidationError("--members: name at least one extension") }
            let store = SQLiteMailboxStore(database: database)
            if try store.mailbox(organisationID: organisationID, number: number) != nil {
                throw ValidationError("--number: mailbox \(number) exists already")
            }
            let mailbox = try store.createMailbox(Mailbox(organisationID: organisationID, number: number, memberUserIDs: users.map(\.id), shared: true))
            print("shared mailbox \(mailbox.number) for \(users.map(\.extension).joined(separator: ", "))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List mailboxes with their message counts.")
        @OptionGroup var dataOption: DataOption

        func run() throws {
            let database = try dataOption.openExistingDatabase()
            defer { database.close() }
            let directory = SQLiteDirectoryStore(database: database)
            let store = SQLiteMailboxStore(database: database)
            var any = false
            for organisation in try directory.organisations() {
                let users = try directory.users(organisationID: organisation.id)
                var seen = Set<Int64>()
                for user in users {
                    for mailbox in try store.mailboxes(ofUser: user.id) where seen.insert(mailbox.id).inserted {
                        any = true
                        let counts = try store.summary(mailboxID: mailbox.id)
                        let members = users.filter { mailbox.memberUserIDs.contains($0.id) }.map(\.extension).joined(separator: ",")
                        print("\(organisation.sipDomain)\t\(mailbox.number)\t\(mailbox.shared ? "shared" : "own")\tmembers \(members)\t\(counts.new) new, \(counts.old) old\tPIN \(mailbox.pinHash == nil ? "not set" : "set")")
                    }
                }
            }
            if !any { print("No mailboxes yet (a user's own mailbox is created with its first message).") }
        }
    }
}
