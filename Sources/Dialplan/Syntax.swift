/// The parsed form of dialplan files. The interpreter runs these values directly.

/// One `.dialplan` file.
struct FileSyntax: Sendable {
    var path: String
    var timeZone: (identifier: String, location: SourcePosition)?
    var hours: [OfficeHours] = []
    var groups: [RingGroup] = []
    var organisations: [OrganisationRoute] = []
    var contexts: [ContextSyntax] = []
}

/// `organisation DOMAIN context NAME`.
struct OrganisationRoute: Sendable, Equatable {
    var domain: String
    var context: String
    var location: SourcePosition
    var contextLocation: SourcePosition
}

/// `context NAME { match ... }`.
struct ContextSyntax: Sendable, Equatable {
    var name: String
    var location: SourcePosition
    var rules: [MatchRule]
}

/// `match PATTERN { actions }`.
struct MatchRule: Sendable, Equatable {
    var pattern: NumberPattern
    var location: SourcePosition
    var actions: [Action]
}

/// `group NAME { members ...; strategy ...; each ... }`.
struct RingGroup: Sendable, Equatable {
    enum Strategy: String, Sendable, Equatable {
        case simultaneous
        case inOrder = "in-order"
    }

    var name: String
    var location: SourcePosition
    var members: [(number: String, location: SourcePosition)]
    var strategy: Strategy = .simultaneous
    /// Ring time per member for `in-order`.
    var eachSeconds = 15

    static func == (lhs: RingGroup, rhs: RingGroup) -> Bool {
        lhs.name == rhs.name && lhs.location == rhs.location && lhs.strategy == rhs.strategy
            && lhs.eachSeconds == rhs.eachSeconds && lhs.members.map(\.number) == rhs.members.map(\.number)
    }
}

/// One action inside a `match`, menu option or condition.
indirect enum Action: Sendable, Equatable {
    case ring(RingAction)
    case voicemail(Template)
    case voicemailAccess
    case play(String)
    case menu(MenuAction)
    case goto(GotoAction)
    case hangup(code: Int, reason: String?)
    case trunk(TrunkAction)
    case set(name: String, value: Template)
    case when(WhenAction)
    case block([Action])
}

/// `ring TARGET... [for Ns]`.
struct RingAction: Sendable, Equatable {
    enum Target: Sendable, Equatable {
        case number(Template, SourcePosition)
        case group(String, SourcePosition)
    }

    var targets: [Target]
    /// Nil when no `for` was written.
    var seconds: Int?
    var location: SourcePosition

    /// Ring time when `for` is left out.
    static let defaultSeconds = 30
}

/// `menu PROMPT { 1: ...; timeout: ...; invalid: ...; wait 5s; tries 3 }`.
struct MenuAction: Sendable, Equatable {
    var prompt: String
    var location: SourcePosition
    var waitSeconds = 5
    var tries = 3
    var options: [String: [Action]] = [:]
    var timeout: [Action]?
    var invalid: [Action]?
}

/// `goto CONTEXT [NUMBER]`.
struct GotoAction: Sendable, Equatable {
    var context: String
    var number: Template?
    var contextLocation: SourcePosition
}

/// `trunk NAME [strip N] [prefix DIGITS] [for Ns]`.
struct TrunkAction: Sendable, Equatable {
    var name: String
    var location: SourcePosition
    var strip = 0
    var prefix = ""
    var seconds: Int?

    /// The number sent out: `strip` leading characters removed, then `prefix` put in front.
    func rewrite(_ number: String) -> String { prefix + number.dropFirst(strip) }
}

/// `when COND { ... } [otherwise { ... }]`.
struct WhenAction: Sendable, Equatable {
    var condition: Condition
    var then: [Action]
    var otherwise: [Action]
}

/// What `when` tests.
indirect enum Condition: Sendable, Equatable {
    /// Inside the named `hours`.
    case hours(String, SourcePosition)
    /// `busy EXT` and `in-appointment EXT`: asked of the shared calendar.
    case busy(Template)
    /// `visit-within MINUTES`: the caller's number is a patient's whose visit starts within
    /// MINUTES of now (before or after); sets `${visit_provider}` to the provider's extension.
    case visitWithin(Int)
    case not(Condition)
}
