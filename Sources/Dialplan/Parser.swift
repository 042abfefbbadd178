import Foundation

/// Turns the tokens of one file into `FileSyntax`, collecting every syntax error.
///
/// Statements and actions are separated by `;` or a line break, so one-line and multi-line
/// styles both work. After an error the parser skips to the next separator (or the `}` closing the
/// block) and carries on, so one run reports every mistake.
struct Parser {
    /// A syntax error already recorded in `diagnostics`; unwinds to the enclosing list.
    struct Failure: Error {}

    var tokens: [Token]
    var index = 0
    var diagnostics: [DialplanDiagnostic] = []
    var file: FileSyntax
    /// Set once "missing `}`" has been said, so outer blocks do not repeat it.
    var reportedEnd = false

    static let statements = ["timezone", "hours", "group", "organisation", "context"]

    init(_ source: DialplanSource) {
        var lexer = Lexer(source)
        tokens = lexer.tokenize()
        diagnostics = lexer.diagnostics
        file = FileSyntax(path: source.path)
    }

    /// Parses the whole file.
    mutating func parseFile() -> FileSyntax {
        while true {
            skipSeparators()
            if current.kind == .end { return file }
            do {
                try statement()
                try expectEndOfItem()
            } catch {
                skipItem()
                if current.kind == .closeBrace {
                    report(current, "`}` without a matching `{`")
                    index += 1
                }
            }
        }
    }

    // MARK: Tokens

    var current: Token { tokens[index] }

    /// The token after the current one.
    var following: Token { tokens[min(index + 1, tokens.count - 1)] }

    @discardableResult
    mutating func take() -> Token {
        let token = tokens[index]
        if token.kind != .end { index += 1 }
        return token
    }

    mutating func skipSeparators() {
        while current.isSeparator { index += 1 }
    }

    mutating func skipNewlines() {
        while current.kind == .newline { index += 1 }
    }

    /// Records an error at `token`.
    mutating func report(_ token: Token, _ message: String) {
        report(at: token.location, message)
    }

    mutating func report(at location: SourcePosition, _ message: String) {
        diagnostics.append(DialplanDiagnostic(location, message))
    }

    /// Records an error and returns the error to throw.
    mutating func fail(_ token: Token, _ message: String) -> Failure {
        fail(at: token.location, message)
    }

    mutating func fail(at location: SourcePosition, _ message: String) -> Failure {
        report(at: location, message)
        return Failure()
    }

    /// Skips the rest of a broken statement or action: up to a separator or the `}` of the
    /// enclosing block, jumping over nested blocks.
    mutating func skipItem() {
        var depth = 0
        while true {
            switch current.kind {
            case .end: return
            case .openBrace: depth += 1
            case .closeBrace:
                if depth == 0 { return }
                depth -= 1
            case .semicolon, .newline:
                if depth == 0 { return }
            default: break
            }
            index += 1
        }
    }

    /// After a statement or action: a separator or the `}` of the block must follow.
    mutating func expectEndOfItem() throws {
        switch current.kind {
        case .semicolon, .newline, .closeBrace, .end: return
        default: throw fail(current, "unexpected \(current.quoted); end the line or put `;` before it")
        }
    }

    /// A word, or an error saying what was `expected`.
    mutating func word(_ expected: String) throws -> Token {
        guard current.kind == .word else { throw fail(current, "expected \(expected), found \(current.quoted)") }
        return take()
    }

    /// `{`, possibly on the next line.
    mutating func openBrace(after what: String) throws -> Token {
        skipNewlines()
        guard current.kind == .openBrace else {
            throw fail(current, "expected `{` after \(what), found \(current.quoted)")
        }
        return take()
    }

    /// Parses `item` repeatedly until the `}` matching `open`, consuming it. Broken items are
    /// skipped.
    mutating func block(opened open: Token, item: (inout Parser) throws -> Void) throws {
        while true {
            skipSeparators()
            switch current.kind {
            case .closeBrace:
                take()
                return
            case .end:
                if !reportedEnd {
                    reportedEnd = true
                    report(current, "missing `}` to close the `{` at \(open.location.line):\(open.location.column)")
                }
                throw Failure()
            default:
                do {
                    try item(&self)
                    try expectEndOfItem()
                } catch {
                    skipItem()
                }
            }
        }
    }

    // MARK: Statements

    private mutating func statement() throws {
        let keyword = try word("a statement (\(Parser.statements.joined(separator: ", ")))")
        switch keyword.text {
        case "timezone": try timeZone(keyword)
        case "hours": try hours()
        case "group": try group()
        case "organisation", "organization": try organisation()
        case "context": try context()
        case "match":
            throw fail(keyword, "`match` belongs inside `context NAME { ... }`")
        default:
            throw fail(
                keyword,
                "unknown statement `\(keyword.text)`\(Suggestion.hint(for: keyword.text, in: Parser.statements)); expected one of \(Parser.statements.joined(separator: ", "))"
            )
        }
    }

    private mutating func timeZone(_ keyword: Token) throws {
        let name = try word("a time zone like `Europe/Rome`")
        guard TimeZone(identifier: name.text) != nil else {
            let hint = Suggestion.hint(for: name.text, in: TimeZone.knownTimeZoneIdentifiers)
            throw fail(name, "unknown time zone `\(name.text)`\(hint); use an IANA name like `Europe/Rome`")
        }
        if let earlier = file.timeZone {
            throw fail(keyword, "a second `timezone` line; the first is at \(earlier.location)")
        }
        file.timeZone = (name.text, name.location)
    }

    private mutating func organisation() throws {
        let domain = try word("the organisation's SIP domain, like `clinic.example`")
        let keyword = try word("`context` and a context name")
        guard keyword.text == "context" else {
            throw fail(keyword, "expected `context` after the domain, found `\(keyword.text)`")
        }
        let name = try word("a context name")
        file.organisations.append(
            OrganisationRoute(
                domain: domain.text.lowercased(), context: name.text, location: domain.location,
                contextLocation: name.location))
    }

    private mutating func context() throws {
        let name = try word("a context name")
        try checkName(name, "context")
        let open = try openBrace(after: "`context \(name.text)`")
        var rules: [MatchRule] = []
        try block(opened: open) { parser in
            let keyword = try parser.word("`match PATTERN { ... }`")
            guard keyword.text == "match" else {
                let hint = Action.keywords.contains(keyword.text) ? "; actions go inside `match PATTERN { ... }`" : ""
                throw parser.fail(keyword, "expected `match`, found `\(keyword.text)`\(hint)")
            }
            let patternToken = try parser.word("a number or pattern after `match`")
            let pattern: NumberPattern?
            switch NumberPattern.parse(patternToken.text) {
            case .success(let parsed): pattern = parsed
            case .failure(let error):
                parser.report(at: patternToken.location.advanced(by: error.offset), error.message)
                pattern = nil
            }
            let actions = try parser.actionOrBlock(after: "`match \(patternToken.text)`")
            if let pattern {
                rules.append(MatchRule(pattern: pattern, location: patternToken.location, actions: actions))
            }
        }
        file.contexts.append(ContextSyntax(name: name.text, location: name.location, rules: rules))
    }

    /// Names of contexts, hours and groups: letters, digits, `-`, `_`.
    mutating func checkName(_ token: Token, _ kind: String) throws {
        guard token.text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw fail(token, "bad \(kind) name `\(token.text)`; use letters, digits, `-` and `_`")
        }
    }
}
