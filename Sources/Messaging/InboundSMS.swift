import Foundation

/// A text a patient sent to the clinic, with what was made of it (table `sms_inbox`).
public struct InboundSMS: Sendable, Equatable {
    public var id: Int64
    /// The organisation it was matched to; nil when the number is nobody's.
    public var organisationID: Int64?
    public var patientID: Int64?
    public var from: String
    public var to: String
    public var text: String
    public var receivedAt: Date
    public var reply: Reply
    /// The visit it was applied to.
    public var appointmentID: Int64?
    /// What was done, in words: "confirmed visit 12", "opted out", "for the clinic to read".
    public var outcome: String
    /// Whether staff should look at it (replies that are not a keyword, reschedule requests).
    public var needsStaff: Bool
    public var handledAt: Date?
    public var handledBy: Int64?

    public init(
        id: Int64 = 0, organisationID: Int64?, patientID: Int64?, from: String, to: String, text: String, receivedAt: Date,
        reply: Reply, appointmentID: Int64?, outcome: String, needsStaff: Bool
    ) {
        self.id = id
        self.organisationID = organisationID
        self.patientID = patientID
        self.from = from
        self.to = to
        self.text = text
        self.receivedAt = receivedAt
        self.reply = reply
        self.appointmentID = appointmentID
        self.outcome = outcome
        self.needsStaff = needsStaff
        self.handledAt = nil
        self.handledBy = nil
    }
}

/// The clinic inbox. `Storage.SQLiteInboxStore` implements it.
public protocol InboxStore: Sendable {
    func insert(_ message: InboundSMS) throws -> InboundSMS
    /// Newest first.
    func inbox(organisationID: Int64, onlyNeedingStaff: Bool, limit: Int) throws -> [InboundSMS]
    /// false when there is no such message in the organisation.
    func markHandled(id: Int64, organisationID: Int64, by userID: Int64, at: Date) throws -> Bool
}
