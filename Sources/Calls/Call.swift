import Dialplan
import Foundation
import SIPCore
import SIPTransaction

/// Who is calling: a user's phone (authenticated) or a trunk.
public struct CallerIdentity: Sendable, Equatable {
    public var organisationID: Int64
    public var organisationDomain: String
    /// The caller's extension, or the number a trunk presented.
    public var number: String
    public var displayName: String
    /// The trunk the call came in by.
    public var trunk: String?
    /// The address-of-record of the calling device, so it is not rung by its own call.
    public var deviceAOR: String?
    /// The extension of the user the calling device belongs to (nil for trunks, or a device no
    /// user owns): whose own mailbox `*97` opens.
    public var userExtension: String?

    public init(
        organisationID: Int64, organisationDomain: String, number: String, displayName: String, trunk: String? = nil,
        deviceAOR: String? = nil, userExtension: String? = nil
    ) {
        self.organisationID = organisationID
        self.organisationDomain = organisationDomain
        self.number = number
        self.displayName = displayName
        self.trunk = trunk
        self.deviceAOR = deviceAOR
        self.userExtension = userExtension
    }
}

/// The two parties of a B2BUA call.
enum Side {
    case caller, callee

    var other: Side { self == .caller ? .callee : .caller }
    var name: String { self == .caller ? "caller" : "callee" }
}

/// One call through the B2BUA: the caller's dialog (A), the outgoing legs of the current dialplan
/// step, and once answered the callee's dialog (B).
final class Call {
    enum Phase { case routing, ringing, answered, ended }

    let id: String
    let caller: CallerIdentity
    let dialed: String
    let startedAt: Date
    /// The caller's INVITE and its server transaction.
    let invite: SIPRequest
    let inviteTransaction: ServerTransactionID
    /// Max-Forwards for outgoing legs (RFC 3261 §16.6 step 3, carried across the B2BUA).
    let maxForwards: Int
    /// The CSeq number of the caller's INVITE (its ACK carries it).
    var inviteCSeq: UInt32 { (invite.headers[HeaderName.cseq].flatMap { try? CSeq(parsing: $0) })?.sequence ?? 1 }
    /// Requests relayed from one side still waiting for the other side's final response.
    var pendingRelays: [ClientTransactionID: PendingRelay] = [:]
    var run: DialplanRun
    var phase: Phase = .routing

    /// Our dialog with the caller (we are its UAS; our tag is the To tag).
    var a: DialogState
    /// Our dialog with the answering callee (we are its UAC).
    var b: DialogState?

    /// The legs of the current `ring`/`trunk` step.
    var legs: [OutgoingLeg] = []
    var ringTimer: CallTimer?
    /// What the caller gets if the plan runs out: the last failure seen.
    var failureCode = 480
    var failureReason: String? = nil
    var failureOutcome: CallOutcome = .failed
    var callee = ""
    var answeredAt: Date?
    var answeredBy: String?
    var answeredLeg: OutgoingLeg?
    /// The ACK we sent for the callee's 2xx, resent when the 2xx is retransmitted.
    var calleeACK: SIPRequest?
    /// Late offer: the callee's ACK waits for the caller's (which carries the SDP answer).
    var awaitingCallerACK = false
    /// The 2xx to the caller that is retransmitted until its ACK arrives (RFC 3261 §13.3.1.4).
    var pending2xx: [Side: Pending2xx] = [:]
    /// A re-INVITE relayed from `Side` whose 2xx the other side has not been ACKed for yet.
    var relayedACK: [Side: UInt32] = [:]
    /// A re-INVITE or UPDATE in progress from each side (RFC 3261 §14.1: 491 for another).
    var offerInProgress: Set<Side> = []
    var sessionTimer: CallTimer?
    /// The server answered the caller itself (a voicemail, menu or prompt step): its media ends
    /// on the server, and later legs are offered the server's media.
    var answeredByServer = false
    /// A callee's 18x with SDP reached the caller under our To tag: a server answer then uses
    /// another tag (RFC 3261 §13.2.1: its SDP differs from the early one).
    var earlyMediaSent = false
    var sessionInterval: Int?

    init(
        id: String, caller: CallerIdentity, dialed: String, startedAt: Date, invite: SIPRequest,
        inviteTransaction: ServerTransactionID, maxForwards: Int, run: DialplanRun, a: DialogState
    ) {
        self.id = id
        self.caller = caller
        self.dialed = dialed
        self.startedAt = startedAt
        self.invite = invite
        self.inviteTransaction = inviteTransaction
        self.maxForwards = maxForwards
        self.run = run
        self.a = a
    }

    func fail(_ code: Int, _ reason: String?, _ outcome: CallOutcome) {
        failureCode = code
        failureReason = reason
        failureOutcome = outcome
    }

    func dialog(_ side: Side) -> DialogState? { side == .caller ? a : b }

    func setDialog(_ side: Side, _ state: DialogState) {
        if side == .caller { a = state } else { b = state }
    }
}

/// A request relayed to the other side, whose final response has not come yet.
struct PendingRelay {
    var request: SIPRequest
    var transaction: ServerTransactionID
    /// Timer C for a relayed INVITE (RFC 3261 §16.6 step 11: more than 3 minutes).
    var timerC: CallTimer?
}

/// A 2xx being retransmitted until its ACK (RFC 3261 §13.3.1.4).
struct Pending2xx {
    var response: SIPResponse
    var transaction: ServerTransactionID
    var cseq: UInt32
    var interval: Int64
    var elapsed: Int64
    var timer: CallTimer?
}

/// Where an outgoing leg goes.
enum LegTarget {
    case contact(ContactTarget)
    case trunk(Trunk, number: String)

    var destination: CallDestination {
        switch self {
        case .contact(let c): c.destination
        case .trunk(let t, _): t.destination
        }
    }

    var description: String {
        switch self {
        case .contact(let c): "\(c.aor) at \(c.uri)" + (c.userAgent.map { " (\($0))" } ?? "")
        case .trunk(let t, let number): "trunk \(t.name) \(number)"
        }
    }
}

/// One outgoing INVITE of the B2BUA: to one registered contact, or to a trunk.
final class OutgoingLeg {
    enum State { case calling, early, answered, done }

    /// Strong: a leg outlives its call while its transaction still has answers to take (a 487
    /// after CANCEL, a late 2xx to hang up). `B2BUA.end` breaks the cycle through `legs`.
    let call: Call
    let target: LegTarget
    var invite: SIPRequest
    var transaction: ClientTransactionID
    var branch: String
    var state: State = .calling
    /// CANCEL wanted; sent once a provisional response arrives (RFC 3261 §9.1).
    var cancelRequested = false
    /// Another leg answered: the CANCEL says so (RFC 3326), so the phone lists no missed call.
    var completedElsewhere = false
    /// Gives the leg up 64*T1 after its CANCEL if no final response comes.
    var giveUpTimer: CallTimer?
    var finalCode: Int?
    var authAttempts = 0

    init(call: Call, target: LegTarget, invite: SIPRequest, transaction: ClientTransactionID, branch: String) {
        self.call = call
        self.target = target
        self.invite = invite
        self.transaction = transaction
        self.branch = branch
    }
}
