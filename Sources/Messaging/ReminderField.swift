import Foundation

/// The only placeholders a reminder template may use, written `{first_name}` and so on.
public enum ReminderField: String, Sendable, CaseIterable {
    case firstName = "first_name"
    case date
    case time
    case clinic
    case provider
    case location
    /// How to answer, in the patient's language, matching ``ReplyClassifier``'s keywords.
    case replyKeywords = "reply_keywords"
}
