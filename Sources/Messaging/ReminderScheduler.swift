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
    /// planning still gets its reminders). Keys already in the outbox are not rendered again.
    public func planAll(batchSize: Int = 500, log: (String) -> Void = { _ in }) throws -> (visits: Int, queued: Int) {
        let now = clock()
        let visits = try calendar.pendingAppointments(startingAfter: now)
        var providers: [Int64: Provider?] = [:]
        var patients: [Int64: Patient?] = [:]
        // The texting settings (clinic settings read from the database) once per provider, not per visit.
        var settings: [Int64: ClinicTexting] = [:]
        var queued = 0
        var start = 0
        while start < visits.count {
            let slice = visits[start..<min(start + batchSize, visits.count)]
            start += batchSize
            var plans: [(Appointment, Patient, Provider, ClinicTexting, [PlannedReminder])] = []
            for a in slice {
                if providers[a.providerID] == nil { providers[a.providerID] = try calendar.provider(id: a.providerID) }
                if let id = a.patientID, patients[id] == nil { patients[id] = try calendar.patient(id: id) }
                do {
                    let patient = a.patientID.flatMap { patients[$0] ?? nil }
                    let provider = providers[a.providerID] ?? nil
                    if let provider, settings[provider.id] == nil { settings[provider.id] = texting(a.organisationID, provider) }
                    if let (chosen, plan) = try planned(
                        for: a, patient: patient, provider: provider, now: now, settings: provider.flatMap { settings[$0.id] }),
                        let patient, let provider
                    {
                        plans.append((a, patient, provider, chosen, plan))
                    }
                } catch {
                    log("visit \(a.id): reminders not planned: \(error)")
                }
            }
            let known = try outbox.existingKeys(plans.flatMap { $0.4.map(\.idempotencyKey) })
            var batch: [OutboxMessage] = []
            for (a, patient, provider, settings, plan) in plans {
                let missing = plan.filter { !known.contains($0.idempotencyKey) }
                guard !missing.isEmpty else { continue }
                do {
                    batch += try render(a, patient: patient, provider: provider, settings: settings, plan: missing, now: now)
                } catch {
                    log("visit \(a.id): reminders not planned: \(error)")
                }
            }
            queued += try outbox.enqueue(batch).count
        }
        return (visits.count, queued)
    }

    /// The idempotency keys of the reminders `appointment` has under the current rules, sent or
    /// not; the dispatcher sends nothing else for it (a reminder planned under an old version,
    /// old offsets or before a STOP is dropped).
    public func currentKeys(for a: Appointment, patient: Patient?) throws -> Set<String> {
        let provider = try calendar.provider(id: a.providerID)
        return Set(try planned(for: a, patient: patient, provider: provider, now: a.createdAt)?.1.map(\.idempotencyKey) ?? [])
    }

    /// The reminders `appointment` should have from `now` on (none once it is not pending or has
    /// no patient who agreed to texts). Planned from the time it was booked, so a reminder
    /// deferred by quiet hours is still there when the visit changes after its nominal time.
    func reminders(for a: Appointment, patient: Patient?, provider: Provider?, now: Date) throws -> [OutboxMessage] {
        guard let (settings, plan) = try planned(for: a, patient: patient, provider: provider, now: now), let patient, let provider else {
            return []
        }
        return try render(a, patient: patient, provider: provider, settings: settings, plan: plan, now: now)
    }

    /// When the reminders go (cheap: no text is made).
    func planned(
        for a: Appointment, patient: Patient?, provider: Provider?, now: Date, settings known: ClinicTexting? = nil
    ) throws -> (ClinicTexting, [PlannedReminder])? {
        guard a.isPending, a.kind != .blocked, let patient, patient.smsConsent.granted, let provider else { return nil }
        let settings = known ?? texting(a.organisationID, provider)
        let plan = try ReminderPlanner.plan(
            appointmentID: String(a.id), appointmentVersion: a.version, visitStart: a.start, bookedAt: a.createdAt,
            patientTimeZone: patient.timeZoneIdentifier, rule: settings.rule
        ).filter { $0.sendAt >= now }
        return plan.isEmpty ? nil : (settings, plan)
    }

    /// The texts of `plan`: one rendering per visit, in the patient's language and zone.
    func render(
        _ a: Appointment, patient: Patient, provider: Provider, settings: ClinicTexting, plan: [PlannedReminder], now: Date
    ) throws -> [OutboxMessage] {
        let location = a.meeting?.joinURL ?? a.location ?? (a.kind == .phone ? ServiceTexts.phoneVisit(locale: patient.localeTag) : settings.clinicName)
        let values = ReminderValues(
            firstName: patient.firstName, visitStart: a.start, clinic: settings.clinicName, provider: provider.displayName, location: location)
        let text = try settings.template(for: patient.localeTag).render(values, locale: patient.localeTag, timeZone: patient.timeZoneIdentifier)
        let length = SMSLength(measuring: text)
        return plan.map { p in
            OutboxMessage(
                idempotencyKey: p.idempotencyKey, organisationID: a.organisationID, patientID: patient.id, appointmentID: a.id,
                purpose: .reminder, to: patient.mobile, text: text, length: length, sendAt: p.sendAt, expiresAt: a.start, createdAt: now)
        }
    }
}
