/// One call's way through the plan, as a state machine.
///
/// The call controller calls `next(after: .start)`, performs the returned step, and reports how it
/// went with the next call, until `.end`, `.hangup` or `.notFound`. An answered call ends the run.
/// After a ring or trunk step that was not answered, the run goes on with the next action (or the
/// next member of an in-order group). A menu option's actions, and a menu that ran out of tries
/// with no matching branch, continue with the action after the menu.
public struct DialplanRun: Sendable {
    private enum State: Sendable {
        case ready
        case running
        /// Members of an in-order group still to ring.
        case ringing(remaining: [DialplanStep])
        /// Waiting for a key; `failures` timeouts or invalid keys so far.
        case inMenu(MenuAction, failures: Int)
        case finished
    }

    /// Actions being run and how far; nested blocks push a frame.
    private struct Frame: Sendable {
        var actions: [Action]
        var index = 0
    }

    /// More `goto`s than this in one run is a loop: the call is rejected with 482.
    static let maximumGotos = 20
    /// Ring time of a `trunk` without `for`.
    static let defaultTrunkSeconds = 60

    private let plan: Dialplan
    private let call: DialplanCall
    private let calendar: (any CalendarConditions)?
    private var state = State.ready
    private var frames: [Frame] = []
    private var variables: [String: String]
    private var gotos = 0

    /// The rules entered, as `context/pattern`, for logs; `context/(no match)` when none matched.
    public private(set) var visited: [String] = []

    init(plan: Dialplan, call: DialplanCall, calendar: (any CalendarConditions)?) {
        self.plan = plan
        self.call = call
        self.calendar = calendar
        variables = [
            "exten": call.dialed, "did": call.dialed, "caller": call.caller, "caller_name": call.callerName,
            "context": call.context,
        ]
    }

    /// The next step, given how the previous one went (`.start` the first time).
    public mutating func next(after outcome: StepOutcome) -> DialplanStep {
        if outcome == .answered {
            state = .finished
            return .end
        }
        switch state {
        case .ready:
            return enter(context: call.context, number: call.dialed)
        case .running:
            return advance()
        case .ringing(var remaining):
            guard !remaining.isEmpty else {
                state = .running
                return advance()
            }
            let step = remaining.removeFirst()
            state = remaining.isEmpty ? .running : .ringing(remaining: remaining)
            return step
        case .inMenu(let menu, let failures):
            return answer(menu, failures: failures, outcome: outcome)
        case .finished:
            return .end
        }
    }

    /// Runs the first rule of `context` matching `number`.
    private mutating func enter(context: String, number: String) -> DialplanStep {
        variables["exten"] = number
        variables["context"] = context
        guard let rule = plan.contexts[context]?.rules.first(where: { $0.pattern.matches(number) }) else {
            visited.append("\(context)/(no match)")
            state = .finished
            return .notFound
        }
        visited.append("\(context)/\(rule.pattern.text)")
        frames = [Frame(actions: rule.actions)]
        state = .running
        return advance()
    }

    /// Runs actions until one needs the call controller.
    private mutating func advance() -> DialplanStep {
        while let top = frames.last {
            guard top.index < top.actions.count else {
                frames.removeLast()
                continue
            }
            frames[frames.count - 1].index += 1
            switch top.actions[top.index] {
            case .ring(let ring):
                var steps = ringSteps(ring)
                guard !steps.isEmpty else { continue }
                let first = steps.removeFirst()
                state = steps.isEmpty ? .running : .ringing(remaining: steps)
                return first
            case .trunk(let trunk):
                let number = trunk.rewrite(variables["exten"] ?? "")
                return .trunk(name: trunk.name, number: number, seconds: trunk.seconds ?? Self.defaultTrunkSeconds)
            case .voicemail(let mailbox):
                return .voicemail(mailbox: mailbox.expand(variables))
            case .voicemailAccess:
                return .voicemailAccess
            case .play(let prompt):
                return .play(prompt: prompt)
            case .menu(let menu):
                state = .inMenu(menu, failures: 0)
                return .menu(Self.step(menu))
            case .hangup(let code, let reason):
                state = .finished
                return .hangup(code: code, reason: reason)
            case .goto(let goto):
                gotos += 1
                guard gotos <= Self.maximumGotos else {
                    state = .finished
                    return .hangup(code: 482, reason: "Dialplan Loop")
                }
                let number = goto.number?.expand(variables) ?? variables["exten"] ?? ""
                return enter(context: goto.context, number: number)
            case .set(let name, let value):
                variables[name] = value.expand(variables)
            case .when(let when):
                frames.append(Frame(actions: holds(when.condition) ? when.then : when.otherwise))
            case .block(let actions):
                frames.append(Frame(actions: actions))
            }
        }
        state = .finished
        return .end
    }

    private static func step(_ menu: MenuAction) -> MenuStep {
        MenuStep(prompt: menu.prompt, waitSeconds: menu.waitSeconds, digits: Set(menu.options.keys))
    }

    /// A key, a timeout, or anything else (taken as a timeout) while a menu waits.
    private mutating func answer(_ menu: MenuAction, failures: Int, outcome: StepOutcome) -> DialplanStep {
        var invalid = false
        if case .digit(let key) = outcome {
            if let actions = menu.options[key] {
                frames.append(Frame(actions: actions))
                state = .running
                return advance()
            }
            invalid = true
        }
        guard failures + 1 >= menu.tries else {
            state = .inMenu(menu, failures: failures + 1)
            return .menu(Self.step(menu))
        }
        if let branch = invalid ? (menu.invalid ?? menu.timeout) : menu.timeout {
            frames.append(Frame(actions: branch))
        }
        state = .running
        return advance()
    }

    /// The ring steps of `ring`: one per member for a lone in-order group (each member for
    /// `each`, cut to what is left of `for`), else one step ringing every target at once.
    private func ringSteps(_ ring: RingAction) -> [DialplanStep] {
        if ring.targets.count == 1, case .group(let name, _) = ring.targets[0], let group = plan.groups[name],
            group.strategy == .inOrder
        {
            var left = ring.seconds ?? group.eachSeconds * group.members.count
            var steps: [DialplanStep] = []
            for member in group.members where left > 0 {
                let seconds = min(group.eachSeconds, left)
                steps.append(.ring(extensions: [member.number], seconds: seconds))
                left -= seconds
            }
            return steps
        }
        var numbers: [String] = []
        for target in ring.targets {
            switch target {
            case .number(let template, _): numbers.append(template.expand(variables))
            case .group(let name, _): numbers += plan.groups[name]?.members.map(\.number) ?? []
            }
        }
        var seen: Set<String> = []
        numbers = numbers.filter { !$0.isEmpty && seen.insert($0).inserted }
        guard !numbers.isEmpty else { return [] }
        return [.ring(extensions: numbers, seconds: ring.seconds ?? RingAction.defaultSeconds)]
    }

    private mutating func holds(_ condition: Condition) -> Bool {
        switch condition {
        case .visitWithin(let minutes):
            guard let provider = calendar?.visitProvider(
                caller: call.caller, organisationID: call.organisationID, within: Double(minutes) * 60, at: call.now) else { return false }
            variables["visit_provider"] = provider
            return true
        case .hours(let name, _): return plan.hours[name]?.isOpen(at: call.now) ?? false
        case .busy(let number): return calendar?.isBusy(extension: number.expand(variables), organisationID: call.organisationID, at: call.now) ?? false
        case .not(let inner): return !holds(inner)
        }
    }
}
