import Foundation
import SIPCore
import SIPTransaction

/// A timer the environment scheduled; cancelling an expired one does nothing.
public protocol CallTimer: AnyObject {
    func cancel()
}

/// What the B2BUA needs from the server around it: transactions, timers and addresses.
///
/// The server implements it on its event loop with the real transaction layer and transport;
/// tests implement it with a virtual clock and record what is sent.
public protocol CallSignalling: AnyObject {
    /// Sends `response` through the server transaction `transaction`.
    func respond(_ response: SIPResponse, to transaction: ServerTransactionID)
    /// Starts a client transaction for `request` (which carries a fresh Via branch).
    func sendRequest(_ request: SIPRequest, to destination: CallDestination) -> ClientTransactionID
    /// Sends an ACK for a 2xx, which is not a transaction (RFC 3261 §13.2.2.4).
    func sendACK(_ ack: SIPRequest, to destination: CallDestination)
    /// Ends a client transaction that will get no final response (RFC 3261 §9.1: 64*T1 after a
    /// CANCEL; Timer C for relayed INVITEs). The environment reports `.terminated` back.
    func terminate(_ transaction: ClientTransactionID)
    /// Runs `body` once after `milliseconds`.
    func schedule(afterMilliseconds milliseconds: Int64, _ body: @escaping () -> Void) -> CallTimer
    /// The address to put in Via and Contact for requests towards `destination`.
    func localAddress(towards destination: CallDestination) -> (host: String, port: Int)
    /// The wall-clock time, for CDRs and time conditions.
    var now: Date { get }
}

/// Registered devices of the organisation's users, for `ring`.
public protocol CallDirectory: AnyObject {
    func lookup(extension: String, organisationID: Int64) -> ExtensionLookup
}

/// What an extension is: nobody, or a user with zero or more registered contacts.
public enum ExtensionLookup: Sendable, Equatable {
    case unknown
    case user(displayName: String, contacts: [ContactTarget])
}

/// One registered contact of a user's device: where an outgoing leg is sent.
public struct ContactTarget: Sendable, Equatable, Hashable {
    /// The Contact URI the phone registered (the outgoing INVITE's Request-URI).
    public var uri: String
    /// Where to send it (the flow the REGISTER came from).
    public var destination: CallDestination
    /// The address-of-record, e.g. `sip:1002@clinic.example`, for CDRs and logs.
    public var aor: String
    /// The phone's User-Agent, for CDRs ("which device answered").
    public var userAgent: String?

    public init(uri: String, destination: CallDestination, aor: String, userAgent: String? = nil) {
        self.uri = uri
        self.destination = destination
        self.aor = aor
        self.userAgent = userAgent
    }
}
