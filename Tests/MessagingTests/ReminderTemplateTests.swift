import Foundation
import Testing

@testable import Messaging

@Suite struct ReminderTemplateTests {
    /// Tuesday 25 May 2027, 10:00 in Rome.
    static let values = ReminderValues(
        firstName: "Anna", visitStart: LocalClock("Europe/Rome").date(2027, 5, 25, 10), clinic: "Clinica Aurora",
        provider: "Dr Rossi", location: "Via Roma 1")

    @Test func englishDefaultRendersInOneGSM7Segment() throws {
        let text = try ReminderTemplate.standard(for: "en").render(Self.values, locale: "en", timeZone: "Europe/Rome")
        #expect(
            text
                == "Hi Anna, this is a reminder of your appointment at Clinica Aurora with Dr Rossi on Tuesday, May 25 "
                + "at 10:00 AM, Via Roma 1. Reply C to confirm, R to reschedule, STOP to opt out.")
        // No U+202F before "AM": that would force UCS-2.
        #expect(SMSLength(measuring: text).encoding == .gsm7)
    }

    @Test func timesFollowThePatientsZone() throws {
        let template = try ReminderTemplate("{date} {time}")
        #expect(
            try template.render(Self.values, locale: "en", timeZone: "America/New_York") == "Tuesday, May 25 4:00 AM")
        #expect(try template.render(Self.values, locale: "en", timeZone: "Asia/Taipei") == "Tuesday, May 25 4:00 PM")
    }

    @Test func italianDefaultStaysGSM7() throws {
        let text = try ReminderTemplate.standard(for: "it-IT").render(
            Self.values, locale: "it-IT", timeZone: "Europe/Rome")
        #expect(text.contains("martedì 25 maggio alle 10:00"))
        #expect(text.hasPrefix("Gentile Anna, "))
        #expect(text.hasSuffix("Risponda C per confermare, R per spostare, STOP per non ricevere altri SMS."))
        #expect(SMSLength(measuring: text).encoding == .gsm7)
    }

    @Test func traditionalChineseDefault() throws {
        let text = try ReminderTemplate.standard(for: "zh-TW").render(
            Self.values, locale: "zh-TW", timeZone: "Asia/Taipei")
        #expect(text.hasPrefix("Anna您好，提醒您5月25日 星期二 下午4:00在Clinica Aurora（Via Roma 1）與Dr Rossi的預約。"))
        #expect(SMSLength(measuring: text).encoding == .ucs2)
    }

    @Test func replyInstructionsNameKeywordsTheClassifierKnows() {
        #expect(ReplyClassifier.classify("C", locale: "it") == .confirm)
        #expect(ReminderTemplate.replyInstructions(locale: "zh-TW").contains("改期"))
        #expect(ReplyClassifier.classify("改期", locale: "zh-TW") == .reschedule)
    }

    @Test func fieldsAreListedInOrder() throws {
        let template = try ReminderTemplate("{clinic}: {first_name}, {time} {time}")
        #expect(template.fields == [.clinic, .firstName, .time, .time])
        #expect(
            try template.render(Self.values, locale: "it", timeZone: "Europe/Rome")
                == "Clinica Aurora: Anna, 10:00 10:00")
    }

    @Test func healthDetailPlaceholderIsRefusedByName() {
        #expect(throws: ReminderTemplateError.unknownPlaceholder("diagnosis")) {
            try ReminderTemplate("Hi {first_name}, about your {diagnosis}")
        }
        #expect(ReminderTemplateError.unknownPlaceholder("diagnosis").description.contains("{diagnosis}"))
        #expect(throws: ReminderTemplateError.unknownPlaceholder("First_Name")) {
            try ReminderTemplate("{First_Name}")
        }
    }

    @Test func unterminatedPlaceholderGivesItsOffset() {
        #expect(throws: ReminderTemplateError.unterminatedPlaceholder(offset: 3)) {
            try ReminderTemplate("Hi {first_name")
        }
    }

    @Test func unknownTimeZoneIsRefused() throws {
        #expect(throws: ReminderTemplateError.unknownTimeZone("Rome")) {
            try ReminderTemplate.standard(for: "en").render(Self.values, locale: "en", timeZone: "Rome")
        }
    }

    @Test func localesMapToLanguages() {
        #expect(ReminderLanguage(locale: "it_IT") == .italian)
        #expect(ReminderLanguage(locale: "zh-Hant-TW") == .traditionalChinese)
        #expect(ReminderLanguage(locale: "zh-CN") == .english)
        #expect(ReminderLanguage(locale: "fr") == .english)
    }

    /// A locale without templates gets the English template and an English date: no French
    /// accents that would force UCS-2.
    @Test func otherLocalesGetEnglishDates() throws {
        let template = try ReminderTemplate("{date}")
        #expect(try template.render(Self.values, locale: "fr-FR", timeZone: "Europe/Rome") == "Tuesday, May 25")
    }
}
