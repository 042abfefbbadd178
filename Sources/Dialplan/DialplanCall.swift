import Foundation

/// A call to route: where it enters the plan and who is calling.
public struct DialplanCall: Sendable {
    /// The context to start in, usually from `Dialplan.entryContext(forOrganisation:)`.
    public var context: String
    /// The number dialed (`${exten}`; also `${did}`, which keeps this value after `goto`).
    public var dialed: String
    /// `${caller}`.
    public var caller: String
    /// `${caller_name}`.
    public var callerName: String
    /// The instant `hours` conditions are evaluated at.
    public var now: Date
    /// The caller's organisation (the trunk's for calls from outside): calendar conditions look
    /// only at its calendar.
    public var organisationID: Int64?

    public init(context: String, dialed: String, caller: String, callerName: String = "", now: Date, organisationID: Int64? = nil) {
        self.organisationID = organisationID
        self.context = context
        self.dialed = dialed
        self.caller = caller
        self.callerName = callerName
        self.now = now
    }
}
