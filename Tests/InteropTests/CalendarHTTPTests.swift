import Foundation
import Testing

extension InteropTests {
    /// The calendar over HTTP on the running server: the delegation rule (403), errors naming
    /// the field, a video visit's meeting, the secret iCalendar feed without patient names, and
    /// `.ics` import.
    @Suite(.serialized) struct CalendarHTTPTests {
        @Test func bookingRulesFeedsAndImport() throws {
            let scratch = try Scratch("calendar-http")
            defer { scratch.remove() }
            let data = scratch.path("data")
            let server = try ServerProcess(scratch: scratch, dataDirectory: data, arguments: ["--demo"])
            defer { server.stop() }
            try server.start()
            let cli = CarePhoneCLI(data: data, scratch: scratch)
            _ = try cli.run(["providers", "add", "--extension", "1002", "--time-zone", "Europe/Rome"])
            _ = try cli.run(["providers", "delegate", "--provider", "1002", "--to", "1001"])
            let reception = try cli.token(for: "1001")
            let nurse = try cli.token(for: "1003")
            let doctor = try cli.token(for: "1002")
            func http(_ method: String, _ path: String, _ body: String? = nil, token: String) throws -> (status: Int, json: [String: Any], text: String) {
                try APIClient(port: server.httpPort, token: token).call(method, path, body)
            }

            // Bad input names the field and stores nothing.
            let badPatient = try http("POST", "/api/patients", #"{"first_name":"Giulia","last_name":"Bianchi","mobile":"347 123 4567","time_zone":"Europe/Rome"}"#, token: reception)
            #expect(badPatient.0 == 400 && badPatient.1["field"] as? String == "mobile", "\(badPatient.2)")
            let badZone = try http("POST", "/api/patients", #"{"first_name":"Giulia","last_name":"Bianchi","mobile":"+393471234567","time_zone":"Rome"}"#, token: reception)
            #expect(badZone.0 == 400 && badZone.1["field"] as? String == "time_zone")
            #expect((try http("GET", "/api/patients", token: reception).1["patients"] as? [Any])?.isEmpty == true)
            let patient = try http("POST", "/api/patients", #"{"first_name":"Giulia","last_name":"Bianchi","mobile":"+393471234567","locale":"it","time_zone":"Europe/Rome","sms_consent":true}"#, token: reception)
            #expect(patient.0 == 201)
            let backwards = try http("POST", "/api/visits", #"{"provider_id":1,"patient_id":1,"start":"2027-03-29T10:00","end":"2027-03-29T09:00"}"#, token: reception)
            #expect(backwards.0 == 400 && backwards.1["field"] as? String == "end", "\(backwards.2)")

            let gap = try http("POST", "/api/visits", #"{"provider_id":1,"patient_id":1,"start":"2027-03-28T02:30","minutes":30}"#, token: reception)
            #expect(gap.0 == 400 && (gap.1["error"] as? String)?.contains("the clocks go forward") == true, "\(gap.2)")

            // Only delegated schedulers book.
            let refused = try http("POST", "/api/visits", #"{"provider_id":1,"patient_id":1,"start":"2027-03-29T09:00","minutes":30}"#, token: nurse)
            #expect(refused.0 == 403 && refused.1["field"] as? String == "provider_id", "\(refused.2)")
            let video = try http("POST", "/api/visits", #"{"provider_id":1,"patient_id":1,"start":"2027-03-29T09:00","minutes":30,"kind":"video"}"#, token: reception)
            #expect(video.0 == 201, "\(video.2)")
            let meeting = try #require(video.1["meeting"] as? [String: Any])
            #expect((meeting["join_url"] as? String)?.hasPrefix("https://meet.jit.si/CarePhone-") == true)
            #expect(video.1["start"] as? String == "2027-03-29T09:00:00+02:00")
            #expect((try http("GET", "/api/visits", token: nurse).1["visits"] as? [Any])?.count == 1, "staff of the clinic can see the calendar")

            // The feed: a secret URL, the provider's visits, no patient name.
            #expect(try http("POST", "/api/providers/1/feed", token: nurse).0 == 403)
            let feed = try http("POST", "/api/providers/1/feed", token: doctor)
            let path = try #require(feed.1["path"] as? String)
            let ics = try HTTPCall.send(port: server.httpPort, method: "GET", path: path)
            #expect(ics.status == 200 && ics.headers.lowercased().contains("content-type: text/calendar"))
            #expect(ics.body.contains("BEGIN:VTIMEZONE") && ics.body.contains("DTSTART;TZID=Europe/Rome:20270329T090000"))
            #expect(!ics.body.contains("Giulia") && !ics.body.contains("Bianchi"))
            #expect(try HTTPCall.send(port: server.httpPort, method: "GET", path: "/calendar/feeds/cpf_guess.ics").status == 404)

            // The clinic's own settings: members may read, only owners and admins change them.
            #expect(try http("PUT", "/api/clinic/settings", #"{"reminder_offsets":"24h"}"#, token: reception).0 == 403)
            let csv = try scratch.write("admin.csv", "extension,display_name,sip_password,email,role\n1009,Clinic Manager,long-password-1009,manager@clinic.test,admin\n")
            _ = try cli.run(["users", "import", csv])
            let manager = try cli.token(for: "1009")
            let badOffsets = try http("PUT", "/api/clinic/settings", #"{"reminder_offsets":"tomorrow"}"#, token: manager)
            #expect(badOffsets.0 == 400 && badOffsets.1["field"] as? String == "reminder_offsets", "\(badOffsets.2)")
            let badPhone = try http("PUT", "/api/clinic/settings", #"{"clinic_phone":"06 1234"}"#, token: manager)
            #expect(badPhone.0 == 400 && badPhone.1["field"] as? String == "clinic_phone")
            let saved = try http("PUT", "/api/clinic/settings", #"{"reminder_offsets":"24h, 1h","quiet_hours":"22:00-07:00","clinic_phone":"+390612345678"}"#, token: manager)
            #expect(saved.0 == 200 && saved.1["reminder_offsets"] as? String == "24h, 1h", "\(saved.2)")
            #expect(try http("GET", "/api/clinic/settings", token: reception).1["clinic_phone"] as? String == "+390612345678")

            // Import: an Outlook-style file adds blocked time; a second import updates it.
            let file = """
                BEGIN:VCALENDAR\r
                VERSION:2.0\r
                BEGIN:VEVENT\r
                UID:conference-1@example.org\r
                DTSTART;TZID=Europe/Rome:20270330T140000\r
                DTEND;TZID=Europe/Rome:20270330T160000\r
                SUMMARY:Conference\r
                END:VEVENT\r
                END:VCALENDAR\r

                """
            let imported = try HTTPCall.send(port: server.httpPort, method: "POST", path: "/api/providers/1/import",
                                             headers: ["Authorization: Bearer \(doctor)"], binary: (Array(file.utf8), "text/calendar"))
            #expect(imported.body.contains(#""created":1"#), "\(imported.body)")
            let again = try HTTPCall.send(port: server.httpPort, method: "POST", path: "/api/providers/1/import",
                                          headers: ["Authorization: Bearer \(doctor)"], binary: (Array(file.replacingOccurrences(of: "T140000", with: "T150000").utf8), "text/calendar"))
            #expect(again.body.contains(#""updated":1"#), "\(again.body)")
            let broken = try HTTPCall.send(port: server.httpPort, method: "POST", path: "/api/providers/1/import",
                                           headers: ["Authorization: Bearer \(doctor)"], binary: (Array("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n".utf8), "text/calendar"))
            #expect(broken.status == 400 && broken.body.contains("line"), "\(broken.body)")
            let visits = try http("GET", "/api/visits?provider_id=1", token: reception).1["visits"] as? [[String: Any]] ?? []
            #expect(visits.contains { $0["title"] as? String == "Conference" && $0["start"] as? String == "2027-03-30T15:00:00+02:00" && $0["kind"] as? String == "blocked" })
            // Blocked time is busy time.
            let clash = try http("POST", "/api/visits", #"{"provider_id":1,"patient_id":1,"start":"2027-03-30T15:30","minutes":30}"#, token: reception)
            #expect(clash.0 == 409 && clash.1["field"] as? String == "start")
        }
    }
}
