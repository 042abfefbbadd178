import Foundation

/// One unfolded content line (RFC 5545 §3.1): `name *(";" param) ":" value`.
///
/// Names are upper-cased (they are case-insensitive); parameter values keep their case, lose the
/// quotes of a quoted-string and have RFC 6868 caret escapes (`^n`, `^^`, `^'`) decoded. The value
/// is left raw: only the caller knows its type, and TEXT unescaping (§3.3.11) must not touch a
/// DATE-TIME or a RECUR.
struct ICalendarContentLine: Sendable, Equatable {
    var name: String
    /// Parameters by upper-cased name; a parameter may hold several comma-separated values (§3.2).
    var parameters: [String: [String]]
    var value: String
    /// 1-based number of the physical line where this content line starts.
    var lineNumber: Int

    func parameter(_ name: String) -> String? { parameters[name]?.first }

    /// Unfolds `text` (RFC 5545 §3.1: a line break followed by one space or tab continues the
    /// previous line) and splits each logical line. CRLF, bare LF and bare CR are all accepted as
    /// line breaks, since files from the wild and CalDAV XML bodies use LF; blank lines are skipped.
    static func lines(of text: String) throws(ICalendarParseError) -> [ICalendarContentLine] {
        var logical: [(text: String, line: Int)] = []
        var physicalNumber = 0
        for physical in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            physicalNumber += 1
            if let first = physical.unicodeScalars.first, first == " " || first == "\t", !logical.isEmpty {
                logical[logical.count - 1].text += String(physical.unicodeScalars.dropFirst())
            } else if !physical.isEmpty {
                logical.append((String(physical), physicalNumber))
            }
        }
        var result: [ICalendarContentLine] = []
        result.reserveCapacity(logical.count)
        for (line, number) in logical {
            result.append(try parse(line, lineNumber: number))
        }
        return result
    }

    /// Splits one unfolded line. Colons and semicolons inside a quoted parameter value (§3.2
    /// `quoted-string`) do not end the parameter or the name part.
    static func parse(_ line: String, lineNumber: Int) throws(ICalendarParseError) -> ICalendarContentLine {
        let scalars = Array(line.unicodeScalars)
        var index = 0
        func take(while predicate: (Unicode.Scalar) -> Bool) -> String {
            var out = String.UnicodeScalarView()
            while index < scalars.count, predicate(scalars[index]) {
                out.append(scalars[index])
                index += 1
            }
            return String(out)
        }
        let name = take { $0 != ";" && $0 != ":" }.uppercased()
        guard !name.isEmpty else { throw ICalendarParseError(line: lineNumber, reason: .malformedLine(line)) }
        var parameters: [String: [String]] = [:]
        while index < scalars.count, scalars[index] == ";" {
            index += 1
            let parameterName = take { $0 != "=" && $0 != ";" && $0 != ":" }.uppercased()
            guard index < scalars.count, scalars[index] == "=" else {
                throw ICalendarParseError(line: lineNumber, reason: .malformedLine(line))
            }
            index += 1
            var values: [String] = []
            repeat {
                if index < scalars.count, scalars[index] == "," { index += 1 }
                if index < scalars.count, scalars[index] == "\"" {
                    index += 1
                    let quoted = take { $0 != "\"" }
                    guard index < scalars.count else {
                        throw ICalendarParseError(line: lineNumber, reason: .malformedLine(line))
                    }
                    index += 1  // closing quote
                    values.append(decodeCaret(quoted))
                } else {
                    values.append(decodeCaret(take { $0 != "," && $0 != ";" && $0 != ":" }))
                }
            } while index < scalars.count && scalars[index] == ","
            parameters[parameterName, default: []] += values
        }
        guard index < scalars.count, scalars[index] == ":" else {
            throw ICalendarParseError(line: lineNumber, reason: .malformedLine(line))
        }
        var value = String.UnicodeScalarView()
        value.append(contentsOf: scalars[(index + 1)...])
        return ICalendarContentLine(name: name, parameters: parameters, value: String(value), lineNumber: lineNumber)
    }

    /// RFC 6868: `^n` is a line break, `^^` a caret, `^'` a double quote; other carets stay.
    static func decodeCaret(_ text: String) -> String {
        guard text.contains("^") else { return text }
        var out = ""
        var pendingCaret = false
        for character in text {
            if pendingCaret {
                switch character {
                case "n": out += "\n"
                case "^": out += "^"
                case "'": out += "\""
                default: out += "^" + String(character)
                }
                pendingCaret = false
            } else if character == "^" {
                pendingCaret = true
            } else {
                out.append(character)
            }
        }
        return pendingCaret ? out + "^" : out
    }
}

extension ICalendarText {
    /// Reverses `escape` (RFC 5545 §3.3.11): `\\`, `\;`, `\,` and `\n` or `\N` become the character
    /// they stand for. A backslash before anything else is kept as written, as lenient readers do.
    static func unescape(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var out = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "n", "N": out += "\n"
                case "\\", ";", ",": out.append(character)
                default: out += "\\" + String(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return escaping ? out + "\\" : out
    }
}
