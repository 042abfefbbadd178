import Foundation
import Messaging
import Testing

extension InteropTests {
    /// RESTSMSGateway against a local fake provider: the form it posts, its credentials, and
    /// how answers map to success, temporary and permanent failures.
    @Suite(.serialized) struct RESTSMSGatewayTests {
        static let sms = OutgoingSMS(
            id: "out 42&x", to: "+393471234567", from: nil, text: "Sì, 確認 + 100% & more", encoding: .ucs2)

        func gateway(_ listener: LoopbackHTTPListener) -> RESTSMSGateway {
            RESTSMSGateway(
                messagesURL: "\(listener.baseURL)/2010-04-01/Accounts/AC1/Messages.json", accountID: "AC1",
                authToken: "tok:en",
                defaultFrom: "+390541000000", statusCallbackURL: "https://clinic.example/sms/rest/status?secret=S",
                timeout: 5)
        }

        @Test func postsTheFormWithBasicAuthAndReturnsTheSid() async throws {
            let listener = try LoopbackHTTPListener { _, _ in
                .init(status: 201, body: #"{"sid":"SM123","status":"queued"}"#, contentType: "application/json")
            }
            defer { listener.stop() }
            #expect(try await gateway(listener).send(Self.sms) == "SM123")
            let request = try #require(listener.requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/2010-04-01/Accounts/AC1/Messages.json")
            #expect(request.headers["authorization"] == "Basic " + Data("AC1:tok:en".utf8).base64EncodedString())
            #expect(request.headers["content-type"]?.hasPrefix("application/x-www-form-urlencoded") == true)
            #expect(
                request.form == [
                    "From": "+390541000000", "To": "+393471234567", "Body": "Sì, 確認 + 100% & more",
                    "StatusCallback": "https://clinic.example/sms/rest/status?secret=S&id=out%2042%26x",
                ])
        }

        @Test func idFieldIsUsedWhenThereIsNoSid() async throws {
            let listener = try LoopbackHTTPListener { _, _ in .init(status: 200, body: #"{"id":"abc-1"}"#) }
            defer { listener.stop() }
            #expect(try await gateway(listener).send(Self.sms) == "abc-1")
        }

        @Test(arguments: [
            (
                429, #"{"message":"Too many requests"}"#,
                SMSGatewayError.temporary("rest answered 429: Too many requests")
            ),
            (503, "down", SMSGatewayError.temporary("rest answered 503: down")),
            (
                400, #"{"code":21211,"message":"The 'To' number is not valid."}"#,
                SMSGatewayError.permanent("rest answered 400: The 'To' number is not valid.")
            ),
            (401, #"{"message":"Authenticate"}"#, SMSGatewayError.permanent("rest answered 401: Authenticate")),
        ])
        func answersMapToErrors(status: Int, body: String, expected: SMSGatewayError) async throws {
            let listener = try LoopbackHTTPListener { _, _ in
                .init(status: status, body: body, contentType: "application/json")
            }
            defer { listener.stop() }
            await #expect(throws: expected) { try await gateway(listener).send(Self.sms) }
        }

        @Test func unreachableProviderIsTemporary() async throws {
            let port = try FreePort.pickTCP()
            let gateway = RESTSMSGateway(
                messagesURL: "http://127.0.0.1:\(port)/m", accountID: "a", authToken: "t", timeout: 3)
            do {
                _ = try await gateway.send(Self.sms)
                Issue.record("a closed port must fail")
            } catch {
                guard case .temporary = error else { Issue.record("expected temporary, got \(error)"); return }
            }
        }
    }
}
