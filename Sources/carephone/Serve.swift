import ArgumentParser
import CarePhoneServer
import Directory
import Foundation
import Logging
import Storage

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (SIP on UDP and TCP, HTTP API).")

    @OptionGroup var dataOption: DataOption
    @Option(name: .long, help: ArgumentHelp("Address to listen on; repeat for several (e.g. --bind 0.0.0.0 --bind ::). Default 0.0.0.0.", valueName: "ADDR"))
    var bind: [String] = []
    @Option(name: .long, help: ArgumentHelp("SIP port, UDP and TCP (default 5060; 0 picks a free one).", valueName: "N"))
    var sipPort: Int?
    @Option(name: .long, help: ArgumentHelp("HTTP API port (default 8080; 0 picks a free one).", valueName: "N"))
    var httpPort: Int?
    @Option(name: .long, help: ArgumentHelp("Address the HTTP API listens on (default 127.0.0.1: it lists registrations and has no login yet).", valueName: "ADDR"))
    var httpBind: String?
    @Option(name: .long, help: ArgumentHelp("Folder of *.dialplan files, watched for changes (default ./Dialplans).", valueName: "DIR"))
    var dialplans: String?
    @Option(name: .long, help: ArgumentHelp("UDP ports for RTP and RTCP, e.g. 20000-29999 (default; overrides media.rtp_ports).", valueName: "FIRST-LAST"))
    var rtpPorts: String?
    @Option(name: .long, help: ArgumentHelp("File with the key that encrypts voicemail at rest (default ./carephone.key; made on first start). Keep it outside the data folder.", valueName: "FILE"))
    var keyFile: String?
    @Option(name: .long, help: ArgumentHelp("JSON config file (see README, Configuration).", valueName: "FILE"))
    var config: String?
    @Flag(name: .long, help: "Create a demo organisation with extensions 1001-1003 and print their SIP credentials.")
    var demo = false
    @Flag(name: .long, help: "With --demo: give the demo extensions new passwords even if they exist.")
    var resetDemoPasswords = false

    func validate() throws {
        if let p = sipPort, !(0...65535).contains(p) { throw ValidationError("--sip-port \(p) is not a port number (0-65535)") }
        if let p = httpPort, !(0...65535).contains(p) { throw ValidationError("--http-port \(p) is not a port number (0-65535)") }
        for address in bind where !Self.isIPAddress(address) {
            throw ValidationError("--bind \(address) is not an IPv4 or IPv6 address (e.g. 0.0.0.0, 127.0.0.1, ::)")
        }
        if let httpBind, !Self.isIPAddress(httpBind) {
            throw ValidationError("--http-bind \(httpBind) is not an IPv4 or IPv6 address (e.g. 127.0.0.1, 0.0.0.0)")
        }
    }

    static func isIPAddress(_ s: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, s, &v4) == 1 || inet_pton(AF_INET6, s, &v6) == 1
    }

    func run() async throws {
        var configuration = ServerConfiguration()
        if let config {
            do { try configuration.load(file: config) } catch let error as ConfigurationError {
                throw ValidationError(error.description)
            }
        }
        if let data = dataOption.data { configuration.dataDirectory = data }
        if !bind.isEmpty { configuration.bindAddresses = bind }
        if let sipPort { configuration.sipPort = sipPort }
        if let httpPort { configuration.httpPort = httpPort }
        if let httpBind { configuration.httpBindAddress = httpBind }
        if let dialplans { configuration.dialplanFolder = dialplans }
        if let keyFile { configuration.encryptionKeyFile = keyFile }
        if let rtpPorts {
            let parts = rtpPorts.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2, parts[0] >= 1024, parts[1] <= 65535, parts[1] - parts[0] >= 3 else {
                throw ValidationError("--rtp-ports \(rtpPorts): write FIRST-LAST, e.g. 20000-29999 (1024-65535, at least 4 ports)")
            }
            configuration.media.rtpPorts = parts[0]...parts[1]
        }

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
            return handler
        }
        let logger = Logger(label: "carephone")

        if demo {
            let database = try DataFolder(path: configuration.dataDirectory).openDatabase()
            let store = SQLiteDirectoryStore(database: database)
            let domain = try store.organisations().first?.sipDomain ?? "carephone.local"
            let outcome = try DemoSeed.ensure(domain: domain, in: store, resetPasswords: resetDemoPasswords)
            say("Demo organisation \"\(outcome.organisation.name)\", SIP domain \(outcome.organisation.sipDomain) (phones may also use this server's IP address as the domain).")
            for account in outcome.accounts {
                let password = account.password ?? "(unchanged; --reset-demo-passwords prints new ones)"
                say("  extension \(account.extension)  user \(account.username)  password \(password)  (\(account.displayName))")
            }
            database.close()
        }
        let app = CarePhoneApplication(configuration: configuration, logger: logger)
        do {
            try await app.run { sip, http in
                say("CarePhone is running: SIP \(sip.joined(separator: ", ")); HTTP port \(http). Stop with Ctrl-C.")
            }
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}

/// Writes a line to standard output at once (print is block-buffered when piped, and the
/// server runs until stopped, so scripts reading its output would wait).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
