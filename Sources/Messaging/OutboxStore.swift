import Foundation

/// The SMS outbox. `Storage.SQLiteOutboxStore` implements it on SQLite: each call is one
/// transaction, durable when it returns, so a text queued is never lost and the state recorded
/// before and after each hand-over to the gateway survives `kill -9`.
public protocol OutboxStore: Sendable {
    /// Queues the messages whose idempotency key is new; returns those actually queued.
    @discardableResult
    func enqueue(_ messages: [OutboxMessage]) throws -> [OutboxMessage]
    /// Which of `keys` are in the outbox already (in any state).
    func existingKeys(_ keys: [String]) throws -> Set<String>
    /// Cancels the queued (not yet sending) messages of an appointment whose keys are not in
    /// `keeping`; returns how many.
    @discardableResult
    func cancelQueued(appointmentID: Int64, keeping: Set<String>, at: Date) throws -> Int
    /// Queued messages whose send time has come, oldest first.
    func due(at: Date, limit: Int) throws -> [OutboxMessage]
    /// The earliest send time of a queued message.
    func nextSendTime() throws -> Date?
    /// queued → sending, counting the attempt; false if it was no longer queued.
    func claim(id: String, at: Date) throws -> Bool
    /// sending → sent.
    func markSent(id: String, gateway: String, gatewayMessageID: String?, at: Date) throws
    /// sending → queued again, to go at `next`.
    func markRetry(id: String, error: String, next: Date, at: Date) throws
    /// Ends the message in `state` (failed, cancelled, expired, suppressed) with a reason.
    func finish(id: String, state: OutboxState, reason: String, at: Date) throws
    /// Applies a delivery report. Moves the state forward only; a report for a message still
    /// `sending` (the server died before it recorded the gateway's answer) settles it as sent.
    @discardableResult
    func recordDelivery(id: String, state: DeliveryState, at: Date) throws -> Bool
    /// Messages left `sending` with their last attempt started before `cutoff`.
    func unsettled(startedBefore cutoff: Date) throws -> [OutboxMessage]
    func message(id: String) throws -> OutboxMessage?
    /// Newest first; filters are optional.
    func messages(organisationID: Int64, appointmentID: Int64?, patientID: Int64?, limit: Int) throws -> [OutboxMessage]
}
