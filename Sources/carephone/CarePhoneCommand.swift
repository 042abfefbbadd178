import ArgumentParser
import CarePhoneServer

@main
struct CarePhoneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carephone",
        abstract: "CarePhone: a SIP phone system server for healthcare organisations.",
        subcommands: [Serve.self, Registrations.self, Users.self, DialplanCommand.self, CallsCommand.self, TokensCommand.self])
}

/// `--data DIR`, taken by every subcommand so scripts can point at a scratch folder.
struct DataOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Data folder (SQLite database, keys).", valueName: "DIR"))
    var data: String?
}
