import Foundation

/// Two-way sync of each provider's visits with a CalDAV collection (RFC 4791), one provider at a
/// time:
/// - a visit booked, moved or cancelled here is PUT there (`If-None-Match: *` when new,
///   `If-Match` with the last ETag otherwise, so an edit made there meanwhile gives 412);
/// - an event made there becomes blocked time here (or updates the visit with its UID), and one
///   deleted there is removed (blocked time) or cancelled (a visit) here;
/// - an event changed on both sides is recorded as a conflict and neither side is overwritten
///   (``CalendarReconciler``).
public struct CalDAVSync: Sendable {
    public struct Report: Sendable, Equatable {
        public var pushed = 0
        public var pulled = 0
        public var deleted = 0
        public var conflicts = 0
        public init() {}
    }

    public let calendar: any SchedulingStore
    public let state: any CalDAVSyncStore
    public let scheduling: SchedulingService
    public let writer: ICalendarWriter
    public let clock: @Sendable () -> Date

    public init(
        calendar: any SchedulingStore, state: any CalDAVSyncStore, scheduling: SchedulingService,
        writer: ICalendarWriter = ICalendarWriter(uidDomain: "carephone"), clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.calendar = calendar
        self.state = state
        self.scheduling = scheduling
        self.writer = writer
        self.clock = clock
    }

    public func sync(_ provider: Provider, client: CalDAVClient) async throws -> Report {
        let collection = client.collection.absoluteString
        if try state.collectionURL(providerID: provider.id) != collection {
            _ = try await client.makeCalendar(displayName: provider.displayName)
            try state.setCollection(providerID: provider.id, url: collection, syncedAt: nil)
        }
        let items = Dictionary(try state.items(providerID: provider.id).map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
        let appointments = try calendar.appointments(organisationID: provider.organisationID, providerID: provider.id, from: nil, to: nil)
        var byUID: [String: Appointment] = [:]
        var local: [CalendarReconciler.LocalEntry] = []
        for a in appointments {
            byUID[a.uid] = a
            let item = items[a.uid]
            // A visit cancelled before it was ever synced is not worth creating there.
            if item == nil, !a.isPending { continue }
            local.append(.init(uid: a.uid, href: item?.href, lastSyncedETag: item?.etag, changedSinceSync: a.version > (item?.syncedVersion ?? 0)))
        }
        for item in items.values where byUID[item.uid] == nil {
            local.append(.init(uid: item.uid, href: item.href, lastSyncedETag: item.etag, changedSinceSync: false, deletedLocally: true))
        }
        let remote = try await client.listETags().map { CalendarReconciler.RemoteEntry(href: $0.href, etag: $0.etag) }

        var report = Report()
        // Hrefs are kept as the server lists them: absolute paths.
        let decisions = CalendarReconciler.decisions(local: local, remote: remote) { uid in
            client.url(CalDAVResourceName.href(forUID: uid)).path
        }
        for decision in decisions {
            switch decision {
            case .pushCreate(let uid, let href):
                guard let a = byUID[uid] else { continue }
                do {
                    let etag = try await client.create(href: href, ics: document(a))
                    try state.saveItem(CalDAVItem(uid: uid, providerID: provider.id, href: href, etag: etag, syncedVersion: a.version))
                    report.pushed += 1
                } catch CalDAVError.preconditionFailed {
                    report.conflicts += try conflict(provider, uid, href, "an event with this name already exists in the CalDAV calendar")
                }
            case .pushUpdate(let uid, let href, let ifMatch):
                guard let a = byUID[uid] else { continue }
                do {
                    let etag = try await client.put(href: href, ics: document(a), ifMatch: ifMatch)
                    try state.saveItem(CalDAVItem(uid: uid, providerID: provider.id, href: href, etag: etag, syncedVersion: a.version))
                    report.pushed += 1
                } catch CalDAVError.preconditionFailed {
                    report.conflicts += try conflict(provider, uid, href, "changed in CarePhone and in the CalDAV calendar since the last sync")
                }
            case .pullNew(let href, _), .pullUpdate(_, let href, _):
                let resource = try await client.get(href: href)
                report.pulled += try await pull(resource, provider: provider, byUID: byUID)
            case .deleteLocal(let uid):
                if let a = byUID[uid] {
                    if a.kind == .blocked {
                        try calendar.deleteAppointment(
                            id: a.id, change: AppointmentChange(appointmentID: a.id, version: a.version + 1, action: .deleted, userID: nil, source: "caldav", at: clock()))
                    } else if a.isPending {
                        var cancelled = a
                        cancelled.status = .cancelled
                        _ = try await scheduling.record(cancelled, expectedVersion: a.version, action: .cancelled, userID: nil, source: "caldav",
                                                        detail: "deleted in the CalDAV calendar")
                    }
                }
                try state.removeItem(uid: uid)
                report.deleted += 1
            case .deleteRemote(let uid, let href, let ifMatch):
                do {
                    try await client.delete(href: href, ifMatch: ifMatch)
                    try state.removeItem(uid: uid)
                    report.deleted += 1
                } catch CalDAVError.preconditionFailed {
                    report.conflicts += try conflict(provider, uid, href, "deleted in CarePhone but changed in the CalDAV calendar")
                }
            case .forgetLocal(let uid):
                try state.removeItem(uid: uid)
            case .conflict(let uid, let reason):
                let href = items[uid]?.href ?? client.url(CalDAVResourceName.href(forUID: uid)).path
                report.conflicts += try conflict(provider, uid, href, Self.words(reason))
            }
        }
        try state.setCollection(providerID: provider.id, url: collection, syncedAt: clock())
        return report
    }

    /// Takes the server's copy of an event: updates the visit with its UID, or adds blocked time.
    func pull(_ resource: CalDAVClient.Resource, provider: Provider, byUID: [String: Appointment]) async throws -> Int {
        let events = try ICalendarParser(defaultTimeZone: TimeZone(identifier: provider.timeZoneIdentifier) ?? .gmt)
            .events(in: resource.calendarData).filter { $0.recurrenceID == nil }
        guard let event = events.first else { return 0 }
        let now = clock()
        if var a = try byUID[event.uid] ?? calendar.appointment(uid: event.uid) {
            guard a.providerID == provider.id else { return 0 }
            let old = a.version
            a.start = event.start
            a.end = event.end
            if a.kind == .blocked { a.title = event.summary }
            if a.meeting == nil { a.location = event.location.flatMap { $0.isEmpty ? nil : $0 } }
            if event.status == .cancelled, a.isPending { a.status = .cancelled }
            guard let saved = try await scheduling.record(a, expectedVersion: old, action: .updated, userID: nil, source: "caldav",
                                                          detail: "changed in the CalDAV calendar")
            else { return 0 }
            try state.saveItem(CalDAVItem(uid: a.uid, providerID: provider.id, href: resource.href, etag: resource.etag, syncedVersion: saved.version))
            return 1
        }
        guard event.status != .cancelled else { return 0 }
        let blocked = Appointment(
            id: 0, organisationID: provider.organisationID, providerID: provider.id, patientID: nil, start: event.start, end: event.end,
            bookedTimeZoneIdentifier: event.timeZoneIdentifier.flatMap { TimeZone(identifier: $0) != nil ? $0 : nil } ?? provider.timeZoneIdentifier,
            kind: .blocked, location: event.location, changedBy: 0, changedAt: now, uid: event.uid,
            title: event.summary ?? "Busy")
        let created = try calendar.insertAppointments(
            [blocked], change: AppointmentChange(appointmentID: 0, version: 1, action: .created, userID: nil, source: "caldav", at: now))
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
