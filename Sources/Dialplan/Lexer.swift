/// Splits a dialplan file into tokens.
///
/// `#` begins a comment when it starts a word and is followed by a space, a tab, another `#` or
/// the end of the line, so `# note` is a comment while the menu key `#:` and the pattern `*31#`
/// are words.
struct Lexer {
    private let characters: [Character]
    private let file: String
    private var index = 0
    private var line = 1
    private var column = 1
    private(set) var diagnostics: [DialplanDiagnostic] = []

    init(_ source: DialplanSource) {
        characters = Array(source.text)
        file = source.path
    }

    /// All tokens, ending with `.end`.
    mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        while true {
            let token = nextToken()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private var location: SourcePosition { SourcePosition(file: file, line: line, column: column) }

    private func peek(_ offset: Int = 0) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    private mutating func advance() {
        if characters[index].isNewline {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private mutating func nextToken() -> Token {
        while let c = peek(), c == " " || c == "\t" { advance() }
        let start = location
        guard let c = peek() else { return Token(kind: .end, text: "", location: start) }
        if c.isNewline {
            advance()
            return Token(kind: .newline, text: "\n", location: start)
        }
        if c == "#", startsComment() {
            while let next = peek(), !next.isNewline { advance() }
            return nextToken()
        }
        let single: [Character: Token.Kind] = [
            "{": .openBrace, "}": .closeBrace, ";": .semicolon, ",": .comma, "=": .equals,
        ]
        if let kind = single[c] {
            advance()
            return Token(kind: kind, text: String(c), location: start)
        }
        if c == "\"" { return string(start: start) }
        return word(start: start)
    }

    private func startsComment() -> Bool {
        guard let next = peek(1) else { return true }
        return next == " " || next == "\t" || next == "#" || next.isNewline
    }

    private mutating func string(start: SourcePosition) -> Token {
        advance()
        var text = ""
        while let c = peek(), !c.isNewline {
            advance()
            if c == "\"" { return Token(kind: .string, text: text, location: start) }
            if c == "\\", let escaped = peek(), escaped == "\"" || escaped == "\\" {
                advance()
                text.append(escaped)
            } else {
                text.append(c)
            }
        }
        diagnostics.append(DialplanDiagnostic(start, "unterminated string: add the closing `\"` on the same line"))
        return Token(kind: .string, text: text, location: start)
    }

    private mutating func word(start: SourcePosition) -> Token {
        var text = ""
        let stops: Set<Character> = ["{", "}", ";", ",", "=", "\"", " ", "\t"]
        while let c = peek(), !c.isNewline, !stops.contains(c) {
            if c == "$", peek(1) == "{" {
                // `${name:1:2}` is one piece of the word, braces and all.
                while let v = peek(), !v.isNewline {
                    text.append(v)
                    advance()
                    if v == "}" { break }
                }
                continue
            }
            text.append(c)
            advance()
        }
        return Token(kind: .word, text: text, location: start)
    }
}
