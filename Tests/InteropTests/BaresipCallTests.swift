import Foundation
import Testing

extension InteropTests {
    /// Two real softphones call each other through the server, over UDP and over TCP: 1001 dials 1002, which answers
    /// automatically; audio flows both ways for several seconds (each records what it receives,
    /// and each hears the other's tone); the callee hangs up; the CDR says answered with the
    /// duration the phones saw.
    @Suite(.serialized) struct BaresipCallTests {
        @Test(arguments: [false, true]) func baresipCallsBaresip(tcp: Bool) throws {
            try Self.call(tcp: tcp, anchored: false)
        }

        /// The same call with every call's media anchored on the server (`media.anchor` =
        /// `always`): the tones cross the relay, and the CDR has the relay's figures.
        @Test func baresipCallsBaresipThroughTheRelay() throws {
            try Self.call(tcp: false, anchored: true)
        }

        static func call(tcp: Bool, anchored: Bool) throws {
            _ = try Binary.baresip()
            let scratch = try Scratch("baresip-call-\(tcp ? "tcp" : "udp")\(anchored ? "-relay" : "")")
            defer { scratch.remove() }
            let data = try scratch.folder("data")
            var arguments = ["--demo", "--dialplans", Repository.dialplans]
            if anchored { arguments += ["--config", try scratch.write("config.json", "{\"media\": {\"anchor\": \"always\"}}")] }
            let server = try ServerProcess(scratch: scratch, dataDirectory: data, arguments: arguments)
            try server.start()
            defer { server.stop() }
            let passwords = server.demoPasswords
            // Distinct tones, so each side can tell it hears the other and not itself.
            let toneA = scratch.path("tone-600.wav")
            let toneB = scratch.path("tone-1500.wav")
            try WAV.writeTone(path: toneA, frequency: 600, seconds: 30)
            try WAV.writeTone(path: toneB, frequency: 1500, seconds: 30)
            let caller = try BaresipPhone(scratch: scratch, name: "1001", user: "1001", password: try #require(passwords["1001"]), server: server, tcp: tcp, audioFile: toneA)
            let callee = try BaresipPhone(scratch: scratch, name: "1002", user: "1002", password: try #require(passwords["1002"]), server: server, tcp: tcp, audioFile: toneB)
            try caller.start()
            defer { caller.process.stop() }
            try callee.start()
            defer { callee.process.stop() }
            #expect(caller.waitForRegistration(timeout: 10) && callee.waitForRegistration(timeout: 10), "registration: \(caller.output.suffix(800)) \(callee.output.suffix(800))")

            let dial = try caller.command("dial", "sip:1002@127.0.0.1" + (tcp ? ";transport=tcp" : ""))
            #expect(dial.contains("\"ok\":true"), "dial: \(dial)")
            #expect(caller.waitForOutput("Call established", timeout: 10), "caller: \(caller.output.suffix(1500))")
            #expect(callee.waitForOutput("Call established", timeout: 10), "callee: \(callee.output.suffix(1500))")
            let established = Date()
            // Through the relay: long enough for RTCP reports both ways (baresip sends one about
            // every 5 s), so a receiver report can answer a sender report the relay passed on.
            Thread.sleep(forTimeInterval: anchored ? 12 : 5)
            let hangup = try callee.command("hangup")
            #expect(hangup.contains("\"ok\":true"), "hangup: \(hangup)")
            let talked = Date().timeIntervalSince(established)
            #expect(caller.waitForOutput("terminated", timeout: 10), "the caller did not see the hang-up: \(caller.output.suffix(800))")

            // RTP flowed both ways: each phone's decoded recording holds the other's tone.
            for (phone, expected) in [(caller, 1500.0), (callee, 600.0)] {
                let files = try FileManager.default.contentsOfDirectory(atPath: phone.soundFolder).filter { $0.hasSuffix("-dec.wav") }
                let file = try #require(files.first, "no recording of received audio in \(phone.soundFolder)")
                let (seconds, frequency) = WAV.analyse(try WAV.samples(path: phone.soundFolder + "/" + file))
                #expect(seconds >= 3, "only \(seconds) s of received audio at \(phone.configFolder)")
                #expect(abs(frequency - expected) < 50, "received \(frequency) Hz at \(phone.configFolder), expected \(expected) Hz")
            }

            if tcp {
                // The INVITE to the callee went over the callee's own registration connection.
                #expect(callee.output.contains("TCP"), "baresip 1002 did not use TCP: \(callee.output.suffix(500))")
            }
            let rows = try CallRow.wait(data: data, scratch: scratch) { !$0.isEmpty }
            let row = try #require(rows.first, "no CDR")
            #expect(row.outcome == "answered" && row.caller == "1001" && row.dialed == "1002")
            #expect(row.ended_by == "callee")
            #expect(abs(row.duration_seconds - talked) < 1.5, "CDR duration \(row.duration_seconds) s, the phones talked \(talked) s")
            #expect(row.answered_by?.contains("baresip") == true, "answered_by \(row.answered_by ?? "nil")")
            #expect((row.answered_by?.contains("transport=tcp") == true) == tcp, "answered_by \(row.answered_by ?? "nil")")
            if anchored {
                let quality = try #require(row.quality, "no relay figures in the CDR")
                // 50 packets a second each way while they talked.
                #expect(quality.packets_from_caller >= Int(talked * 40) && quality.packets_from_callee >= Int(talked * 40), "\(quality)")
                #expect(quality.loss_percent < 1 && quality.mos >= 4, "\(quality)")
                // baresip sends RTCP: the relay times its receiver reports against the sender
                // reports it passed on.
                #expect(quality.round_trip_ms.map { $0 >= 0 && $0 < 50 } == true, "round trip \(String(describing: quality.round_trip_ms))")
            } else {
                #expect(row.quality == nil, "media went phone to phone, not through the server")
            }
        }
    }
}
