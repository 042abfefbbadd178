/// A `match` pattern: an exact number such as `1001`, `*97` or `+390612345678`, or a pattern in the
/// usual PBX notation.
///
/// | Symbol | Matches |
/// |---|---|
/// | `X` | one digit 0-9 |
/// | `N` | one digit 2-9 |
/// | `Z` | one digit 1-9 |
/// | `[1-5]`, `[13579]`, `[0-35-7]` | one character of the class |
/// | `.` (last only) | one or more characters of any kind |
/// | `!` (last only) | zero or more characters of any kind |
/// | digits, `*`, `#`, `+` | themselves |
struct NumberPattern: Sendable, Equatable {
    /// What one position of the pattern accepts.
    enum Position: Sendable, Equatable {
        case any
        case oneOf(Set<Character>)

        func contains(_ character: Character) -> Bool {
            switch self {
            case .any: true
            case .oneOf(let set): set.contains(character)
            }
        }

        /// Whether every character this accepts is accepted by `other`.
        func isSubset(of other: Position) -> Bool {
            switch (self, other) {
            case (_, .any): true
            case (.any, .oneOf): false
            case (.oneOf(let mine), .oneOf(let theirs)): mine.isSubset(of: theirs)
            }
        }
    }

    /// The text as written, for messages.
    var text: String
    /// One entry per character the number must have; `.` adds one `.any` here.
    var positions: [Position]
    /// Whether any number of further characters may follow (`.` and `!`).
    var openEnded: Bool

    /// Parses `text`, or returns the message of what is wrong and the 0-based offset it is at.
    static func parse(_ text: String) -> Result<NumberPattern, PatternError> {
        var positions: [Position] = []
        var openEnded = false
        let characters = Array(text)
        var i = 0
        let digits = Set("0123456789")
        while i < characters.count {
            let c = characters[i]
            if openEnded {
                return .failure(PatternError(offset: i, message: "`\(characters[i - 1])` may only end a pattern"))
            }
            switch c {
            case "0"..."9", "*", "#", "+": positions.append(.oneOf([c]))
            case "X", "x": positions.append(.oneOf(digits))
            case "N", "n": positions.append(.oneOf(Set("23456789")))
            case "Z", "z": positions.append(.oneOf(Set("123456789")))
            case ".":
                positions.append(.any)
                openEnded = true
            case "!": openEnded = true
            case "[":
                switch characterClass(characters, from: i) {
                case .success(let (set, end)):
                    positions.append(.oneOf(set))
                    i = end
                case .failure(let error): return .failure(error)
                }
            default:
                let hint = c == "_" ? "; patterns need no leading `_`" : ""
                return .failure(
                    PatternError(
                        offset: i,
                        message:
                            "`\(c)` cannot appear in a pattern; use digits, `*`, `#`, `+`, `X`, `N`, `Z`, `[...]`, and `.` or `!` at the end\(hint)"
                    ))
            }
            i += 1
        }
        if positions.isEmpty && !openEnded {
            return .failure(PatternError(offset: 0, message: "empty pattern"))
        }
        return .success(NumberPattern(text: text, positions: positions, openEnded: openEnded))
    }

    /// Reads `[...]` starting at `characters[start]`; returns the set and the index of `]`.
    private static func characterClass(_ characters: [Character], from start: Int) -> Result<
        (Set<Character>, Int), PatternError
    > {
        var set: Set<Character> = []
        var i = start + 1
        while i < characters.count, characters[i] != "]" {
            let c = characters[i]
            guard let low = c.wholeNumberValue, c.isASCII else {
                return .failure(
                    PatternError(offset: i, message: "`\(c)` in `[...]`: a class holds digits and ranges like `[1-5]`"))
            }
            if i + 2 < characters.count, characters[i + 1] == "-", characters[i + 2] != "]" {
                guard let high = characters[i + 2].wholeNumberValue, characters[i + 2].isASCII, high >= low else {
                    return .failure(
                        PatternError(offset: i, message: "bad range in `[...]`; write ranges low to high, like `[1-5]`")
                    )
                }
                for d in low...high { set.insert(Character(String(d))) }
                i += 3
            } else {
                set.insert(c)
                i += 1
            }
        }
        guard i < characters.count else {
            return .failure(PatternError(offset: start, message: "`[` without a closing `]`"))
        }
        guard !set.isEmpty else { return .failure(PatternError(offset: start, message: "empty class `[]`")) }
        return .success((set, i))
    }

    /// Whether `number` is matched.
    func matches(_ number: String) -> Bool {
        let characters = Array(number)
        if openEnded {
            guard characters.count >= positions.count else { return false }
        } else {
            guard characters.count == positions.count else { return false }
        }
        for (position, c) in zip(positions, characters) where !position.contains(c) { return false }
        return true
    }

    /// Whether every number `other` matches is also matched by this pattern.
    func covers(_ other: NumberPattern) -> Bool {
        if other.openEnded {
            // `other` matches numbers of every length from its minimum up, so this one must too.
            guard openEnded, positions.count <= other.positions.count else { return false }
        } else if openEnded {
            guard positions.count <= other.positions.count else { return false }
        } else {
            guard positions.count == other.positions.count else { return false }
        }
        for (mine, theirs) in zip(positions, other.positions) where !theirs.isSubset(of: mine) { return false }
        return true
    }
}

/// Why a pattern does not parse, at a 0-based character offset into it.
struct PatternError: Error, Equatable {
    var offset: Int
    var message: String
}
