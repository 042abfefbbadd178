import Foundation

/// Two-way sync of each provider's visits with a CalDAV collection (RFC 4791), one provider at a
/// time:
/// - a visit booked, moved or cancelled here is PUT there (`If-None-Match: *` when new,
///   `If-Match` with the last ETag otherwise, so an edit made there meanwhile gives 412);
/// - an event made there becomes blocked time here (or updates the entry with its UID; a visit
///   moved there is moved here, its meeting too, and needs confirming again);
/// - blocked time deleted there is deleted here; a patient's visit deleted there is not cancelled
///   behind the clinic's back but reported as a conflict;
/// - an event changed on both sides is recorded as a conflict and neither side is overwritten
///   (``CalendarReconciler``) until a person settles it (`keep` CarePhone's or the server's).
/// Safety: a listing that has lost every event synced before is not taken as "all deleted";
/// one event that cannot be read or stored is reported and the others still sync.
public struct CalDAVSync: Sendable {
    public struct Report: Sendable, Equatable {
        public var pushed = 0
        public var pulled = 0
        public var deleted = 0
        public var conflicts = 0
        /// Events that could not be synced this time, with why.
        public var failures: [String] = []
        public init() {}
    }

    public let calendar: any SchedulingStore
    public let state: any CalDAVSyncStore
    public let scheduling: SchedulingService
    public let writer: ICalendarWriter
    public let clock: @Sendable () -> Date

    public init(
        calendar: any SchedulingStore, state: any CalDAVSyncStore, scheduling: SchedulingService,
        writer: ICalendarWriter = ICalendarWriter(), clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.calendar = calendar
        self.state = state
        self.scheduling = scheduling
        self.writer = writer
        self.clock = clock
    }

    public enum SyncError: Error, CustomStringConvertible {
        case collectionEmptied(known: Int)
        public var description: String {
            switch self {
            case .collectionEmptied(let known):
                "the CalDAV collection lists no events, but \(known) were synced before; nothing was deleted (was it recreated or is the account wrong?)"
            }
        }
    }

    public func sync(_ provider: Provider, client: CalDAVClient) async throws -> Report {
        let collection = client.collection.absoluteString
        if try state.collectionURL(providerID: provider.id) != collection {
            // A new collection: what was agreed with the old one means nothing there.
            _ = try await client.makeCalendar(displayName: provider.displayName)
            try state.removeItems(providerID: provider.id)
            try state.setCollection(providerID: provider.id, url: collection, syncedAt: nil)
        }
        var items = Dictionary(try state.items(providerID: provider.id).map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
        let appointments = try calendar.appointments(organisationID: provider.organisationID, providerID: provider.id, from: nil, to: nil)
        let resolutions = try state.pendingResolutions(providerID: provider.id)
        // The collection's sync-token (RFC 6578) or ctag: unchanged there and nothing changed
        // here since the last complete sync means there is nothing to do.
        let tagState = try? await client.collectionState()
        let tag = tagState?.syncToken ?? tagState?.ctag
        let changedHere = appointments.contains { a in a.version > (items[a.uid]?.syncedVersion ?? (a.isPending ? 0 : a.version)) }
            || items.keys.contains { uid in !appointments.contains { $0.uid == uid } }
        if let tag, tag == (try state.collectionTag(providerID: provider.id)), !changedHere, resolutions.isEmpty {
            return Report()
        }
        let remoteList = try await client.listETags()
        if remoteList.isEmpty, !items.isEmpty { throw SyncError.collectionEmptied(known: items.count) }
        let remote = remoteList.map { CalendarReconciler.RemoteEntry(href: $0.href, etag: $0.etag) }
        let remoteETags = Dictionary(remoteList.map { ($0.href, $0.etag) }, uniquingKeysWith: { a, _ in a })

        // Settled conflicts: "keep CarePhone's" makes the server's copy count as agreed, so ours
        // is pushed over it; "keep the server's" makes ours count as unchanged, so theirs is pulled.
        let byUID = Dictionary(appointments.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
        for (uid, keep) in resolutions {
            guard var item = items[uid], let a = byUID[uid] else {
                try state.resolutionApplied(uid: uid, providerID: provider.id)
                continue
            }
            if keep == "carephone" {
                // Theirs is gone: create ours again; else overwrite theirs.
                item.etag = remoteETags[item.href]
                item.syncedVersion = min(item.syncedVersion, a.version - 1)
            } else if remoteETags[item.href] == nil {
                // Theirs was deleted: the visit is cancelled here too.
                var cancelled = a
                cancelled.status = .cancelled
                _ = try await scheduling.record(
                    cancelled, expectedVersion: a.version, action: .cancelled, userID: nil, source: "caldav",
                    detail: "deleted in the CalDAV calendar; the conflict was settled in its favour")
                try state.removeItem(uid: uid, providerID: provider.id)
                items[uid] = nil
                try state.resolutionApplied(uid: uid, providerID: provider.id)
                continue
            } else {
                item.etag = "\"resolved-take-theirs\""
                item.syncedVersion = a.version
            }
            try state.saveItem(item)
            items[uid] = item
            try state.resolutionApplied(uid: uid, providerID: provider.id)
        }

        var local: [CalendarReconciler.LocalEntry] = []
        for a in appointments {
            let item = items[a.uid]
            // A visit cancelled before it was ever synced is not worth creating there.
            if item == nil, !a.isPending { continue }
            local.append(.init(uid: a.uid, href: item?.href, lastSyncedETag: item?.etag, changedSinceSync: a.version > (item?.syncedVersion ?? 0)))
        }
        for item in items.values where byUID[item.uid] == nil {
            local.append(.init(uid: item.uid, href: item.href, lastSyncedETag: item.etag, changedSinceSync: false, deletedLocally: true))
        }

        var report = Report()
        // Hrefs are kept as the server lists them: absolute paths.
        let decisions = CalendarReconciler.decisions(local: local, remote: remote) { uid in
            client.url(CalDAVResourceName.href(forUID: uid)).path
        }
        for decision in decisions {
            do {
                try await apply(decision, provider: provider, client: client, byUID: byUID, items: items, report: &report)
            } catch {
                report.failures.append("\(decision): \(error)")
            }
        }
        try state.setCollection(providerID: provider.id, url: collection, syncedAt: clock())
        // Our own pushes changed the tag: take it only when this sync changed nothing there and
        // failed nowhere, else compare again next time.
        if report.pushed == 0, report.deleted == 0, report.failures.isEmpty { try state.setCollectionTag(tag, providerID: provider.id) }
        else { try state.setCollectionTag(nil, providerID: provider.id) }
        return report
    }

    func apply(
        _ decision: CalendarReconciler.Decision, provider: Provider, client: CalDAVClient, byUID: [String: Appointment],
        items: [String: CalDAVItem], report: inout Report
    ) async throws {
        switch decision {
        case .pushCreate(let uid, let href):
            guard let a = byUID[uid] else { return }
            do {
                let etag = try await client.create(href: href, ics: document(a))
                try state.saveItem(CalDAVItem(uid: uid, providerID: provider.id, href: href, etag: etag, syncedVersion: a.version))
                report.pushed += 1
            } catch CalDAVError.preconditionFailed {
                report.conflicts += try conflict(provider, uid, href, "an event with this name already exists in the CalDAV calendar")
            }
        case .pushUpdate(let uid, let href, let ifMatch):
            guard let a = byUID[uid] else { return }
            do {
                let etag = try await client.put(href: href, ics: document(a), ifMatch: ifMatch)
                try state.saveItem(CalDAVItem(uid: uid, providerID: provider.id, href: href, etag: etag, syncedVersion: a.version))
                report.pushed += 1
            } catch CalDAVError.preconditionFailed {
                report.conflicts += try conflict(provider, uid, href, "changed in CarePhone and in the CalDAV calendar since the last sync")
            }
        case .pullNew(let href, _), .pullUpdate(_, let href, _):
            let resource = try await client.get(href: href)
            report.pulled += try await pull(resource, provider: provider)
        case .deleteLocal(let uid):
            if let a = byUID[uid], a.kind != .blocked, a.isPending {
                // A patient's visit is not cancelled behind the clinic's back.
                report.conflicts += try conflict(
                    provider, uid, items[uid]?.href ?? "", "a patient's visit was deleted in the CalDAV calendar; cancel it in CarePhone or keep it")
                return
            }
            if let a = byUID[uid], a.kind == .blocked {
                try calendar.deleteAppointment(
                    id: a.id,
                    change: AppointmentChange(appointmentID: a.id, version: a.version + 1, action: .deleted, userID: nil, source: "caldav", at: clock()))
            }
            try state.removeItem(uid: uid, providerID: provider.id)
            report.deleted += 1
        case .deleteRemote(let uid, let href, let ifMatch):
            do {
                try await client.delete(href: href, ifMatch: ifMatch)
                try state.removeItem(uid: uid, providerID: provider.id)
                report.deleted += 1
            } catch CalDAVError.preconditionFailed {
                report.conflicts += try conflict(provider, uid, href, "deleted in CarePhone but changed in the CalDAV calendar")
            }
        case .forgetLocal(let uid):
            try state.removeItem(uid: uid, providerID: provider.id)
        case .conflict(let uid, let reason):
            let href = items[uid]?.href ?? client.url(CalDAVResourceName.href(forUID: uid)).path
            report.conflicts += try conflict(provider, uid, href, Self.words(reason))
        }
    }

    /// Takes the server's copy of an event: updates the entry with its UID, or adds blocked time.
    func pull(_ resource: CalDAVClient.Resource, provider: Provider) async throws -> Int {
        let events = try ICalendarParser(defaultTimeZone: TimeZone(identifier: provider.timeZoneIdentifier) ?? .gmt)
            .events(in: resource.calendarData).filter { $0.recurrenceID == nil }
        guard let event = events.first else { return 0 }
        let now = clock()
        // An event with no length (DTEND = DTSTART) still holds a minute.
        let end = max(event.end, event.start.addingTimeInterval(60))
        if var a = try calendar.appointment(uid: event.uid, providerID: provider.id) {
            let old = a.version
            let moved = a.start != event.start || a.end != end
            a.start = event.start
            a.end = end
            if a.kind == .blocked { a.title = event.summary }
            if a.meeting == nil { a.location = event.location.flatMap { $0.isEmpty ? nil : $0 } }
            if moved, a.status == .confirmed { a.status = .booked }
            if let meeting = a.meeting, let meetings = scheduling.meetings {
                if event.status == .cancelled, a.isPending {
                    try await meetings.cancel(meeting, for: a)
                } else if moved {
                    a.meeting = try await meetings.update(meeting, for: a)
                }
            }
            if event.status == .cancelled, a.isPending { a.status = .cancelled }
            guard let saved = try await scheduling.record(a, expectedVersion: old, action: moved ? .moved : .updated, userID: nil,
                                                          source: "caldav", detail: "changed in the CalDAV calendar")
            else { return 0 }
            try state.saveItem(CalDAVItem(uid: a.uid, providerID: provider.id, href: resource.href, etag: resource.etag, syncedVersion: saved.version))
            return 1
        }
        guard event.status != .cancelled else { return 0 }
        let created = try calendar.insertAppointments(
            [Appointment.blocked(from: event, provider: provider, end: end, by: nil, at: now)],
            change: AppointmentChange(appointmentID: 0, version: 1, action: .created, userID: nil, source: "caldav", at: now))
        for a in created {
            try state.saveItem(CalDAVItem(uid: a.uid, providerID: provider.id, href: resource.href, etag: resource.etag, syncedVersion: a.version))
            await scheduling.onChange(a, .created)
        }
        return created.count
    }

    func document(_ a: Appointment) -> String { writer.document(for: [a], stamp: clock()) }

    func conflict(_ provider: Provider, _ uid: String, _ href: String, _ reason: String) throws -> Int {
        try state.recordConflict(CalDAVConflict(providerID: provider.id, uid: uid, href: href, reason: reason, detectedAt: clock())) ? 1 : 0
    }

    static func words(_ reason: CalendarReconciler.ConflictReason) -> String {
        switch reason {
        case .changedOnBothSides: "changed in CarePhone and in the CalDAV calendar since the last sync"
        case .changedLocallyDeletedRemotely: "changed in CarePhone but deleted in the CalDAV calendar"
        case .deletedLocallyChangedRemotely: "deleted in CarePhone but changed in the CalDAV calendar"
        case .unsyncedOnBothSides: "in both calendars with no record of a sync"
        }
    }
}

extension Appointment {
    /// Blocked time for an event made in another calendar (CalDAV, an imported `.ics`).
    public static func blocked(from event: ICalendarEvent, provider: Provider, end: Date, by userID: Int64?, at now: Date, uid: String? = nil) -> Appointment {
        let zone = event.timeZoneIdentifier.flatMap { TimeZone(identifier: $0) != nil ? $0 : nil } ?? provider.timeZoneIdentifier
        return Appointment(
            id: 0, organisationID: provider.organisationID, providerID: provider.id, patientID: nil, start: event.start, end: end,
            bookedTimeZoneIdentifier: zone, kind: .blocked, location: event.location, changedBy: userID ?? 0, changedAt: now,
            uid: uid ?? event.uid, title: event.summary ?? "Busy")
    }
}
