import Foundation

/// The texts the clinic sends besides reminders: the opt-out confirmation carriers require
/// after STOP (CTIA Messaging Principles §5.1.1), the opt-in confirmation, and the HELP answer.
public enum ServiceTexts {
    public static func optedOut(clinic: String, locale: String) -> String {
        switch ReminderLanguage(locale: locale) {
        case .italian: "\(clinic): non riceverà altri SMS. Risponda START per riceverli di nuovo."
        case .traditionalChinese: "\(clinic)：您將不再收到簡訊。回覆 START 可重新接收。"
        case .english: "\(clinic): you will receive no more texts from us. Reply START to receive them again."
        }
    }

    public static func optedIn(clinic: String, locale: String) -> String {
        switch ReminderLanguage(locale: locale) {
        case .italian: "\(clinic): riceverà di nuovo i promemoria degli appuntamenti. Risponda STOP per non riceverli."
        case .traditionalChinese: "\(clinic)：您將再次收到預約提醒。回覆 STOP 停止接收。"
        case .english: "\(clinic): you will receive appointment reminders again. Reply STOP to opt out."
        }
    }

    public static func help(clinic: String, phone: String, locale: String) -> String {
        switch ReminderLanguage(locale: locale) {
        case .italian: "\(clinic): promemoria degli appuntamenti. Per assistenza chiami il \(phone). Risponda STOP per non ricevere altri SMS."
        case .traditionalChinese: "\(clinic)：預約提醒。如需協助請致電 \(phone)。回覆 STOP 停止接收簡訊。"
        case .english: "\(clinic): appointment reminders. For help call \(phone). Reply STOP to opt out."
        }
    }

    /// The `{location}` of a visit with no place: phone visits say the clinic will call.
    public static func phoneVisit(locale: String) -> String {
        switch ReminderLanguage(locale: locale) {
        case .italian: "la chiameremo noi"
        case .traditionalChinese: "我們將致電給您"
        case .english: "we will call you"
        }
    }
}
