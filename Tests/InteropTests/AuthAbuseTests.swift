import Foundation
import SIPCore
import Testing

extension InteropTests {
    /// Brute force against digest authentication: no user enumeration, the attacking source
    /// gets blocked, and the clinician's own phone elsewhere keeps working.
    @Suite(.serialized) struct AuthAbuseTests {
        /// One REGISTER with credentials for `user` and `password`, after a fresh challenge.
        /// Returns the challenge and the answer to the credentials (nil: no answer within `timeout`).
        static func attempt(
            _ client: SIPTestClient, user: String, password: String, timeout: TimeInterval = 3
        ) throws -> (challenge: SIPResponse?, answer: SIPResponse?, seconds: TimeInterval) {
            let aor = "sip:\(user)@127.0.0.1"
            let callID = "\(SIPTestClient.token())@abuse"
            let headers = ["Contact: <sip:\(user)@\(client.sentBy)>", "Expires: 600"]
            let first = client.request(
                "REGISTER", uri: "sip:127.0.0.1", from: aor, to: aor, callID: callID, cseq: 1, headers: headers)
            guard let challenge = try client.transact(first, timeout: timeout) else { return (nil, nil, 0) }
            guard challenge.statusCode == 401 else { return (challenge, nil, 0) }
            let credentials = try SIPTestClient.answer(
                challenge, header: "WWW-Authenticate", user: user, password: password, method: "REGISTER",
                uri: "sip:127.0.0.1")
            let second = client.request(
                "REGISTER", uri: "sip:127.0.0.1", from: aor, to: aor, callID: callID, cseq: 2,
                headers: headers + ["Authorization: \(credentials.headerValue)"])
            let started = Date()
            let answer = try client.transact(second, timeout: timeout)
            return (challenge, answer, Date().timeIntervalSince(started))
        }

        /// A response with what legitimately differs between two requests masked: tags, nonce,
        /// branch, Call-ID, and the user name in From/To.
        static func normalised(_ response: SIPResponse, user: String) -> [String] {
            func mask(_ text: String, _ pattern: String, _ replacement: String) -> String {
                text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
            }
            var lines = ["\(response.statusCode) \(response.reasonPhrase)"]
            for header in response.headers {
                var value = header.value
                if header.name == HeaderName.callID { value = "CALL-ID" }
                value = value.replacingOccurrences(of: "sip:\(user)@", with: "sip:USER@")
                value = mask(value, #"tag=[^;>,\s]+"#, "tag=TAG")
                value = mask(value, #"branch=[^;,\s]+"#, "branch=BRANCH")
                value = mask(value, #"nonce="[^"]*""#, #"nonce="NONCE""#)
                lines.append("\(header.name): \(value)")
            }
            lines.append("body: \(response.body.count) bytes")
            return lines
        }

        @Test func unknownUserAndWrongPasswordGetTheSameAnswer() throws {
            let scratch = try Scratch("abuse-same")
            defer { scratch.remove() }
            let server = try ServerProcess(
                scratch: scratch, dataDirectory: try scratch.folder("data"), arguments: ["--demo"])
            try server.start()
            defer { server.stop() }
            let client = try SIPTestClient(transport: .udp, server: try server.sipAddress)
            defer { client.close() }

            let wrongPassword = try Self.attempt(client, user: "1001", password: "not-the-password")
            let unknownUser = try Self.attempt(client, user: "7777", password: "not-the-password")
            let a = try #require(wrongPassword.answer, "no answer to a wrong password")
            let b = try #require(unknownUser.answer, "no answer for an unknown user")
            #expect(a.statusCode == 401 && b.statusCode == 401)
            #expect(
                Self.normalised(a, user: "1001") == Self.normalised(b, user: "7777"),
                "wrong password:\n\(a.text)\nunknown user:\n\(b.text)")
            // The first challenges must not tell them apart either.
            let c1 = try #require(wrongPassword.challenge)
            let c2 = try #require(unknownUser.challenge)
            #expect(
                Self.normalised(c1, user: "1001") == Self.normalised(c2, user: "7777"),
                "challenge for 1001:\n\(c1.text)\nfor 7777:\n\(c2.text)")
        }

        @Test func repeatedFailuresBlockTheSourceNotTheUser() throws {
            let scratch = try Scratch("abuse-block")
            defer { scratch.remove() }
            // Slow down after 3 failures (answers delayed 300 ms), block on the 6th.
            let config = try scratch.write(
                "config.json",
                #"{"auth_throttle": {"slow_after_failures": 3, "block_after_failures": 6, "block_seconds": 60, "delay_milliseconds": 300}, "log_level": "debug"}"#
            )
            let server = try ServerProcess(
                scratch: scratch, dataDirectory: try scratch.folder("data"), arguments: ["--demo", "--config", config])
            try server.start()
            defer { server.stop() }
            let password = try #require(server.demoPasswords["1001"])
            let attacker = try SIPTestClient(transport: .udp, server: try server.sipAddress, bindHost: "127.0.0.1")
            defer { attacker.close() }

            for failure in 1...5 {
                let result = try Self.attempt(attacker, user: "1001", password: "guess-\(failure)")
                #expect(
                    result.answer?.statusCode == 401,
                    "wrong password #\(failure): \(result.answer?.statusLine ?? "no answer")")
                if failure > 3 {
                    #expect(
                        result.seconds >= 0.25,
                        "answer to failure #\(failure) after \(result.seconds) s: not slowed down")
                }
            }
            // The 6th failure blocks the source: no answer to it, nor to anything after it.
            let sixth = try Self.attempt(attacker, user: "1001", password: "guess-6", timeout: 1.5)
            #expect(
                sixth.challenge?.statusCode == 401,
                "the 6th attempt's challenge: \(sixth.challenge?.statusLine ?? "no answer")")
            #expect(sixth.answer == nil, "the 6th wrong password was answered: \(sixth.answer?.statusLine ?? "")")
            let options = attacker.request(
                "OPTIONS", uri: "sip:127.0.0.1", from: "sip:1001@127.0.0.1", to: "sip:127.0.0.1",
                callID: SIPTestClient.token(), cseq: 1)
            #expect(try attacker.transact(options, timeout: 1) == nil, "a blocked source still gets answers to OPTIONS")
            let rightFromBlocked = try Self.attempt(attacker, user: "1001", password: password, timeout: 1)
            #expect(rightFromBlocked.challenge == nil, "a blocked source still gets challenges")

            #expect(
                server.waitForStderr(containing: "blocked source after repeated authentication failures", timeout: 2),
                "no block line in the log")
            let blockLine = server.stderr.split(separator: "\n").first {
                $0.contains("blocked source after repeated authentication failures")
            }
            #expect(blockLine?.contains("source=127.0.0.1") == true, "block line: \(blockLine ?? "none")")

            // The clinician's phone at another address registers at once.
            let phone = try SIPTestClient(transport: .udp, server: try server.sipAddress, bindHost: "127.0.0.2")
            defer { phone.close() }
            let started = Date()
            let outcome = try phone.register(user: "1001", password: password, domain: "127.0.0.1")
            let seconds = Date().timeIntervalSince(started)
            #expect(outcome.final.statusCode == 200, "REGISTER from 127.0.0.2: \(outcome.final.text)")
            #expect(seconds < 1, "the right password from 127.0.0.2 took \(seconds) s")
            let list = try server.registrations()
            #expect(list.contains { $0.aor.hasPrefix("sip:1001@") && $0.source.hasPrefix("127.0.0.2:") }, "\(list)")
            #expect(server.isRunning)
        }

        /// The throttle settings as documented (`delay_milliseconds: 0` turns the slow-down off)
        /// must be accepted by `carephone serve --config`.
        @Test func throttleConfigWithZeroDelayIsAccepted() throws {
            let scratch = try Scratch("abuse-config")
            defer { scratch.remove() }
            let config = try scratch.write(
                "config.json",
                #"{"auth_throttle": {"slow_after_failures": 5, "block_after_failures": 10, "block_seconds": 60, "delay_milliseconds": 0}, "log_level": "debug"}"#
            )
            let server = try ServerProcess(
                scratch: scratch, dataDirectory: try scratch.folder("data"), arguments: ["--config", config])
            try server.start()
            server.stop()
        }
    }
}
