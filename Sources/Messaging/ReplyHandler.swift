import Foundation
import Scheduling

/// Acts on a text a patient sent (README §Texts from patients):
/// - a confirm word confirms their most recent pending visit;
/// - a reschedule word marks it for the clinic to call back (and lands in the inbox);
/// - STOP and the other carrier opt-out words opt the number out of all texts, with the one
///   confirmation text carriers require; START opts back in; HELP answers with the clinic's number;
/// - anything else lands in the clinic inbox for staff, with no "invalid response" text.
/// Every text is kept in the inbox table, with what was done.
public struct ReplyHandler: Sendable {
    public let calendar: any SchedulingStore
    public let scheduling: SchedulingService
    public let outbox: any OutboxStore
    public let inbox: any InboxStore
    public let texting: @Sendable (_ organisationID: Int64, _ provider: Provider?) -> ClinicTexting
    public let clock: @Sendable () -> Date
    /// The organisation a text from a number nobody has goes to (the only one, on a
    /// single-clinic server), so staff see it.
    public let defaultOrganisation: @Sendable () -> Int64?

    public init(
        calendar: any SchedulingStore, scheduling: SchedulingService, outbox: any OutboxStore, inbox: any InboxStore,
        texting: @escaping @Sendable (Int64, Provider?) -> ClinicTexting, clock: @escaping @Sendable () -> Date = { Date() },
        defaultOrganisation: @escaping @Sendable () -> Int64? = { nil }
    ) {
        self.defaultOrganisation = defaultOrganisation
        self.calendar = calendar
        self.scheduling = scheduling
        self.outbox = outbox
        self.inbox = inbox
        self.texting = texting
        self.clock = clock
    }

    /// `+39…`, `0039…` and bare digits as E.164.
    public static func normalisedNumber(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "")
        if trimmed.hasPrefix("+") { return trimmed }
        if trimmed.hasPrefix("00") { return "+" + trimmed.dropFirst(2) }
        return "+" + trimmed
    }

    public func handle(from rawFrom: String, to: String, text: String) async throws -> InboundSMS {
        let from = Self.normalisedNumber(rawFrom)
        let now = clock()
        let patients = try calendar.patients(mobile: from)
        // The patient (of those sharing the number) with the nearest pending visit.
        var best: (Patient, Appointment)?
        for p in patients {
            for a in try calendar.appointments(patientID: p.id) where a.isPending && a.end > now {
                if best == nil || a.start < best!.1.start { best = (p, a) }
            }
        }
        let patient = best?.0 ?? patients.first
        let visit = best?.1
        let locale = patient?.localeTag ?? "en"
        let reply = ReplyClassifier.classify(text, locale: locale)
        var record = InboundSMS(
            organisationID: patient?.organisationID, patientID: patient?.id, from: from, to: to, text: text, receivedAt: now,
            reply: reply, appointmentID: visit?.id, outcome: "", needsStaff: false)
        let provider = try visit.flatMap { try calendar.provider(id: $0.providerID) }
        let settings = patient.map { texting($0.organisationID, provider) }

        switch reply {
        case .confirm:
            if var a = visit {
                let old = a.version
                a.status = .confirmed
                if try await scheduling.record(a, expectedVersion: old, action: .confirmed, userID: nil, source: "sms") != nil {
                    record.outcome = "confirmed visit \(a.id)"
                } else {
                    record.outcome = "visit \(a.id) changed meanwhile; not confirmed"
                    record.needsStaff = true
                }
            } else {
                record.outcome = "a confirmation, but no pending visit"
                record.needsStaff = patient != nil
            }
        case .reschedule:
            if let a = visit {
                let old = a.version
                _ = try await scheduling.record(
                    a, expectedVersion: old, action: .rescheduleRequested, userID: nil, source: "sms", detail: "patient asked to reschedule")
                record.outcome = "asked to reschedule visit \(a.id); call the patient back"
            } else {
                record.outcome = "asked to reschedule, but has no pending visit"
            }
            record.needsStaff = patient != nil
        case .stop:
            var wasOptedIn = false
            for var p in patients {
                wasOptedIn = wasOptedIn || p.smsConsent.granted
                p.smsConsent = SMSConsent(granted: false, source: "reply \(text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased())", at: now)
                try calendar.updatePatient(p)
            }
            record.outcome = patients.isEmpty ? "opt-out from an unknown number" : "opted out of all texts"
            if let patient, let settings, wasOptedIn {
                try queue(.optOutConfirmation, ServiceTexts.optedOut(clinic: settings.clinicName, locale: locale), to: patient, now: now)
            }
        case .start:
            var wasOptedOut = false
            for var p in patients {
                wasOptedOut = wasOptedOut || !p.smsConsent.granted
                p.smsConsent = SMSConsent(granted: true, source: "reply START", at: now)
                try calendar.updatePatient(p)
            }
            record.outcome = patients.isEmpty ? "opt-in from an unknown number" : "opted in to texts"
            if let patient, let settings, wasOptedOut {
                try queue(.optInConfirmation, ServiceTexts.optedIn(clinic: settings.clinicName, locale: locale), to: patient, now: now)
                // Visits booked while opted out get their reminders now.
                for p in patients {
                    for a in try calendar.appointments(patientID: p.id) where a.isPending && a.start > now {
                        await scheduling.onChange(a, .updated)
                    }
                }
            }
        case .help:
            record.outcome = "answered HELP"
            if let patient, let settings {
                try queue(.help, ServiceTexts.help(clinic: settings.clinicName, phone: settings.clinicPhone, locale: locale), to: patient, now: now)
            }
        case .other:
            record.outcome = "for the clinic to read"
            record.needsStaff = true
        }
        if patient == nil {
            record.outcome += " (no patient has this number)"
            record.organisationID = defaultOrganisation()
            record.needsStaff = true
        }
        return try inbox.insert(record)
    }

    /// Service texts go even to an opted-out number (the opt-out confirmation, HELP), at once.
    private func queue(_ purpose: OutboxPurpose, _ text: String, to patient: Patient, now: Date) throws {
        let key = "\(purpose.rawValue)/\(patient.mobile)/\(Int64(now.timeIntervalSince1970 * 1000))"
        try outbox.enqueue([
            OutboxMessage(
                idempotencyKey: key, organisationID: patient.organisationID, patientID: patient.id, appointmentID: nil, purpose: purpose,
                to: patient.mobile, text: text, sendAt: now, expiresAt: nil, createdAt: now)
        ])
    }
}
