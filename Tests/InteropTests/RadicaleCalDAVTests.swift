import Foundation
import Scheduling
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `CalDAVClient`, `ICalendarWriter`/`ICalendarParser` and `CalendarReconciler` against a real
/// Radicale 3 (RFC 4791 calendar access, RFC 6578 sync-collection).
@Suite(.serialized) struct RadicaleCalDAVTests {
    static let stamp = Date(timeIntervalSince1970: 1_800_000_500)

    static func appointment(_ id: Int64, location: String = "Room 2", version: Int = 1) -> Appointment {
        var calendar = Foundation.Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Rome")!
        let start = calendar.date(from: DateComponents(year: 2027, month: 3, day: 29, hour: 9))!
        return Appointment(
            id: id, organisationID: 1, providerID: 3, patientID: 7, start: start, end: start.addingTimeInterval(1800),
            bookedTimeZoneIdentifier: "Europe/Rome", kind: .inPerson, location: location, status: .confirmed,
            version: version, changedBy: 11, changedAt: Date(timeIntervalSince1970: 1_800_000_000),
            uid: "appointment-\(id)@clinic.example.org")
    }

    static func ics(_ appointment: Appointment) -> String {
        ICalendarWriter().document(for: [appointment], stamp: stamp)
    }

    @Test func makeCalendarIsIdempotentAndReportsState() async throws {
        let server = try RadicaleServer(label: "mkcal")
        defer { server.stop() }
        let client = server.client(calendar: "clinic")
        #expect(try await client.makeCalendar(displayName: "Clinic & Co") == .created)
        #expect(try await client.makeCalendar() == .alreadyExisted)
        let state = try await client.collectionState()
        #expect(state.ctag != nil)
        #expect(state.syncToken?.isEmpty == false)
        #expect(try await client.listETags() == [])
    }

    @Test func putSyncMultigetAndParseBack() async throws {
        let server = try RadicaleServer(label: "put")
        defer { server.stop() }
        let client = server.client(calendar: "clinic")
        try await client.makeCalendar()
        let appointment = Self.appointment(42, location: "Studio 2, piano 1; chiedere – 診所")
        let href = CalDAVResourceName.href(forUID: "appointment-42@clinic.example.org")
        let etag = try await client.create(href: href, ics: Self.ics(appointment))
        #expect(etag.hasPrefix("\""))

        guard case .changes(let initial) = try await client.syncCollection(token: nil) else {
            Issue.record("initial sync refused")
            return
        }
        #expect(initial.changed.map(\.etag) == [etag])
        #expect(initial.deleted == [])
        let fullHref = try #require(initial.changed.first?.href)
        #expect(fullHref == "/\(RadicaleServer.user)/clinic/\(href)")

        let fetched = try await client.fetch(hrefs: [fullHref, "missing.ics"])
        #expect(fetched.count == 1)
        #expect(fetched.first?.etag == etag)
        let resource = try #require(fetched.first)
        let event = try #require(try ICalendarParser().events(in: resource.calendarData).first)
        #expect(event.uid == "appointment-42@clinic.example.org")
        #expect(event.start == appointment.start)
        #expect(event.location == appointment.location)
        #expect(event.timeZoneIdentifier == "Europe/Rome")

        let got = try await client.get(href: fullHref)
        #expect(got.etag == etag)
        #expect(try ICalendarParser().events(in: got.calendarData) == [event])
        #expect(try await client.listETags() == [CalDAVClient.ResourceETag(href: fullHref, etag: etag)])

        // Creating the same name again is refused by If-None-Match: *.
        await #expect(throws: CalDAVError.preconditionFailed(href: fullHref)) {
            try await client.create(href: href, ics: Self.ics(appointment))
        }
    }

    @Test func conditionalUpdatesAndDeletes() async throws {
        let server = try RadicaleServer(label: "ifmatch")
        defer { server.stop() }
        let client = server.client(calendar: "clinic")
        try await client.makeCalendar()
        let href = CalDAVResourceName.href(forUID: "appointment-1@clinic.example.org")
        let first = try await client.create(href: href, ics: Self.ics(Self.appointment(1)))
        let second = try await client.put(
            href: href, ics: Self.ics(Self.appointment(1, location: "Room 9", version: 2)), ifMatch: first)
        #expect(second != first)
        let path = client.url(href).path
        await #expect(throws: CalDAVError.preconditionFailed(href: path)) {
            try await client.put(
                href: href, ics: Self.ics(Self.appointment(1, location: "Room 5", version: 3)), ifMatch: first)
        }
        let stored = try ICalendarParser().events(in: try await client.get(href: href).calendarData)
        #expect(stored.first?.location == "Room 9")  // the stale write changed nothing
        await #expect(throws: CalDAVError.preconditionFailed(href: path)) {
            try await client.delete(href: href, ifMatch: first)
        }
        try await client.delete(href: href, ifMatch: second)
        #expect(try await client.listETags() == [])
    }

    @Test func syncTokenReturnsOnlyChangesIncludingOtherClients() async throws {
        let server = try RadicaleServer(label: "sync")
        defer { server.stop() }
        let client = server.client(calendar: "clinic")
        try await client.makeCalendar()
        let keep = try await client.create(href: "keep.ics", ics: Self.ics(Self.appointment(1)))
        let drop = try await client.create(href: "drop.ics", ics: Self.ics(Self.appointment(2)))
        _ = keep
        guard case .changes(let baseline) = try await client.syncCollection(token: nil) else {
            Issue.record("initial sync refused")
            return
        }
        #expect(baseline.changed.count == 2)

        // Another client: a plain PUT with no conditions, an event with a UID we did not write.
        let other = """
            BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\nBEGIN:VEVENT\r\nUID:front-desk-7\r\n\
            DTSTAMP:20270101T000000Z\r\nDTSTART:20270330T080000Z\r\nDURATION:PT15M\r\nSUMMARY:Walk-in\r\n\
            X-CAREPHONE-KIND:phone\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
            """
        var request = URLRequest(url: client.url("front-desk-7.ics"))
        request.httpMethod = "PUT"
        request.httpBody = Data(other.utf8)
        let token = Data("\(RadicaleServer.user):\(RadicaleServer.password)".utf8).base64EncodedString()
        request.setValue("Basic \(token)", forHTTPHeaderField: "Authorization")
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 201)
        try await client.delete(href: "drop.ics", ifMatch: drop)

        guard case .changes(let delta) = try await client.syncCollection(token: baseline.token) else {
            Issue.record("delta sync refused")
            return
        }
        let base = "/\(RadicaleServer.user)/clinic/"
        #expect(delta.changed.map(\.href) == [base + "front-desk-7.ics"])
        #expect(delta.deleted == [base + "drop.ics"])
        #expect(delta.token != baseline.token)
        let walkIn = try ICalendarParser().events(
            in: try await client.fetch(hrefs: delta.changed.map(\.href))[0].calendarData)
        #expect(walkIn.first?.extensions["X-CAREPHONE-KIND"] == "phone")
        #expect(walkIn.first?.end.timeIntervalSince(walkIn.first!.start) == 900)

        guard case .changes(let quiet) = try await client.syncCollection(token: delta.token) else {
            Issue.record("second delta refused")
            return
        }
        #expect(quiet.changed == [] && quiet.deleted == [])
        #expect(try await client.syncCollection(token: "http://radicale.org/ns/sync/0000") == .tokenInvalid)
    }

    @Test func reconcilerDecisionsCarryOutAgainstTheServer() async throws {
        let server = try RadicaleServer(label: "reconcile")
        defer { server.stop() }
        let client = server.client(calendar: "clinic")
        try await client.makeCalendar()
        let uid = "appointment-5@clinic.example.org"
        let local = CalendarReconciler.LocalEntry(uid: uid, changedSinceSync: true)
        let first = CalendarReconciler.decisions(local: [local], remote: [])
        guard case .pushCreate(_, let href) = first.first else {
            Issue.record("expected pushCreate, got \(first)")
            return
        }
        let etag = try await client.create(href: href, ics: Self.ics(Self.appointment(5)))
        let path = client.url(href).path
        // Someone edits it remotely while we also edit locally: conflict, and nothing is written.
        let remoteEdit = try await client.put(
            href: href, ics: Self.ics(Self.appointment(5, location: "Remote")), ifMatch: etag)
        let synced = CalendarReconciler.LocalEntry(uid: uid, href: path, lastSyncedETag: etag, changedSinceSync: true)
        let listing = try await client.listETags().map { CalendarReconciler.RemoteEntry(href: $0.href, etag: $0.etag) }
        #expect(listing.map(\.etag) == [remoteEdit])
        #expect(
            CalendarReconciler.decisions(local: [synced], remote: listing) == [
                .conflict(uid: uid, reason: .changedOnBothSides)
            ])
    }
}
