import Dialplan
import Foundation
import Scheduling
import Storage

/// The dialplan's calendar conditions, answered from the shared calendar:
/// - `busy EXT` / `in-appointment EXT`: the provider at EXT has a booked, confirmed or blocked
///   entry at that moment;
/// - `visit-within MINUTES`: the caller's number is on file for a patient whose pending visit
///   starts within MINUTES (before or after), or is under way.
struct CalendarConditionsAdapter: CalendarConditions {
    let calendar: SQLiteSchedulingStore
    let directory: SQLiteDirectoryStore

    func isBusy(extension number: String, at instant: Date) -> Bool {
        for organisation in (try? directory.organisations()) ?? [] {
            guard let user = try? directory.users(organisationID: organisation.id).first(where: { $0.extension == number }),
                let provider = try? calendar.provider(userID: user.id)
            else { continue }
            let now = (try? calendar.appointments(
                organisationID: provider.organisationID, providerID: provider.id, from: instant, to: instant.addingTimeInterval(1))) ?? []
            if now.contains(where: \.isPending) { return true }
        }
        return false
    }

    func visitProvider(caller: String, within window: TimeInterval, at instant: Date) -> String? {
        let digits = caller.filter(\.isNumber)
        guard digits.count >= 6 else { return nil }
        var candidates = (try? calendar.patients(mobile: "+" + (caller.hasPrefix("00") ? String(digits.dropFirst(2)) : digits))) ?? []
        if candidates.isEmpty, digits.count >= 9 {
            // A national number without the country code: match the last nine digits.
            let tail = String(digits.suffix(9))
            candidates = ((try? directory.organisations()) ?? []).flatMap { (try? calendar.patients(organisationID: $0.id)) ?? [] }
                .filter { $0.mobile.hasSuffix(tail) }
        }
        var best: Appointment?
        for patient in candidates {
            for a in (try? calendar.appointments(patientID: patient.id)) ?? [] where a.isPending {
                let near = abs(a.start.timeIntervalSince(instant)) <= window || (a.start <= instant && instant < a.end)
                if near, best == nil || abs(a.start.timeIntervalSince(instant)) < abs(best!.start.timeIntervalSince(instant)) { best = a }
            }
        }
        guard let visit = best, let provider = try? calendar.provider(id: visit.providerID) else { return nil }
        return try? directory.users(organisationID: provider.organisationID).first(where: { $0.id == provider.userID })?.extension
    }
}
