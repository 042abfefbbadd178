import ArgumentParser
import CarePhoneServer
import Foundation
import Storage

struct Registrations: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the current registrations (bindings) stored in the data folder.")

    @OptionGroup var dataOption: DataOption
    @Flag(name: .long, help: "Print JSON instead of a table.") var json = false

    func run() throws {
        let database = try dataOption.openExistingDatabase()
        defer { database.close() }
        let now = Int64(Date().timeIntervalSince1970)
        let bindings = try SQLiteBindingStore(database: database).loadAll()
            .filter { $0.expiresAt > now }
            .sorted { ($0.aor, $0.contactURI) < ($1.aor, $1.contactURI) }
        if json {
            let rows: [[String: Any]] = bindings.map {
                ["aor": $0.aor, "contact": $0.contactURI, "expires_in": $0.expiresAt - now, "transport": $0.transport,
                 "source": $0.sourceDescription, "user_agent": $0.userAgent ?? ""]
            }
            let data = try JSONSerialization.data(withJSONObject: ["registrations": rows], options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        if bindings.isEmpty {
            print("No current registrations.")
            return
        }
        print("AOR\tCONTACT\tEXPIRES_IN\tTRANSPORT\tSOURCE\tUSER_AGENT")
        for b in bindings {
            print("\(b.aor)\t\(b.contactURI)\t\(b.expiresAt - now)s\t\(b.transport)\t\(b.sourceDescription)\t\(b.userAgent ?? "-")")
        }
        print("\(bindings.count) registration(s).")
    }
}
