/// Actions: what a `match`, a menu option or a `when` branch does.
extension Action {
    static let keywords = [
        "ring", "voicemail", "voicemail-access", "play", "menu", "goto", "hangup", "trunk", "set", "when",
    ]

    /// SIP status names `hangup` accepts.
    static let hangupNames = ["busy": 486, "unavailable": 480, "declined": 603, "forbidden": 403, "notfound": 404]

    /// The status of a bare `hangup`: 480 Temporarily Unavailable.
    static let defaultHangupCode = 480
}

extension Parser {
    /// A single action, or `{ actions }`.
    mutating func actionOrBlock(after what: String) throws -> [Action] {
        skipNewlines()
        if current.kind == .openBrace {
            let open = take()
            var actions: [Action] = []
            try block(opened: open) { parser in actions.append(try parser.action()) }
            return actions
        }
        if current.isSeparator || current.kind == .closeBrace || current.kind == .end {
            throw fail(current, "expected an action or `{` after \(what), found \(current.quoted)")
        }
        return [try action()]
    }

    /// One action, not including the separator after it.
    mutating func action() throws -> Action {
        if current.kind == .openBrace {
            return .block(try actionOrBlock(after: "`{`"))
        }
        let keyword = try word("an action (\(Action.keywords.joined(separator: ", ")))")
        switch keyword.text {
        case "ring": return .ring(try ring(keyword))
        case "voicemail":
            return .voicemail(try template(word("a mailbox after `voicemail`, like `${exten}` or `1900`")))
        case "voicemail-access": return .voicemailAccess
        case "play": return .play(try prompt(after: "`play`"))
        case "menu": return .menu(try menu(keyword))
        case "goto": return .goto(try goto())
        case "hangup": return try hangup()
        case "trunk": return .trunk(try trunk(keyword))
        case "set": return try set()
        case "when": return .when(try when())
        case "otherwise": throw fail(keyword, "`otherwise` must follow the `}` of a `when` block")
        case "match": throw fail(keyword, "`match` cannot be nested; close the previous `match` with `}`")
        default:
            let hint = Suggestion.hint(for: keyword.text, in: Action.keywords)
            let list = hint.isEmpty ? "; expected one of \(Action.keywords.joined(separator: ", "))" : ""
            throw fail(keyword, "unknown action `\(keyword.text)`\(hint)\(list)")
        }
    }

    /// Reads a word as a `Template`, checking its `${...}` syntax.
    mutating func template(_ token: Token) -> Template {
        Template.parse(token.text, at: token.location, diagnostics: &diagnostics)
    }

    private mutating func prompt(after what: String) throws -> String {
        let token = try word("a prompt name after \(what)")
        guard token.text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw fail(token, "bad prompt name `\(token.text)`; use letters, digits, `-` and `_`")
        }
        return token.text
    }

    /// `ring 1002`, `ring ${exten} for 20s`, `ring group front`, `ring 1002 1003 for 20s`.
    private mutating func ring(_ keyword: Token) throws -> RingAction {
        var action = RingAction(targets: [], location: keyword.location)
        while current.kind == .word || current.kind == .comma {
            let token = take()
            switch token.text {
            case ",": continue
            case "for":
                guard action.seconds == nil else { throw fail(token, "`for` is given twice") }
                action.seconds = try duration(after: "`for`")
            case "group":
                let name = try word("a group name after `group`")
                action.targets.append(.group(name.text, name.location))
            default:
                guard action.seconds == nil else {
                    throw fail(token, "put every target before `for`: `ring 1002 1003 for 20s`")
                }
                action.targets.append(.number(template(token), token.location))
            }
        }
        guard !action.targets.isEmpty else {
            throw fail(current, "expected an extension or `group NAME` after `ring`, found \(current.quoted)")
        }
        return action
    }

    /// `menu PROMPT { 1: ...; 2: { ... }; timeout: ...; invalid: ...; wait 5s; tries 3 }`.
    private mutating func menu(_ keyword: Token) throws -> MenuAction {
        var menu = MenuAction(prompt: try prompt(after: "`menu`"), location: keyword.location)
        let open = try openBrace(after: "`menu \(menu.prompt)`")
        var keyLocations: [String: SourcePosition] = [:]
        try block(opened: open) { parser in
            let token = try parser.word("a menu option like `1: ring 1002`, `timeout:`, `wait 5s` or `tries 3`")
            switch token.text {
            case "wait":
                menu.waitSeconds = try parser.duration(after: "`wait`")
                return
            case "tries":
                let count = try parser.word("a number after `tries`")
                guard let tries = Int(count.text), (1...10).contains(tries) else {
                    throw parser.fail(count, "`tries` takes a number from 1 to 10, found `\(count.text)`")
                }
                menu.tries = tries
                return
            default: break
            }
            let key = try parser.menuKey(token)
            if let first = keyLocations[key] {
                throw parser.fail(
                    token, "option `\(key)` is given twice in this menu; the first is at \(first.line):\(first.column)")
            }
            keyLocations[key] = token.location
            let actions = try parser.actionOrBlock(after: "`\(key):`")
            switch key {
            case "timeout": menu.timeout = actions
            case "invalid": menu.invalid = actions
            default: menu.options[key] = actions
            }
        }
        if menu.options.isEmpty {
            report(at: keyword.location, "menu `\(menu.prompt)` has no options; add one like `1: ring 1002`")
        }
        return menu
    }

    /// The key of `1: ...`, `1 : ...`, `#:ring 1002`, `timeout: ...`. A key glued to its action
    /// (`1:ring`) leaves the action as the current token.
    private mutating func menuKey(_ token: Token) throws -> String {
        let keys = Set("0123456789*#".map(String.init) + ["timeout", "invalid"])
        var key = token.text
        if let colon = key.firstIndex(of: ":") {
            let rest = String(key[key.index(after: colon)...])
            key = String(key[..<colon])
            if !rest.isEmpty, keys.contains(key) {
                index -= 1
                tokens[index] = Token(kind: .word, text: rest, location: token.location.advanced(by: key.count + 1))
            }
        } else if current.isWord(":") {
            take()
        } else if keys.contains(key) || Action.keywords.contains(key) {
            let hint = Action.keywords.contains(key) ? "; write `1: \(key) ...`, and `{ }` around several actions" : ""
            throw fail(token, "expected `KEY:` before a menu option, found `\(token.text)`\(hint)")
        } else {
            throw fail(
                token,
                "expected a menu option like `1: ring 1002`, `timeout:`, `wait 5s` or `tries 3`, found `\(token.text)`")
        }
        guard keys.contains(key) else {
            throw fail(token, "`\(key)` is not a menu key; use 0-9, `*`, `#`, `timeout` or `invalid`")
        }
        return key
    }

    /// `goto CONTEXT [NUMBER]`.
    private mutating func goto() throws -> GotoAction {
        let name = try word("a context name after `goto`")
        var action = GotoAction(context: name.text, contextLocation: name.location)
        if current.kind == .word { action.number = template(take()) }
        return action
    }

    /// `hangup`, `hangup 486`, `hangup busy`, `hangup 603 "Declined"`.
    private mutating func hangup() throws -> Action {
        var code = Action.defaultHangupCode
        if current.kind == .word {
            let token = take()
            if let named = Action.hangupNames[token.text] {
                code = named
            } else if let number = Int(token.text), token.text.allSatisfy(\.isASCII) {
                guard (400...699).contains(number) else {
                    throw fail(token, "hangup code \(number) is out of range; use a SIP status from 400 to 699")
                }
                code = number
            } else {
                let names = Action.hangupNames.keys.sorted()
                let hint = Suggestion.hint(for: token.text, in: names)
                throw fail(
                    token,
                    "unknown hangup reason `\(token.text)`\(hint); use a code 400-699 or \(names.joined(separator: ", "))"
                )
            }
        }
        var reason: String?
        if current.kind == .string { reason = take().text }
        return .hangup(code: code, reason: reason)
    }

    /// `trunk NAME [strip N] [prefix DIGITS] [for Ns]`, options in any order.
    private mutating func trunk(_ keyword: Token) throws -> TrunkAction {
        let name = try word("a trunk name after `trunk`")
        var action = TrunkAction(name: name.text, location: name.location)
        var seen: Set<String> = []
        while current.kind == .word {
            let option = take()
            guard !seen.contains(option.text) else { throw fail(option, "`\(option.text)` is given twice") }
            seen.insert(option.text)
            switch option.text {
            case "strip":
                let count = try word("a number after `strip`")
                guard let n = Int(count.text), count.text.allSatisfy(\.isASCII), (0...20).contains(n) else {
                    throw fail(count, "`strip` takes a number from 0 to 20, found `\(count.text)`")
                }
                action.strip = n
            case "prefix":
                let digits = try word("digits after `prefix`")
                guard digits.text.allSatisfy({ "0123456789*#+".contains($0) }) else {
                    throw fail(digits, "`prefix` takes digits, `*`, `#` or `+`, found `\(digits.text)`")
                }
                action.prefix = digits.text
            case "for":
                action.seconds = try duration(after: "`for`")
            default:
                let hint = Suggestion.hint(for: option.text, in: ["strip", "prefix", "for"])
                throw fail(
                    option, "unknown trunk option `\(option.text)`\(hint); use `strip N`, `prefix DIGITS` or `for Ns`")
            }
        }
        return action
    }

    /// `set NAME = VALUE`.
    private mutating func set() throws -> Action {
        let name = try word("a variable name after `set`")
        guard !name.text.isEmpty, name.text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else { throw fail(name, "bad variable name `\(name.text)`; use letters, digits and `_`") }
        guard !Template.builtInVariables.contains(name.text) else {
            throw fail(name, "`\(name.text)` is built in and cannot be set")
        }
        guard current.kind == .equals else {
            throw fail(current, "expected `=` after `set \(name.text)`, found \(current.quoted)")
        }
        take()
        let value = take()
        switch value.kind {
        case .word: return .set(name: name.text, value: template(value))
        case .string:
            // The template sees the text inside the quotes; escapes make columns approximate.
            let parsed = Template.parse(value.text, at: value.location.advanced(by: 1), diagnostics: &diagnostics)
            return .set(name: name.text, value: parsed)
        default: throw fail(value, "expected a value after `=`, found \(value.quoted)")
        }
    }

    /// `when COND { ... } [otherwise { ... }]`; COND is `HOURS`, `busy EXT`, `in-appointment EXT`,
    /// `visit-within MINUTES`, or `not` before one of those.
    private mutating func when() throws -> WhenAction {
        let condition = try self.condition()
        let then = try actionOrBlock(after: "the condition")
        var otherwise: [Action] = []
        var lookahead = index
        while tokens[lookahead].kind == .newline { lookahead += 1 }
        if tokens[lookahead].isWord("otherwise") {
            index = lookahead + 1
            otherwise = try actionOrBlock(after: "`otherwise`")
        }
        return WhenAction(condition: condition, then: then, otherwise: otherwise)
    }

    private mutating func condition() throws -> Condition {
        let token = try word("a condition: an `hours` name, `busy EXT`, `in-appointment EXT`, `visit-within MINUTES`, or `not` before one")
        switch token.text {
        case "not": return .not(try condition())
        case "visit-within":
            let minutes = try word("a number of minutes after `visit-within`")
            guard let n = Int(minutes.text), (1...1440).contains(n) else {
                throw fail(minutes, "`visit-within` needs minutes from 1 to 1440, not `\(minutes.text)`")
            }
            return .visitWithin(n)
        case "busy", "in-appointment":
            return .busy(template(try word("an extension after `\(token.text)`")))
        default: return .hours(token.text, token.location)
        }
    }
}
