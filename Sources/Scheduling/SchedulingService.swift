import Foundation

/// Books, moves and cancels visits in providers' calendars, with the delegation rule
/// (``SchedulingPolicy``), working hours, double-booking checks, meetings for video visits and a
/// history line for every change. Whatever else must follow a change (reminders, CalDAV) is
/// told through `onChange` after the change is stored.
public struct SchedulingService: Sendable {
    public let store: any SchedulingStore
    public let meetings: (any MeetingProvider)?
    public let clock: @Sendable () -> Date
    public let onChange: @Sendable (Appointment, AppointmentChange.Action) async -> Void
    /// The most occurrences one recurring booking may make.
    public static let seriesLimit = 366
    /// Makes "is the slot free" and "book it" one step within this process.
    let gate = BookingGate()

    public init(
        store: any SchedulingStore, meetings: (any MeetingProvider)?, clock: @escaping @Sendable () -> Date = { Date() },
        onChange: @escaping @Sendable (Appointment, AppointmentChange.Action) async -> Void = { _, _ in }
    ) {
        self.store = store
        self.meetings = meetings
        self.clock = clock
        self.onChange = onChange
    }

    // MARK: booking

    /// Books `request` (every occurrence of a series), as `user`, from `source` (`http`, `cli`).
    public func book(_ request: BookingRequest, by user: ActingUser, source: String) async throws(SchedulingError) -> [Appointment] {
        let provider = try providerForChange(request.providerID, .create, by: user)
        let zoneID = request.timeZoneIdentifier ?? provider.timeZoneIdentifier
        var errors: [ValidationError] = []
        if let e = FieldValidation.endAfterStart(start: request.start, end: request.end) { errors.append(e) }
        if let e = FieldValidation.timeZone(zoneID, field: "time_zone") { errors.append(e) }
        if let location = request.location, location.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            errors.append(ValidationError(field: "location", message: "must not be blank; leave it out instead"))
        }
        if request.kind == .blocked {
            if request.patientID != nil {
                errors.append(ValidationError(field: "patient_id", message: "a blocked time has no patient"))
            }
        } else if request.patientID == nil {
            errors.append(ValidationError(field: "patient_id", message: "is required for a visit"))
        }
        if request.end.timeIntervalSince(request.start) > 24 * 3600 {
            errors.append(ValidationError(field: "end", message: "a visit may last at most 24 hours"))
        }
        guard errors.isEmpty, let zone = TimeZone(identifier: zoneID) else { throw .invalid(errors) }
        if let patientID = request.patientID {
            guard let patient = try load({ try store.patient(id: patientID) }), patient.organisationID == provider.organisationID else {
                throw .notFound(field: "patient_id", message: "no patient \(patientID) in this organisation")
            }
        }

        var starts = [request.start]
        var seriesID: String?
        if let text = request.recurrence {
            let rule: RecurrenceRule
            do { rule = try RecurrenceRule(parsing: text) } catch {
                throw .invalid([ValidationError(field: "recurrence", message: error.description)])
            }
            if case .never = rule.end {
                throw .invalid([ValidationError(field: "recurrence", message: "needs COUNT or UNTIL; open-ended series are not booked")])
            }
            starts = rule.expand(start: request.start, timeZone: zone, exceptions: Set(request.exceptions), limit: Self.seriesLimit + 1)
            guard starts.count <= Self.seriesLimit else {
                throw .invalid([ValidationError(field: "recurrence", message: "makes more than \(Self.seriesLimit) visits; shorten it")])
            }
            guard !starts.isEmpty else {
                throw .invalid([ValidationError(field: "exceptions", message: "leave no visit in the series")])
            }
            seriesID = UUID().uuidString.lowercased()
        }
        let length = request.end.timeIntervalSince(request.start)
        let now = clock()
        // Every occurrence is checked before any meeting is made (and again, under the gate, when
        // they are stored).
        if !request.allowOverlap, request.kind == .video, meetings != nil {
            for start in starts { try checkFree(provider: provider, start: start, end: start.addingTimeInterval(length), ignoring: nil) }
        }
        var appointments: [Appointment] = []
        for start in starts {
            let end = start.addingTimeInterval(length)
            var a = Appointment(
                id: 0, organisationID: provider.organisationID, providerID: provider.id, patientID: request.patientID, start: start,
                end: end, bookedTimeZoneIdentifier: zoneID, kind: request.kind, location: request.location, changedBy: user.id,
                changedAt: now, uid: UUID().uuidString.lowercased() + "@carephone", title: request.title, seriesID: seriesID)
            if a.kind == .video, let meetings {
                do { a.meeting = try await meetings.create(for: a) } catch { throw .meeting(String(describing: error)) }
            }
            appointments.append(a)
        }
        let change = AppointmentChange(appointmentID: 0, version: 1, action: .created, userID: user.id, source: source, at: now)
        let created = try insertChecked(appointments, provider: provider, allowOverlap: request.allowOverlap, change: change)
        for a in created { await onChange(a, .created) }
        return created
    }

    /// Moves a visit to `start..<end` (its length kept if `end` is nil). It needs confirming again.
    public func move(
        id: Int64, start: Date, end: Date?, by user: ActingUser, source: String, allowOverlap: Bool = false
    ) async throws(SchedulingError) -> Appointment {
        var a = try appointmentForChange(id, by: user)
        let provider = try providerForChange(a.providerID, .move, by: user)
        guard a.isPending else { throw .conflict(field: "status", message: "a \(a.status.rawValue) visit cannot be moved") }
        let newEnd = end ?? start.addingTimeInterval(a.end.timeIntervalSince(a.start))
        if let e = FieldValidation.endAfterStart(start: start, end: newEnd) { throw .invalid([e]) }
        if !allowOverlap { try checkFree(provider: provider, start: start, end: newEnd, ignoring: a.id) }
        let detail = "from \(Self.iso(a.start)) to \(Self.iso(start))"
        let old = a.version
        a.start = start
        a.end = newEnd
        a.status = .booked
        if let meeting = a.meeting, let meetings {
            do { a.meeting = try await meetings.update(meeting, for: a) } catch { throw .meeting(String(describing: error)) }
        }
        return try await save(a, expected: old, action: .moved, userID: user.id, source: source, detail: detail)
    }

    /// Cancels a visit; its reminders and meeting go with it.
    public func cancel(id: Int64, by user: ActingUser, source: String) async throws(SchedulingError) -> Appointment {
        var a = try appointmentForChange(id, by: user)
        _ = try providerForChange(a.providerID, .cancel, by: user)
        guard a.isPending else { throw .conflict(field: "status", message: "the visit is already \(a.status.rawValue)") }
        let old = a.version
        a.status = .cancelled
        let saved = try await save(a, expected: old, action: .cancelled, userID: user.id, source: source, detail: "")
        // The visit is cancelled whatever the meeting service says; a room left open is harmless.
        if let meeting = a.meeting, let meetings { try? await meetings.cancel(meeting, for: saved) }
        return saved
    }

    /// A change the patient asked for by text (confirm) or that another calendar made; no
    /// scheduling privilege applies. Returns nil when the visit changed in between.
    public func record(
        _ appointment: Appointment, expectedVersion: Int, action: AppointmentChange.Action, userID: Int64?, source: String,
        detail: String = ""
    ) async throws(SchedulingError) -> Appointment? {
        do {
            return try await save(appointment, expected: expectedVersion, action: action, userID: userID, source: source, detail: detail)
        } catch .conflict {
            return nil
        }
    }

    /// Checks the slots again and stores the visits as one step in this process: another booking
    /// may have taken a slot while the meetings were being made.
    func insertChecked(
        _ appointments: [Appointment], provider: Provider, allowOverlap: Bool, change: AppointmentChange
    ) throws(SchedulingError) -> [Appointment] {
        gate.lock.lock()
        defer { gate.lock.unlock() }
        if !allowOverlap {
            for a in appointments { try checkFree(provider: provider, start: a.start, end: a.end, ignoring: nil) }
        }
        return try write { try store.insertAppointments(appointments, change: change) }
    }

    /// Records how a past visit went: `completed` or `noShow` (by the provider, an admin or a
    /// delegated scheduler).
    public func setOutcome(id: Int64, _ status: Appointment.Status, by user: ActingUser, source: String) async throws(SchedulingError) -> Appointment {
        guard status == .completed || status == .noShow else {
            throw .invalid([ValidationError(field: "status", message: "must be completed or no-show")])
        }
        var a = try appointmentForChange(id, by: user)
        _ = try providerForChange(a.providerID, .move, by: user)
        guard a.status != .cancelled else { throw .conflict(field: "status", message: "the visit was cancelled") }
        guard a.start <= clock() else { throw .conflict(field: "status", message: "the visit has not started yet") }
        let old = a.version
        a.status = status
        return try await save(a, expected: old, action: .updated, userID: user.id, source: source, detail: "marked \(status.rawValue)")
    }

    // MARK: patients

    /// Validates and stores a new patient in `user`'s organisation.
    public func createPatient(_ patient: Patient, by user: ActingUser) throws(SchedulingError) -> Patient {
        var p = patient
        p.organisationID = user.organisationID
        let errors = p.validate()
        guard errors.isEmpty else { throw .invalid(errors) }
        return try write { try store.createPatient(p) }
    }

    // MARK: checks

    /// The provider, if `user` may make `action` on their calendar.
    public func providerForChange(_ id: Int64, _ action: SchedulingAction, by user: ActingUser) throws(SchedulingError) -> Provider {
        guard let provider = try load({ try store.provider(id: id) }), provider.organisationID == user.organisationID else {
            throw .notFound(field: "provider_id", message: "no provider \(id) in this organisation")
        }
        let delegations = try load { try store.delegations(providerID: id) }
        do { try SchedulingPolicy().authorize(action, by: user, for: provider, delegations: delegations) } catch { throw .refused(error) }
        return provider
    }

    func appointmentForChange(_ id: Int64, by user: ActingUser) throws(SchedulingError) -> Appointment {
        guard let a = try load({ try store.appointment(id: id) }), a.organisationID == user.organisationID else {
            throw .notFound(field: "id", message: "no visit \(id) in this organisation")
        }
        return a
    }

    /// Working hours are on the provider's wall clock, whatever zone the visit was booked in.
    func checkFree(provider: Provider, start: Date, end: Date, ignoring: Int64?) throws(SchedulingError) {
        let zone = TimeZone(identifier: provider.timeZoneIdentifier) ?? .gmt
        let hours = try load { try store.workingHours(providerID: provider.id) }
        guard WorkingHours.covers(hours, start: start, end: end, zone: zone) else {
            throw .conflict(field: "start", message: "\(Self.iso(start)) is outside \(provider.displayName)'s working hours ("
                + hours.map(\.text).joined(separator: ", ") + ")")
        }
        let clash = try load {
            try store.appointments(organisationID: provider.organisationID, providerID: provider.id, from: start, to: end)
        }.first { $0.isPending && $0.id != ignoring }
        if let clash {
            throw .conflict(field: "start", message: "\(provider.displayName) is busy then (visit \(clash.id), "
                + "\(Self.iso(clash.start))-\(Self.iso(clash.end))); choose another time or allow the overlap")
        }
    }

    func save(
        _ appointment: Appointment, expected: Int, action: AppointmentChange.Action, userID: Int64?, source: String, detail: String
    ) async throws(SchedulingError) -> Appointment {
        var a = appointment
        a.version = expected + 1
        a.changedBy = userID ?? 0
        a.changedAt = clock()
        let change = AppointmentChange(
            appointmentID: a.id, version: a.version, action: action, userID: userID, source: source, at: a.changedAt, detail: detail)
        let stored = a
        guard try write({ try store.updateAppointment(stored, expectedVersion: expected, change: change) }) else {
            throw .conflict(field: "version", message: "the visit was changed by someone else meanwhile; reload it and try again")
        }
        await onChange(a, action)
        return a
    }

    func load<T>(_ body: () throws -> T) throws(SchedulingError) -> T {
        do { return try body() } catch { throw .storage("the calendar could not be read: \(error)") }
    }

    func write<T>(_ body: () throws -> T) throws(SchedulingError) -> T {
        do { return try body() } catch { throw .storage("the calendar could not be saved: \(error)") }
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}

/// A lock shared by the copies of one ``SchedulingService``.
final class BookingGate: @unchecked Sendable {
    let lock = NSLock()
}
