import Foundation

/// A booked slot in a provider's calendar for one patient.
public struct Appointment: Sendable, Hashable, Codable, Identifiable {
    /// How the visit takes place.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case inPerson
        case phone
        case video
        /// Time blocked in the provider's calendar with no patient: a busy time, or an event
        /// made in another calendar (CalDAV, an imported `.ics`).
        case blocked
    }

    /// Where the appointment is in its life.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Booked, not yet confirmed by the patient.
        case booked
        /// The patient confirmed they will attend.
        case confirmed
        /// Cancelled by the patient or the clinic.
        case cancelled
        /// Replaced by another appointment at a different time.
        case rescheduled
        /// The patient did not attend.
        case noShow
        /// The visit took place.
        case completed
    }

    /// Storage identifier of the appointment.
    public var id: Int64
    /// The clinic organisation the appointment belongs to.
    public var organisationID: Int64
    /// The provider who sees the patient.
    public var providerID: Int64
    /// The patient being seen; nil for a `.blocked` time or an event made elsewhere.
    public var patientID: Int64?
    /// iCalendar UID (RFC 5545 §3.8.4.7), the same in every calendar the visit is synced to.
    public var uid: String
    /// What an event made elsewhere was called (its SUMMARY); nil for visits booked here.
    public var title: String?
    /// The video meeting of a `.video` visit.
    public var meeting: Meeting?
    /// The recurring series this occurrence belongs to.
    public var seriesID: String?
    /// When it was booked; reminders that would have gone before this are never sent.
    public var createdAt: Date
    /// First instant of the appointment.
    public var start: Date
    /// Instant the appointment ends; must be after `start`.
    public var end: Date
    /// IANA time zone the appointment was booked in; wall-clock times are shown in this zone.
    public var bookedTimeZoneIdentifier: String
    /// In person, by phone or by video.
    public var kind: Kind
    /// Room or address for in-person visits; nil when not applicable.
    public var location: String?
    /// Current status.
    public var status: Status
    /// Incremented on every change; used for optimistic concurrency and iCalendar SEQUENCE.
    public var version: Int
    /// User who made the last change.
    public var changedBy: Int64
    /// When the last change was made.
    public var changedAt: Date

    /// Creates an appointment.
    public init(
        id: Int64, organisationID: Int64, providerID: Int64, patientID: Int64?, start: Date, end: Date,
        bookedTimeZoneIdentifier: String, kind: Kind, location: String? = nil, status: Status = .booked,
        version: Int = 1, changedBy: Int64, changedAt: Date, uid: String? = nil, title: String? = nil,
        meeting: Meeting? = nil, seriesID: String? = nil, createdAt: Date? = nil
    ) {
        self.createdAt = createdAt ?? changedAt
        self.id = id
        self.organisationID = organisationID
        self.providerID = providerID
        self.patientID = patientID
        self.start = start
        self.end = end
        self.bookedTimeZoneIdentifier = bookedTimeZoneIdentifier
        self.kind = kind
        self.location = location
        self.status = status
        self.version = version
        self.changedBy = changedBy
        self.changedAt = changedAt
        self.uid = uid ?? UUID().uuidString.lowercased()
        self.title = title
        self.meeting = meeting
        self.seriesID = seriesID
    }

    /// Booked or confirmed: the slot is held and reminders are due.
    public var isPending: Bool { status == .booked || status == .confirmed }
}
