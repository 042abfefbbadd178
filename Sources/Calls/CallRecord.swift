import Foundation

/// How a call ended, as its CDR says.
public enum CallOutcome: String, Sendable, Equatable, CaseIterable {
    /// Somebody answered (the duration is from answer to hang-up).
    case answered
    /// Every callee was busy (486/600).
    case busy
    /// Nobody answered within the ring time.
    case noAnswer = "no-answer"
    /// The caller hung up before anybody answered.
    case cancelled
    /// The call failed with `failureCode` (404 unknown number, 480 nobody registered, ...).
    case failed
}

/// A call detail record: one per call, written when the call ends.
public struct CallRecord: Sendable, Equatable {
    /// Unique per call (also in log lines).
    public var id: String
    public var organisationID: Int64
    /// The caller's extension, or the number a trunk presented.
    public var caller: String
    public var callerName: String
    /// The number as dialed (Request-URI user), before any rewriting.
    public var dialed: String
    /// Who was finally rung: an extension, a list of them, or `trunk NAME NUMBER`.
    public var callee: String
    /// The trunk the call came in by, if any.
    public var inboundTrunk: String?
    public var startedAt: Date
    public var answeredAt: Date?
    public var endedAt: Date
    public var outcome: CallOutcome
    /// The SIP status the caller got when the call was not answered (404, 480, 486, ...).
    public var failureCode: Int?
    /// The device that answered: its address-of-record and User-Agent.
    public var answeredBy: String?
    /// Why an answered call ended: `caller`, `callee`, `session-expired`, `ack-timeout`, `shutdown`.
    public var endedBy: String?
    /// RTP figures when the server relayed or terminated the media.
    public var quality: MediaQuality?

    public init(
        id: String, organisationID: Int64, caller: String, callerName: String, dialed: String, callee: String,
        inboundTrunk: String? = nil, startedAt: Date, answeredAt: Date? = nil, endedAt: Date, outcome: CallOutcome,
        failureCode: Int? = nil, answeredBy: String? = nil, endedBy: String? = nil, quality: MediaQuality? = nil
    ) {
        self.id = id
        self.organisationID = organisationID
        self.caller = caller
        self.callerName = callerName
        self.dialed = dialed
        self.callee = callee
        self.inboundTrunk = inboundTrunk
        self.startedAt = startedAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.outcome = outcome
        self.failureCode = failureCode
        self.answeredBy = answeredBy
        self.endedBy = endedBy
        self.quality = quality
    }

    /// Seconds from answer to hang-up; zero for unanswered calls.
    public var duration: TimeInterval {
        guard let answeredAt else { return 0 }
        return max(0, endedAt.timeIntervalSince(answeredAt))
    }
}

/// Where CDRs are kept. `Storage.SQLiteCallRecordStore` implements it on SQLite.
public protocol CallRecordStore: Sendable {
    /// Stores the records in one transaction: all or none.
    func insert(_ records: [CallRecord]) throws
    /// The newest records first, at most `limit`.
    func recent(limit: Int) throws -> [CallRecord]
}
