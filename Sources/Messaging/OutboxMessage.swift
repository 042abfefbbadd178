import Foundation

/// Where a text in the outbox is. Moves forward only: queued → sending → sent → submitted →
/// delivered, or to one of the ends (failed, cancelled, expired, suppressed).
public enum OutboxState: String, Sendable, Equatable, CaseIterable, Codable {
    /// Waiting for its send time (or its next try).
    case queued
    /// Handed to the gateway, or about to be; the result is not recorded yet.
    case sending
    /// The gateway accepted it.
    case sent
    /// The SMS centre took it (delivery report).
    case submitted
    /// The handset received it (delivery report).
    case delivered
    /// The gateway refused it, it could not be delivered, or the tries ran out.
    case failed
    /// Its visit moved or was cancelled before it went.
    case cancelled
    /// Its moment passed (the visit started) before it could go.
    case expired
    /// The patient opted out of texts before it went.
    case suppressed

    /// No more changes are expected (except a late delivery report).
    public var isFinal: Bool { ![.queued, .sending].contains(self) }
}

/// Why the text is sent.
public enum OutboxPurpose: String, Sendable, Equatable, CaseIterable, Codable {
    case reminder
    /// The one text carriers require after STOP.
    case optOutConfirmation = "opt-out-confirmation"
    case optInConfirmation = "opt-in-confirmation"
    /// The answer to HELP.
    case help
}

/// One text in the outbox (table `sms_outbox`).
public struct OutboxMessage: Sendable, Equatable {
    public var id: String
    /// Unique: queuing the same key twice keeps the first (``PlannedReminder/idempotencyKey``).
    public var idempotencyKey: String
    public var organisationID: Int64
    public var patientID: Int64?
    public var appointmentID: Int64?
    public var purpose: OutboxPurpose
    public var to: String
    public var text: String
    public var encoding: SMSEncoding
    public var segments: Int
    /// When it may go.
    public var sendAt: Date
    /// After this it is no use (the visit's start).
    public var expiresAt: Date?
    public var state: OutboxState
    public var attempts: Int
    public var lastError: String?
    public var gateway: String?
    public var gatewayMessageID: String?
    public var createdAt: Date
    public var sentAt: Date?
    public var updatedAt: Date

    public init(
        id: String = UUID().uuidString.lowercased(), idempotencyKey: String, organisationID: Int64, patientID: Int64?,
        appointmentID: Int64?, purpose: OutboxPurpose, to: String, text: String, length: SMSLength? = nil, sendAt: Date, expiresAt: Date?,
        createdAt: Date
    ) {
        // Measured once per text by callers that make several messages of it.
        let length = length ?? SMSLength(measuring: text)
        self.id = id
        self.idempotencyKey = idempotencyKey
        self.organisationID = organisationID
        self.patientID = patientID
        self.appointmentID = appointmentID
        self.purpose = purpose
        self.to = to
        self.text = text.precomposedStringWithCanonicalMapping
        self.encoding = length.encoding
        self.segments = length.segments
        self.sendAt = sendAt
        self.expiresAt = expiresAt
        self.state = .queued
        self.attempts = 0
        self.lastError = nil
        self.gateway = nil
        self.gatewayMessageID = nil
        self.createdAt = createdAt
        self.sentAt = nil
        self.updatedAt = createdAt
    }
}
