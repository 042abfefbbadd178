import Foundation
import Scheduling

/// Imports an `.ics` file into a provider's calendar (`POST /api/providers/:id/import`): events
/// whose UID is already here update that entry; new ones become blocked time. A recurring event
/// becomes one entry per occurrence (at most a year's worth), its EXDATEs left out.
struct ICSImport {
    let services: CalendarServices

    enum ImportError: Error, CustomStringConvertible {
        case parse(ICalendarParseError)
        var description: String {
            switch self {
            case .parse(let e): "line \(e.line): \(e)"
            }
        }
    }

    func run(_ text: String, provider: Provider, user: ActingUser) async throws -> (Int, Int) {
        // The same privilege as booking.
        _ = try services.scheduling.providerForChange(provider.id, .create, by: user)
        let zone = TimeZone(identifier: provider.timeZoneIdentifier) ?? .gmt
        let events: [ICalendarEvent]
        do { events = try ICalendarParser(defaultTimeZone: zone).events(in: text) } catch { throw ImportError.parse(error) }
        var created: [Appointment] = []
        var updated = 0
        let now = Date()
        for event in events where event.recurrenceID == nil && event.status != .cancelled {
            var occurrences: [(uid: String, start: Date)] = [(event.uid, event.start)]
            if let text = event.recurrenceRule, let rule = try? RecurrenceRule(parsing: text) {
                // Occurrences from 90 days ago to 400 days ahead, however long ago the series began.
                let eventZone = event.timeZoneIdentifier.flatMap(TimeZone.init(identifier:)) ?? zone
                let window = now.addingTimeInterval(-90 * 86_400)...now.addingTimeInterval(400 * 86_400)
                let starts = rule.expand(start: event.start, timeZone: eventZone, exceptions: Set(event.exceptionDates), limit: 5000)
                    .filter { window.contains($0) }
                occurrences = starts.map { ("\(event.uid)-r\(Int($0.timeIntervalSince1970))", $0) }
            }
            // An event with no length still holds a minute.
            let length = max(event.end.timeIntervalSince(event.start), 60)
            for occurrence in occurrences {
                if var existing = try services.calendar.appointment(uid: occurrence.uid, providerID: provider.id) {
                    let old = existing.version
                    existing.start = occurrence.start
                    existing.end = occurrence.start.addingTimeInterval(length)
                    if existing.kind == .blocked { existing.title = event.summary }
                    if try await services.scheduling.record(existing, expectedVersion: old, action: .updated, userID: user.id, source: "import") != nil {
                        updated += 1
                    }
                    continue
                }
                var entry = event
                entry.start = occurrence.start
                created.append(
                    Appointment.blocked(
                        from: entry, provider: provider, end: occurrence.start.addingTimeInterval(length), by: user.id, at: now, uid: occurrence.uid))
            }
        }
        let stored = try services.calendar.insertAppointments(
            created, change: AppointmentChange(appointmentID: 0, version: 1, action: .created, userID: user.id, source: "import", at: now))
        for a in stored { await services.scheduling.onChange(a, .created) }
        return (stored.count, updated)
    }
}
