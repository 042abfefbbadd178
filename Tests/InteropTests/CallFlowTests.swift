import Foundation
import SIPCore
import Testing

/// The repository's folders, for tests that run the shipped dialplans.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static var dialplans: String { root + "/Dialplans" }
}

extension InteropTests {
    /// Calls through the B2BUA between scripted phones on raw sockets, where each message can be
    /// checked: offer/answer relayed, re-INVITE (hold) relayed both ways, BYE from the callee,
    /// session-timer and Max-Forwards refusals, and the CDR.
    @Suite(.serialized) struct CallFlowTests {
        @Test func answeredCallWithHoldAndCalleeHangUp() throws {
            let bed = try TwoPhones("call-flow")
            defer { bed.close() }
            let (scratch, data, caller, callee) = (bed.scratch, bed.data, bed.caller, bed.callee)

            let offer = TestPhone.sdp(port: 40000)
            let answerSDP = TestPhone.sdp(port: 42000, session: 7)
            // The callee answers on another thread while the caller waits for its final response.
            let calleeSide = Task.detached { () throws -> SIPRequest in
                let invite = try #require(try callee.receiveRequest("INVITE", timeout: 10), "the callee got no INVITE")
                try callee.respond(to: invite, status: 180, reason: "Ringing", toTag: "callee1")
                try callee.respond(to: invite, status: 200, toTag: "callee1", headers: ["Contact: <\(callee.contact)>"], body: answerSDP)
                return invite
            }
            let (final, provisional, dialog0) = try caller.invite("1002", body: offer)
            var dialog = dialog0
            #expect(final.statusCode == 200, "final answer: \(final.text)")
            #expect(provisional.contains { $0.statusCode == 180 }, "no 180 relayed: \(provisional.map(\.statusLine))")
            #expect(String(decoding: final.body, as: UTF8.self) == answerSDP, "the callee's SDP answer was not relayed unchanged")
            #expect(final.headers["Contact"] != nil)
            let invite = try awaitResult(calleeSide)
            // What the callee saw: its registered contact, the caller's extension, the offer unchanged.
            #expect(invite.uriString == callee.contact)
            #expect(invite.headers["From"]?.contains("sip:1001@") == true, "From: \(invite.headers["From"] ?? "")")
            #expect(invite.headers["Max-Forwards"] == "69")
            #expect(String(decoding: invite.body, as: UTF8.self) == offer)
            // Offer in the INVITE: the server ACKs the callee at once.
            #expect(try callee.receiveRequest("ACK") != nil, "the callee got no ACK for its 200")
            try caller.inDialog("ACK", &dialog)

            // Hold: the caller's re-INVITE reaches the callee in the callee's dialog, and back.
            Thread.sleep(forTimeInterval: 1.0)
            let hold = TestPhone.sdp(port: 40000, direction: "sendonly", session: 2)
            try caller.inDialog("INVITE", &dialog, body: hold)
            let reinvite = try #require(try callee.receiveRequest("INVITE"), "the re-INVITE was not relayed")
            #expect(reinvite.headers["Call-ID"] == invite.headers["Call-ID"])
            #expect(reinvite.headers["To"]?.contains("tag=callee1") == true)
            #expect(String(decoding: reinvite.body, as: UTF8.self) == hold)
            let held = TestPhone.sdp(port: 42000, direction: "recvonly", session: 8)
            try callee.respond(to: reinvite, status: 200, toTag: nil, headers: ["Contact: <\(callee.contact)>"], body: held)
            let reinviteOK = try #require(try caller.receiveResponse(status: 200), "no 200 for the re-INVITE")
            #expect(String(decoding: reinviteOK.body, as: UTF8.self) == held)
            try caller.inDialog("ACK", &dialog)
            let relayedACK = try #require(try callee.receiveRequest("ACK"), "the re-INVITE's ACK was not relayed")
            #expect(relayedACK.headers["CSeq"]?.hasPrefix("\(reinvite.headers["CSeq"]?.split(separator: " ").first ?? "")") == true)

            // The callee hangs up: the caller gets BYE, the callee 200.
            try callee.calleeRequest("BYE", invite: invite, toTag: "callee1", cseq: 1)
            let bye = try #require(try caller.receiveRequest("BYE"), "the caller got no BYE")
            #expect(bye.headers["Call-ID"] == dialog.callID)
            try caller.respond(to: bye, status: 200, toTag: nil)
            #expect(try callee.receiveResponse(status: 200) != nil, "the callee's BYE got no 200")

            let rows = try CallRow.wait(data: data, scratch: scratch) { !$0.isEmpty }
            let row = try #require(rows.first, "no CDR")
            #expect(row.outcome == "answered")
            #expect(row.caller == "1001" && row.dialed == "1002" && row.callee == "1002")
            #expect(row.ended_by == "callee")
            #expect(row.duration_seconds >= 1.0 && row.duration_seconds < 10, "duration \(row.duration_seconds)")
            #expect(row.answered_by?.contains("sip:1002@") == true, "answered_by \(row.answered_by ?? "nil")")
        }

        /// A graceful stop (SIGTERM) ends calls in progress with BYE to both phones and writes
        /// their records before the process exits.
        @Test func shutdownHangsUpCallsAndKeepsTheirRecords() throws {
            let bed = try TwoPhones("call-shutdown")
            defer { bed.close() }
            let (scratch, data, server, caller, callee) = (bed.scratch, bed.data, bed.server, bed.caller, bed.callee)
            let calleeSide = Task.detached { () throws -> SIPRequest in
                let invite = try #require(try callee.receiveRequest("INVITE", timeout: 10), "the callee got no INVITE")
                try callee.respond(to: invite, status: 200, toTag: "callee2", headers: ["Contact: <\(callee.contact)>"], body: TestPhone.sdp(port: 42000))
                return invite
            }
            var (final, _, dialog) = try caller.invite("1002")
            #expect(final.statusCode == 200, "\(final.text)")
            _ = try awaitResult(calleeSide)
            try caller.inDialog("ACK", &dialog)

            #expect(server.stop(), "the server did not stop within 10 s of SIGTERM")
            #expect(try caller.receiveRequest("BYE", timeout: 3) != nil, "the caller got no BYE at shutdown")
            #expect(try callee.receiveRequest("BYE", timeout: 3) != nil, "the callee got no BYE at shutdown")
            let row = try #require(try CallRow.list(data: data, scratch: scratch).first, "no record for the call ended at shutdown")
            #expect(row.outcome == "answered" && row.ended_by == "shutdown", "\(row)")
        }

        @Test func refusalsBeforeRouting() throws {
            let scratch = try Scratch("call-refusals")
            defer { scratch.remove() }
            let server = try ServerProcess(scratch: scratch, dataDirectory: try scratch.folder("data"), arguments: ["--demo", "--dialplans", Repository.dialplans])
            try server.start()
            defer { server.stop() }
            let caller = try TestPhone(user: "1001", password: try #require(server.demoPasswords["1001"]), server: try server.sipAddress)
            defer { caller.close() }
            // RFC 4028 §8.1: a session interval below our Min-SE of 90 s.
            let small = try caller.invite("1002", extraHeaders: ["Session-Expires: 30", "Supported: timer"]).final
            #expect(small.statusCode == 422, "\(small.text)")
            #expect(small.headers["Min-SE"] == "90", "\(small.text)")
            // Max-Forwards 0 cannot be forwarded (RFC 3261 §16.3).
            let hops = try caller.invite("1002", extraHeaders: ["Max-Forwards: 0"]).final
            #expect(hops.statusCode == 483, "\(hops.text)")
            // An unknown extension: no mailbox either, so the caller hears 404. A user without
            // phones: the default plan's voicemail answers.
            #expect(try caller.invite("4444").final.statusCode == 404)
            var (unregistered, _, dialog) = try caller.invite("1003")
            #expect(unregistered.statusCode == 200 && String(decoding: unregistered.body, as: UTF8.self).contains("m=audio"), "\(unregistered.text)")
            try caller.ack(uri: dialog.remoteTarget, callID: dialog.callID, fromTag: dialog.fromTag, to: dialog.toHeader, cseq: 2)
            try caller.inDialog("BYE", &dialog)
            let rows = try CallRow.wait(data: server.dataDirectory, scratch: scratch) { $0.contains { $0.dialed == "1003" } }
            #expect(rows.contains { $0.dialed == "1003" && $0.answered_by == "voicemail 1003" }, "\(rows)")
        }
    }
}

/// A running server with the demo users, 1001 as a caller and 1002 registered as a callee.
final class TwoPhones: @unchecked Sendable {
    let scratch: Scratch
    let data: String
    let server: ServerProcess
    let caller: TestPhone
    let callee: TestPhone

    init(_ name: String) throws {
        scratch = try Scratch(name)
        data = try scratch.folder("data")
        server = try ServerProcess(scratch: scratch, dataDirectory: data, arguments: ["--demo", "--dialplans", Repository.dialplans])
        try server.start()
        let passwords = server.demoPasswords
        caller = try TestPhone(user: "1001", password: passwords["1001"] ?? "", server: try server.sipAddress)
        callee = try TestPhone(user: "1002", password: passwords["1002"] ?? "", server: try server.sipAddress)
        try callee.register()
    }

    func close() {
        caller.close()
        callee.close()
        server.stop()
        scratch.remove()
    }
}

/// Waits (bounded by the task's own timeouts) for a detached task's result.
func awaitResult<T: Sendable>(_ task: Task<T, any Error>) throws -> T {
    let semaphore = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, any Error>?
    Task {
        do { result = .success(try await task.value) } catch { result = .failure(error) }
        semaphore.signal()
    }
    guard semaphore.wait(timeout: .now() + 30) == .success, let result else { throw HarnessError("a helper task did not finish within 30 s") }
    return try result.get()
}
