import Foundation

/// Reads a patient's reply to a reminder as one keyword.
///
/// The whole reply must be a keyword once normalised: compatibility-decomposed (Unicode NFKC/NFKD,
/// so full-width `ＹＥＳ` is `YES`), accents removed (`SÌ` is `SI`), upper-cased, and stripped of
/// surrounding whitespace, punctuation and symbols (`Yes!`, `是。`). Anything longer, such as
/// "Can I come at 3?", is ``Reply/other`` for a person to read; guessing there risks confirming a
/// visit the patient asked to move.
public enum ReplyClassifier {
    /// Classifies `text` with the keywords of `locale` (BCP 47, such as `en`, `it-IT`, `zh-TW`) plus
    /// the carrier opt-out, opt-in and help words, which apply in every locale and win over others.
    public static func classify(_ text: String, locale: String) -> Reply {
        let word = normalised(text)
        if let reply = ReplyKeywords.anyLocale[word] { return reply }
        return ReplyKeywords.table(for: ReminderLanguage(locale: locale))[word] ?? .other
    }

    /// The comparable form of a reply; see the type's documentation.
    static func normalised(_ text: String) -> String {
        let withoutMarks = text.decomposedStringWithCompatibilityMapping.unicodeScalars.filter {
            $0.properties.generalCategory != .nonspacingMark
        }
        let folded = String(String.UnicodeScalarView(withoutMarks)).precomposedStringWithCanonicalMapping
        let edges = CharacterSet.whitespacesAndNewlines.union(.punctuationCharacters).union(.symbols)
        return folded.trimmingCharacters(in: edges).uppercased()
    }
}
