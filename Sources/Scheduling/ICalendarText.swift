import Foundation

/// The text rules of RFC 5545 content lines: TEXT value escaping and line folding.
enum ICalendarText {
    /// The longest content line in octets, excluding the line break (RFC 5545 §3.1).
    static let maximumLineOctets = 75

    /// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma are preceded by a
    /// backslash, and line breaks become `\n`. Other control characters are not allowed in TEXT and
    /// are dropped; horizontal tab is kept.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\r": result += "\\n"
            case "\n": if !previousWasCR { result += "\\n" }  // CRLF is one line break
            case "\t": result.unicodeScalars.append(scalar)
            default:
                if scalar.properties.generalCategory == .control { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Folds one content line (RFC 5545 §3.1) so no physical line exceeds 75 octets: the line is
    /// broken with CRLF followed by a single space, which counts towards the next line's 75.
    /// Breaks fall between Unicode scalars, so a multi-octet UTF-8 sequence is never split.
    /// The result has no trailing line break.
    static func fold(_ line: String) -> String {
        guard line.utf8.count > maximumLineOctets else { return line }
        var result = ""
        var octetsOnLine = 0
        for scalar in line.unicodeScalars {
            let width = String(scalar).utf8.count
            if octetsOnLine + width > maximumLineOctets {
                result += "\r\n "
                octetsOnLine = 1
            }
            result.unicodeScalars.append(scalar)
            octetsOnLine += width
        }
        return result
    }
}
