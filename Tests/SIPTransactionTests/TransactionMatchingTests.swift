import SIPCore
import Testing

@testable import SIPTransaction

@Suite("Matching requests and responses to transactions (RFC 3261 §17.1.3, §17.2.3, §9.2)")
struct TransactionMatchingTests {
    @Test func serverKeyIsBranchSentByAndMethod() throws {
        var layer = Layer()
        let first = try deliver(Messages.request("OPTIONS", branch: "z9hG4bKsame"), to: &layer)
        // Same branch from another sent-by: another transaction.
        let other = try deliver(Messages.request("OPTIONS", branch: "z9hG4bKsame", sentBy: "10.0.0.2:5060"), to: &layer)
        // Same branch and sent-by, other method: another transaction.
        let info = try deliver(Messages.request("INFO", branch: "z9hG4bKsame"), to: &layer)
        #expect(Set([first, other, info]).count == 3)
        #expect(layer.count == 3)
        // Host names compare case-insensitively; everything else about the request may differ.
        let ok = Messages.response(200, to: Messages.request("OPTIONS").0)
        _ = layer.respond(ok.0, to: first, now: 1)
        let retransmission = Messages.request("OPTIONS", branch: "z9hG4bKsame", sentBy: "PC.Example:5060")
        let lower = try deliver(
            Messages.request("OPTIONS", branch: "z9hG4bKsame", sentBy: "pc.example:5060"), to: &layer)
        _ = layer.respond(ok.0, to: lower, now: 1)
        #expect(
            layer.receiveRequest(retransmission.0, routing: retransmission.1, from: phone, reliable: false, now: 2) == [
                .send(.response(ok.0), to: phone)
            ])
    }

    @Test func rfc2543InviteMatchingWithoutBranch() throws {
        var layer = Layer()
        let invite = Messages.request("INVITE", branch: nil, cseq: 5)
        let id = try deliver(invite, to: &layer)
        let ringing = Messages.response(180, to: invite.0, toTag: "uas")
        _ = layer.respond(ringing.0, to: id, now: 1)
        // An identical retransmission matches.
        #expect(
            layer.receiveRequest(invite.0, routing: invite.1, from: phone, reliable: false, now: 500) == [
                .send(.response(ringing.0), to: phone)
            ])
        // Any of Request-URI, From tag, Call-ID, CSeq, top Via differing: a new request.
        for different in [
            Messages.request("INVITE", branch: nil, uri: "sip:1003@pbx.example", cseq: 5),
            Messages.request("INVITE", branch: nil, cseq: 5, fromTag: "f2"),
            Messages.request("INVITE", branch: nil, cseq: 5, callID: "call-2"),
            Messages.request("INVITE", branch: nil, cseq: 6),
            Messages.request("INVITE", branch: nil, sentBy: "10.0.0.1:5070", cseq: 5),
            Messages.request("INVITE", branch: nil, cseq: 5, toTag: "x"),
        ] {
            #expect(try deliver(different, to: &layer) != id)
        }
        #expect(layer.count == 7)

        let busy = Messages.response(486, to: invite.0, toTag: "uas")
        _ = layer.respond(busy.0, to: id, now: 600)
        // The ACK matches on Request-URI, From tag, Call-ID, CSeq number and top Via, and its
        // To tag must be the response's.
        let wrongTag = Messages.request("ACK", branch: nil, cseq: 5, toTag: "other")
        #expect(
            layer.receiveRequest(wrongTag.0, routing: wrongTag.1, from: phone, reliable: false, now: 700) == [
                .deliverStrayACK(wrongTag.0, wrongTag.1, phone)
            ])
        #expect(layer.nextDeadline == 1_100)  // Timer G still runs
        let ack = Messages.request("ACK", branch: nil, cseq: 5, toTag: "uas")
        #expect(layer.receiveRequest(ack.0, routing: ack.1, from: phone, reliable: false, now: 800) == [])
        #expect(layer.nextDeadline == 5_800)  // Confirmed: Timer I
    }

    @Test func rfc2543ReInviteAckMatches() throws {
        var layer = Layer()
        let reInvite = Messages.request("INVITE", branch: nil, cseq: 9, toTag: "uas")
        let id = try deliver(reInvite, to: &layer)
        _ = layer.respond(Messages.response(488, to: reInvite.0).0, to: id, now: 0)
        let ack = Messages.request("ACK", branch: nil, cseq: 9, toTag: "uas")
        #expect(layer.receiveRequest(ack.0, routing: ack.1, from: phone, reliable: false, now: 10) == [])
        #expect(layer.nextDeadline == 5_010)
    }

    @Test func branchWithoutMagicCookieIsMatchedTheOldWay() throws {
        var layer = Layer()
        let request = Messages.request("OPTIONS", branch: "1234")
        let id = try deliver(request, to: &layer)
        let ok = Messages.response(200, to: request.0)
        _ = layer.respond(ok.0, to: id, now: 0)
        #expect(
            layer.receiveRequest(request.0, routing: request.1, from: phone, reliable: false, now: 500) == [
                .send(.response(ok.0), to: phone)
            ])
        // With the cookie-less branch, another Call-ID is another transaction.
        _ = try deliver(Messages.request("OPTIONS", branch: "1234", callID: "call-9"), to: &layer)
        #expect(layer.count == 2)
    }

    @Test func cancelIsItsOwnTransactionAndFindsItsInvite() throws {
        var layer = Layer()
        let invite = Messages.request("INVITE", branch: "z9hG4bKcx")
        let inviteID = try deliver(invite, to: &layer)
        let cancel = Messages.request("CANCEL", branch: "z9hG4bKcx")
        let cancelID = try deliver(cancel, to: &layer)
        #expect(cancelID != inviteID)
        #expect(layer.serverTransaction(matchingCancel: cancel.0, routing: cancel.1) == inviteID)
        // Another branch, or another sent-by: no INVITE to cancel (the TU answers 481).
        let stranger = Messages.request("CANCEL", branch: "z9hG4bKzz")
        #expect(layer.serverTransaction(matchingCancel: stranger.0, routing: stranger.1) == nil)
        let elsewhere = Messages.request("CANCEL", branch: "z9hG4bKcx", sentBy: "10.9.9.9")
        #expect(layer.serverTransaction(matchingCancel: elsewhere.0, routing: elsewhere.1) == nil)

        // The TU's usual answer: 200 to the CANCEL, 487 to the INVITE.
        let ok = Messages.response(200, to: cancel.0)
        #expect(layer.respond(ok.0, to: cancelID, now: 10) == [.send(.response(ok.0), to: phone)])
        let terminated = Messages.response(487, to: invite.0)
        #expect(layer.respond(terminated.0, to: inviteID, now: 10) == [.send(.response(terminated.0), to: phone)])
        // A CANCEL retransmission gets the 200 again.
        #expect(
            layer.receiveRequest(cancel.0, routing: cancel.1, from: phone, reliable: false, now: 600) == [
                .send(.response(ok.0), to: phone)
            ])
    }

    @Test func rfc2543CancelFindsItsInvite() throws {
        var layer = Layer()
        let invite = Messages.request("INVITE", branch: nil, cseq: 3)
        let inviteID = try deliver(invite, to: &layer)
        let cancel = Messages.request("CANCEL", branch: nil, cseq: 3)
        #expect(try deliver(cancel, to: &layer) != inviteID)
        #expect(layer.serverTransaction(matchingCancel: cancel.0, routing: cancel.1) == inviteID)
        let otherCall = Messages.request("CANCEL", branch: nil, cseq: 3, callID: "call-2")
        #expect(layer.serverTransaction(matchingCancel: otherCall.0, routing: otherCall.1) == nil)
    }

    @Test func responsesGoToTheClientTransactionWithTheirBranchAndMethod() {
        var layer = Layer()
        let invite = Messages.request("INVITE", branch: "z9hG4bKout1")
        let cancel = Messages.request("CANCEL", branch: "z9hG4bKout1")
        let other = Messages.request("INVITE", branch: "z9hG4bKout2", callID: "call-2")
        let (inviteID, _) = layer.sendRequest(invite.0, to: trunk, reliable: false, now: 0)
        let (otherID, _) = layer.sendRequest(other.0, to: trunk, reliable: false, now: 0)
        let ringing = Messages.response(180, to: invite.0)
        _ = layer.receiveResponse(ringing.0, routing: ringing.1, now: 100)
        let (cancelID, _) = layer.sendRequest(cancel.0, to: trunk, reliable: false, now: 200)
        #expect(Set([inviteID, otherID, cancelID]).count == 3)

        let cancelOK = Messages.response(200, to: cancel.0)
        #expect(
            layer.receiveResponse(cancelOK.0, routing: cancelOK.1, now: 300) == [.deliverResponse(cancelID, cancelOK.0)]
        )
        let requestTerminated = Messages.response(487, to: invite.0)
        let actions = layer.receiveResponse(requestTerminated.0, routing: requestTerminated.1, now: 310)
        #expect(actions.last == .deliverResponse(inviteID, requestTerminated.0))
        #expect(actions.first?.sentRequest?.headers[HeaderName.cseq] == "1 ACK")
        let otherRinging = Messages.response(180, to: other.0)
        #expect(
            layer.receiveResponse(otherRinging.0, routing: otherRinging.1, now: 320) == [
                .deliverResponse(otherID, otherRinging.0)
            ])
    }

    @Test func unmatchedResponsesAreStray() {
        var layer = Layer()
        let register = Messages.request("REGISTER", branch: "z9hG4bKr1")
        _ = layer.sendRequest(register.0, to: trunk, reliable: false, now: 0)
        // Same branch, other method.
        let wrongMethod = Messages.response(200, to: Messages.request("OPTIONS", branch: "z9hG4bKr1").0)
        #expect(layer.receiveResponse(wrongMethod.0, routing: wrongMethod.1, now: 1) == [.strayResponse(wrongMethod.0)])
        let unknown = Messages.response(200, to: Messages.request("REGISTER", branch: "z9hG4bKr2").0)
        #expect(layer.receiveResponse(unknown.0, routing: unknown.1, now: 1) == [.strayResponse(unknown.0)])
        let noBranch = Messages.response(200, to: Messages.request("REGISTER", branch: nil).0)
        #expect(layer.receiveResponse(noBranch.0, routing: noBranch.1, now: 1) == [.strayResponse(noBranch.0)])
        #expect(layer.count == 1)
    }

    @Test func ackSentByTheTUCreatesNoTransaction() {
        var layer = Layer()
        let ack = Messages.request("ACK", branch: "z9hG4bKack", toTag: "t")
        let (_, actions) = layer.sendRequest(ack.0, to: trunk, reliable: false, now: 0)
        #expect(actions == [.send(.request(ack.0), to: trunk)])
        #expect(layer.count == 0)
        #expect(layer.nextDeadline == nil)
    }

    @Test func newBranchesCarryTheCookieAndDiffer() {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let branch = Layer.newBranch()
            #expect(branch.hasPrefix("z9hG4bK"))
            #expect(branch.utf8.count == 29)
            #expect(branch.utf8.dropFirst(7).allSatisfy { SIPTokenCheck.isToken($0) })
            seen.insert(branch)
        }
        #expect(seen.count == 1_000)
    }
}

enum SIPTokenCheck {
    /// RFC 3261 §25.1 token characters.
    static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("-.!%*_+`'~".utf8).contains(byte)
        }
    }
}
