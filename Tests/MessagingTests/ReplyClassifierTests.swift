import Testing

@testable import Messaging

@Suite struct ReplyClassifierTests {
    @Test(arguments: ["C", "c", "Yes", " yes! ", "Y", "ok.", "ＹＥＳ", "\"OK\""])
    func englishConfirm(_ text: String) {
        #expect(ReplyClassifier.classify(text, locale: "en") == .confirm)
    }

    @Test(arguments: ["R", "reschedule", "Reschedule."])
    func englishReschedule(_ text: String) {
        #expect(ReplyClassifier.classify(text, locale: "en-US") == .reschedule)
    }

    @Test(arguments: ["SI", "Sì", "SÌ", "si!", "S\u{49}\u{300}", "Ｓì", "c", "Ok"])
    func italianConfirm(_ text: String) {
        #expect(ReplyClassifier.classify(text, locale: "it-IT") == .confirm)
    }

    @Test func italianRescheduleAndHelp() {
        #expect(ReplyClassifier.classify("Sposta", locale: "it") == .reschedule)
        #expect(ReplyClassifier.classify("aiuto?", locale: "it") == .help)
    }

    @Test(arguments: ["確認", "是", " 是。", "確認！", "ｃ"])
    func taiwaneseConfirm(_ text: String) {
        #expect(ReplyClassifier.classify(text, locale: "zh-TW") == .confirm)
        #expect(ReplyClassifier.classify(text, locale: "zh-Hant-TW") == .confirm)
    }

    @Test func taiwaneseReschedule() {
        #expect(ReplyClassifier.classify("改期", locale: "zh-TW") == .reschedule)
        #expect(ReplyClassifier.classify("R", locale: "zh-TW") == .reschedule)
    }

    @Test(
        arguments: ["en", "it", "zh-TW", "xx"],
        ["STOP", "stop.", "StopAll", "UNSUBSCRIBE", "cancel", "End", "quit", "ＳＴＯＰ"])
    func optOutWorksInEveryLocale(_ locale: String, _ text: String) {
        #expect(ReplyClassifier.classify(text, locale: locale) == .stop)
    }

    @Test(arguments: ["en", "it", "zh-TW"])
    func startAndHelpWorkInEveryLocale(_ locale: String) {
        #expect(ReplyClassifier.classify("start", locale: locale) == .start)
        #expect(ReplyClassifier.classify("UNSTOP", locale: locale) == .start)
        #expect(ReplyClassifier.classify("Help", locale: locale) == .help)
        #expect(ReplyClassifier.classify("info", locale: locale) == .help)
    }

    @Test func wordsOfAnotherLocaleAreNotGuessed() {
        #expect(ReplyClassifier.classify("SI", locale: "en") == .other)
        #expect(ReplyClassifier.classify("YES", locale: "it") == .other)
        #expect(ReplyClassifier.classify("改期", locale: "en") == .other)
    }

    @Test(arguments: [
        "Can I come at 3?", "yes but late", "no", "", "   ", "?!", "C C", "stop calling me at work", "是的，我會來",
    ])
    func sentencesAreOther(_ text: String) {
        #expect(ReplyClassifier.classify(text, locale: "en") == .other)
        #expect(ReplyClassifier.classify(text, locale: "zh-TW") == .other)
    }

    @Test func normalisationFoldsWidthCaseAccentsAndEdges() {
        #expect(ReplyClassifier.normalised("  Ｓì!! ") == "SI")
        #expect(ReplyClassifier.normalised("「確認」") == "確認")
    }

    /// 47 CFR 64.1200(a)(10): revoke and opt out end texts too, in any locale.
    @Test(arguments: ["revoke", "Opt out", "opt-out", "OPTOUT"])
    func fccOptOutWords(_ text: String) {
        #expect(ReplyClassifier.classify(text, locale: "it") == .stop)
    }
}
