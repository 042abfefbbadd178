import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A clinic set up through the command line and the HTTP API, its reminders sent through real
/// Kannel (bearerbox, smsbox, fakesmsc as the SMS centre) on loopback.
final class ReminderClinic {
    let scratch: Scratch
    let kannel: KannelProcess
    let server: ServerProcess
    let data: String
    let secret = "cb-\(UUID().uuidString)"
    let cli: CarePhoneCLI
    private(set) var api: APIClient

    init(_ label: String, unsettledSeconds: Int = 15, kannelRetry: Int = 30) throws {
        scratch = try Scratch(label)
        data = scratch.path("data")
        server = try ServerProcess(scratch: scratch, dataDirectory: data, arguments: ["--demo", "--config", scratch.path("carephone.json")])
        cli = CarePhoneCLI(data: data, scratch: scratch)
        api = APIClient(port: server.httpPort, token: "")
        kannel = try KannelProcess(
            folder: try scratch.folder("kannel"), moURL: "http://127.0.0.1:\(server.httpPort)/sms/kannel/inbound?secret=\(secret)",
            httpRequestRetry: kannelRetry, httpQueueDelay: 1)
        let config: [String: Any] = [
            "sms": [
                "gateway": "kannel", "kannel_sendsms_url": kannel.sendsmsURL, "kannel_username": kannel.username,
                "kannel_password": kannel.password, "from": "Clinic", "callback_secret": secret,
            ],
            // Quiet hours off: the test runs at whatever hour the machine is at.
            "reminders": ["offsets": "1m", "quiet_hours": "", "clinic_phone": "+390612345678", "unsettled_seconds": unsettledSeconds,
                          "poll_milliseconds": 100],
        ]
        _ = try scratch.write("carephone.json", String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self))
    }

    /// Starts the server, makes 1002 a provider bookable by 1001, adds an Italian patient and a token for 1001.
    func setUp() throws -> Int {
        try server.start()
        try cli.run(["providers", "add", "--extension", "1002", "--time-zone", "Europe/Rome"])
        try cli.run(["providers", "delegate", "--provider", "1002", "--to", "1001"])
        let patient = try cli.run([
            "patients", "add", "--as", "1001", "--first-name", "Giulia", "--last-name", "Bianchi", "--mobile", "+393471234567",
            "--locale", "it", "--time-zone", "Europe/Rome", "--sms-consent", "intake form",
        ])
        api = APIClient(port: server.httpPort, token: try cli.token(for: "1001"))
        return try #require(Int(patient.split(separator: " ")[1].dropLast()))
    }

    /// Books a visit starting `seconds` from now (its 1-minute reminder is due 60 s before).
    func book(patient: Int, startingIn seconds: TimeInterval, allowOverlap: Bool = false) throws -> (id: Int, start: Date) {
        let start = Date().addingTimeInterval(seconds)
        let booked = try api.call("POST", "/api/visits", [
            "provider_id": 1, "patient_id": patient, "start": ISO8601DateFormatter().string(from: start), "minutes": 30,
            "kind": "in-person", "location": "Via Roma 1", "allow_overlap": allowOverlap,
        ])
        guard booked.status == 201, let id = booked.json["id"] as? Int else { throw HarnessError("booking failed: \(booked.text)") }
        return (id, start)
    }

    func reminders(visit: Int) throws -> [[String: Any]] {
        try api.call("GET", "/api/reminders?visit_id=\(visit)").json["reminders"] as? [[String: Any]] ?? []
    }

    /// Waits (bounded) until `condition` holds.
    func wait(_ seconds: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(200_000)
        }
        return try condition()
    }

    func stop() {
        server.stop()
        kannel.stop()
        scratch.remove()
    }
}

extension InteropTests {
    @Suite(.serialized) struct SMSReminderTests {
        /// A visit booked over HTTP gets its Italian reminder at fakesmsc 60 s before it starts
        /// (a real, short offset); the delivery report marks it delivered; `C` from the patient's
        /// phone confirms the visit; `STOP` stops the next visit's reminder and gets the one
        /// confirmation text; HELP is answered with the clinic's number.
        @Test func reminderReplyAndStopThroughKannel() throws {
            let clinic = try ReminderClinic("sms-reminder")
            defer { clinic.stop() }
            let patient = try clinic.setUp()
            let first = try clinic.book(patient: patient, startingIn: 75)
            let second = try clinic.book(patient: patient, startingIn: 105, allowOverlap: true)
            #expect(try clinic.reminders(visit: first.id).count == 1)

            let received = clinic.kannel.waitForMessages(count: 1, timeout: 40)
            let arrived = Date()
            let reminder = try #require(received.first, "no reminder at fakesmsc; server log: \(clinic.server.stderr.suffix(2000))")
            #expect(reminder.to == "+393471234567")
            #expect(reminder.from == "Clinic")
            #expect(reminder.text.hasPrefix("Gentile Giulia, le ricordiamo l'appuntamento presso CarePhone Demo Clinic con Dr. Maria Rossi"))
            #expect(reminder.text.contains("Via Roma 1") && reminder.text.contains("Risponda C per confermare"))
            // Due at start − 60 s; polled every 100 ms; Kannel forwards at once.
            let due = first.start.addingTimeInterval(-60)
            #expect(arrived.timeIntervalSince(due) > -1 && arrived.timeIntervalSince(due) < 6, "arrived \(arrived.timeIntervalSince(due)) s after it was due")
            #expect(try clinic.wait(10) { try clinic.reminders(visit: first.id).first?["state"] as? String == "delivered" })

            try clinic.kannel.sendMO(from: "+393471234567", to: "1234", text: "C")
            #expect(try clinic.wait(10) { try clinic.api.call("GET", "/api/visits/\(first.id)").json["status"] as? String == "confirmed" })
            let history = try clinic.api.call("GET", "/api/visits/\(first.id)").json["history"] as? [[String: Any]] ?? []
            #expect(history.contains { $0["action"] as? String == "confirmed" && $0["source"] as? String == "sms" })
            #expect(try clinic.reminders(visit: second.id).first?["state"] as? String == "queued")

            try clinic.kannel.sendMO(from: "+393471234567", to: "1234", text: "STOP")
            let withConfirmation = clinic.kannel.waitForMessages(count: 2, timeout: 10)
            #expect(withConfirmation.count == 2)
            #expect(withConfirmation.last?.text.contains("non riceverà altri SMS") == true, "\(withConfirmation)")
            try clinic.kannel.sendMO(from: "+393471234567", to: "1234", text: "HELP")
            let withHelp = clinic.kannel.waitForMessages(count: 3, timeout: 10)
            #expect(withHelp.last?.text.contains("+390612345678") == true, "\(withHelp)")

            // The second visit's reminder was due 45 s after booking; it must not go.
            let dueSecond = second.start.addingTimeInterval(-60)
            let suppressed = try clinic.wait(max(0, dueSecond.timeIntervalSinceNow) + 5) {
                try clinic.reminders(visit: second.id).first?["state"] as? String == "suppressed"
            }
            #expect(suppressed, "the second reminder was not suppressed when due")
            // The start went over HTTP in whole seconds, so it is due up to a second earlier than here.
            #expect(Date() >= dueSecond.addingTimeInterval(-1.5), "suppressed only when it fell due")
            #expect(clinic.kannel.receivedMessages().count == 3, "\(clinic.kannel.receivedMessages())")
            let patientNow = try clinic.api.call("GET", "/api/patients/\(patient)").json
            #expect((patientNow["sms_consent"] as? [String: Any])?["granted"] as? Bool == false)
            let inbox = try clinic.api.call("GET", "/api/inbox?all=true").json["messages"] as? [[String: Any]] ?? []
            #expect(Set(inbox.compactMap { $0["reply"] as? String }) == ["confirm", "stop", "help"])
        }

        /// `kill -9` after a reminder is marked sending but before Kannel has it, and after
        /// Kannel took it but before the answer was recorded: after a restart each reminder
        /// reached fakesmsc exactly once.
        @Test(arguments: ["claimed", "handed-over"])
        func killNineWhileSendingSendsExactlyOnce(stage: String) throws {
            let clinic = try ReminderClinic("sms-crash-\(stage)", unsettledSeconds: 12)
            defer { clinic.stop() }
            let patient = try clinic.setUp()
            try clinic.server.stop()
            // Queue the reminder durably, then restart with the crash point armed.
            let visit = try clinic.cliBook(patient: patient, startingIn: 75)
            clinic.server.environment = ["CAREPHONE_CRASH_AT=\(stage)"]
            try clinic.server.start()
            #expect(clinic.wait(40) { !clinic.server.isRunning }, "the server did not stop at \(stage)")
            #expect(clinic.server.exitStatus == 128 + SIGKILL)
            let afterCrash = clinic.kannel.waitForMessages(count: 1, timeout: stage == "claimed" ? 2 : 10)
            #expect(afterCrash.count == (stage == "claimed" ? 0 : 1))
            try clinic.server.start()
            let settled = try clinic.wait(30) {
                ["delivered", "submitted"].contains(try clinic.reminders(visit: visit).first?["state"] as? String ?? "")
            }
            let states = try clinic.reminders(visit: visit)
            #expect(settled, "\(states) \(clinic.server.stderr.suffix(1500))")
            // Past the unsettled wait too: nothing more goes.
            #expect(clinic.wait(14) { clinic.kannel.receivedMessages().count > 1 } == false)
            let texts = clinic.kannel.receivedMessages()
            #expect(texts.count == 1, "\(texts)")
            #expect(texts.first?.text.hasPrefix("Gentile Giulia") == true)
            #expect(try clinic.reminders(visit: visit).count == 1)
        }
    }
}

extension ReminderClinic {
    /// Books through the command line (the server may be down); returns the visit id.
    func cliBook(patient: Int, startingIn seconds: TimeInterval) throws -> Int {
        let start = ISO8601DateFormatter().string(from: Date().addingTimeInterval(seconds))
        let out = try cli.run(["visits", "book", "--as", "1001", "--provider", "1002", "--patient", String(patient), "--start", start, "--minutes", "30",
            "--config", scratch.path("carephone.json"),
        ])
        guard let id = out.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { throw HarnessError("no visit id in \(out)") }
        return id
    }
}
