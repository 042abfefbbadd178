import Foundation

extension ReminderTemplate {
    /// The built-in template for `locale` (`en`, `it`, `zh-TW`; others get English). The English
    /// and Italian ones use only GSM 7-bit characters so a typical reminder fits in one or two parts.
    public static func standard(for locale: String) -> ReminderTemplate {
        let text =
            switch ReminderLanguage(locale: locale) {
            case .italian:
                "Gentile {first_name}, le ricordiamo l'appuntamento presso {clinic} con {provider}, "
                    + "{date} alle {time}, {location}. {reply_keywords}"
            case .traditionalChinese:
                "{first_name}您好，提醒您{date} {time}在{clinic}（{location}）與{provider}的預約。{reply_keywords}"
            case .english:
                "Hi {first_name}, this is a reminder of your appointment at {clinic} with {provider} on "
                    + "{date} at {time}, {location}. {reply_keywords}"
            }
        // The built-in texts use only allowed placeholders; a failure here is a bug in this file.
        return try! ReminderTemplate(text)
    }

    /// The `{reply_keywords}` text: keywords that ``ReplyClassifier`` understands in `locale`.
    public static func replyInstructions(locale: String) -> String {
        switch ReminderLanguage(locale: locale) {
        case .italian: "Risponda C per confermare, R per spostare, STOP per non ricevere altri SMS."
        case .traditionalChinese: "回覆「確認」或 C 確認，「改期」或 R 改期，STOP 停止接收簡訊。"
        case .english: "Reply C to confirm, R to reschedule, STOP to opt out."
        }
    }
}
