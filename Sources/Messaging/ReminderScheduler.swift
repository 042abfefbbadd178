import Foundation
import Scheduling

/// Keeps the outbox in step with the calendar: a booked visit gets its reminders queued (with
/// idempotency keys, before anything is sent), a moved one gets new ones and its old queued
/// ones cancelled, a cancelled one loses them.
public struct ReminderScheduler: Sendable {
    public let outbox: any OutboxStore
    public let calendar: any SchedulingStore
    /// The organisation's texting settings, for a provider.
    public let texting: @Sendable (_ organisationID: Int64, _ provider: Provider) -> ClinicTexting
    public let clock: @Sendable () -> Date

    public init(
        outbox: any OutboxStore, calendar: any SchedulingStore,
        texting: @escaping @Sendable (Int64, Provider) -> ClinicTexting, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.outbox = outbox
        self.calendar = calendar
        self.texting = texting
        self.clock = clock
    }

    /// Brings the appointment's queued reminders up to date; returns the newly queued ones.
    @discardableResult
    public func appointmentChanged(_ changed: Appointment) throws -> [OutboxMessage] {
        // Plan from what is stored now: two changes in quick succession both plan the latest.
        let appointment = try calendar.appointment(id: changed.id) ?? changed
        let provider = try calendar.provider(id: appointment.providerID)
        let patient = try appointment.patientID.flatMap { try calendar.patient(id: $0) }
        let wanted = try reminders(for: appointment, patient: patient, provider: provider, now: clock())
        let queued = try outbox.enqueue(wanted)
        try outbox.cancelQueued(appointmentID: appointment.id, keeping: Set(wanted.map(\.idempotencyKey)), at: clock())
        return queued
    }

    /// Plans every pending future visit again (at start-up, so a change the server died before
    /// planning still gets its reminders). Keys already queued are kept as they are.
    public func planAll(batchSize: Int = 1000, log: (String) -> Void = { _ in }) throws -> (visits: Int, queued: Int) {
        let now = clock()
        let visits = try calendar.pendingAppointments(startingAfter: now)
        var providers: [Int64: Provider?] = [:]
        var patients: [Int64: Patient?] = [:]
        var batch: [OutboxMessage] = []
        var queued = 0
        for a in visits {
            if providers[a.providerID] == nil { providers[a.providerID] = try calendar.provider(id: a.providerID) }
            if let id = a.patientID, patients[id] == nil { patients[id] = try calendar.patient(id: id) }
            do {
                batch += try reminders(
                    for: a, patient: a.patientID.flatMap { patients[$0] ?? nil }, provider: providers[a.providerID] ?? nil, now: now)
            } catch {
                log("visit \(a.id): reminders not planned: \(error)")
            }
            if batch.count >= batchSize {
                queued += try outbox.enqueue(batch).count
                batch.removeAll(keepingCapacity: true)
            }
        }
        queued += try outbox.enqueue(batch).count
        return (visits.count, queued)
    }

    /// The idempotency keys of the reminders `appointment` has under the current rules, sent or
    /// not; the dispatcher sends nothing else for it (a reminder planned under an old version,
    /// old offsets or before a STOP is dropped).
    public func currentKeys(for a: Appointment) throws -> Set<String> {
        let provider = try calendar.provider(id: a.providerID)
        let patient = try a.patientID.flatMap { try calendar.patient(id: $0) }
        return Set(try reminders(for: a, patient: patient, provider: provider, now: a.createdAt).map(\.idempotencyKey))
    }

    /// The reminders `appointment` should have from `now` on (none once it is not pending or has
    /// no patient who agreed to texts). Planned from the time it was booked, so a reminder
    /// deferred by quiet hours is still there when the visit changes after its nominal time.
    func reminders(for a: Appointment, patient: Patient?, provider: Provider?, now: Date) throws -> [OutboxMessage] {
        guard a.isPending, a.kind != .blocked, let patient, patient.smsConsent.granted, let provider else { return [] }
        let settings = texting(a.organisationID, provider)
        let plan = try ReminderPlanner.plan(
            appointmentID: String(a.id), appointmentVersion: a.version, visitStart: a.start, bookedAt: a.createdAt,
            patientTimeZone: patient.timeZoneIdentifier, rule: settings.rule
        ).filter { $0.sendAt >= now }
        guard !plan.isEmpty else { return [] }
        let location = a.meeting?.joinURL ?? a.location ?? (a.kind == .phone ? ServiceTexts.phoneVisit(locale: patient.localeTag) : settings.clinicName)
        let values = ReminderValues(
            firstName: patient.firstName, visitStart: a.start, clinic: settings.clinicName, provider: provider.displayName, location: location)
        let text = try settings.template(for: patient.localeTag).render(values, locale: patient.localeTag, timeZone: patient.timeZoneIdentifier)
        return plan.map { p in
            OutboxMessage(
                idempotencyKey: p.idempotencyKey, organisationID: a.organisationID, patientID: patient.id, appointmentID: a.id,
                purpose: .reminder, to: patient.mobile, text: text, sendAt: p.sendAt, expiresAt: a.start, createdAt: now)
        }
    }
}

extension PlannedReminder {
    /// The appointment version inside a reminder's idempotency key (`appointment/rule/vN/offset`).
    public static func appointmentVersion(inKey key: String) -> Int? {
        let parts = key.split(separator: "/")
        guard parts.count == 4, parts[2].hasPrefix("v") else { return nil }
        return Int(parts[2].dropFirst())
    }
}
