/// One token of a dialplan file.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A run of characters up to whitespace or `{ } ; , = "`; `${...}` stays inside one word.
        case word
        /// A `"quoted string"`; `text` holds it without quotes and with escapes resolved.
        case string
        case openBrace, closeBrace, semicolon, newline, comma, equals
        case end
    }

    var kind: Kind
    var text: String
    var location: SourcePosition

    /// How the token reads in a "found ..." message.
    var quoted: String {
        switch kind {
        case .word: "`\(text)`"
        case .string: "a quoted string"
        case .openBrace: "`{`"
        case .closeBrace: "`}`"
        case .semicolon: "`;`"
        case .newline: "the end of the line"
        case .comma: "`,`"
        case .equals: "`=`"
        case .end: "the end of the file"
        }
    }

    /// A separator between statements: `;` or a line break.
    var isSeparator: Bool { kind == .semicolon || kind == .newline }

    func isWord(_ text: String) -> Bool { kind == .word && self.text == text }
}
