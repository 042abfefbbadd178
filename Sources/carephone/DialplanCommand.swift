import ArgumentParser
import CarePhoneServer
import Dialplan
import Directory
import Foundation
import Storage

struct DialplanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialplan", abstract: "Check dialplan files, or show what the running server loaded.",
        subcommands: [Check.self, Status.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate dialplan files without a running server.",
            discussion: """
                Prints every problem as file:line:column: message and exits 1 if there is an error.
                With no FILES, checks every *.dialplan in the dialplan folder (the config file's
                dialplan_folder, else ./Dialplans) together, as the server loads them. Extensions
                are checked against the data folder's directory when it exists; trunk names
                against the config file's trunks when --config is given.
                """)

        @Argument(help: ArgumentHelp("Files to check together.", valueName: "FILES")) var files: [String] = []
        @OptionGroup var dataOption: DataOption
        @Option(name: .long, help: ArgumentHelp("The server's JSON config file (for trunks and the folder).", valueName: "FILE"))
        var config: String?

        func run() throws {
            var configuration = ServerConfiguration()
            if let config { try configuration.load(file: config) }
            if let data = dataOption.data { configuration.dataDirectory = data }
            let sources: [DialplanSource]
            if files.isEmpty {
                sources = try DialplanCompiler.sources(inFolder: configuration.dialplanFolder)
                if sources.isEmpty { throw ValidationError("no *.dialplan files in \(configuration.dialplanFolder)") }
            } else {
                sources = try files.map { path in
                    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
                    return DialplanSource(path: path, text: String(decoding: data, as: UTF8.self))
                }
            }
            var environment = DialplanEnvironment()
            var domains: [String] = []
            let folder = DataFolder(path: configuration.dataDirectory)
            if FileManager.default.fileExists(atPath: folder.databasePath) {
                let database = try folder.openDatabase()
                defer { database.close() }
                let directory = SQLiteDirectoryStore(database: database)
                var extensions = Set<String>()
                let organisations = try directory.organisations()
                for organisation in organisations {
                    for user in try directory.users(organisationID: organisation.id) { extensions.insert(user.extension) }
                }
                if !organisations.isEmpty { environment.extensions = extensions }
                domains = organisations.map(\.sipDomain)
                if let zone = organisations.first.flatMap({ TimeZone(identifier: $0.timeZone) }) { environment.defaultTimeZone = zone }
            } else {
                FileHandle.standardError.write(Data("note: no database at \(folder.databasePath); extensions are not checked\n".utf8))
            }
            if config != nil {
                environment.trunks = Set(configuration.trunks.map(\.name))
            } else {
                FileHandle.standardError.write(Data("note: no --config; trunk names are not checked\n".utf8))
            }
            let compilation = DialplanCompiler.compile(sources, environment: environment)
            for diagnostic in compilation.diagnostics { print(diagnostic.description) }
            // What the server also requires: the contexts its phones and trunks start in.
            let missing = compilation.plan.map {
                DialplanRequirements.problems($0, organisationDomains: domains, trunks: configuration.trunks)
            } ?? []
            for problem in missing { print("\(files.isEmpty ? configuration.dialplanFolder : files.joined(separator: ", ")): \(problem)") }
            let errors = compilation.diagnostics.filter { $0.severity == .error }.count + missing.count
            let warnings = compilation.diagnostics.count - errors
            if errors > 0 {
                print("\(errors) error(s), \(warnings) warning(s) in \(sources.count) file(s)")
                throw ExitCode(1)
            }
            print("OK: \(sources.count) file(s), \(compilation.plan?.contextNames.count ?? 0) context(s), \(warnings) warning(s)")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the dialplan the running server uses and any error in the current files (exit 1 on error).")

        @OptionGroup var dataOption: DataOption
        @Flag(name: .long, help: "Print the status file's JSON.") var json = false

        func run() throws {
            let path = ((dataOption.data ?? "./data") as NSString).appendingPathComponent("dialplan-status.json")
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("no \(path): is `carephone serve` running with this data folder?")
            }
            let status = try DialplanStatus.read(from: path)
            if let pid = status.pid, kill(pid_t(pid), 0) != 0 {
                print("note: the server that wrote this (pid \(pid)) is not running; this is its last word")
            }
            if json {
                print(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self))
            } else {
                print("folder: \(status.folder)")
                print("checked: \(status.checkedAt)")
                if let active = status.activeFiles {
                    print("in use since \(status.activeSince ?? "?"): \(active.joined(separator: ", "))")
                } else {
                    print("in use: none (no valid dialplan has been loaded; calls get 503)")
                }
                if status.state == "ok" {
                    print("state: ok (the files as they are now are in use)")
                } else {
                    print("state: error (the files as they are now are NOT in use; the plan above stays until they are fixed)")
                    for error in status.errors { print(error) }
                }
                for warning in status.warnings { print(warning) }
            }
            if status.state != "ok" { throw ExitCode(1) }
        }
    }
}
