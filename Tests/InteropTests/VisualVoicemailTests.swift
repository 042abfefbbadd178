import Foundation
import SIPCore
import Testing

/// A minimal HTTP/1.0 request over a POSIX socket, with a timeout (any method, headers, body).
enum HTTPCall {
    static func send(
        host: String = "127.0.0.1", port: UInt16, method: String, path: String, headers: [String] = [], body: String = "",
        binary: (bytes: [UInt8], contentType: String)? = nil, timeout: TimeInterval = 5
    ) throws -> (status: Int, headers: String, body: String) {
        let raw = try sendRaw(host: host, port: port, method: method, path: path, headers: headers, body: body, binary: binary, timeout: timeout)
        return (raw.status, raw.headers, String(decoding: raw.body, as: UTF8.self))
    }

    /// The same, with the body as bytes (audio).
    static func sendRaw(
        host: String = "127.0.0.1", port: UInt16, method: String, path: String, headers: [String] = [], body: String = "",
        binary: (bytes: [UInt8], contentType: String)? = nil, timeout: TimeInterval = 5
    ) throws -> (status: Int, headers: String, body: [UInt8]) {
        let client = try SIPTestClient(transport: .tcp, server: try SocketAddress(host: host, port: port), bindHost: host)
        defer { client.close() }
        var lines = ["\(method) \(path) HTTP/1.0", "Host: \(host):\(port)", "Connection: close"] + headers
        let payload = binary?.bytes ?? Array(body.utf8)
        if !payload.isEmpty { lines += ["Content-Type: \(binary?.contentType ?? "application/json")", "Content-Length: \(payload.count)"] }
        try client.send(Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + payload)
        let bytes = client.readUntilClosed(timeout: timeout)
        let end = (0..<max(0, bytes.count - 3)).first { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }
        let head = String(decoding: bytes[..<(end ?? bytes.count)], as: UTF8.self)
        guard let statusLine = head.split(separator: "\r\n", maxSplits: 1).first,
            let code = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { throw HarnessError("\(method) \(path): no HTTP response (got \(head.prefix(200).debugDescription))") }
        return (code, head, end.map { Array(bytes[($0 + 4)...]) } ?? [])
    }
}

/// New and old counts of a message-summary NOTIFY body (`Voice-Message: new/old`, RFC 3842).
struct VoiceCounts: Equatable, CustomStringConvertible {
    let new: Int
    let old: Int
    var description: String { "\(new)/\(old)" }

    init(_ new: Int, _ old: Int) {
        self.new = new
        self.old = old
    }

    init?(_ request: SIPRequest) {
        guard request.headers["Content-Type"] == "application/simple-message-summary" else { return nil }
        let body = String(decoding: request.body, as: UTF8.self)
        guard let line = body.split(separator: "\r\n").first(where: { $0.hasPrefix("Voice-Message:") }) else { return nil }
        let numbers = line.dropFirst("Voice-Message:".count).trimmingCharacters(in: .whitespaces).split(separator: "/").compactMap { Int($0) }
        guard numbers.count == 2 else { return nil }
        self.init(numbers[0], numbers[1])
    }
}

extension InteropTests {
    /// Visual voicemail over HTTP with bearer tokens made by `carephone tokens create`: list,
    /// play (with a byte range), mark heard, delete and undelete, each playback and deletion in
    /// the audit log; another user's token sees nothing; a revoked token is refused.
    @Suite(.serialized) struct VisualVoicemailTests {
        @Test func listPlayDeleteWithTokens() throws {
            let scratch = try Scratch("visual-voicemail")
            defer { scratch.remove() }
            let data = try scratch.folder("data")
            let server = try ServerProcess(scratch: scratch, dataDirectory: data, arguments: ["--demo", "--dialplans", Repository.dialplans])
            try server.start()
            defer { server.stop() }
            let carephone = try Binary.carephone()
            func token(_ ext: String) throws -> String {
                let made = try ChildProcess.run(carephone, ["tokens", "create", "--data", data, "--user", ext, "--label", "test"], in: scratch)
                let secret = made.stdout.split(separator: " ").first { $0.hasPrefix("cpt_") }.map { String($0.prefix(47)) }
                return try #require(secret, "no token in: \(made.stdout) \(made.stderr)")
            }
            let doctor = try token("1002")
            let reception = try token("1001")

            // A message in 1002's mailbox, as the voicemail deposit will store it.
            let audio = Data((0..<1000).map { UInt8($0 % 251) })
            try FileManager.default.createDirectory(atPath: data + "/voicemail/1002", withIntermediateDirectories: true)
            try audio.write(to: URL(fileURLWithPath: data + "/voicemail/1002/m1.wav"))
            let sql = """
                INSERT INTO mailboxes (organisation_id, number) SELECT organisation_id, '1002' FROM users WHERE extension = '1002';
                INSERT INTO mailbox_members (mailbox_id, user_id) SELECT m.id, u.id FROM mailboxes m, users u WHERE m.number = '1002' AND u.extension = '1002';
                INSERT INTO voicemail_messages (id, mailbox_id, caller_number, caller_name, received_at, duration_ms, audio_file)
                  SELECT 'm1', id, '+390612345678', 'Rossi', 1800000000000, 12500, '1002/m1.wav' FROM mailboxes WHERE number = '1002';
                """
            let inserted = try ChildProcess.run(try Binary.sqlite3(), [data + "/carephone.sqlite", sql], in: scratch)
            #expect(inserted.status == 0, "\(inserted.stderr)")
            let port = server.httpPort
            let auth = ["Authorization: Bearer \(doctor)"]

            // Message waiting: the doctor's desk phone subscribes; a second phone does not and
            // gets unsolicited NOTIFYs.
            let passwords = server.demoPasswords
            let desk = try TestPhone(user: "1002", password: try #require(passwords["1002"]), server: try server.sipAddress)
            defer { desk.close() }
            let mobile = try TestPhone(user: "1002", password: try #require(passwords["1002"]), server: try server.sipAddress)
            defer { mobile.close() }
            try desk.register()
            try mobile.register()
            #expect(try desk.subscribe(event: "presence").statusCode == 489)
            let nurse = try TestPhone(user: "1001", password: try #require(passwords["1001"]), server: try server.sipAddress)
            defer { nurse.close() }
            #expect(try nurse.subscribe(mailbox: "1002").statusCode == 403, "1001 may not watch 1002's mailbox")
            #expect(try desk.subscribe().statusCode == 200)
            let initial = try #require(try desk.receiveRequest("NOTIFY"), "no NOTIFY after the SUBSCRIBE")
            try desk.respond(to: initial, status: 200, toTag: nil)
            #expect(VoiceCounts(initial) == VoiceCounts(1, 0), "\(String(decoding: initial.body, as: UTF8.self))")
            #expect(String(decoding: initial.body, as: UTF8.self).contains("Messages-Waiting: yes"))
            #expect(initial.headers["Subscription-State"]?.hasPrefix("active") == true)

            let none = try HTTPCall.send(port: port, method: "GET", path: "/api/voicemail/messages")
            #expect(none.status == 401 && none.body.contains("\"field\":\"Authorization\""), "\(none)")
            let list = try HTTPCall.send(port: port, method: "GET", path: "/api/voicemail/messages", headers: auth)
            #expect(list.status == 200 && list.body.contains("\"id\":\"m1\"") && list.body.contains("\"heard\":false"), "\(list)")
            #expect(list.body.contains("\"duration_seconds\":12.5") && list.body.contains("\"mailbox\":\"1002\""), "\(list.body)")

            let whole = try HTTPCall.send(port: port, method: "GET", path: "/api/voicemail/messages/m1/audio", headers: auth)
            #expect(whole.status == 200 && whole.body.utf8.count > 0 && whole.headers.lowercased().contains("accept-ranges: bytes"), "\(whole.headers)")
            let part = try HTTPCall.send(port: port, method: "GET", path: "/api/voicemail/messages/m1/audio", headers: auth + ["Range: bytes=100-109"])
            #expect(part.status == 206 && part.headers.contains("bytes 100-109/1000"), "\(part.headers)")
            #expect(part.body == String(decoding: audio[100...109], as: UTF8.self), "range body \(part.body.debugDescription)")
            let bad = try HTTPCall.send(port: port, method: "GET", path: "/api/voicemail/messages/m1/audio", headers: auth + ["Range: bytes=5000-"])
            #expect(bad.status == 416 && bad.headers.contains("bytes */1000"), "\(bad.headers)")

            // Another user: the message does not exist for them.
            let other = try HTTPCall.send(port: port, method: "GET", path: "/api/voicemail/messages/m1/audio", headers: ["Authorization: Bearer \(reception)"])
            #expect(other.status == 404, "\(other)")

            let badHeard = try HTTPCall.send(port: port, method: "PUT", path: "/api/voicemail/messages/m1/heard", headers: auth, body: "{\"heard\": \"yes\"}")
            #expect(badHeard.status == 400 && badHeard.body.contains("\"field\":\"heard\""), "\(badHeard)")
            #expect(try HTTPCall.send(port: port, method: "PUT", path: "/api/voicemail/messages/m1/heard", headers: auth, body: "{\"heard\": true}").status == 204)
            #expect(try HTTPCall.send(port: port, method: "GET", path: "/api/voicemail/messages", headers: auth).body.contains("\"heard\":true"))
            let heardNotify = try #require(try desk.receiveRequest("NOTIFY"), "no NOTIFY after the message was heard")
            try desk.respond(to: heardNotify, status: 200, toTag: nil)
            #expect(VoiceCounts(heardNotify) == VoiceCounts(0, 1))
            let unsolicited = try #require(try mobile.receiveRequest("NOTIFY"), "the unsubscribed phone got no NOTIFY")
            #expect(unsolicited.headers["Event"] == "message-summary" && VoiceCounts(unsolicited) == VoiceCounts(0, 1))
            #expect(try HTTPCall.send(port: port, method: "DELETE", path: "/api/voicemail/messages/m1", headers: auth).status == 204)
            let deletedNotify = try #require(try desk.receiveRequest("NOTIFY"), "no NOTIFY after the deletion")
            try desk.respond(to: deletedNotify, status: 200, toTag: nil)
            #expect(VoiceCounts(deletedNotify) == VoiceCounts(0, 0))
            #expect(String(decoding: deletedNotify.body, as: UTF8.self).contains("Messages-Waiting: no"))
            #expect(!(try HTTPCall.send(port: port, method: "GET", path: "/api/voicemail/messages", headers: auth).body.contains("m1")))
            #expect(try HTTPCall.send(port: port, method: "GET", path: "/api/voicemail/messages?deleted=true", headers: auth).body.contains("\"deleted\":true"))
            #expect(try HTTPCall.send(port: port, method: "POST", path: "/api/voicemail/messages/m1/undelete", headers: auth).status == 204)
            #expect(try HTTPCall.send(port: port, method: "GET", path: "/api/voicemail/messages", headers: auth).body.contains("\"id\":\"m1\""))

            let audit = try ChildProcess.run(try Binary.sqlite3(), [data + "/carephone.sqlite", "SELECT action, object, source FROM audit_log ORDER BY id"], in: scratch)
            #expect(audit.stdout == "voicemail.play|m1|127.0.0.1\nvoicemail.play|m1|127.0.0.1\nvoicemail.delete|m1|127.0.0.1\nvoicemail.undelete|m1|127.0.0.1\n", "\(audit.stdout)")


            // Greetings: upload (16 kHz is converted to 8 kHz), fetch, refusals naming the field.
            let greetingFile = scratch.path("greeting.wav")
            try WAV.writeTone(path: greetingFile, frequency: 440, seconds: 2)
            var wav = [UInt8](try Data(contentsOf: URL(fileURLWithPath: greetingFile)))
            wav[24...27] = [0x80, 0x3E, 0, 0]  // say 16000 Hz: the same samples are then 1 s
            wav[28...31] = [0x00, 0x7D, 0, 0]
            let upload = try HTTPCall.send(port: port, method: "PUT", path: "/api/voicemail/mailboxes/1002/greetings/busy", headers: auth, binary: (wav, "audio/wav"))
            #expect(upload.status == 204, "\(upload)")
            let fetched = try HTTPCall.send(port: port, method: "GET", path: "/api/voicemail/mailboxes/1002/greetings/busy", headers: auth)
            #expect(fetched.status == 200 && fetched.headers.contains("Content-Length: \(44 + 16000)"), "8000 samples at 8 kHz: \(fetched.headers)")
            let notWAV = try HTTPCall.send(port: port, method: "PUT", path: "/api/voicemail/mailboxes/1002/greetings/busy", headers: auth, binary: (Array("hello".utf8), "audio/wav"))
            #expect(notWAV.status == 400 && notWAV.body.contains("\"field\":\"body\""), "\(notWAV)")
            let badKind = try HTTPCall.send(port: port, method: "PUT", path: "/api/voicemail/mailboxes/1002/greetings/holiday", headers: auth, binary: (wav, "audio/wav"))
            #expect(badKind.status == 400 && badKind.body.contains("\"field\":\"kind\""), "\(badKind)")
            let notMine = try HTTPCall.send(port: port, method: "PUT", path: "/api/voicemail/mailboxes/1001/greetings/busy", headers: auth, binary: (wav, "audio/wav"))
            #expect(notMine.status == 404 && notMine.body.contains("\"field\":\"number\""), "\(notMine)")

            // Revoked: refused at once.
            let listed = try ChildProcess.run(carephone, ["tokens", "list", "--data", data], in: scratch)
            let first = try #require(listed.stdout.split(separator: "\t").first.map(String.init))
            #expect(try ChildProcess.run(carephone, ["tokens", "revoke", first, "--data", data], in: scratch).status == 0)
            let revoked = try HTTPCall.send(port: port, method: "GET", path: "/api/voicemail/messages", headers: auth)
            #expect(revoked.status == 401 && revoked.headers.contains("invalid_token"), "\(revoked)")
            #expect(!listed.stdout.contains("cpt_"), "tokens list shows a secret")
        }
    }
}
