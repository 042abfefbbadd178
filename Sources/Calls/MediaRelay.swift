/// The side of a call a message goes to.
public enum CallSide: Sendable, Equatable {
    case caller, callee
}

/// Where media anchoring slots in: every message body that crosses the B2BUA (the SDP offers and
/// answers of INVITE, 18x, 2xx, ACK, re-INVITE and UPDATE) passes through `relay`, which may
/// rewrite it, e.g. to put the server's RTP relay, recorder or voicemail between the parties.
/// Without one (`B2BUA.media == nil`) bodies are relayed unchanged.
public protocol MediaRelay: AnyObject {
    /// The body to send `towards` one side of call `callID`, in place of `body`.
    func relay(_ body: [UInt8], contentType: String?, callID: String, towards side: CallSide) -> [UInt8]
    /// The call is over: release its media resources.
    func callEnded(_ callID: String)
}

extension B2BUA {
    /// `body` as it should reach `side` (unchanged unless a media relay is plugged in).
    func mediaBody(_ body: [UInt8], contentType: String?, call: Call, towards side: Side) -> [UInt8] {
        guard let media, !body.isEmpty else { return body }
        return media.relay(body, contentType: contentType, callID: call.id, towards: side == .caller ? .caller : .callee)
    }
}
