import Foundation
import Scheduling
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension InteropTests {
    /// The running server syncing provider 1002's calendar with a real Radicale on loopback.
    @Suite(.serialized) struct CalDAVSyncTests {
        /// Polls `condition` every 200 ms for at most `seconds`.
        static func eventually(_ seconds: TimeInterval, _ condition: () async throws -> Bool) async rethrows -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try await condition() { return true }
                try? await Task.sleep(for: .milliseconds(200))
            }
            return try await condition()
        }

        /// A visit booked over HTTP appears in Radicale (no patient name); an event made in
        /// Radicale appears in CarePhone as blocked time, and moving it there moves it here; a
        /// visit edited on both sides while the server was down is reported as a conflict and
        /// neither copy is overwritten.
        @Test func visitsSyncBothWaysAndConflictsAreReported() async throws {
            let radicale = try RadicaleServer(label: "sync")
            defer { radicale.stop() }
            let scratch = try Scratch("caldav-sync")
            defer { scratch.remove() }
            let data = scratch.path("data")
            let config: [String: Any] = [
                "calendar": [
                    "caldav_url": "http://127.0.0.1:\(radicale.port)/\(RadicaleServer.user)/{extension}/",
                    "caldav_username": RadicaleServer.user, "caldav_password": RadicaleServer.password, "caldav_interval_seconds": 1,
                ]
            ]
            _ = try scratch.write("carephone.json", String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self))
            let server = try ServerProcess(scratch: scratch, dataDirectory: data, arguments: ["--demo", "--config", scratch.path("carephone.json")])
            defer { server.stop() }
            try server.start()
            let cli = CarePhoneCLI(data: data, scratch: scratch)
            _ = try cli.run(["providers", "add", "--extension", "1002", "--time-zone", "Europe/Rome"])
            _ = try cli.run([
                "patients", "add", "--as", "1002", "--first-name", "Giulia", "--last-name", "Bianchi", "--mobile", "+393471234567",
                "--locale", "it", "--time-zone", "Europe/Rome",
            ])
            let api = APIClient(port: server.httpPort, token: try cli.token(for: "1002"))

            // CarePhone → Radicale.
            let tomorrow = Date().addingTimeInterval(86_400)
            let day = String(ISO8601DateFormatter().string(from: tomorrow).prefix(10))
            let (status, visit, _) = try api.call("POST", "/api/visits", ["provider_id": 1, "patient_id": 1, "start": "\(day)T10:00", "minutes": 30])
            #expect(status == 201, "\(visit)")
            let uid = try #require(visit["uid"] as? String)
            let client = radicale.client(calendar: "1002")
            let pushed = await Self.eventually(15) { ((try? await client.listETags()) ?? []).count == 1 }
            #expect(pushed, "\(server.stderr.suffix(2000))")
            let listed = try await client.listETags()
            let resource = try await client.get(href: try #require(listed.first).href)
            let event = try #require(try ICalendarParser().events(in: resource.calendarData).first)
            #expect(event.uid == uid)
            #expect(ISO8601DateFormatter().string(from: event.start) == ISO8601DateFormatter().string(from: try #require(DateText(visit["start"]))))
            #expect(!resource.calendarData.contains("Giulia") && !resource.calendarData.contains("Bianchi"))

            // Radicale → CarePhone.
            let dentist = """
                BEGIN:VCALENDAR\r
                VERSION:2.0\r
                PRODID:-//Test//Other client//EN\r
                BEGIN:VEVENT\r
                UID:dentist-\(UInt32.random(in: 0...UInt32.max))@elsewhere.example\r
                DTSTAMP:20260101T000000Z\r
                DTSTART;TZID=Europe/Rome:\(day.replacingOccurrences(of: "-", with: ""))T150000\r
                DTEND;TZID=Europe/Rome:\(day.replacingOccurrences(of: "-", with: ""))T160000\r
                SUMMARY:Dentist\r
                END:VEVENT\r
                END:VCALENDAR\r

                """
            let dentistETag = try await client.create(href: "dentist.ics", ics: dentist)
            func dentistVisit() throws -> [String: Any]? {
                (try api.call("GET", "/api/visits?provider_id=1").1["visits"] as? [[String: Any]])?.first { $0["title"] as? String == "Dentist" }
            }
            #expect(try await Self.eventually(15) { try dentistVisit() != nil })
            #expect(try dentistVisit()?["kind"] as? String == "blocked")
            #expect((try dentistVisit()?["start"] as? String)?.hasPrefix("\(day)T15:00:00") == true)
            _ = try await client.put(href: "dentist.ics", ics: dentist.replacingOccurrences(of: "T150000", with: "T170000")
                .replacingOccurrences(of: "T160000", with: "T180000"), ifMatch: dentistETag)
            #expect(try await Self.eventually(15) { (try dentistVisit()?["start"] as? String)?.contains("T17:00:00") == true })

            // Both sides change the visit while the server is down: a conflict, nothing overwritten.
            #expect(server.stop())
            _ = try cli.run(["visits", "move", String(try #require(visit["id"] as? Int)), "--as", "1002", "--start", "\(day)T11:00"])
            let current = try await client.get(href: try #require(listed.first).href)
            let edited = current.calendarData.replacingOccurrences(of: "SUMMARY:In-person appointment", with: "SUMMARY:Edited elsewhere")
            #expect(edited != current.calendarData)
            _ = try await client.put(href: current.href, ics: edited, ifMatch: current.etag)
            try server.start()
            let reported = try await Self.eventually(15) {
                ((try api.call("GET", "/api/calendar/conflicts").1["conflicts"] as? [[String: Any]]) ?? []).contains { $0["uid"] as? String == uid }
            }
            #expect(reported, "\(server.stderr.suffix(2000))")
            try? await Task.sleep(for: .seconds(2))
            #expect(try await client.get(href: current.href).calendarData.contains("SUMMARY:Edited elsewhere"))
            let here = try api.call("GET", "/api/visits/\(try #require(visit["id"] as? Int))").1
            #expect((here["start"] as? String)?.contains("T11:00:00") == true, "\(here)")
            #expect(server.stderr.contains("CalDAV conflict"))

            // Settled in CarePhone's favour: the next sync puts our time over their edit.
            let conflict = try #require((try api.call("GET", "/api/calendar/conflicts").1["conflicts"] as? [[String: Any]])?.first)
            let conflictID = try #require(conflict["id"] as? Int)
            #expect(try api.call("POST", "/api/calendar/conflicts/\(conflictID)/resolve", ["keep": "nobody"]).0 == 400)
            #expect(try api.call("POST", "/api/calendar/conflicts/\(conflictID)/resolve", ["keep": "carephone"]).0 == 200)
            let settled = await Self.eventually(15) {
                let data = (try? await client.get(href: current.href).calendarData) ?? ""
                return data.contains("T110000") && data.contains("SUMMARY:In-person appointment")
            }
            #expect(settled)
            #expect((try api.call("GET", "/api/calendar/conflicts").1["conflicts"] as? [Any])?.isEmpty == true)
        }
    }
}

/// An ISO 8601 string from the API as a date.
private func DateText(_ value: Any?) -> Date? {
    (value as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
}
