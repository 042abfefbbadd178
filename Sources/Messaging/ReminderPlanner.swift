import Foundation

/// Why reminders could not be planned.
public enum ReminderPlanningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The patient's time zone identifier is not in the time zone database.
    case unknownTimeZone(String)

    public var description: String {
        switch self {
        case .unknownTimeZone(let id):
            "Unknown patient time zone \"\(id)\"; use an IANA identifier such as \"Europe/Rome\"."
        }
    }
}

/// Turns a visit and a ``ReminderRule`` into the reminders to send, in the patient's time zone.
///
/// For each offset: the send time is the visit start less the offset (days on the local wall clock,
/// the rest elapsed, see ``ReminderOffset``). A reminder whose send time is before the booking is
/// skipped (the patient has just booked). One that falls in quiet hours moves to the end of them,
/// the same morning or the next, and is skipped if that is not before the visit. When two offsets
/// end up at the same moment only the one nearer the visit is kept. Results are in send order.
public enum ReminderPlanner {
    public static func plan(
        appointmentID: String,
        appointmentVersion: Int,
        visitStart: Date,
        bookedAt: Date,
        patientTimeZone: String,
        rule: ReminderRule
    ) throws(ReminderPlanningError) -> [PlannedReminder] {
        guard let zone = TimeZone(identifier: patientTimeZone) else {
            throw .unknownTimeZone(patientTimeZone)
        }
        var clock = Foundation.Calendar(identifier: .gregorian)
        clock.timeZone = zone

        var bySendTime: [Date: PlannedReminder] = [:]
        for offset in rule.offsets {
            guard let nominal = sendTime(before: visitStart, offset: offset, clock: clock),
                nominal >= bookedAt
            else { continue }
            var sendAt = nominal
            if let quiet = rule.quietHours {
                guard let moved = leavingQuietHours(nominal, quiet: quiet, clock: clock) else { continue }
                sendAt = moved
            }
            guard sendAt < visitStart else { continue }
            let reminder = PlannedReminder(
                offset: offset,
                sendAt: sendAt,
                idempotencyKey: PlannedReminder.idempotencyKey(
                    appointmentID: appointmentID, ruleID: rule.id, appointmentVersion: appointmentVersion,
                    offset: offset))
            if let existing = bySendTime[sendAt], existing.offset <= offset { continue }
            bySendTime[sendAt] = reminder
        }
        return bySendTime.values.sorted { $0.sendAt < $1.sendAt }
    }

    /// Visit start less `offset`: days on the wall clock of `clock`'s zone, then elapsed minutes.
    static func sendTime(before visitStart: Date, offset: ReminderOffset, clock: Foundation.Calendar) -> Date? {
        guard let sameTimeEarlierDay = clock.date(byAdding: .day, value: -offset.days, to: visitStart) else {
            return nil
        }
        return sameTimeEarlierDay.addingTimeInterval(-Double(offset.minutes) * 60)
    }

    /// `date` itself when outside quiet hours, else the local end of the quiet span containing it.
    static func leavingQuietHours(_ date: Date, quiet: QuietHours, clock: Foundation.Calendar) -> Date? {
        let parts = clock.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard let hour = parts.hour, let minute = parts.minute, let local = LocalTime(hour: hour, minute: minute)
        else { return nil }
        guard quiet.contains(local) else { return date }

        // Step days from local noon, which exists on every day whatever the DST rules.
        var noon = DateComponents(year: parts.year, month: parts.month, day: parts.day, hour: 12)
        if quiet.endsNextDay(after: local) {
            guard let today = clock.date(from: noon),
                let tomorrow = clock.date(byAdding: .day, value: 1, to: today)
            else { return nil }
            noon = clock.dateComponents([.year, .month, .day], from: tomorrow)
        }
        noon.hour = quiet.end.hour
        noon.minute = quiet.end.minute
        return clock.date(from: noon)
    }
}
