import Foundation

/// Formats a visit's date and time for a patient with Foundation's `DateFormatter`.
///
/// ICU puts U+202F NARROW NO-BREAK SPACE before "AM"/"PM" (CLDR 42 and later) and may use other
/// special spaces; none is in the GSM 7-bit alphabet (3GPP TS 23.038 §6.2.1), so one of them would
/// turn the whole SMS into UCS-2 and halve its capacity. They are replaced by plain spaces.
struct VisitDateFormat {
    let locale: Locale
    let timeZone: TimeZone

    init(locale: String, timeZone: TimeZone) {
        self.locale = Locale(identifier: locale)
        self.timeZone = timeZone
    }

    /// Weekday, day and month, such as "Tuesday, May 25", "martedì 25 maggio", "5月25日 星期二".
    func date(_ date: Date) -> String { format(date, template: "EEEEMMMMd") }

    /// Hour and minute in the locale's 12- or 24-hour style, such as "10:00 AM", "10:00", "上午10:00".
    func time(_ date: Date) -> String { format(date, template: "jmm") }

    private func format(_ date: Date, template: String) -> String {
        // A new formatter per call: DateFormatter is not Sendable, and reminders are rendered rarely.
        let formatter = DateFormatter()
        formatter.locale = locale
        formatter.timeZone = timeZone
        formatter.setLocalizedDateFormatFromTemplate(template)
        return String(
            formatter.string(from: date).unicodeScalars.map { scalar -> Character in
                switch scalar {
                case "\u{00A0}", "\u{2007}", "\u{2009}", "\u{202F}": " "
                default: Character(scalar)
                }
            })
    }
}
