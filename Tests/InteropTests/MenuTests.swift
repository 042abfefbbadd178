import Foundation
import SIPCore
import Testing

extension InteropTests {
    /// A phone menu answered by the server: the caller hears the prompt, an invalid key plays
    /// "not a valid choice" and the prompt again, a valid RFC 4733 key rings the extension it
    /// names, and the two then talk through the server's relay (RTP both ways, quality figures
    /// in the CDR). With no key at all the menu takes its timeout branch.
    @Suite(.serialized) struct MenuTests {
        static let plan = """
            context internal {
                match 500 {
                    menu digit-1 {
                        1: ring 1002 for 10s
                        timeout: ring 1003 for 10s
                        wait 2s
                        tries 2
                    }
                }
            }
            """

        @Test func aKeyRoutesTheCallerAndAnInvalidKeyReplaysThePrompt() throws {
            let setup = try SIPpCallTests.Setup("menu-route", dialplan: Self.plan)
            defer { setup.close() }
            let caller = try TestPhone(user: "1001", password: try #require(setup.passwords["1001"]), domain: setup.domain, server: try setup.server.sipAddress)
            defer { caller.close() }
            let doctor = try TestPhone(user: "1002", password: try #require(setup.passwords["1002"]), domain: setup.domain, server: try setup.server.sipAddress)
            defer { doctor.close() }
            try doctor.register()
            let callerMedia = try RTPPeer()
            defer { callerMedia.close() }
            let doctorMedia = try RTPPeer()
            defer { doctorMedia.close() }

            let call = try caller.answeredCall("500", media: callerMedia)
            var dialog = call.dialog
            let server = call.mediaAddress
            Thread.sleep(forTimeInterval: 0.5)
            #expect(callerMedia.receivedMarkers == 1, "the menu prompt started")

            try callerMedia.sendDigit("5", to: server)
            Thread.sleep(forTimeInterval: 2)
            #expect(callerMedia.receivedMarkers == 3, "after an invalid key: 'not a valid choice', then the prompt again (\(callerMedia.receivedMarkers) prompts)")
            #expect(try doctor.receiveRequest("INVITE", timeout: 0.2) == nil, "an invalid key rings nobody")

            try callerMedia.sendDigit("1", to: server)
            let invite = try #require(try doctor.receiveRequest("INVITE", timeout: 5), "key 1 did not ring 1002: \(setup.server.stderr.suffix(1500))")
            let offered = try #require(RTPPeer.mediaAddress(SIPResponse(statusCode: 200, body: invite.body)), "the INVITE to 1002 has no SDP")
            #expect(offered.host == "127.0.0.1" && offered.port != server.port, "1002 is offered the server's relay, not the caller")
            Thread.sleep(forTimeInterval: 0.3)
            #expect(callerMedia.receivedMarkers == 4, "the caller hears ringback from the server while 1002 rings (\(callerMedia.receivedMarkers) sounds)")
            try doctor.respond(to: invite, status: 200, toTag: "doc", headers: ["Contact: <\(doctor.contact)>"], body: doctorMedia.offer)
            #expect(try doctor.receiveRequest("ACK") != nil)

            // Media through the relay, both ways.
            let sendCaller = Thread { try? callerMedia.sendTone(frequency: 600, frames: 50, to: server) }
            sendCaller.start()
            try doctorMedia.sendTone(frequency: 1500, frames: 50, to: offered)
            Thread.sleep(forTimeInterval: 0.3)
            #expect(doctorMedia.receivedPackets >= 45, "1002 got \(doctorMedia.receivedPackets) of the caller's 50 packets")
            #expect(doctorMedia.receivedFrom == ["127.0.0.1:\(offered.port)"], "1002's media comes from the relay: \(doctorMedia.receivedFrom)")
            let fromRelay = callerMedia.receivedPackets
            #expect(fromRelay >= 45, "the caller got \(fromRelay) packets (prompts and 1002's audio)")

            try caller.inDialog("BYE", &dialog)
            let bye = try #require(try doctor.receiveRequest("BYE"), "1002 did not get the BYE")
            try doctor.respond(to: bye, status: 200, toTag: nil)
            let rows = try setup.calls { !$0.isEmpty }
            let row = try #require(rows.first)
            #expect(row.answered_by?.contains("1002") == true, "\(row)")
            let quality = try #require(row.quality, "no quality figures in the CDR")
            #expect(quality.packets_from_caller >= 50 && quality.packets_from_callee >= 45, "\(quality)")
            #expect(quality.loss_percent < 1 && quality.mos > 4, "\(quality)")
        }

        @Test func noKeyTakesTheTimeoutBranch() throws {
            let setup = try SIPpCallTests.Setup("menu-timeout", dialplan: Self.plan)
            defer { setup.close() }
            let caller = try TestPhone(user: "1001", password: try #require(setup.passwords["1001"]), domain: setup.domain, server: try setup.server.sipAddress)
            defer { caller.close() }
            let nurse = try TestPhone(user: "1003", password: try #require(setup.passwords["1003"]), domain: setup.domain, server: try setup.server.sipAddress)
            defer { nurse.close() }
            try nurse.register()
            let callerMedia = try RTPPeer()
            defer { callerMedia.close() }
            let started = Date()
            _ = try caller.answeredCall("500", media: callerMedia)
            let invite = try #require(try nurse.receiveRequest("INVITE", timeout: 15), "the timeout branch did not ring 1003")
            let waited = Date().timeIntervalSince(started)
            #expect(waited >= 4, "two tries of a 2 s wait come first (rang after \(waited) s)")
            Thread.sleep(forTimeInterval: 0.3)
            #expect(callerMedia.receivedMarkers == 3, "the prompt once per try, then ringback while 1003 rings (\(callerMedia.receivedMarkers) sounds)")
            // 1003 is busy: the plan ends and the server hangs up on the caller.
            try nurse.respond(to: invite, status: 486, reason: "Busy Here", toTag: "nurse")
            let bye = try #require(try caller.receiveRequest("BYE", timeout: 5), "the server did not hang up")
            try caller.respond(to: bye, status: 200, toTag: nil)
        }
    }
}
