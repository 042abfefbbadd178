import Foundation
import Scheduling

/// A Radicale 3 CalDAV server on a free loopback port, with its own config (`-C` replaces the
/// system one), an htpasswd file (bcrypt) and filesystem storage in a scratch folder. Stop it
/// with `stop()` in a `defer`.
final class RadicaleServer: @unchecked Sendable {
    let scratch: Scratch
    let process: ChildProcess
    let port: UInt16
    static let user = "clinic"
    static let password = "s3cret-pw"

    init(label: String) throws {
        scratch = try Scratch("radicale-\(label)")
        let radicale = try Binary.tool("radicale", install: "apt-get install radicale apache2-utils")
        let htpasswd = try Binary.tool("htpasswd", install: "apt-get install apache2-utils")
        let users = scratch.path("users")
        let made = try ChildProcess.run(htpasswd, ["-B", "-b", "-c", users, Self.user, Self.password], in: scratch)
        guard made.status == 0 else { throw HarnessError("htpasswd failed: \(made.stderr)") }
        port = try FreePort.pickTCP()
        let config = try scratch.write(
            "config",
            """
            [server]
            hosts = 127.0.0.1:\(port)
            [auth]
            type = htpasswd
            htpasswd_filename = \(users)
            htpasswd_encryption = bcrypt
            [storage]
            filesystem_folder = \(try scratch.folder("collections"))
            [rights]
            type = owner_only
            [logging]
            level = info
            mask_passwords = True
            """)
        process = ChildProcess(
            radicale, ["-C", config], stdout: scratch.path("radicale.out"), stderr: scratch.path("radicale.err"),
            currentDirectory: scratch.url.path)
        try process.start()
        let deadline = Date().addingTimeInterval(15)
        while !process.stderr.contains("Radicale server ready") {
            guard process.isRunning, Date() < deadline else {
                process.stop(timeout: 2)
                throw HarnessError("radicale did not start within 15 s: \(process.stderr.suffix(2000))")
            }
            usleep(50_000)
        }
    }

    /// A client for the calendar `name` of the test user.
    func client(calendar name: String) -> CalDAVClient {
        CalDAVClient(
            collection: URL(string: "http://127.0.0.1:\(port)/\(Self.user)/\(name)/")!,
            credentials: CalDAVClient.Credentials(username: Self.user, password: Self.password))
    }

    func stop() {
        process.stop(timeout: 5)
        scratch.remove()
    }
}
