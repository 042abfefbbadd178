import Dialplan
import Foundation
import Registrar
import SIPCore
import SIPTransaction

extension B2BUA {
    /// Runs a media step: answers the caller with the server's media if not yet done, then
    /// starts the application. False when there is no media engine (the step is skipped).
    func runMedia(_ call: Call, _ application: MediaApplication, answeredBy: String) -> Bool {
        guard let media else { return false }
        guard media.accepts(application, caller: call.caller) else {
            log(.info, "media step cannot run; skipped", ["call": call.id, "step": answeredBy])
            return false
        }
        if !call.answeredByServer {
            switch media.answerCaller(callID: call.id, offer: call.invite.body) {
            case .refused(let why):
                log(.info, "no media agreed with the caller", ["call": call.id, "reason": why])
                finishUnanswered(call, code: 488, reason: "Not Acceptable Here", outcome: .failed)
                return true
            case .sdp(let sdp):
                if call.earlyMediaSent {
                    // The caller heard a callee's early media in the dialog of our first To tag;
                    // the server's own answer opens another dialog, as a second fork would.
                    dialogs[call.a.key] = nil
                    let tag = Registrar.newTag()
                    call.a.localTag = tag
                    call.a.localHeader = Self.localHeader(answering: call.invite, tag: tag)
                    dialogs[call.a.key] = (call, .caller)
                }
                var ok = SIPResponse(replyingTo: call.invite, statusCode: 200, toTag: call.a.localTag)
                copyRecordRoute(of: call, to: &ok)
                ok.headers.add(HeaderName.contact, contact(towards: call.a.destination))
                ok.headers.add(HeaderName.allow, Self.allow)
                ok.headers.add(HeaderName.contentType, "application/sdp")
                ok.body = sdp
                call.answeredByServer = true
                call.answeredAt = signalling.now
                call.answeredBy = answeredBy
                send2xx(ok, call: call, to: .caller, transaction: call.inviteTransaction, cseq: call.inviteCSeq)
                log(.info, "answered by the server", ["call": call.id, "for": answeredBy])
            }
        } else if call.b == nil {
            call.answeredBy = answeredBy
        }
        media.run(application, callID: call.id, caller: call.caller) { [weak self, weak call] outcome in
            guard let self, let call, call.phase == .routing || call.phase == .ringing else { return }
            self.advance(call, after: outcome)
        }
        return true
    }

    /// A re-INVITE, UPDATE or INFO from a caller the server answered and has not joined to
    /// anyone: new offers get the server's answer, INFO carries keys (RFC 2976; the bodies
    /// `application/dtmf-relay` `Signal=5` and `application/dtmf` `5` that phones use).
    func serverAnsweredRequest(_ request: SIPRequest, call: Call, routing: RoutingHeaders, transaction: ServerTransactionID) {
        guard let media else { return }
        switch request.method {
        case .info:
            let type = request.headers[HeaderName.contentType]?.lowercased() ?? ""
            guard let key = Self.infoDigit(request.body, contentType: type) else {
                signalling.respond(SIPResponse(replyingTo: request, statusCode: 415, reasonPhrase: "Only DTMF INFO Is Accepted"), to: transaction)
                return
            }
            signalling.respond(SIPResponse(replyingTo: request, statusCode: 200), to: transaction)
            media.digit(key, callID: call.id)
        default:
            if let contact = routing.contacts?.firstURI {
                call.a.remoteTarget = contact
            }
            var response = SIPResponse(replyingTo: request, statusCode: 200)
            // RFC 3311 §5.2: an UPDATE without an offer gets an answer without one. A re-INVITE
            // without SDP gets our offer (answered in the ACK); an offer gets our answer.
            if !(request.body.isEmpty && request.method == .update) {
                switch media.answerCaller(callID: call.id, offer: request.body) {
                case .sdp(let sdp):
                    response.headers.add(HeaderName.contentType, "application/sdp")
                    response.body = sdp
                case .refused:
                    signalling.respond(SIPResponse(replyingTo: request, statusCode: 488, reasonPhrase: "Not Acceptable Here"), to: transaction)
                    return
                }
            }
            response.headers.add(HeaderName.contact, contact(towards: call.a.destination))
            response.headers.add(HeaderName.allow, Self.allow)
            if request.method == .invite {
                send2xx(response, call: call, to: .caller, transaction: transaction, cseq: routing.cseq.sequence)
            } else {
                signalling.respond(response, to: transaction)
            }
        }
    }

    /// The key in a DTMF INFO body, or nil.
    static func infoDigit(_ body: [UInt8], contentType: String) -> Character? {
        let text = String(decoding: body, as: UTF8.self)
        var value: Substring?
        if contentType.hasPrefix("application/dtmf-relay") {
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "signal" {
                    value = Substring(parts[1].trimmingCharacters(in: .whitespaces))
                }
            }
        } else if contentType.hasPrefix("application/dtmf") {
            value = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        // A key, or its RFC 4733 event code (some phones send `Signal=10` for `*`, `11` for `#`).
        switch value?.uppercased() {
        case "10": return "*"
        case "11": return "#"
        case let key? where key.count == 1 && "0123456789*#ABCD".contains(key): return Character(key)
        default: return nil
        }
    }
}
