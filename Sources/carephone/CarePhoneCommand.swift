import ArgumentParser
import Storage
import Foundation
import CarePhoneServer

@main
struct CarePhoneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carephone",
        abstract: "CarePhone: a SIP phone system server for healthcare organisations.",
        subcommands: [
            Serve.self, Registrations.self, Users.self, DialplanCommand.self, CallsCommand.self, TokensCommand.self, MailboxesCommand.self,
            ProvidersCommand.self, PatientsCommand.self, VisitsCommand.self, RemindersCommand.self, InboxCommand.self,
        ])
}

/// `--data DIR`, taken by every subcommand so scripts can point at a scratch folder.
struct DataOption: ParsableArguments {
    /// The data folder's database, which must already exist (a server has run on it).
    func openExistingDatabase() throws -> SQLiteDatabase {
        let folder = DataFolder(path: data ?? "./data")
        guard FileManager.default.fileExists(atPath: folder.databasePath) else {
            throw ValidationError("no database at \(folder.databasePath): run `carephone serve --data \(folder.path)` first")
        }
        return try folder.openDatabase()
    }

    @Option(name: .long, help: ArgumentHelp("Data folder (SQLite database, keys).", valueName: "DIR"))
    var data: String?
}
