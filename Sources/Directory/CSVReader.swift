/// One record of a CSV file and the physical line it starts on (1-based).
struct CSVRecord: Sendable, Equatable {
    var line: Int
    var fields: [String]
}

/// An RFC 4180 reader: fields separated by commas, records by CRLF or LF, fields optionally
/// enclosed in double quotes, within which commas, line breaks and doubled quotes (`""`) stand
/// for themselves. A UTF-8 byte order mark at the start is skipped; blank lines are skipped.
///
/// It works on bytes: the delimiters are ASCII, and UTF-8 never uses ASCII bytes inside a
/// multi-byte sequence, so splitting bytes first and decoding each field after is exact.
/// Two leniencies, both common in hand-edited files: spaces before an opening quote or after a
/// closing quote are ignored. Every other departure from RFC 4180 is reported with its line,
/// and the reader carries on with the next record so one pass finds every problem.
struct CSVReader {
    private enum State {
        case fieldStart
        case unquoted
        case quoted
        /// Just read a quote inside a quoted field: either the first of `""` or the closing one.
        case quoteInQuoted
        /// After the closing quote; only spaces may follow before the delimiter.
        case afterQuoted
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let space = UInt8(ascii: " ")

    /// Reads every record; records with a problem are left out and the problem reported.
    static func read(_ input: some Collection<UInt8>) -> (records: [CSVRecord], errors: [UserImportError]) {
        var bytes = Array(input)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }

        var records: [CSVRecord] = []
        var errors: [UserImportError] = []
        var state = State.fieldStart
        var line = 1
        var recordLine = 1
        var quoteOpenedOnLine = 1
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var anyQuoted = false
        var recordIsBad = false

        func report(_ message: String, line: Int) {
            errors.append(UserImportError(line: line, message: message))
            recordIsBad = true
        }
        func endField() {
            fields.append(field)
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() {
            endField()
            let isBlank = fields.count == 1 && fields[0].isEmpty && !anyQuoted
            if !isBlank && !recordIsBad {
                var decoded: [String] = []
                for (index, bytes) in fields.enumerated() {
                    guard let text = decodeUTF8(bytes) else {
                        report(
                            "field \(index + 1) is not valid UTF-8 text; save the file as UTF-8 (\"CSV UTF-8\" in spreadsheet programs)",
                            line: recordLine)
                        break
                    }
                    decoded.append(text)
                }
                if !recordIsBad { records.append(CSVRecord(line: recordLine, fields: decoded)) }
            }
            fields.removeAll(keepingCapacity: true)
            anyQuoted = false
            recordIsBad = false
        }

        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            // A line break outside quotes ends the record; CRLF counts as one break.
            let isBreak = byte == lf || byte == cr
            let isCRLF = byte == cr && index < bytes.count && bytes[index] == lf
            if isCRLF { index += 1 }

            switch state {
            case .fieldStart, .unquoted:
                if byte == comma {
                    endField()
                    state = .fieldStart
                } else if isBreak {
                    endRecord()
                    line += 1
                    recordLine = line
                    state = .fieldStart
                } else if byte == quote {
                    if field.allSatisfy({ $0 == space }) {
                        field.removeAll(keepingCapacity: true)
                        anyQuoted = true
                        quoteOpenedOnLine = line
                        state = .quoted
                    } else {
                        if !recordIsBad {
                            report(
                                "field \(fields.count + 1) has a double quote inside an unquoted value; "
                                    + "enclose the whole field in double quotes and double the quote (\"\")",
                                line: line)
                        }
                        field.append(byte)
                        state = .unquoted
                    }
                } else {
                    field.append(byte)
                    state = .unquoted
                }
            case .quoted:
                if byte == quote {
                    state = .quoteInQuoted
                } else if isBreak {
                    // A line break inside quotes is part of the value; keep it as written.
                    field.append(byte)
                    if isCRLF { field.append(lf) }
                    line += 1
                } else {
                    field.append(byte)
                }
            case .quoteInQuoted, .afterQuoted:
                if byte == quote && state == .quoteInQuoted {
                    field.append(quote)
                    state = .quoted
                } else if byte == comma {
                    endField()
                    state = .fieldStart
                } else if isBreak {
                    endRecord()
                    line += 1
                    recordLine = line
                    state = .fieldStart
                } else if byte == space {
                    state = .afterQuoted
                } else {
                    if !recordIsBad {
                        report(
                            "field \(fields.count + 1) has text after its closing double quote; "
                                + "a quote inside a quoted field must be doubled (\"\")",
                            line: line)
                    }
                    state = .afterQuoted
                }
            }
        }

        switch state {
        case .quoted:
            errors.append(
                UserImportError(
                    line: quoteOpenedOnLine,
                    message: "field \(fields.count + 1) opens a double quote that is never closed"))
        case .fieldStart:
            // End of input right after a line break (or an empty file) holds no record;
            // after a comma it ends a record whose last field is empty.
            if !fields.isEmpty { endRecord() }
        case .unquoted, .quoteInQuoted, .afterQuoted:
            endRecord()
        }
        return (records, errors)
    }

    /// The text of `bytes`, or `nil` if they are not valid UTF-8.
    static func decodeUTF8(_ bytes: [UInt8]) -> String? {
        // Decoding repairs invalid sequences with U+FFFD, so valid input is exactly the input
        // that survives a round trip unchanged.
        let text = String(decoding: bytes, as: UTF8.self)
        return text.utf8.elementsEqual(bytes) ? text : nil
    }
}
