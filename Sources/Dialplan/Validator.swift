import Foundation

/// Checks parsed files against each other and the environment: names that must exist, names
/// given twice, unreachable patterns, unknown variables, and a few warnings.
struct Validator {
    let files: [FileSyntax]
    let environment: DialplanEnvironment
    private(set) var diagnostics: [DialplanDiagnostic] = []

    private var contexts: [String: ContextSyntax] = [:]
    private var hours: [String: OfficeHours] = [:]
    private var groups: [String: RingGroup] = [:]
    private var variables = Template.builtInVariables
    /// Contexts named by `organisation` lines and `goto`.
    private var entered: Set<String> = ["internal", "from-trunk"]

    init(files: [FileSyntax], environment: DialplanEnvironment) {
        self.files = files
        self.environment = environment
    }

    /// Validates everything and returns the plan (even when there are errors; the caller drops it).
    mutating func validate() -> Dialplan {
        var orderedContexts: [ContextSyntax] = []
        var organisations: [String: OrganisationRoute] = [:]
        for file in files {
            let zone = file.timeZone.flatMap { TimeZone(identifier: $0.identifier) } ?? environment.defaultTimeZone
            for var declared in file.hours {
                declared.timeZone = zone
                if let first = hours[declared.name] {
                    error(declared.location, "duplicate hours `\(declared.name)`; the first is at \(first.location)")
                } else {
                    hours[declared.name] = declared
                }
            }
            for group in file.groups {
                if let first = groups[group.name] {
                    error(group.location, "duplicate group `\(group.name)`; the first is at \(first.location)")
                } else {
                    groups[group.name] = group
                }
                checkMembers(group)
            }
            for context in file.contexts {
                if let first = contexts[context.name] {
                    error(context.location, "duplicate context `\(context.name)`; the first is at \(first.location)")
                } else {
                    contexts[context.name] = context
                    orderedContexts.append(context)
                }
                for rule in context.rules { collectSets(rule.actions) }
            }
            for route in file.organisations {
                if let first = organisations[route.domain] {
                    error(
                        route.location,
                        "organisation `\(route.domain)` is given twice; the first is at \(first.location)")
                } else {
                    organisations[route.domain] = route
                }
                entered.insert(route.context)
            }
        }
        for route in organisations.values where contexts[route.context] == nil {
            error(route.contextLocation, "unknown context `\(route.context)`\(contextHint(route.context))")
        }
        for context in orderedContexts {
            checkPatterns(context)
            for rule in context.rules { check(rule.actions) }
        }
        for context in orderedContexts {
            if context.rules.isEmpty {
                warn(context.location, "context `\(context.name)` has no `match` rules; every call to it gets 404")
            } else if !entered.contains(context.name) {
                warn(
                    context.location,
                    "context `\(context.name)` is never entered: no `organisation` line or `goto` names it")
            }
        }
        return Dialplan(
            contexts: orderedContexts, hours: hours, groups: groups,
            organisations: organisations.mapValues(\.context))
    }

    private mutating func error(_ location: SourcePosition, _ message: String) {
        diagnostics.append(DialplanDiagnostic(location, message))
    }

    private mutating func warn(_ location: SourcePosition, _ message: String) {
        diagnostics.append(DialplanDiagnostic(location, message, severity: .warning))
    }

    private func contextHint(_ name: String) -> String {
        Suggestion.hint(for: name, in: Array(contexts.keys).sorted())
    }

    private mutating func checkMembers(_ group: RingGroup) {
        guard let extensions = environment.extensions else { return }
        for member in group.members where !extensions.contains(member.number) {
            error(member.location, "group `\(group.name)`: member \(member.number) is not an extension")
        }
    }

    /// A pattern is an error when one earlier pattern of the context matches everything it does.
    private mutating func checkPatterns(_ context: ContextSyntax) {
        for (i, rule) in context.rules.enumerated() {
            guard let earlier = context.rules[..<i].first(where: { $0.pattern.covers(rule.pattern) }) else { continue }
            if earlier.pattern.text == rule.pattern.text {
                error(rule.location, "duplicate pattern `\(rule.pattern.text)`; the first is at \(earlier.location)")
            } else {
                error(
                    rule.location,
                    "unreachable: every number it matches is matched by `\(earlier.pattern.text)` at \(earlier.location)"
                )
            }
        }
    }

    /// Every `set` name, so `${name}` can be used anywhere in the plan.
    private mutating func collectSets(_ actions: [Action]) {
        for action in actions {
            switch action {
            case .set(let name, _): variables.insert(name)
            case .menu(let menu):
                for branch in menu.options.values { collectSets(branch) }
                collectSets(menu.timeout ?? [])
                collectSets(menu.invalid ?? [])
            case .when(let when):
                collectSets(when.then)
                collectSets(when.otherwise)
            case .block(let inner): collectSets(inner)
            case .ring, .voicemail, .voicemailAccess, .play, .goto, .hangup, .trunk: break
            }
        }
    }

    private mutating func check(_ actions: [Action]) {
        for action in actions {
            switch action {
            case .ring(let ring): check(ring)
            case .voicemail(let mailbox): check(mailbox)
            case .voicemailAccess, .play, .hangup: break
            case .menu(let menu):
                for key in menu.options.keys.sorted() { check(menu.options[key] ?? []) }
                check(menu.timeout ?? [])
                check(menu.invalid ?? [])
            case .goto(let goto):
                entered.insert(goto.context)
                if contexts[goto.context] == nil {
                    error(goto.contextLocation, "unknown context `\(goto.context)`\(contextHint(goto.context))")
                }
                if let number = goto.number { check(number) }
            case .trunk(let trunk):
                if let trunks = environment.trunks, !trunks.contains(trunk.name) {
                    let hint = Suggestion.hint(for: trunk.name, in: trunks.sorted())
                    error(trunk.location, "unknown trunk `\(trunk.name)`\(hint)")
                }
            case .set(_, let value): check(value)
            case .when(let when):
                check(when.condition)
                check(when.then)
                check(when.otherwise)
            case .block(let inner): check(inner)
            }
        }
    }

    private mutating func check(_ ring: RingAction) {
        for target in ring.targets {
            switch target {
            case .number(let template, let location):
                check(template)
                if let number = template.literal, let extensions = environment.extensions, !extensions.contains(number)
                {
                    error(location, "`ring \(number)`: \(number) is not an extension")
                }
            case .group(let name, let location):
                guard let group = groups[name] else {
                    let hint = Suggestion.hint(for: name, in: Array(groups.keys).sorted())
                    error(location, "unknown group `\(name)`\(hint)")
                    continue
                }
                if group.strategy == .inOrder, ring.targets.count > 1 {
                    error(location, "in-order group `\(name)` must be the only target of its `ring`")
                }
            }
        }
    }

    private mutating func check(_ condition: Condition) {
        switch condition {
        case .hours(let name, let location):
            if hours[name] == nil {
                let hint = Suggestion.hint(for: name, in: Array(hours.keys).sorted())
                error(location, "unknown hours `\(name)`\(hint); define it with `hours \(name) { ... }`")
            }
        case .busy(let template): check(template)
        case .visitWithin: break
        case .not(let inner): check(inner)
        }
    }

    private mutating func check(_ template: Template) {
        for (name, location) in template.variables where !variables.contains(name) {
            let hint = Suggestion.nearest(to: name, in: variables.sorted()).map { "; did you mean `${\($0)}`?" } ?? ""
            error(location, "unknown variable `${\(name)}`\(hint)")
        }
    }
}
