import Foundation
import SIPCore
import Testing

extension InteropTests {
    /// Voicemail by phone (`*97`) with SIPp: the PIN and the keys go as RFC 4733 events; the
    /// message is deleted and message waiting says so (`Voice-Message: 0/0`).
    @Suite(.serialized) struct VoicemailAccessTests {
        @Test func sippDeletesAMessageWithRFC4733Keys() throws {
            let setup = try SIPpCallTests.Setup("voicemail-access")
            defer { setup.close() }
            let carephone = try Binary.carephone()
            let pin = try ChildProcess.run(carephone, ["mailboxes", "pin", "--data", setup.data, "--user", "1002", "--pin", "2468"], in: setup.scratch)
            #expect(pin.status == 0 && pin.stdout.contains("PIN set"), "\(pin.stdout) \(pin.stderr)")
            let weak = try ChildProcess.run(carephone, ["mailboxes", "pin", "--data", setup.data, "--user", "1002", "--pin", "12"], in: setup.scratch)
            #expect(weak.status != 0 && weak.stderr.contains("4 to 10 digits"), "\(weak.stderr)")

            // One message in 1002's mailbox, as a deposit leaves it (row and WAV file).
            let tone = setup.scratch.path("message.wav")
            try WAV.writeTone(path: tone, frequency: 440, seconds: 3)
            try FileManager.default.createDirectory(atPath: setup.data + "/voicemail/1", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: tone, toPath: setup.data + "/voicemail/1/m1.wav")
            let inserted = try ChildProcess.run(
                try Binary.sqlite3(),
                [
                    setup.data + "/carephone.sqlite",
                    """
                    INSERT INTO voicemail_messages (id, mailbox_id, caller_number, caller_name, received_at, duration_ms, audio_file)
                      SELECT 'm1', id, '1001', 'Reception', 1800000000000, 3000, '1/m1.wav' FROM mailboxes WHERE number = '1002' AND id = 1;
                    """,
                ], in: setup.scratch)
            #expect(inserted.status == 0, "\(inserted.stderr)")

            let desk = try TestPhone(user: "1002", password: try #require(setup.passwords["1002"]), domain: setup.domain, server: try setup.server.sipAddress)
            defer { desk.close() }
            #expect(try desk.subscribe().statusCode == 200)
            let initial = try #require(try desk.receiveRequest("NOTIFY"))
            try desk.respond(to: initial, status: 200, toTag: nil)
            #expect(VoiceCounts(initial) == VoiceCounts(1, 0), "the seeded message counts")

            let mediaPort = try FreePort.pick(consecutive: 4)
            let injection = try setup.scratch.write(
                "users-1002-access.csv", "SEQUENTIAL\n1002;\(setup.domain);[authentication username=1002 password=\(setup.passwords["1002"] ?? "")]\n")
            let phone = try SIPpCall(
                "voicemail_access_uac.xml", scratch: setup.scratch, name: "access", server: setup.server,
                extra: ["-inf", injection, "-auth_uri", setup.domain, "-s", "*97", "-mp", String(mediaPort)])
            try phone.start()
            defer { phone.stop() }

            var seen: [VoiceCounts] = []
            let deadline = Date().addingTimeInterval(25)
            while Date() < deadline, seen.last != VoiceCounts(0, 0) {
                guard let notify = try desk.receiveRequest("NOTIFY", timeout: deadline.timeIntervalSinceNow) else { break }
                try desk.respond(to: notify, status: 200, toTag: nil)
                if let counts = VoiceCounts(notify) { seen.append(counts) }
            }
            #expect(seen == [VoiceCounts(0, 1), VoiceCounts(0, 0)], "NOTIFYs: heard, then deleted; got \(seen); server: \(setup.server.stderr.suffix(1500))")
            #expect(phone.succeeded(), "\(phone.diagnostics)")
            let row = try ChildProcess.run(try Binary.sqlite3(), [setup.data + "/carephone.sqlite", "SELECT heard, deleted_at IS NOT NULL FROM voicemail_messages WHERE id = 'm1'"], in: setup.scratch)
            #expect(row.stdout == "1|1\n", "the message is heard and deleted: \(row.stdout)")
        }

        /// Wrong PINs: three tries per call, then the call ends; the mailbox is untouched. The
        /// first try comes as SIP INFO (`application/dtmf-relay`, the fallback for phones without
        /// RFC 4733), the others as RFC 4733 events.
        @Test func wrongPINsEndTheCall() throws {
            let setup = try SIPpCallTests.Setup("voicemail-wrong-pin")
            defer { setup.close() }
            let pin = try ChildProcess.run(try Binary.carephone(), ["mailboxes", "pin", "--data", setup.data, "--user", "1002", "--pin", "1357"], in: setup.scratch)
            #expect(pin.status == 0)
            let caller = try TestPhone(user: "1002", password: try #require(setup.passwords["1002"]), domain: setup.domain, server: try setup.server.sipAddress)
            defer { caller.close() }
            let rtp = try RTPPeer()
            defer { rtp.close() }
            var (dialog, server) = try caller.answeredCall("*97", media: rtp)
            for key in "9999#" {
                try caller.inDialog("INFO", &dialog, body: "Signal=\(key)\r\nDuration=160\r\n", contentType: "application/dtmf-relay")
                let ok = try #require(try caller.receiveResponse(callID: dialog.callID), "no answer to INFO \(key)")
                #expect(ok.statusCode == 200, "INFO \(key): \(ok.statusLine)")
            }
            Thread.sleep(forTimeInterval: 0.3)
            for _ in 0..<2 {
                for key in "9999#" { try rtp.sendDigit(key, to: server) }
                Thread.sleep(forTimeInterval: 0.3)
            }
            let bye = try #require(try caller.receiveRequest("BYE", timeout: 20), "the server did not hang up after three wrong PINs")
            try caller.respond(to: bye, status: 200, toTag: nil)
            #expect(rtp.receivedPackets > 50, "prompts were played (\(rtp.receivedPackets) RTP packets)")
        }
    }
}

extension InteropTests.VoicemailAccessTests {
    /// A message being recorded when the server is stopped (SIGTERM) is stored before the
    /// server exits: the call is hung up, the recording ends, and shutdown waits for it.
    @Test func aRecordingInProgressIsKeptAtShutdown() throws {
        let setup = try InteropTests.SIPpCallTests.Setup("voicemail-shutdown")
        defer { setup.close() }
        // Mailbox 1 is 1002's (made by the PIN command); a half-second greeting of its own.
        #expect(try ChildProcess.run(try Binary.carephone(), ["mailboxes", "pin", "--data", setup.data, "--user", "1002", "--pin", "1357"], in: setup.scratch).status == 0)
        try FileManager.default.createDirectory(atPath: setup.data + "/voicemail/1", withIntermediateDirectories: true)
        try WAV.writeTone(path: setup.data + "/voicemail/1/greeting-unavailable.wav", frequency: 300, seconds: 1)
        let caller = try TestPhone(user: "1001", password: try #require(setup.passwords["1001"]), domain: setup.domain, server: try setup.server.sipAddress)
        defer { caller.close() }
        let media = try RTPPeer()
        defer { media.close() }
        let (_, server) = try caller.answeredCall("1002", media: media)
        Thread.sleep(forTimeInterval: 1.8)  // greeting and tone
        try media.sendTone(frequency: 800, frames: 150, to: server)  // 3 s of "speech"
        #expect(setup.server.stop(), "the server did not stop gracefully: \(setup.server.stderr.suffix(1500))")
        let bye = try caller.receiveRequest("BYE", timeout: 2)
        #expect(bye != nil, "the server hung up the call as it stopped")
        let rows = try ChildProcess.run(try Binary.sqlite3(), [setup.data + "/carephone.sqlite", "SELECT duration_ms FROM voicemail_messages"], in: setup.scratch)
        let stored = try #require(Int(rows.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "no message stored: \(rows.stdout) \(setup.server.stderr.suffix(1500))")
        #expect(stored >= 2800 && stored <= 3600, "stored \(stored) ms of the 3 s sent")
    }
}
