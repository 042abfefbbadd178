import Foundation
import SIPCore
import Testing

extension InteropTests {
    /// RFC 8760: an organisation whose `digest_algorithms` lists SHA-256 is offered it, one
    /// WWW-Authenticate per algorithm in the configured order, and SHA-256 answers register.
    @Suite(.serialized) struct DigestAlgorithmTests {
        static let domain = "sha.carephone.test"

        @Test func sha256IsOfferedAndAccepted() throws {
            let sqlite3 = try Binary.sqlite3()
            let scratch = try Scratch("sha256")
            defer { scratch.remove() }
            let data = try scratch.folder("data")
            let csv = try scratch.write(
                "users.csv",
                "extension,display_name,sip_password,email\n3001,Ward One,sha-secret-3001,w1@sha.invalid\n3002,Ward Two,sha-secret-3002,w2@sha.invalid\n"
            )
            _ = try ServerProcess.importUsers(csv: csv, data: data, domain: Self.domain, scratch: scratch)
            let database = (data as NSString).appendingPathComponent("carephone.sqlite")

            func setAlgorithms(_ value: String) throws {
                let r = try ChildProcess.run(
                    sqlite3,
                    [
                        database,
                        "update organisations set digest_algorithms='\(value)'; select digest_algorithms from organisations;",
                    ],
                    in: scratch, timeout: 20)
                guard r.status == 0, r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == value else {
                    throw HarnessError("sqlite3 could not set digest_algorithms to \(value): \(r.stdout) \(r.stderr)")
                }
            }

            // SHA-256 only.
            try setAlgorithms("SHA-256")
            let server = try ServerProcess(scratch: scratch, dataDirectory: data)
            try server.start()
            defer { server.stop() }
            do {
                let client = try SIPTestClient(transport: .udp, server: try server.sipAddress)
                defer { client.close() }
                let outcome = try client.register(
                    user: "3001", password: "sha-secret-3001", domain: Self.domain, algorithm: .sha256)
                let challenge = try #require(outcome.challenge, "no 401: \(outcome.final.text)")
                let offered = challenge.headers.values("WWW-Authenticate")
                #expect(offered.count == 1, "SHA-256 only: \(offered)")
                #expect(offered.first.flatMap { try? DigestChallenge(parsing: $0) }?.algorithm == .sha256, "\(offered)")
                #expect(offered.first.flatMap { try? DigestChallenge(parsing: $0) }?.realm == Self.domain)
                #expect(outcome.final.statusCode == 200, "SHA-256 answer: \(outcome.final.text)")

                // An MD5 answer is refused when MD5 is not offered.
                let md5 = try Self.registerAnsweringWithMD5(client, user: "3002", password: "sha-secret-3002")
                #expect(
                    md5?.statusCode == 401,
                    "MD5 answer while only SHA-256 is offered: \(md5?.statusLine ?? "no answer")")
            }

            // SHA-256 then MD5.
            #expect(server.stop(), "the server did not stop on SIGTERM")
            try setAlgorithms("SHA-256,MD5")
            try server.start()
            let client = try SIPTestClient(transport: .udp, server: try server.sipAddress)
            defer { client.close() }
            let outcome = try client.register(
                user: "3001", password: "sha-secret-3001", domain: Self.domain, algorithm: .sha256)
            let challenge = try #require(outcome.challenge, "no 401: \(outcome.final.text)")
            let offered = challenge.headers.values("WWW-Authenticate").map { try? DigestChallenge(parsing: $0) }
            #expect(
                offered.map { $0?.algorithm } == [.sha256, .md5],
                "WWW-Authenticate headers: \(challenge.headers.values("WWW-Authenticate"))")
            #expect(offered.allSatisfy { $0?.realm == Self.domain })
            #expect(outcome.final.statusCode == 200, "SHA-256 answer: \(outcome.final.text)")
            let withMD5 = try client.register(
                user: "3002", password: "sha-secret-3002", domain: Self.domain, algorithm: .md5)
            #expect(withMD5.final.statusCode == 200, "MD5 answer: \(withMD5.final.text)")
            let list = try server.registrations()
            #expect(Set(list.map(\.aor)) == ["sip:3001@\(Self.domain)", "sip:3002@\(Self.domain)"], "\(list)")
        }

        /// REGISTER whose Authorization uses MD5 on the server's (SHA-256) nonce.
        static func registerAnsweringWithMD5(_ client: SIPTestClient, user: String, password: String) throws
            -> SIPResponse?
        {
            let aor = "sip:\(user)@\(domain)"
            let callID = "\(SIPTestClient.token())@md5"
            let first = client.request(
                "REGISTER", uri: "sip:\(domain)", from: aor, to: aor, callID: callID, cseq: 1,
                headers: ["Contact: <sip:\(user)@\(client.sentBy)>"])
            guard let challengeResponse = try client.transact(first),
                let value = challengeResponse.headers.values("WWW-Authenticate").first
            else { return nil }
            var challenge = try DigestChallenge(parsing: value)
            challenge.algorithm = .md5
            let credentials = DigestCredentials(
                answering: challenge, username: user, password: password, method: "REGISTER", uri: "sip:\(domain)",
                cnonce: SIPTestClient.token())
            let second = client.request(
                "REGISTER", uri: "sip:\(domain)", from: aor, to: aor, callID: callID, cseq: 2,
                headers: ["Contact: <sip:\(user)@\(client.sentBy)>", "Authorization: \(credentials.headerValue)"])
            return try client.transact(second)
        }
    }
}
