import Foundation
import Testing

@testable import Messaging

/// `Date.FormatStyle` gives what `DateFormatter` templates `EEEEMMMMd` and `jmm` give, across
/// languages, zones and a year of hours (DST changes included). One difference, on purpose:
/// Traditional Chinese names the part of the day as people say it (CLDR flexible day periods:
/// 凌晨 early morning, 中午 noon, 晚上 evening) where the template said only 上午/下午, so
/// 9 pm is 晚上9:00, not 下午9:00 ("afternoon 9:00").
@Suite struct VisitDateFormatTests {
    @Test(arguments: [("en", "America/New_York"), ("it", "Europe/Rome"), ("zh-TW", "Asia/Taipei"), ("en", "Europe/Rome")])
    func matchesDateFormatterTemplates(_ locale: String, _ zone: String) {
        let timeZone = TimeZone(identifier: zone)!
        let format = VisitDateFormat(locale: locale, timeZone: timeZone)
        let reference = DateFormatter()
        reference.locale = Locale(identifier: locale)
        reference.timeZone = timeZone
        for hour in stride(from: 0, to: 366 * 24, by: 37) {
            let instant = Date(timeIntervalSince1970: 1_798_761_600 + Double(hour) * 3600)
            reference.setLocalizedDateFormatFromTemplate("EEEEMMMMd")
            let date = reference.string(from: instant)
            reference.setLocalizedDateFormatFromTemplate("jmm")
            let time = reference.string(from: instant).replacingOccurrences(of: "\u{202F}", with: " ")
            #expect(format.date(instant) == date)
            if locale == "zh-TW" {
                let clock = { (text: String) in String(text.unicodeScalars.filter { $0.isASCII }.map(Character.init)) }
                #expect(clock(format.time(instant)) == clock(time))
                #expect(["凌晨", "清晨", "早上", "上午", "中午", "下午", "晚上", "午夜"].contains { format.time(instant).hasPrefix($0) })
            } else {
                #expect(format.time(instant) == time)
            }
        }
    }
}
