/// A value with `${variable}` references: `${exten}`, `1${exten:2}`, `${caller:0:4}`.
///
/// `${name:N}` drops the first N characters; `${name:N:L}` keeps L characters from there.
struct Template: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case literal(String)
        case variable(name: String, offset: Int, length: Int?, location: SourcePosition)
    }

    var parts: [Part]

    /// The variables every call has.
    /// `visit_provider` is set by `when visit-within` (empty until then).
    static let builtInVariables: Set<String> = ["exten", "caller", "caller_name", "context", "did", "visit_provider"]

    /// The text when there are no variables.
    var literal: String? {
        var text = ""
        for part in parts {
            guard case .literal(let piece) = part else { return nil }
            text += piece
        }
        return text
    }

    /// Every variable reference, for validation.
    var variables: [(name: String, location: SourcePosition)] {
        parts.compactMap {
            if case .variable(let name, _, _, let location) = $0 { (name, location) } else { nil }
        }
    }

    /// Parses `text` found at `location`; problems are appended to `diagnostics`.
    static func parse(_ text: String, at location: SourcePosition, diagnostics: inout [DialplanDiagnostic]) -> Template
    {
        var parts: [Part] = []
        var literal = ""
        let characters = Array(text)
        var i = 0
        while i < characters.count {
            guard characters[i] == "$" else {
                literal.append(characters[i])
                i += 1
                continue
            }
            let here = location.advanced(by: i)
            guard i + 1 < characters.count, characters[i + 1] == "{" else {
                diagnostics.append(DialplanDiagnostic(here, "write variables as `${name}`"))
                return Template(parts: [.literal(text)])
            }
            guard let close = characters[(i + 2)...].firstIndex(of: "}") else {
                diagnostics.append(DialplanDiagnostic(here, "`${` without a closing `}`"))
                return Template(parts: [.literal(text)])
            }
            let inside = String(characters[(i + 2)..<close]).split(separator: ":", omittingEmptySubsequences: false)
            let name = String(inside[0])
            let numbers = inside.dropFirst().map { Int($0) }
            let validName = !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            guard validName, inside.count <= 3, numbers.allSatisfy({ $0 != nil && $0! >= 0 }) else {
                diagnostics.append(
                    DialplanDiagnostic(
                        here,
                        "bad variable `\(String(characters[i...close]))`; write `${name}`, `${name:N}` or `${name:N:L}`"
                    ))
                return Template(parts: [.literal(text)])
            }
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
            parts.append(
                .variable(
                    name: name, offset: numbers.first.map { $0! } ?? 0, length: numbers.count == 2 ? numbers[1]! : nil,
                    location: here))
            i = close + 1
        }
        if !literal.isEmpty || parts.isEmpty { parts.append(.literal(literal)) }
        return Template(parts: parts)
    }

    /// The text with each variable replaced by its value (unset variables are empty).
    func expand(_ variables: [String: String]) -> String {
        var text = ""
        for part in parts {
            switch part {
            case .literal(let piece): text += piece
            case .variable(let name, let offset, let length, _):
                let value = variables[name] ?? ""
                let rest = value.dropFirst(offset)
                text += length.map { String(rest.prefix($0)) } ?? String(rest)
            }
        }
        return text
    }
}
