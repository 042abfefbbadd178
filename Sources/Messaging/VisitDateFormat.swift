import Foundation

/// Formats a visit's date and time for a patient, with Foundation's `Date.FormatStyle` (the
/// same CLDR skeletons as `DateFormatter` templates `EEEEMMMMd` and `jmm`, checked equal in
/// the tests). The style caches its ICU formatter; `DateFormatter` on Linux rebuilt one per
/// call, which was most of the time of planning 100,000 visits' reminders
/// (Benchmarks/RESULTS.md).
///
/// ICU puts U+202F NARROW NO-BREAK SPACE before "AM"/"PM" (CLDR 42 and later) and may use other
/// special spaces; none is in the GSM 7-bit alphabet (3GPP TS 23.038 §6.2.1), so one of them would
/// turn the whole SMS into UCS-2 and halve its capacity. They are replaced by plain spaces.
struct VisitDateFormat {
    let style: Date.FormatStyle

    init(locale: String, timeZone: TimeZone) {
        style = Date.FormatStyle(locale: Locale(identifier: locale), calendar: Calendar(identifier: .gregorian), timeZone: timeZone)
    }

    /// Weekday, day and month, such as "Tuesday, May 25", "martedì 25 maggio", "5月25日 星期二".
    func date(_ date: Date) -> String { plain(date.formatted(style.weekday(.wide).month(.wide).day())) }

    /// Hour and minute in the locale's 12- or 24-hour style, such as "10:00 AM", "10:00", "上午10:00".
    func time(_ date: Date) -> String { plain(date.formatted(style.hour().minute())) }

    private func plain(_ text: String) -> String {
        String(
            text.unicodeScalars.map { scalar -> Character in
                switch scalar {
                case "\u{00A0}", "\u{2007}", "\u{2009}", "\u{202F}": " "
                default: Character(scalar)
                }
            })
    }
}
