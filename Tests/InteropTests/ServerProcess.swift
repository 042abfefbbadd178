import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The real `carephone serve` binary on loopback: fixed free ports picked up front so it can be
/// restarted on the same data folder and ports, output captured per run in files, and every
/// wait bounded.
final class ServerProcess: @unchecked Sendable {
    let dataDirectory: String
    let sipPort: UInt16
    let httpPort: UInt16
    let bindAddresses: [String]
    let extraArguments: [String]
    let scratch: Scratch
    private(set) var child: ChildProcess?
    /// Every run so far (the current one last), for logs after a restart.
    private(set) var runs: [ChildProcess] = []

    /// - Parameters:
    ///   - dataDirectory: the data folder (`--data`).
    ///   - bind: addresses to listen on; the SIP port is free on all of them.
    ///   - arguments: more `serve` arguments, e.g. `--demo` or `--config FILE`.
    init(scratch: Scratch, dataDirectory: String, bind: [String] = ["127.0.0.1"], arguments: [String] = []) throws {
        self.scratch = scratch
        self.dataDirectory = dataDirectory
        self.bindAddresses = bind
        self.extraArguments = arguments
        self.sipPort = try FreePort.pick(hosts: bind)
        var http = try FreePort.pickTCP(host: bind[0])
        while http == sipPort { http = try FreePort.pickTCP(host: bind[0]) }
        self.httpPort = http
        // A range of its own, so servers of tests running side by side do not compete for RTP ports.
        let base = 20000 + Int.random(in: 0..<200) * 200
        self.rtpPorts = "\(base)-\(base + 199)"
    }

    let rtpPorts: String
    /// `NAME=value` entries for the next `start()` only (e.g. a crash point), then cleared.
    var environment: [String] = []

    var arguments: [String] {
        ["serve", "--data", dataDirectory] + bindAddresses.flatMap { ["--bind", $0] }
            + ["--sip-port", String(sipPort), "--http-port", String(httpPort), "--http-bind", bindAddresses[0], "--rtp-ports", rtpPorts]
            + ["--key-file", scratch.path("carephone.key")]
            + extraArguments
    }

    /// The SIP address on the first bind address, for clients.
    var sipAddress: SocketAddress { get throws { try SocketAddress(host: bindAddresses[0], port: sipPort) } }

    var pid: Int32 { child?.pid ?? 0 }
    /// Exit status of the current run once it has ended (128 + signal when killed by one).
    var exitStatus: Int32? { child?.exitStatus }
    var isRunning: Bool { child?.isRunning ?? false }
    /// Standard output and error of the current run.
    var stdout: String { child?.stdout ?? "" }
    var stderr: String { child?.stderr ?? "" }
    /// Standard error of all runs, oldest first.
    var allStderr: String { runs.map(\.stderr).joined(separator: "\n--- restart ---\n") }

    /// Starts the server and waits (bounded) for its ready line.
    func start(timeout: TimeInterval = 30) throws {
        guard !isRunning else { throw HarnessError("the server is already running (pid \(pid))") }
        let binary = try Binary.carephone()
        let n = runs.count + 1
        let process = ChildProcess(
            binary, arguments, stdout: scratch.path("server-\(sipPort)-run\(n).out"),
            stderr: scratch.path("server-\(sipPort)-run\(n).err"), environment: environment)
        environment = []
        try process.start()
        child = process
        runs.append(process)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let out = process.stdout
            if let line = out.split(separator: "\n").first(where: { $0.hasPrefix("CarePhone is running:") }) {
                let udp = "udp \(bracketed(bindAddresses[0])):\(sipPort)"
                guard line.contains(udp), line.contains("HTTP port \(httpPort)") else {
                    throw HarnessError("ready line does not name \(udp) and HTTP port \(httpPort): \(line)")
                }
                return
            }
            if !process.isRunning {
                throw HarnessError(
                    "carephone exited with status \(process.exitStatus ?? -1) before it was ready: \(process.commandLine)\nstdout: \(out)\nstderr: \(process.stderr.suffix(3000))"
                )
            }
            if Date() >= deadline {
                process.stop(timeout: 2)
                throw HarnessError(
                    "carephone printed no ready line within \(Int(timeout)) s\nstdout: \(out)\nstderr: \(process.stderr.suffix(3000))"
                )
            }
            usleep(20_000)
        }
    }

    /// SIGTERM and a bounded wait (then SIGKILL). Returns true when it stopped gracefully.
    @discardableResult
    func stop(timeout: TimeInterval = 10) -> Bool {
        child?.stop(timeout: timeout) ?? true
    }

    /// `kill -9`: no chance to flush or clean up.
    func kill9() { child?.kill9() }

    /// Stops the server if it runs and starts it again on the same data folder, ports and arguments.
    func restart(timeout: TimeInterval = 30) throws {
        stop()
        try start(timeout: timeout)
    }

    /// Waits (bounded) for standard error of the current run to contain `text`.
    func waitForStderr(containing text: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if stderr.contains(text) { return true }
            usleep(50_000)
        } while Date() < deadline
        return stderr.contains(text)
    }

    /// Demo passwords by extension, from `--demo` output (`  extension 1001  user 1001  password X  (...)`).
    var demoPasswords: [String: String] {
        var result: [String: String] = [:]
        for run in runs {
            for line in run.stdout.split(separator: "\n") where line.hasPrefix("  extension ") {
                let words = line.split(separator: " ")
                guard let i = words.firstIndex(of: "password"), i + 1 < words.count, let ext = words.dropFirst().first
                else { continue }
                if words[i + 1].hasPrefix("(") { continue }  // "(unchanged; ...)" on a later run
                result[String(ext)] = String(words[i + 1])
            }
        }
        return result
    }

    /// The demo organisation's SIP domain, from the `--demo` output.
    var demoDomain: String? {
        for run in runs {
            for line in run.stdout.split(separator: "\n") {
                if let r = line.range(of: "SIP domain ") {
                    return String(line[r.upperBound...].prefix { $0 != " " && $0 != "," && $0 != "(" })
                }
            }
        }
        return nil
    }

    // MARK: the command line and HTTP API around the server

    /// One registration as `carephone registrations --json` and `GET /api/registrations` list it.
    struct Registration: Decodable, Equatable, Sendable {
        let aor: String
        let contact: String
        let expires_in: Int
        let transport: String
        let source: String
        let user_agent: String?
    }

    private struct RegistrationList: Decodable { let registrations: [Registration] }

    /// `carephone registrations --data DIR --json`.
    static func registrations(data: String, scratch: Scratch) throws -> [Registration] {
        let result = try ChildProcess.run(
            try Binary.carephone(), ["registrations", "--data", data, "--json"], in: scratch, timeout: 30)
        guard result.status == 0 else {
            throw HarnessError("carephone registrations exited \(result.status): \(result.stderr) \(result.stdout)")
        }
        do {
            return try JSONDecoder().decode(RegistrationList.self, from: Data(result.stdout.utf8)).registrations
        } catch {
            throw HarnessError(
                "carephone registrations --json printed something that is not the registrations JSON (\(error)): \(result.stdout.prefix(2000))"
            )
        }
    }

    func registrations() throws -> [Registration] { try Self.registrations(data: dataDirectory, scratch: scratch) }

    /// Polls `carephone registrations` until `condition` holds (bounded); returns the last list.
    func waitForRegistrations(timeout: TimeInterval, until condition: ([Registration]) -> Bool) throws -> [Registration]
    {
        let deadline = Date().addingTimeInterval(timeout)
        var list = try registrations()
        while !condition(list), Date() < deadline {
            usleep(200_000)
            list = try registrations()
        }
        return list
    }

    /// `GET /health` on the HTTP port: status code and body.
    func health() throws -> (status: Int, body: String) {
        try HTTPGet.fetch(host: bindAddresses[0], port: httpPort, path: "/health")
    }

    /// `GET /api/registrations` on the HTTP port.
    func httpRegistrations() throws -> [Registration] {
        let (status, body) = try HTTPGet.fetch(host: bindAddresses[0], port: httpPort, path: "/api/registrations")
        guard status == 200 else { throw HTTPGet.failure(status, body, "/api/registrations") }
        do {
            return try JSONDecoder().decode(RegistrationList.self, from: Data(body.utf8)).registrations
        } catch {
            throw HarnessError("GET /api/registrations: not the registrations JSON (\(error)): \(body.prefix(2000))")
        }
    }

    /// `carephone users import FILE --data DIR --domain DOMAIN`.
    static func importUsers(csv: String, data: String, domain: String, scratch: Scratch) throws -> String {
        let result = try ChildProcess.run(
            try Binary.carephone(), ["users", "import", csv, "--data", data, "--domain", domain], in: scratch,
            timeout: 120)
        guard result.status == 0 else {
            throw HarnessError("carephone users import exited \(result.status): \(result.stdout) \(result.stderr)")
        }
        return result.stdout
    }

    private func bracketed(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}

/// A minimal HTTP/1.0 GET over a POSIX socket, with a timeout.
enum HTTPGet {
    static func fetch(host: String, port: UInt16, path: String, timeout: TimeInterval = 5) throws -> (
        status: Int, body: String
    ) {
        let client = try SIPTestClient(
            transport: .tcp, server: try SocketAddress(host: host, port: port), bindHost: host)
        defer { client.close() }
        try client.send(Array("GET \(path) HTTP/1.0\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n".utf8))
        let bytes = client.readUntilClosed(timeout: timeout)
        let text = String(decoding: bytes, as: UTF8.self)
        guard let statusLine = text.split(separator: "\r\n", maxSplits: 1).first,
            let code = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else {
            throw HarnessError(
                "GET \(path): no HTTP response within \(timeout) s (got \(text.prefix(200).debugDescription))")
        }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (code, body)
    }

    static func failure(_ status: Int, _ body: String, _ path: String) -> HarnessError {
        HarnessError("GET \(path) answered \(status): \(body.prefix(500))")
    }
}
