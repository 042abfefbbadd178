import Dialplan

/// The side of a call a message goes to.
public enum CallSide: Sendable, Equatable {
    case caller, callee
}

/// What a media step of the dialplan asks the server to do with an answered caller.
public enum MediaApplication: Sendable, Equatable {
    case play(prompt: String)
    case menu(MenuStep)
    /// Take a message; `busy` picks the busy greeting (the step before found the callee busy).
    case voicemail(mailbox: String, busy: Bool)
    /// The caller's own mailbox, by phone (`*97`).
    case voicemailAccess
}

/// An SDP answer (or offer) for the caller, or why none can be made.
public enum MediaAnswer: Sendable, Equatable {
    case sdp([UInt8])
    case refused(String)
}

/// Per-call media figures for the CDR, from the relay's receive statistics and RTCP.
public struct MediaQuality: Sendable, Equatable {
    public var packetsFromCaller: Int
    public var packetsFromCallee: Int
    /// Worst direction's loss, in percent.
    public var lossPercent: Double
    /// Worst direction's interarrival jitter (RFC 3550 A.8), milliseconds.
    public var jitterMilliseconds: Double
    /// Round-trip time from RTCP, milliseconds, when the phones sent reports.
    public var roundTripMilliseconds: Double?
    /// Estimated mean opinion score (simplified ITU-T G.107 E-model).
    public var mos: Double

    public init(packetsFromCaller: Int, packetsFromCallee: Int, lossPercent: Double, jitterMilliseconds: Double, roundTripMilliseconds: Double?, mos: Double) {
        self.packetsFromCaller = packetsFromCaller
        self.packetsFromCallee = packetsFromCallee
        self.lossPercent = lossPercent
        self.jitterMilliseconds = jitterMilliseconds
        self.roundTripMilliseconds = roundTripMilliseconds
        self.mos = mos
    }
}

/// Where media anchoring slots in.
///
/// - Every message body that crosses the B2BUA (the SDP offers and answers of INVITE, 18x, 2xx,
///   ACK, re-INVITE and UPDATE) passes through `relay`, which may rewrite it to put the server's
///   RTP relay between the parties.
/// - For the dialplan's media steps (voicemail, menus, prompts) the server answers the caller
///   itself (`answerCaller`) and runs an application on the call's audio (`run`). If the plan
///   then rings somebody, the leg is offered the server's media (`offerToCallee`) and the answer
///   joins the two (`calleeAnswered`): the call stays anchored on the server.
///
/// Without one (`B2BUA.media == nil`) bodies are relayed unchanged and media steps are skipped.
public protocol MediaRelay: AnyObject {
    /// The body to send `towards` one side of call `callID`, in place of `body`.
    func relay(_ body: [UInt8], contentType: String?, callID: String, towards side: CallSide) -> [UInt8]
    /// The call is over: release its media resources and return its figures, if it had relayed media.
    func callEnded(_ callID: String) -> MediaQuality?
    /// Our answer to the caller's offer (our offer when `offer` is empty: the ACK will answer).
    func answerCaller(callID: String, offer: [UInt8]) -> MediaAnswer
    /// The caller's answer to our offer, in its ACK (late offer).
    func callerAnswered(callID: String, answer: [UInt8])
    /// An offer for a leg of a call the server answered, on the server's media.
    func offerToCallee(callID: String) -> [UInt8]
    /// The callee's answer: relay between caller and callee from now on.
    func calleeAnswered(callID: String, answer: [UInt8])
    /// Whether `application` can run for this caller (a voicemail step for a mailbox that does
    /// not exist cannot): asked before the server answers, so a step that cannot run is skipped
    /// and the caller hears the failure that led to it.
    func accepts(_ application: MediaApplication, caller: CallerIdentity) -> Bool
    /// Runs `application` on the answered caller's audio; `done` is called on the B2BUA's event
    /// loop with how it went (a key for a menu, `.played` otherwise).
    func run(_ application: MediaApplication, callID: String, caller: CallerIdentity, done: @escaping (StepOutcome) -> Void)
    /// Somebody is being rung for a caller the server answered: play a ringback tone until the
    /// callee answers (`calleeAnswered`) or the next application starts (`run`).
    func ringback(callID: String)
    /// A key the caller sent by SIP INFO.
    func digit(_ key: Character, callID: String)
}

extension B2BUA {
    /// `body` as it should reach `side` (unchanged unless a media relay is plugged in).
    func mediaBody(_ body: [UInt8], contentType: String?, call: Call, towards side: Side) -> [UInt8] {
        guard let media, !body.isEmpty else { return body }
        return media.relay(body, contentType: contentType, callID: call.id, towards: side == .caller ? .caller : .callee)
    }
}
