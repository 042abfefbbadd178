import Foundation
import Testing

extension InteropTests {
    /// The REST (cloud-style) gateway through the running server. The cloud API cannot be reached
    /// from here, so a loopback HTTP listener stands in for it (form POST with basic auth, a JSON
    /// `sid` back). A patient's HELP arrives on `/sms/rest/inbound`; the answer goes out through
    /// the fake provider at once; its status callback marks it delivered; a wrong secret is refused.
    @Suite(.serialized) struct RESTSMSServerTests {
        @Test func helpArrivesAndIsAnsweredThroughTheRESTGateway() throws {
            let scratch = try Scratch("rest-sms")
            defer { scratch.remove() }
            let cloud = try LoopbackHTTPListener { _, n in .init(status: 201, body: #"{"sid":"SM\#(n)"}"#, contentType: "application/json") }
            defer { cloud.stop() }
            let secret = "rest-\(UUID().uuidString)"
            let config: [String: Any] = [
                "sms": [
                    "gateway": "rest", "rest_url": "\(cloud.baseURL)/2010-04-01/Accounts/AC1/Messages.json", "rest_account": "AC1",
                    "rest_token": "tok", "from": "+390699999999", "callback_secret": secret,
                ],
                "reminders": ["clinic_phone": "+390612345678", "poll_milliseconds": 100],
            ]
            _ = try scratch.write("carephone.json", String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self))
            let data = scratch.path("data")
            let server = try ServerProcess(scratch: scratch, dataDirectory: data, arguments: ["--demo", "--config", scratch.path("carephone.json")])
            defer { server.stop() }
            try server.start()
            let cli = CarePhoneCLI(data: data, scratch: scratch)
            _ = try cli.run([
                "patients", "add", "--as", "1001", "--first-name", "Wei", "--last-name", "Lin", "--mobile", "+886912345678",
                "--locale", "zh-TW", "--time-zone", "Asia/Taipei", "--sms-consent", "intake form",
            ])
            func post(_ path: String, _ form: String) throws -> Int {
                try HTTPCall.send(port: server.httpPort, method: "POST", path: path, binary: (Array(form.utf8), "application/x-www-form-urlencoded")).status
            }
            #expect(try post("/sms/rest/inbound?secret=wrong", "From=%2B886912345678&To=%2B390699999999&Body=HELP") == 403)
            #expect(try post("/sms/rest/inbound?secret=\(secret)", "From=%2B886912345678&To=%2B390699999999&Body=HELP") == 200)

            let sent = try #require(cloud.waitForRequests(count: 1, timeout: 10).first, "\(server.stderr.suffix(1500))")
            #expect(sent.method == "POST" && sent.path == "/2010-04-01/Accounts/AC1/Messages.json")
            #expect(sent.headers["authorization"] == "Basic " + Data("AC1:tok".utf8).base64EncodedString())
            #expect(sent.form["To"] == "+886912345678" && sent.form["From"] == "+390699999999")
            #expect(sent.form["Body"]?.contains("+390612345678") == true && sent.form["Body"]?.contains("回覆 STOP") == true, "\(sent.form)")
            let callback = try #require(sent.form["StatusCallback"].flatMap { URLComponents(string: $0) })
            let id = try #require(callback.queryItems?.first { $0.name == "id" }?.value)

            let path = "\(callback.path)?\(callback.percentEncodedQuery ?? "")"
            #expect(try post(path, "MessageSid=SM1&MessageStatus=delivered") == 204)
            let api = APIClient(port: server.httpPort, token: try cli.token(for: "1001"))
            let reminders = try api.call("GET", "/api/reminders").json["reminders"] as? [[String: Any]] ?? []
            let help = try #require(reminders.first { $0["id"] as? String == id })
            #expect(help["state"] as? String == "delivered" && help["purpose"] as? String == "help" && help["encoding"] as? String == "ucs2")
            #expect(help["gateway"] as? String == "rest")
        }
    }
}
