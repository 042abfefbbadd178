import Foundation

/// The keyword tables ``ReplyClassifier`` matches against, already in normalised form (upper case,
/// no accents, half-width).
enum ReplyKeywords {
    /// Carrier opt-out, opt-in and help words, recognised in every locale (CTIA messaging principles;
    /// the same words are handled by most aggregators). `CANCEL` is an opt-out, not a cancellation
    /// of the visit, because carriers treat it so.
    static let anyLocale: [String: Reply] = [
        "STOP": .stop, "STOPALL": .stop, "UNSUBSCRIBE": .stop, "CANCEL": .stop, "END": .stop, "QUIT": .stop,
        // 47 CFR 64.1200(a)(10) (FCC, 2024) names these too.
        "REVOKE": .stop, "OPT OUT": .stop, "OPT-OUT": .stop, "OPTOUT": .stop,
        "START": .start, "UNSTOP": .start,
        "HELP": .help, "INFO": .help,
    ]

    /// Confirm, reschedule and local help words per language.
    static func table(for language: ReminderLanguage) -> [String: Reply] {
        switch language {
        case .english:
            [
                "C": .confirm, "YES": .confirm, "Y": .confirm, "OK": .confirm, "R": .reschedule,
                "RESCHEDULE": .reschedule,
            ]
        case .italian:
            [
                "C": .confirm, "SI": .confirm, "OK": .confirm, "CONFERMO": .confirm,
                "R": .reschedule, "SPOSTA": .reschedule, "AIUTO": .help,
            ]
        case .traditionalChinese:
            ["C": .confirm, "OK": .confirm, "確認": .confirm, "是": .confirm, "R": .reschedule, "改期": .reschedule]
        }
    }
}
