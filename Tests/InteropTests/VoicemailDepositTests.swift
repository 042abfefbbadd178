import Foundation
import SIPCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension InteropTests {
    /// A real softphone leaves a message: baresip (1001) calls 1002, whose baresip rings and
    /// does not answer; the server plays 1002's greeting and a tone and records what the caller
    /// sends (a 1 kHz tone from a WAV file) until it hangs up. The message is in SQLite and on
    /// disk with the right length and pitch; 1002's baresip (subscribed with `mwi=yes`) and a
    /// second subscribed phone get `Messages-Waiting: yes` and `Voice-Message: 1/0`. Then
    /// `kill -9`: after the restart the message is there, whole, listed and downloadable over
    /// HTTP, and message waiting says 1/0 again.
    @Suite(.serialized) struct VoicemailDepositTests {
        @Test func baresipLeavesAMessageThatSurvivesKill9() throws {
            _ = try Binary.baresip()
            let scratch = try Scratch("voicemail-deposit")
            defer { scratch.remove() }
            let data = try scratch.folder("data")
            let plans = try scratch.folder("dialplans")
            try Data("""
                context internal {
                    match 1XXX {
                        ring ${exten} for 3s
                        voicemail ${exten}
                    }
                }
                """.utf8).write(to: URL(fileURLWithPath: plans + "/test.dialplan"))
            let server = try ServerProcess(scratch: scratch, dataDirectory: data, arguments: ["--demo", "--dialplans", plans])
            try server.start()
            defer { server.stop() }
            let passwords = server.demoPasswords

            // 1002's baresip: registered (so it rings), never answers, watches its mailbox.
            let callee = try BaresipPhone(scratch: scratch, name: "1002", user: "1002", password: try #require(passwords["1002"]), server: server, mwi: true)
            try callee.start()
            defer { callee.process.stop() }
            #expect(callee.waitForRegistration(timeout: 10), "registration: \(callee.output.suffix(800))")
            #expect(callee.waitForOutput("Voice-Message: 0/0", timeout: 10), "baresip got no MWI NOTIFY: \(callee.output.suffix(800))")
            // A second phone of 1002's that only watches the mailbox.
            let desk = try TestPhone(user: "1002", password: try #require(passwords["1002"]), server: try server.sipAddress)
            defer { desk.close() }
            #expect(try desk.subscribe().statusCode == 200)
            let initial = try #require(try desk.receiveRequest("NOTIFY"), "no NOTIFY after the SUBSCRIBE")
            try desk.respond(to: initial, status: 200, toTag: nil)
            #expect(VoiceCounts(initial) == VoiceCounts(0, 0))

            let tone = scratch.path("tone-1000.wav")
            try WAV.writeTone(path: tone, frequency: 1000, seconds: 60)
            let caller = try BaresipPhone(scratch: scratch, name: "1001", user: "1001", password: try #require(passwords["1001"]), server: server, audioFile: tone)
            try caller.start()
            defer { caller.process.stop() }
            #expect(caller.waitForRegistration(timeout: 10), "registration: \(caller.output.suffix(800))")

            let dial = try caller.command("dial", "sip:1002@127.0.0.1")
            #expect(dial.contains("\"ok\":true"), "dial: \(dial)")
            #expect(callee.waitForOutput("Incoming call", timeout: 10) || callee.waitForOutput("incoming call", timeout: 1), "1002's phone did not ring: \(callee.output.suffix(800))")
            #expect(caller.waitForOutput("Call established", timeout: 10), "voicemail did not answer: \(caller.output.suffix(1500))")
            let answered = Date()
            // The greeting ("You have reached the voicemail of extension 1 0 0 2 ...") and the
            // tone play first; then the recording starts.
            let greeting = try ["vm-extension-prefix", "digit-1", "digit-0", "digit-0", "digit-2", "vm-unavailable"].reduce(0.0) {
                $0 + Double(try WAV.samples(path: Repository.root + "/Prompts/en/\($1).wav").count) / 8000
            } + Double(try WAV.samples(path: Repository.root + "/Prompts/tones/beep.wav").count) / 8000
            Thread.sleep(forTimeInterval: greeting + 6)
            let hangup = try caller.command("hangup")
            #expect(hangup.contains("\"ok\":true"), "hangup: \(hangup)")
            let spoken = Date().timeIntervalSince(answered) - greeting

            let waiting = try #require(try desk.receiveRequest("NOTIFY", timeout: 10), "no NOTIFY after the message was left: \(server.stderr.suffix(2000))")
            try desk.respond(to: waiting, status: 200, toTag: nil)
            #expect(VoiceCounts(waiting) == VoiceCounts(1, 0), "\(String(decoding: waiting.body, as: UTF8.self))")
            #expect(String(decoding: waiting.body, as: UTF8.self).contains("Messages-Waiting: yes"))
            #expect(callee.waitForOutput("Voice-Message: 1/0", timeout: 5), "1002's baresip: \(callee.output.suffix(800))")
            #expect(callee.output.contains("Messages-Waiting: yes"))

            // The crash, right after the message was acknowledged by the NOTIFY.
            server.kill9()
            try server.start()

            let rows = try ChildProcess.run(
                try Binary.sqlite3(), [data + "/carephone.sqlite", "SELECT id, caller_number, duration_ms, audio_file, heard FROM voicemail_messages"], in: scratch)
            let fields = rows.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map(String.init)
            try #require(fields.count == 5, "one message expected, found: \(rows.stdout) \(rows.stderr)")
            #expect(fields[1] == "1001" && fields[4] == "0")
            let stored = Double(fields[2])! / 1000
            #expect(abs(stored - spoken) <= spoken * 0.1, "stored \(stored) s, baresip spoke for about \(spoken) s")
            // On disk the audio is encrypted (no WAVE header, no samples).
            let file = data + "/voicemail/" + fields[3]
            let onDisk = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            #expect(onDisk.starts(with: Array("CPV1".utf8)), "the stored audio is not encrypted: \(onDisk.prefix(12))")

            // Listed and downloadable with a token made by the command line.
            let made = try ChildProcess.run(try Binary.carephone(), ["tokens", "create", "--data", data, "--user", "1002"], in: scratch)
            let token = try #require(made.stdout.split(separator: " ").first { $0.hasPrefix("cpt_") }.map { String($0.prefix(47)) }, "\(made.stdout)")
            let auth = ["Authorization: Bearer \(token)"]
            let list = try HTTPCall.send(port: server.httpPort, method: "GET", path: "/api/voicemail/messages", headers: auth)
            #expect(list.status == 200 && list.body.contains("\"id\":\"\(fields[0])\"") && list.body.contains("\"caller\":\"1001\""), "\(list)")
            let audio = try HTTPCall.sendRaw(port: server.httpPort, method: "GET", path: "/api/voicemail/messages/\(fields[0])/audio", headers: auth)
            #expect(audio.status == 200 && audio.headers.contains("Content-Length: \(audio.body.count)") && audio.body.starts(with: Array("RIFF".utf8)), "\(audio.headers)")
            // What the app downloads is what baresip said: the length and the 1 kHz tone.
            let downloaded = scratch.path("downloaded.wav")
            try Data(audio.body).write(to: URL(fileURLWithPath: downloaded))
            let (sound, frequency) = WAV.analyse(try WAV.samples(path: downloaded))
            #expect(sound >= stored * 0.9, "only \(sound) s of \(stored) s is sound: the recording is mostly silence")
            #expect(abs(frequency - 1000) < 30, "the recording's pitch is \(frequency) Hz, baresip sent 1000 Hz")

            // Message waiting after the restart: a new subscription hears 1/0.
            let again = try TestPhone(user: "1002", password: try #require(passwords["1002"]), server: try server.sipAddress)
            defer { again.close() }
            #expect(try again.subscribe().statusCode == 200)
            let restarted = try #require(try again.receiveRequest("NOTIFY"), "no NOTIFY after the restart")
            #expect(VoiceCounts(restarted) == VoiceCounts(1, 0))
            let cdr = try CallRow.wait(data: data, scratch: scratch) { !$0.isEmpty }
            #expect(cdr.first?.answered_by == "voicemail 1002", "\(cdr)")
        }
    }
}
