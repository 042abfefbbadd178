import Testing

@testable import Voicemail

/// RFC 3842 §5.2 message-summary bodies.
@Suite struct MessageSummaryTests {
    @Test func bodyForNewMessages() {
        let summary = MessageSummary(counts: MessageCounts(new: 2, old: 1), account: "sip:1002@clinic.example")
        #expect(summary.body == "Messages-Waiting: yes\r\nMessage-Account: sip:1002@clinic.example\r\nVoice-Message: 2/1\r\n")
    }

    @Test func noNewMessagesMeansNotWaiting() {
        let summary = MessageSummary(counts: MessageCounts(new: 0, old: 3), account: "sip:1002@clinic.example")
        #expect(summary.body.hasPrefix("Messages-Waiting: no\r\n"))
        #expect(summary.body.contains("Voice-Message: 0/3\r\n"))
    }

    @Test func parsesWhatPhonesAndTestsSee() throws {
        let parsed = try #require(MessageSummary(parsing: "Messages-Waiting: yes\nMessage-Account: sip:1002@x\nVoice-Message: 1/0 (0/0)\n"))
        #expect(parsed.counts == MessageCounts(new: 1, old: 0))
        #expect(parsed.account == "sip:1002@x")
        // Inconsistent (waiting with no new message), malformed or negative counts are refused.
        #expect(MessageSummary(parsing: "Messages-Waiting: yes\r\nVoice-Message: 0/0\r\n") == nil)
        #expect(MessageSummary(parsing: "Messages-Waiting: no\r\nVoice-Message: -1/0\r\n") == nil)
        #expect(MessageSummary(parsing: "Voice-Message: 1/0\r\n") == nil)
    }
}

@Suite struct PINHashTests {
    @Test func verifiesTheRightPINOnly() {
        let stored = PINHash.make("4821")
        // v1$<16-byte salt in hex>$<32-byte hash in hex>: the PIN itself is not in it.
        let parts = stored.split(separator: "$")
        #expect(parts.count == 3 && parts[0] == "v1" && parts[1].count == 32 && parts[2].count == 64)
        #expect(PINHash.verify("4821", against: stored))
        #expect(!PINHash.verify("4822", against: stored))
        #expect(!PINHash.verify("4821", against: "v1$zz$00"))
        // Salted: the same PIN hashes differently each time.
        #expect(PINHash.make("4821") != stored)
        #expect(PINHash.make("4821", salt: [1, 2, 3]) == PINHash.make("4821", salt: [1, 2, 3]))
    }

    @Test func pinRules() {
        #expect(PINHash.problem("123") == "a PIN has 4 to 10 digits")
        #expect(PINHash.problem("12a4") == "a PIN has digits only")
        #expect(PINHash.problem("0000") == nil)
    }
}
