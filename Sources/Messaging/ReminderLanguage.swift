import Foundation

/// The languages reminders and reply keywords are written in.
public enum ReminderLanguage: String, Sendable, CaseIterable {
    case english = "en"
    case italian = "it"
    case traditionalChinese = "zh-TW"

    /// The language for a BCP 47 tag: `it-IT` is Italian; `zh-TW`, `zh-Hant` and `zh-Hant-TW` are
    /// Traditional Chinese; anything else, including Simplified Chinese, falls back to English.
    public init(locale: String) {
        let subtags = locale.replacingOccurrences(of: "_", with: "-").split(separator: "-").map { $0.lowercased() }
        switch subtags.first {
        case "it": self = .italian
        case "zh" where subtags.contains("tw") || subtags.contains("hant"): self = .traditionalChinese
        default: self = .english
        }
    }
}
