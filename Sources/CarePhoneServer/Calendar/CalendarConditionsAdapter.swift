import Dialplan
import Foundation
import Messaging
import Scheduling
import Storage

/// The dialplan's calendar conditions, answered from the calling organisation's calendar:
/// - `busy EXT` / `in-appointment EXT`: the provider at EXT has a booked, confirmed or blocked
///   entry at that moment;
/// - `visit-within MINUTES`: the caller's number is on file for a patient whose pending visit
///   starts within MINUTES (before or after), or is under way.
/// Lookups are indexed (provider by user, patients by number, visits by provider or patient and
/// start); only a national number without its country code falls back to scanning the
/// organisation's patients.
struct CalendarConditionsAdapter: CalendarConditions {
    let calendar: SQLiteSchedulingStore
    let directory: SQLiteDirectoryStore

    private func organisations(_ id: Int64?) -> [Int64] {
        if let id { return [id] }
        return ((try? directory.organisations()) ?? []).map(\.id)
    }

    func isBusy(extension number: String, organisationID: Int64?, at instant: Date) -> Bool {
        for organisation in organisations(organisationID) {
            guard let user = try? directory.users(organisationID: organisation).first(where: { $0.extension == number }),
                let provider = try? calendar.provider(userID: user.id)
            else { continue }
            let now = (try? calendar.appointments(
                organisationID: provider.organisationID, providerID: provider.id, from: instant, to: instant.addingTimeInterval(1))) ?? []
            if now.contains(where: \.isPending) { return true }
        }
        return false
    }

    func visitProvider(caller: String, organisationID: Int64?, within window: TimeInterval, at instant: Date) -> String? {
        let digits = caller.filter(\.isNumber)
        guard digits.count >= 6 else { return nil }
        let scope = Set(organisations(organisationID))
        // The same reading of a number as for patients' texts (`+39…`, `0039…`).
        var candidates = ((try? calendar.patients(mobile: ReplyHandler.normalisedNumber(caller))) ?? []).filter { scope.contains($0.organisationID) }
        if candidates.isEmpty, digits.count >= 9 {
            // A national number without the country code: match the last nine digits.
            let tail = String(digits.suffix(9))
            candidates = scope.flatMap { (try? calendar.patients(organisationID: $0)) ?? [] }.filter { $0.mobile.hasSuffix(tail) }
        }
        var best: Appointment?
        for patient in candidates {
            for a in (try? calendar.appointments(patientID: patient.id)) ?? [] where a.isPending {
                let near = abs(a.start.timeIntervalSince(instant)) <= window || (a.start <= instant && instant < a.end)
                if near, best.map({ abs(a.start.timeIntervalSince(instant)) < abs($0.start.timeIntervalSince(instant)) }) ?? true { best = a }
            }
        }
        guard let visit = best, let provider = try? calendar.provider(id: visit.providerID) else { return nil }
        return try? directory.users(organisationID: provider.organisationID).first(where: { $0.id == provider.userID })?.extension
    }
}
