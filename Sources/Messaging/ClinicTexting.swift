import Foundation
import Scheduling

/// What an organisation's texts need: its name and number, its reminder rule (a provider may
/// have their own offsets) and its templates.
public struct ClinicTexting: Sendable {
    public var clinicName: String
    /// The number patients call, for HELP.
    public var clinicPhone: String
    public var rule: ReminderRule
    /// Per language (`en`, `it`, `zh-TW`); missing ones use ``ReminderTemplate/standard(for:)``.
    public var templates: [String: ReminderTemplate]

    public init(clinicName: String, clinicPhone: String, rule: ReminderRule, templates: [String: ReminderTemplate] = [:]) {
        self.clinicName = clinicName
        self.clinicPhone = clinicPhone
        self.rule = rule
        self.templates = templates
    }

    public func template(for locale: String) -> ReminderTemplate {
        templates[ReminderLanguage(locale: locale).rawValue] ?? .standard(for: locale)
    }
}
