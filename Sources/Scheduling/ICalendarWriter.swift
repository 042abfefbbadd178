import Foundation

/// Writes appointments as an RFC 5545 iCalendar object, for calendar subscriptions and exports.
///
/// The output is one VCALENDAR (RFC 5545 §3.4) holding one VEVENT (§3.6.1) per appointment, with
/// CRLF line ends and lines folded at 75 octets (§3.1). Patient names are left out of SUMMARY unless
/// `includePatientNames` is set, because calendar feeds end up on phones and shared screens.
/// Each time zone named in a TZID gets a VTIMEZONE (§3.6.5) before the events.
public struct ICalendarWriter: Sendable {
    /// PRODID (RFC 5545 §3.7.3), identifying the product that made the object.
    public var productID: String
    /// Put the patient's name in SUMMARY. Off by default: names are personal health information.
    public var includePatientNames: Bool

    /// Creates a writer.
    public init(
        productID: String = "-//CarePhone//Scheduling//EN", includePatientNames: Bool = false
    ) {
        self.productID = productID
        self.includePatientNames = includePatientNames
    }

    /// The iCalendar text for `appointments`.
    /// - Parameters:
    ///   - patients: patients by id, consulted only when `includePatientNames` is set.
    ///   - stamp: DTSTAMP (RFC 5545 §3.8.7.2), the instant the object is produced; injected for tests.
    public func document(for appointments: [Appointment], patients: [Int64: Patient] = [:], stamp: Date) -> String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:\(ICalendarText.escape(productID))", "CALSCALE:GREGORIAN",
        ]
        for (identifier, span) in Self.zoneSpans(appointments).sorted(by: { $0.key < $1.key }) {
            guard let zone = TimeZone(identifier: identifier) else { continue }
            lines += ICalendarTimeZone(zone: zone).lines(covering: span)
        }
        for appointment in appointments {
            lines += event(for: appointment, patient: appointment.patientID.flatMap { patients[$0] }, stamp: stamp)
        }
        lines.append("END:VCALENDAR")
        return lines.map { ICalendarText.fold($0) + "\r\n" }.joined()
    }

    /// For each booked time zone, the instants from the earliest start to the latest end booked in it.
    static func zoneSpans(_ appointments: [Appointment]) -> [String: ClosedRange<Date>] {
        var spans: [String: ClosedRange<Date>] = [:]
        for appointment in appointments {
            let low = Swift.min(appointment.start, appointment.end)
            let high = Swift.max(appointment.start, appointment.end)
            let current = spans[appointment.bookedTimeZoneIdentifier]
            spans[appointment.bookedTimeZoneIdentifier] =
                Swift.min(low, current?.lowerBound ?? low)...Swift.max(high, current?.upperBound ?? high)
        }
        return spans
    }

    /// The content lines of one VEVENT (RFC 5545 §3.6.1), unfolded.
    func event(for appointment: Appointment, patient: Patient?, stamp: Date) -> [String] {
        var lines = [
            "BEGIN:VEVENT",
            "UID:\(ICalendarText.escape(appointment.uid))",
            "DTSTAMP:\(Self.utcDateTime(stamp))",
            Self.dateTimeProperty("DTSTART", appointment.start, zone: appointment.bookedTimeZoneIdentifier),
            Self.dateTimeProperty("DTEND", appointment.end, zone: appointment.bookedTimeZoneIdentifier),
            "SUMMARY:\(ICalendarText.escape(summary(for: appointment, patient: patient)))",
        ]
        if let location = appointment.location ?? appointment.meeting?.joinURL {
            lines.append("LOCATION:\(ICalendarText.escape(location))")
        }
        if let meeting = appointment.meeting {
            lines.append("URL:\(meeting.joinURL)")
        }
        lines.append("X-CAREPHONE-KIND:\(appointment.kind.rawValue)")
        lines += [
            "STATUS:\(Self.status(appointment.status))",
            // RFC 5545 §3.8.7.4: SEQUENCE starts at 0 and grows with each revision.
            "SEQUENCE:\(Swift.max(appointment.version - 1, 0))",
            "LAST-MODIFIED:\(Self.utcDateTime(appointment.changedAt))",
            "CLASS:PRIVATE",
            "END:VEVENT",
        ]
        return lines
    }

    func summary(for appointment: Appointment, patient: Patient?) -> String {
        let kind =
            switch appointment.kind {
            case .inPerson: "In-person appointment"
            case .phone: "Phone appointment"
            case .video: "Video appointment"
            case .blocked: appointment.title ?? "Busy"
            }
        guard includePatientNames, let patient else { return kind }
        return "\(kind): \(patient.firstName) \(patient.lastName)"
    }

    /// VEVENT STATUS (RFC 5545 §3.8.1.11) allows only TENTATIVE, CONFIRMED and CANCELLED.
    /// A booking the patient has not confirmed is tentative; a rescheduled one has moved away from
    /// this slot, so the slot is cancelled; no-shows and completed visits did hold the slot.
    static func status(_ status: Appointment.Status) -> String {
        switch status {
        case .booked: "TENTATIVE"
        case .confirmed, .completed, .noShow: "CONFIRMED"
        case .cancelled, .rescheduled: "CANCELLED"
        }
    }

    /// `NAME;TZID=zone:local` (RFC 5545 §3.3.5 form #3), or UTC form #2 when the zone is unknown.
    static func dateTimeProperty(_ name: String, _ date: Date, zone identifier: String) -> String {
        guard let zone = TimeZone(identifier: identifier) else { return "\(name):\(utcDateTime(date))" }
        // §3.3.5: a local time repeated at a fall-back change means its first occurrence; an
        // instant in the second one can only be written in UTC.
        var calendar = Foundation.Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let local = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let whole = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
        guard let back = calendar.date(from: local), back == whole else { return "\(name):\(utcDateTime(date))" }
        return "\(name);TZID=\(identifier):\(format(date, in: zone, suffix: ""))"
    }

    /// RFC 5545 §3.3.5 form #2: `YYYYMMDDTHHMMSSZ`.
    static func utcDateTime(_ date: Date) -> String {
        format(date, in: TimeZone(identifier: "UTC")!, suffix: "Z")
    }

    private static func format(_ date: Date, in zone: TimeZone, suffix: String) -> String {
        var calendar = Foundation.Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: Swift.max(width - digits.count, 0)) + digits
        }
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "T" + pad(c.hour, 2) + pad(c.minute, 2)
            + pad(c.second, 2) + suffix
    }
}
