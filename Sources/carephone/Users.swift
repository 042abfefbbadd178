import ArgumentParser
import CarePhoneServer
import Directory
import Foundation
import Storage

struct Users: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage users.", subcommands: [Import.self, List.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update users from a CSV file (columns extension, display_name, sip_password, email; header row required).")

        @OptionGroup var dataOption: DataOption
        @Argument(help: ArgumentHelp("The CSV file.", valueName: "FILE.csv")) var file: String
        @Flag(name: .long, help: "Check every row and report problems; change nothing.") var dryRun = false
        @Option(name: .long, help: ArgumentHelp("SIP domain of the organisation to import into; created if it does not exist. Needed when there is not exactly one organisation.", valueName: "DOMAIN"))
        var domain: String?
        @Option(name: .long, help: ArgumentHelp("Name for a newly created organisation.", valueName: "NAME"))
        var organisationName: String?

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            let (rows, errors) = UserImport.read(data)
            if !errors.isEmpty {
                for e in errors { print("\(file):\(e.description)") }
                print("\(errors.count) problem(s); nothing was imported.")
                throw ExitCode(1)
            }
            let folder = DataFolder(path: dataOption.data ?? "./data")
            if dryRun, !FileManager.default.fileExists(atPath: folder.databasePath) {
                print("\(rows.count) row(s) are valid; nothing was changed (dry run).")
                return
            }
            let database = try folder.openDatabase()
            defer { database.close() }
            let store = SQLiteDirectoryStore(database: database)
            let organisations = try store.organisations()
            var organisation: Organisation
            if let domain {
                if let existing = try store.organisation(forDomain: domain) {
                    organisation = existing
                } else if dryRun {
                    print("\(rows.count) row(s) are valid; organisation \(domain) would be created; nothing was changed (dry run).")
                    return
                } else {
                    let candidate = Organisation(name: organisationName ?? domain, sipDomain: domain)
                    do { try candidate.validate() } catch { throw ValidationError("--domain: \(error)") }
                    organisation = try store.createOrganisation(candidate)
                    print("Created organisation \(organisation.name) (SIP domain \(organisation.sipDomain)).")
                }
            } else if organisations.count == 1 {
                organisation = organisations[0]
            } else if organisations.isEmpty {
                throw ValidationError("there is no organisation yet: pass --domain DOMAIN (e.g. --domain clinic.example) to create one")
            } else {
                throw ValidationError("there are \(organisations.count) organisations: pass --domain to choose one (\(organisations.map(\.sipDomain).joined(separator: ", ")))")
            }
            if dryRun {
                let existing = Set(try store.devices(organisationID: organisation.id).map(\.username))
                let new = rows.filter { !existing.contains($0.extension) }.count
                print("\(rows.count) row(s) are valid: \(new) would be created, \(rows.count - new) already exist; nothing was changed (dry run).")
                return
            }
            let summary = try store.importUsers(rows, organisationID: organisation.id)
            print("Imported into \(organisation.sipDomain): \(summary).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users and their extensions.")
        @OptionGroup var dataOption: DataOption

        func run() throws {
            let folder = DataFolder(path: dataOption.data ?? "./data")
            let database = try folder.openDatabase()
            defer { database.close() }
            let store = SQLiteDirectoryStore(database: database)
            for organisation in try store.organisations() {
                print("\(organisation.name) (\(organisation.sipDomain))")
                for user in try store.users(organisationID: organisation.id).sorted(by: { $0.extension < $1.extension }) {
                    print("  \(user.extension)\t\(user.displayName)\t\(user.email)")
                }
            }
        }
    }
}
