import Foundation
import Messaging
import Testing

extension InteropTests {
    /// KannelGateway against real Kannel 1.4.5 (bearerbox, smsbox, fakesmsc) on loopback.
    @Suite(.serialized) struct KannelGatewayTests {
        static let texts: [OutgoingSMS] = [
            OutgoingSMS(
                id: "m-en", to: "+393471234567", from: "Clinic",
                text: "Reminder: visit on Mon 3 at 09:30. Reply C to confirm", encoding: .gsm7),
            OutgoingSMS(
                id: "m-it", to: "+393471234568", from: "Clinic",
                text: "Promemoria: visita lunedì alle 9:30, è già confermata? Città: Forlì, €5", encoding: .gsm7),
            OutgoingSMS(id: "m-zh", to: "+886912345678", from: "Clinic", text: "您好，明天上午十點覆診 請回覆 確認", encoding: .ucs2),
        ]

        func gateway(_ kannel: KannelProcess, dlr: String? = nil) -> KannelGateway {
            KannelGateway(
                sendsmsURL: kannel.sendsmsURL, username: kannel.username, password: kannel.password,
                deliveryReportURL: dlr)
        }

        @Test func sendsEnglishItalianAndChineseExactly() async throws {
            let scratch = try Scratch("kannel-mt")
            defer { scratch.remove() }
            let kannel = try KannelProcess(folder: scratch.url.path, moURL: "http://127.0.0.1:9/unused")
            defer { kannel.stop() }
            for sms in Self.texts {
                #expect(try await gateway(kannel).send(sms) == nil)
                #expect(sms.encoding == SMSEncoding.choose(for: sms.text))
            }
            let received = kannel.waitForMessages(count: 3, timeout: 10)
            #expect(received == Self.texts.map { FakeSMSCMessage(from: $0.from!, to: $0.to, text: $0.text) })
        }

        @Test func refusalsAndOutagesAreClassified() async throws {
            let scratch = try Scratch("kannel-errors")
            defer { scratch.remove() }
            let kannel = try KannelProcess(folder: scratch.url.path, moURL: "http://127.0.0.1:9/unused")
            defer { kannel.stop() }
            var wrong = gateway(kannel)
            wrong.password = "wrong"
            await #expect(throws: SMSGatewayError.permanent("Kannel answered 403: Authorization failed for sendsms")) {
                try await wrong.send(Self.texts[0])
            }
            let closed = KannelGateway(
                sendsmsURL: "http://127.0.0.1:\(try FreePort.pickTCP())/cgi-bin/sendsms", username: "u", password: "p",
                timeout: 3)
            do {
                _ = try await closed.send(Self.texts[0])
                Issue.record("a closed port must fail")
            } catch {
                guard case .temporary = error else { Issue.record("expected temporary, got \(error)"); return }
            }
        }

        @Test func deliveryReportsReachTheCallbackWithIDAndType() async throws {
            let scratch = try Scratch("kannel-dlr")
            defer { scratch.remove() }
            let listener = try LoopbackHTTPListener()
            defer { listener.stop() }
            let kannel = try KannelProcess(folder: scratch.url.path, moURL: "\(listener.baseURL)/mo")
            defer { kannel.stop() }
            let dlr = gateway(kannel, dlr: "\(listener.baseURL)/sms/kannel/dlr?secret=X%2BY%26Z")
            for sms in Self.texts { _ = try await dlr.send(sms) }
            let requests = listener.waitForRequests(count: 6, timeout: 10)
            #expect(requests.allSatisfy { $0.path == "/sms/kannel/dlr" && $0.query["secret"] == "X+Y&Z" })
            let reports = Set(requests.map { "\($0.query["id"] ?? "?")/\($0.query["type"] ?? "?")" })
            #expect(reports == Set(Self.texts.flatMap { ["\($0.id)/8", "\($0.id)/1"] }))
            #expect(requests.count == 6)
            #expect(
                requests.compactMap { Int($0.query["type"] ?? "") }.compactMap(KannelGateway.deliveryState(kannelType:))
                    .count == 6)
        }

        @Test func textsFromPhonesReachTheGetURLAsUTF8() async throws {
            let scratch = try Scratch("kannel-mo")
            defer { scratch.remove() }
            let listener = try LoopbackHTTPListener()
            defer { listener.stop() }
            let kannel = try KannelProcess(
                folder: scratch.url.path, moURL: "\(listener.baseURL)/sms/kannel/mo?secret=S")
            defer { kannel.stop() }
            let texts = ["C", "STOP", "確認", "Sì", "Sì, confermo. Grazie!", "好的 謝謝"]
            for text in texts { try kannel.sendMO(from: "+393471234567", to: "4321", text: text) }
            let requests = listener.waitForRequests(count: texts.count, timeout: 10)
            #expect(requests.map { $0.query["text"] ?? "?" } == texts)
            #expect(
                requests.allSatisfy {
                    $0.query["from"] == "+393471234567" && $0.query["to"] == "4321" && $0.query["secret"] == "S"
                })
            #expect(kannel.receivedMessages().isEmpty, "max-messages = 0: no reply SMS")
        }

        /// Our server down when the report comes, up 3 s later: smsbox's retry queue
        /// (`http-request-retry`, `http-queue-delay` = 1 s) delivers each report once.
        @Test func deliveryReportIsRetriedUntilTheServerComesBack() async throws {
            let scratch = try Scratch("kannel-dlr-retry")
            defer { scratch.remove() }
            let port = try FreePort.pickTCP()
            let kannel = try KannelProcess(
                folder: scratch.url.path, moURL: "http://127.0.0.1:\(port)/mo", httpRequestRetry: 10)
            defer { kannel.stop() }
            let sent = Date()
            _ = try await gateway(kannel, dlr: "http://127.0.0.1:\(port)/dlr").send(Self.texts[2])
            try await Task.sleep(for: .seconds(3))
            let listener = try LoopbackHTTPListener(port: port)
            defer { listener.stop() }
            let requests = listener.waitForRequests(count: 2, timeout: 10)
            let delay = Date().timeIntervalSince(sent)
            #expect(Set(requests.map { $0.query["type"] ?? "?" }) == ["8", "1"])
            try await Task.sleep(for: .seconds(3))
            #expect(listener.requests.count == 2, "each report exactly once after the server came back")
            print(
                "dlr retry: both reports arrived \(String(format: "%.1f", delay)) s after the send (server down for 3 s)"
            )
        }

        /// A 503 answer counts as a failure too: the report comes again, so the callback sees it
        /// twice when the first attempt was in fact processed. The callback must be idempotent.
        @Test func deliveryReportAnswered503IsRepeated() async throws {
            let scratch = try Scratch("kannel-dlr-503")
            defer { scratch.remove() }
            let listener = try LoopbackHTTPListener { _, n in n == 0 ? .init(status: 503) : .ok }
            defer { listener.stop() }
            let kannel = try KannelProcess(folder: scratch.url.path, moURL: "\(listener.baseURL)/mo")
            defer { kannel.stop() }
            var sms = Self.texts[0]
            sms.id = "m-503"
            _ = try await gateway(kannel, dlr: "\(listener.baseURL)/dlr").send(sms)
            let requests = listener.waitForRequests(count: 3, timeout: 10)
            try await Task.sleep(for: .seconds(2))
            #expect(listener.requests.count == 3)
            #expect(requests.map { $0.query["id"] } == ["m-503", "m-503", "m-503"])
            #expect(
                requests[0].query["type"] == requests[2].query["type"]
                    || requests[1].query["type"] == requests[2].query["type"])
        }

        /// Without `http-request-retry` a report the server missed is gone.
        @Test func withoutRetriesAMissedReportIsLost() async throws {
            let scratch = try Scratch("kannel-dlr-noretry")
            defer { scratch.remove() }
            let port = try FreePort.pickTCP()
            let kannel = try KannelProcess(
                folder: scratch.url.path, moURL: "http://127.0.0.1:\(port)/mo", httpRequestRetry: 0)
            defer { kannel.stop() }
            _ = try await gateway(kannel, dlr: "http://127.0.0.1:\(port)/dlr").send(Self.texts[0])
            try await Task.sleep(for: .seconds(2))
            let listener = try LoopbackHTTPListener(port: port)
            defer { listener.stop() }
            try await Task.sleep(for: .seconds(4))
            #expect(listener.requests.isEmpty)
        }
    }
}
