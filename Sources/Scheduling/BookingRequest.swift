import Foundation

/// A visit (or blocked time) to put in a provider's calendar.
public struct BookingRequest: Sendable, Equatable {
    public var providerID: Int64
    /// Required except for `.blocked`.
    public var patientID: Int64?
    public var start: Date
    public var end: Date
    /// The zone the visit is booked in; nil: the provider's.
    public var timeZoneIdentifier: String?
    public var kind: Appointment.Kind
    public var location: String?
    public var title: String?
    /// RFC 5545 RRULE text for a recurring series, e.g. `FREQ=WEEKLY;COUNT=6`.
    public var recurrence: String?
    /// Occurrence starts to leave out of the series (EXDATE).
    public var exceptions: [Date]
    /// Book even if the provider is busy then or outside working hours.
    public var allowOverlap: Bool

    public init(
        providerID: Int64, patientID: Int64?, start: Date, end: Date, timeZoneIdentifier: String? = nil, kind: Appointment.Kind,
        location: String? = nil, title: String? = nil, recurrence: String? = nil, exceptions: [Date] = [], allowOverlap: Bool = false
    ) {
        self.providerID = providerID
        self.patientID = patientID
        self.start = start
        self.end = end
        self.timeZoneIdentifier = timeZoneIdentifier
        self.kind = kind
        self.location = location
        self.title = title
        self.recurrence = recurrence
        self.exceptions = exceptions
        self.allowOverlap = allowOverlap
    }
}
