import Foundation

/// A reminder text with `{placeholder}`s, checked when created so that a template naming anything
/// but a ``ReminderField`` (say `{diagnosis}`) is refused before it can ever be sent.
///
/// There is no escape for a literal `{`; reminder texts do not need one.
public struct ReminderTemplate: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case literal(String)
        case field(ReminderField)
    }

    /// The template as written.
    public let text: String
    let parts: [Part]

    /// Parses `text`; throws ``ReminderTemplateError/unknownPlaceholder(_:)`` naming the first
    /// placeholder that is not allowed, or ``ReminderTemplateError/unterminatedPlaceholder(offset:)``.
    public init(_ text: String) throws(ReminderTemplateError) {
        var parts: [Part] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "{" else {
                literal.append(character)
                index = text.index(after: index)
                continue
            }
            guard let close = text[index...].firstIndex(of: "}") else {
                throw .unterminatedPlaceholder(offset: text.distance(from: text.startIndex, to: index))
            }
            let name = String(text[text.index(after: index)..<close])
            guard let field = ReminderField(rawValue: name) else { throw .unknownPlaceholder(name) }
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
            parts.append(.field(field))
            index = text.index(after: close)
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.text = text
        self.parts = parts
    }

    /// The placeholders used, in order of appearance.
    public var fields: [ReminderField] {
        parts.compactMap {
            if case .field(let field) = $0 { return field }
            return nil
        }
    }

    /// Fills the placeholders, formatting the visit start for `locale` (BCP 47: `en`, `it`, `zh-TW`)
    /// on the wall clock of `timeZone` (IANA identifier).
    public func render(
        _ values: ReminderValues, locale: String, timeZone: String
    ) throws(ReminderTemplateError) -> String {
        guard let zone = TimeZone(identifier: timeZone) else { throw .unknownTimeZone(timeZone) }
        // The date in the template's language: a French patient gets the English template, so an
        // English date (and no accents that would force UCS-2), not "mardi 25 août".
        let format = VisitDateFormat(locale: ReminderLanguage(locale: locale).rawValue, timeZone: zone)
        return parts.map { part in
            switch part {
            case .literal(let text): text
            case .field(.firstName): values.firstName
            case .field(.date): format.date(values.visitStart)
            case .field(.time): format.time(values.visitStart)
            case .field(.clinic): values.clinic
            case .field(.provider): values.provider
            case .field(.location): values.location
            case .field(.replyKeywords): ReminderTemplate.replyInstructions(locale: locale)
            }
        }.joined()
    }
}
