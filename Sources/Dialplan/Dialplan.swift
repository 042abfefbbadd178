import Foundation

/// The dialplan language: how CarePhone routes a call from the number dialed.
///
/// Administrators write plain-text `*.dialplan` files (see `Dialplans/README.md`).
/// `DialplanCompiler.compile` parses and validates them into a `Dialplan`, collecting every
/// problem as a `file:line:column: message` diagnostic; a plan with errors is never produced, so
/// a bad edit cannot half-apply. For each call, `Dialplan.start` returns a `DialplanRun`, a pure
/// state machine: the call controller asks it for the next `DialplanStep` (ring, trunk, menu,
/// voicemail, ...), performs it, and reports the `StepOutcome`. Time comes from the call, and
/// calendar conditions from an injected `CalendarConditions`, so every route is testable.
///
/// Pipeline: `Lexer` → `Parser` (→ `FileSyntax`) → `Validator` → `Dialplan` → `DialplanRun`.
public final class Dialplan: Sendable {
    let contexts: [String: ContextSyntax]
    let hours: [String: OfficeHours]
    let groups: [String: RingGroup]
    /// Lower-cased SIP domain → context.
    let organisations: [String: String]

    /// Context names in file order.
    public let contextNames: [String]

    init(
        contexts: [ContextSyntax], hours: [String: OfficeHours], groups: [String: RingGroup],
        organisations: [String: String]
    ) {
        self.contexts = Dictionary(contexts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.contextNames = contexts.map(\.name)
        self.hours = hours
        self.groups = groups
        self.organisations = organisations
    }

    /// The context phones of the organisation with SIP domain `domain` start in: from an
    /// `organisation` line, else `internal`.
    public func entryContext(forOrganisation domain: String) -> String {
        organisations[domain.lowercased()] ?? "internal"
    }

    /// Begins routing `call`. `calendar` answers `busy` / `in-appointment`; without one those
    /// conditions are false.
    public func start(_ call: DialplanCall, calendar: (any CalendarConditions)?) -> DialplanRun {
        DialplanRun(plan: self, call: call, calendar: calendar)
    }
}

/// Answers calendar conditions (`when busy 1002`, `when in-appointment 1002`), implemented by the
/// shared calendar.
public protocol CalendarConditions: Sendable {
    /// Whether the person at `extension` of `organisationID` is in an appointment or otherwise
    /// busy at `instant`.
    func isBusy(extension: String, organisationID: Int64?, at instant: Date) -> Bool
    /// The extension of the provider of `organisationID` whose visit with the patient at
    /// `caller` (their number on file) starts within `window` of `instant`, before or after;
    /// nil when there is none.
    func visitProvider(caller: String, organisationID: Int64?, within window: TimeInterval, at instant: Date) -> String?
}
