import Foundation

/// One text to hand to an SMS gateway.
public struct OutgoingSMS: Sendable, Equatable {
    /// The outbox message id: the gateway passes it back in delivery reports.
    public var id: String
    /// The patient's number, E.164 (`+393471234567`).
    public var to: String
    /// The clinic's sender number or name; nil for the gateway's default.
    public var from: String?
    /// The text, already rendered.
    public var text: String
    /// GSM-7 or UCS-2 (``SMSEncoding/choose(for:)``); Chinese must go as UCS-2.
    public var encoding: SMSEncoding

    public init(id: String, to: String, from: String?, text: String, encoding: SMSEncoding) {
        self.id = id
        self.to = to
        self.from = from
        self.text = text
        self.encoding = encoding
    }
}

/// Why a gateway did not take a text.
public enum SMSGatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Worth retrying later: the gateway is down, busy, or answered 5xx / "temporarily failed".
    case temporary(String)
    /// Retrying will not help: the gateway refused the text (bad number, bad credentials, 4xx).
    case permanent(String)

    public var description: String {
        switch self {
        case .temporary(let why): "temporary gateway failure: \(why)"
        case .permanent(let why): "gateway refused the text: \(why)"
        }
    }
}

/// Where a text is, as a gateway's delivery report says.
public enum DeliveryState: String, Sendable, Equatable, CaseIterable {
    /// The gateway or the SMS centre has it (queued, buffered).
    case accepted
    /// The SMS centre took it (Kannel DLR type 8).
    case submitted
    /// The handset received it (Kannel DLR type 1).
    case delivered
    /// It will not arrive (Kannel DLR types 2 and 16).
    case failed
}

/// An SMS gateway: Kannel's `sendsms`, or a cloud provider's REST API.
public protocol SMSGateway: Sendable {
    /// Short name for logs and the outbox, e.g. `kannel`.
    var name: String { get }
    /// Hands `sms` to the gateway. Returns the gateway's own message id when it gives one.
    func send(_ sms: OutgoingSMS) async throws(SMSGatewayError) -> String?
}
