import Testing

@testable import Messaging

/// Encoding choice and segment counts per 3GPP TS 23.038 §6.2.1 (GSM-7) and §6.2.3 (UCS-2).
@Suite struct SMSLengthTests {
    @Test func plainEnglishIsOneGSM7Segment() {
        let length = SMSLength(measuring: "Reminder: your visit is tomorrow at 10:30. Reply C to confirm.")
        #expect(length == SMSLength(encoding: .gsm7, units: 62, segments: 1))
    }

    @Test func italianAccentsOfTheDefaultAlphabetStayGSM7() {
        let length = SMSLength(measuring: "è é ù ì ò à")
        #expect(length.encoding == .gsm7)
        #expect(length.units == 11)
    }

    @Test func capitalEAcuteIsInTheAlphabet() {
        #expect(SMSEncoding.choose(for: "É") == .gsm7)
    }

    @Test(arguments: ["È", "Á", "Í", "Ó", "Ú", "ç", "ê"])
    func accentsOutsideTheAlphabetNeedUCS2(_ text: String) {
        #expect(SMSEncoding.choose(for: "Caffè \(text)") == .ucs2)
    }

    @Test func decomposedAccentIsMeasuredComposed() {
        // "e" + U+0300 COMBINING GRAVE ACCENT is sent as the single GSM-7 character "è".
        #expect(SMSLength(measuring: "perch\u{65}\u{300}") == SMSLength(encoding: .gsm7, units: 6, segments: 1))
    }

    @Test func euroSignAndExtensionCharactersCostTwoSeptets() {
        #expect(SMSLength(measuring: "€").units == 2)
        #expect(SMSLength(measuring: "10 €").units == 5)
        #expect(SMSLength(measuring: "^{}\\[~]|\u{0C}").units == 18)
        #expect(SMSLength(measuring: "€").encoding == .gsm7)
    }

    @Test func gsm7Boundaries() {
        #expect(SMSLength(measuring: String(repeating: "a", count: 160)).segments == 1)
        #expect(SMSLength(measuring: String(repeating: "a", count: 161)).segments == 2)
        #expect(SMSLength(measuring: String(repeating: "a", count: 306)).segments == 2)
        #expect(SMSLength(measuring: String(repeating: "a", count: 307)).segments == 3)
        #expect(SMSLength(measuring: String(repeating: "a", count: 159) + "€").segments == 2)
    }

    @Test func escapeSequenceIsNotSplitAcrossParts() {
        // 152 + 2 + 152 = 306 septets would fit two parts of 153 only by splitting the euro sign.
        let text = String(repeating: "a", count: 152) + "€" + String(repeating: "a", count: 152)
        #expect(SMSLength(measuring: text) == SMSLength(encoding: .gsm7, units: 306, segments: 3))
    }

    @Test func chineseIsUCS2() {
        #expect(SMSLength(measuring: "您好，明天見") == SMSLength(encoding: .ucs2, units: 6, segments: 1))
    }

    @Test func ucs2Boundaries() {
        #expect(SMSLength(measuring: String(repeating: "診", count: 70)).segments == 1)
        #expect(SMSLength(measuring: String(repeating: "診", count: 71)).segments == 2)
        #expect(SMSLength(measuring: String(repeating: "診", count: 134)).segments == 2)
        #expect(SMSLength(measuring: String(repeating: "診", count: 135)).segments == 3)
    }

    @Test func emojiCountsTwoUnitsAndForcesUCS2() {
        #expect(SMSLength(measuring: "See you 😀") == SMSLength(encoding: .ucs2, units: 10, segments: 1))
        #expect(SMSLength(measuring: String(repeating: "a", count: 69) + "😀").segments == 2)
    }

    @Test func surrogatePairIsNotSplitAcrossParts() {
        // 66 + 2 + 66 = 134 units would fit two parts of 67 only by splitting the emoji.
        let text = String(repeating: "診", count: 66) + "😀" + String(repeating: "診", count: 66)
        #expect(SMSLength(measuring: text) == SMSLength(encoding: .ucs2, units: 134, segments: 3))
    }

    @Test func emptyTextIsOneSegment() {
        #expect(SMSLength(measuring: "") == SMSLength(encoding: .gsm7, units: 0, segments: 1))
    }
}
