import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A text fakesmsc received from Kannel (an MT), decoded.
struct FakeSMSCMessage: Equatable, Sendable, CustomStringConvertible {
    var from: String
    var to: String
    var text: String
    var description: String { "\(from) → \(to): \(text)" }
}

/// Real Kannel 1.4.5 on loopback: bearerbox, smsbox and kannel-extras' fakesmsc as the SMS
/// centre, in a scratch folder, every process stopped by its PID (`stop()`, also in deinit).
///
/// Configuration facts it relies on (measured with Kannel 1.4.5):
/// - smsbox retries a failed sms-service or dlr-url GET (refused, or any answer other than 200
///   or 202) `http-request-retry` times, `http-queue-delay` seconds apart (whole seconds), in
///   memory only; without `http-request-retry` (default 0) a failed callback is dropped.
/// - `mo-recode = true` turns UCS-2 MO texts into UTF-8; `%b` passes the text byte-exact, URL-encoded.
/// - The sms-service has `max-messages = 0`: the get-url's answer is not sent back as an SMS.
/// - fakesmsc with no message arguments reads MO lines from stdin (`fgets`, 255 bytes at
///   most, newline included) and logs each MT at debug level as
///   `Got message N: <from to text|data|ucs-2 payload>`, UCS-2 as URL-encoded UTF-16BE.
///   It selects on the stdin descriptor but reads through stdio, so a second line written
///   before the first was taken sits in its buffer until more input comes: `sendMO` writes
///   one line and waits until fakesmsc logs `sent message N`.
final class KannelProcess: @unchecked Sendable {
    let folder: String
    let adminPort: UInt16
    let smsboxPort: UInt16
    let sendsmsPort: UInt16
    let fakePort: UInt16
    let adminPassword = "admin-\(UInt32.random(in: 0...UInt32.max))"
    let username = "carephone"
    let password = "pw-\(UInt32.random(in: 0...UInt32.max))"

    private var bearerbox: ChildProcess?
    private var smsbox: ChildProcess?
    private var fakesmsc: ChildProcess?
    /// Our end of fakesmsc's stdin FIFO, opened read-write so fakesmsc never sees EOF.
    private var moFIFO: Int32 = -1
    private var moSent = 0

    /// `http://127.0.0.1:<port>/cgi-bin/sendsms`
    var sendsmsURL: String { "http://127.0.0.1:\(sendsmsPort)/cgi-bin/sendsms" }

    /// Writes the configuration to `folder`, starts the three programs and waits (at most
    /// `timeout` seconds) until fakesmsc is bound and smsbox is connected. MO texts go to
    /// `moURL` with `from`, `to` and `text` appended to its query.
    init(
        folder: String, moURL: String, httpRequestRetry: Int = 5, httpQueueDelay: Int = 1, timeout: TimeInterval = 20
    ) throws {
        self.folder = folder
        adminPort = try FreePort.pickTCP()
        smsboxPort = try FreePort.pickTCP()
        sendsmsPort = try FreePort.pickTCP()
        fakePort = try FreePort.pickTCP()
        guard Set([adminPort, smsboxPort, sendsmsPort, fakePort]).count == 4 else {
            throw HarnessError("the kernel gave the same free port twice; run again")
        }
        let config = configuration(moURL: moURL, retry: httpRequestRetry, delay: httpQueueDelay)
        try Data(config.utf8).write(to: URL(fileURLWithPath: path("kannel.conf")))
        do { try start(timeout: timeout) } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    private func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// kannel.conf (Kannel User Guide, chapters "Configuration", "Setting up an SMS gateway").
    private func configuration(moURL: String, retry: Int, delay: Int) -> String {
        let mo = moURL + (moURL.contains("?") ? "&" : "?") + "from=%p&to=%P&text=%b"
        return """
            group = core
            admin-port = \(adminPort)
            admin-interface = 127.0.0.1
            admin-password = \(adminPassword)
            status-password = \(adminPassword)
            admin-allow-ip = 127.0.0.1
            smsbox-port = \(smsboxPort)
            smsbox-interface = 127.0.0.1
            box-allow-ip = 127.0.0.1
            dlr-storage = internal
            store-type = file
            store-location = "\(path("kannel.store"))"
            log-file = "\(path("bearerbox.log"))"
            log-level = 0
            access-log = "\(path("access.log"))"

            group = smsc
            smsc = fake
            smsc-id = fake
            port = \(fakePort)
            our-host = 127.0.0.1
            connect-allow-ip = 127.0.0.1

            group = smsbox
            bearerbox-host = 127.0.0.1
            bearerbox-port = \(smsboxPort)
            sendsms-port = \(sendsmsPort)
            sendsms-interface = 127.0.0.1
            mo-recode = true
            http-request-retry = \(retry)
            http-queue-delay = \(delay)
            log-file = "\(path("smsbox.log"))"
            log-level = 0

            group = sendsms-user
            username = \(username)
            password = \(password)
            max-messages = 10
            concatenation = true

            group = sms-service
            keyword = default
            catch-all = true
            max-messages = 0
            get-url = "\(mo)"

            """
    }

    private func start(timeout: TimeInterval) throws {
        let deadline = Date().addingTimeInterval(timeout)
        let config = path("kannel.conf")
        let bearerbox = ChildProcess(
            try Binary.tool("bearerbox", install: "apt-get install kannel"), [config],
            stdout: path("bearerbox.out"), stderr: path("bearerbox.err"))
        try bearerbox.start()
        self.bearerbox = bearerbox
        // fakesmsc panics if the fake SMSC's port is not listening yet; the admin status
        // names the connection (`FAKE:<port>`) once its socket is bound.
        try waitUntil(deadline, "bearerbox to bind the fake SMSC port \(fakePort)") {
            adminStatus()?.contains("FAKE:\(fakePort)") == true
        }
        let smsbox = ChildProcess(
            try Binary.tool("smsbox", install: "apt-get install kannel"), [config],
            stdout: path("smsbox.out"), stderr: path("smsbox.err"))
        try smsbox.start()
        self.smsbox = smsbox

        let fifo = path("fakesmsc.stdin")
        guard mkfifo(fifo, 0o600) == 0 else {
            throw HarnessError("mkfifo \(fifo): \(String(cString: strerror(errno)))")
        }
        moFIFO = open(fifo, O_RDWR)
        guard moFIFO >= 0 else { throw HarnessError("open \(fifo): \(String(cString: strerror(errno)))") }
        let fake = "/usr/lib/kannel/test/fakesmsc"
        guard FileManager.default.isExecutableFile(atPath: fake) else {
            throw HarnessError("\(fake) is missing: apt-get install kannel-extras")
        }
        // No message arguments: interactive mode, MO lines from stdin. `-i 0` so it never
        // lingers between lines; `-v 0` logs each MT (debug level).
        let fakesmsc = ChildProcess(
            "/bin/sh",
            ["-c", "exec \"$@\" < \"$0\"", fifo, fake, "-H", "127.0.0.1", "-r", "\(fakePort)", "-i", "0", "-v", "0"],
            stdout: path("fakesmsc.out"), stderr: path("fakesmsc.err"))
        try fakesmsc.start()
        self.fakesmsc = fakesmsc

        try waitUntil(deadline, "fakesmsc and smsbox to connect to bearerbox") {
            guard let status = adminStatus() else { return false }
            return status.contains("online") && status.contains("smsbox:")
                && canConnect(port: sendsmsPort)
        }
    }

    private func waitUntil(_ deadline: Date, _ what: String, _ condition: () -> Bool) throws {
        while !condition() {
            for (name, child) in [("bearerbox", bearerbox), ("smsbox", smsbox), ("fakesmsc", fakesmsc)] {
                if let child, !child.isRunning {
                    throw HarnessError(
                        "\(name) exited (\(child.exitStatus ?? -1)) while waiting for \(what): \(logTail(name))")
                }
            }
            guard Date() < deadline else {
                throw HarnessError("timed out waiting for \(what); status: \(adminStatus() ?? "no answer")")
            }
            usleep(50_000)
        }
    }

    private func logTail(_ name: String) -> String {
        let text = ["\(name).err", "\(name).log"].compactMap { try? String(contentsOfFile: path($0), encoding: .utf8) }
        return String(text.joined(separator: "\n").suffix(1500))
    }

    /// bearerbox's `status.txt`, or nil while it does not answer.
    func adminStatus() -> String? {
        Self.get(port: adminPort, target: "/status.txt?password=\(adminPassword)")
    }

    /// Every MT fakesmsc has logged so far, in order, the parts of a concatenated text
    /// (3GPP TS 23.040 §9.2.3.24.1 user data header) joined into one.
    func receivedMessages() -> [FakeSMSCMessage] {
        let log = (try? String(contentsOfFile: path("fakesmsc.err"), encoding: .utf8)) ?? ""
        var messages: [FakeSMSCMessage] = []
        var pending: [String: (total: Int, parts: [Int: String], first: FakeSMSCMessage)] = [:]
        for line in log.split(separator: "\n") {
            guard let (message, part) = Self.parseMT(String(line)) else { continue }
            guard let part else {
                messages.append(message)
                continue
            }
            let key = "\(message.from)|\(message.to)|\(part.reference)"
            var entry = pending[key] ?? (part.total, [:], message)
            entry.parts[part.sequence] = message.text
            if entry.parts.count == entry.total {
                var whole = entry.first
                whole.text = (1...entry.total).compactMap { entry.parts[$0] }.joined()
                messages.append(whole)
                pending[key] = nil
            } else {
                pending[key] = entry
            }
        }
        return messages
    }

    /// Waits until at least `count` MTs have arrived (or `timeout` seconds) and returns them.
    func waitForMessages(count: Int, timeout: TimeInterval) -> [FakeSMSCMessage] {
        let deadline = Date().addingTimeInterval(timeout)
        var messages = receivedMessages()
        while messages.count < count && Date() < deadline {
            usleep(50_000)
            messages = receivedMessages()
        }
        return messages
    }

    /// One part of a concatenated text: its reference, the number of parts, and which this is.
    struct Part: Equatable {
        var reference: Int
        var total: Int
        var sequence: Int
    }

    /// `Got message N: <from to type payload>`; type `text` is raw, `data` URL-encoded bytes,
    /// `ucs-2` URL-encoded UTF-16BE, and `udh <header> <type> <payload>` a part of a longer text.
    static func parseMT(_ line: String) -> (FakeSMSCMessage, Part?)? {
        guard let marker = line.range(of: "Got message "),
            let open = line.range(of: ": <", range: marker.upperBound..<line.endIndex),
            line.hasSuffix(">")
        else { return nil }
        let content = line[open.upperBound..<line.index(before: line.endIndex)]
        let fields = content.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4 else { return nil }
        var type = fields[2]
        var payload = fields[3]
        var part: Part?
        if type == "udh" {
            let rest = payload.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard rest.count == 3 else { return nil }
            let header = urlDecodedBytes(rest[0])
            // IEI 0x00 (8-bit reference) or 0x08 (16-bit reference).
            if header.count >= 6, header[1] == 0x00 {
                part = Part(reference: Int(header[3]), total: Int(header[4]), sequence: Int(header[5]))
            } else if header.count >= 7, header[1] == 0x08 {
                part = Part(reference: Int(header[3]) << 8 | Int(header[4]), total: Int(header[5]), sequence: Int(header[6]))
            }
            type = rest[1]
            payload = rest[2]
        }
        let text: String
        switch type {
        case "text": text = payload
        case "ucs-2", "ucs2":
            let bytes = urlDecodedBytes(payload)
            let units = stride(from: 0, to: bytes.count - 1, by: 2).map {
                UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1])
            }
            text = String(decoding: units, as: UTF16.self)
        default:
            text = String(decoding: urlDecodedBytes(payload), as: UTF8.self)
        }
        return (FakeSMSCMessage(from: fields[0], to: fields[1], text: text), part)
    }

    /// Kannel's `octstr_url_decode`: `%XX` is a byte, `+` a space.
    static func urlDecodedBytes(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%"), bytes.count >= 2,
                let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16)
            {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b == UInt8(ascii: "+") ? UInt8(ascii: " ") : b)
            }
        }
        return out
    }

    /// Injects a text from a phone (MO). ASCII goes as fakesmsc type `text`; anything else as
    /// `ucs2` (URL-encoded UTF-16BE, as a handset sends Chinese), which `mo-recode` turns into
    /// UTF-8. Returns once fakesmsc has handed it to bearerbox.
    func sendMO(from: String, to: String, text: String, timeout: TimeInterval = 5) throws {
        guard !from.contains(" "), !to.contains(" "), !text.contains("\n"), !text.isEmpty else {
            throw HarnessError("fakesmsc lines are space separated: no spaces in numbers, no newline or empty text")
        }
        let ascii = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f }
        let payload =
            ascii
            ? "text \(text)"
            : "ucs2 "
                + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }.map { String(format: "%%%02X", $0) }
                .joined()
        let line = "\(from) \(to) \(payload)\n"
        guard line.utf8.count <= 255 else {
            throw HarnessError(
                "fakesmsc reads at most 255 bytes a line; this one is \(line.utf8.count): shorten the text")
        }
        let bytes = Array(line.utf8)
        guard write(moFIFO, bytes, bytes.count) == bytes.count else {
            throw HarnessError("writing to fakesmsc's stdin: \(String(cString: strerror(errno)))")
        }
        moSent += 1
        let deadline = Date().addingTimeInterval(timeout)
        let expected = "fakesmsc: sent message \(moSent)"
        while !(((try? String(contentsOfFile: path("fakesmsc.err"), encoding: .utf8)) ?? "").contains(expected)) {
            guard Date() < deadline else {
                throw HarnessError("fakesmsc did not send MO \(moSent) within \(timeout) s")
            }
            usleep(20_000)
        }
    }

    /// Stops fakesmsc, smsbox and bearerbox by PID (SIGTERM, then SIGKILL after 5 s).
    func stop() {
        fakesmsc?.stop(timeout: 2)
        smsbox?.stop()
        bearerbox?.stop()
        if moFIFO >= 0 {
            close(moFIFO)
            moFIFO = -1
        }
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    private func canConnect(port: UInt16) -> Bool {
        guard let address = try? SocketAddress(host: "127.0.0.1", port: port) else { return false }
        let fd = socket(AF_INET, socketType(SOCK_STREAM), 0)
        defer { close(fd) }
        var storage = address.storage
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, address.length) }
        } == 0
    }

    /// A blocking HTTP/1.0 GET on loopback; nil when nothing answers within 2 s.
    static func get(port: UInt16, target: String) -> String? {
        guard let address = try? SocketAddress(host: "127.0.0.1", port: port) else { return nil }
        let fd = socket(AF_INET, socketType(SOCK_STREAM), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var storage = address.storage
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, address.length) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(target) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return data.isEmpty ? nil : String(decoding: data, as: UTF8.self)
    }
}
