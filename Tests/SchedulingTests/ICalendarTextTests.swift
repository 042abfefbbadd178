import Foundation
import Testing

@testable import Scheduling

/// RFC 5545 §3.3.11 escaping and §3.1 folding.
@Suite struct ICalendarTextTests {
    @Test func escapesSpecialCharactersAndLineBreaks() {
        #expect(
            ICalendarText.escape(#"Room 2, floor 1; ask at desk \ reception"#)
                == #"Room 2\, floor 1\; ask at desk \\ reception"#)
        #expect(ICalendarText.escape("line one\r\nline two\nthree\rfour") == #"line one\nline two\nthree\nfour"#)
        #expect(ICalendarText.escape("bell\u{07}\ttab") == "bell\ttab")
    }

    @Test func shortLinesAreNotFolded() {
        let line = "SUMMARY:" + String(repeating: "a", count: 67)  // exactly 75 octets
        #expect(ICalendarText.fold(line) == line)
    }

    @Test func longLinesFoldAt75OctetsWithCRLFSpace() {
        let line = "LOCATION:" + String(repeating: "x", count: 200)
        let physical = ICalendarText.fold(line).components(separatedBy: "\r\n")
        #expect(physical.count == 3)
        #expect(physical.allSatisfy { $0.utf8.count <= 75 })
        #expect(physical[0].utf8.count == 75)
        #expect(physical.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        // Unfolding (RFC 5545 §3.1: remove CRLF and one whitespace) restores the line.
        #expect(ICalendarText.fold(line).replacingOccurrences(of: "\r\n ", with: "") == line)
    }

    @Test func foldingNeverSplitsAMultiByteCharacter() throws {
        // 73 ASCII octets then "é" (2 octets) then "€" (3 octets): the euro sign would straddle octet 75.
        let line = String(repeating: "a", count: 73) + "é€" + "b"
        let folded = ICalendarText.fold(line)
        let physical = folded.components(separatedBy: "\r\n")
        #expect(physical == [String(repeating: "a", count: 73) + "é", " €b"])
        #expect(physical.allSatisfy { $0.utf8.count <= 75 })
        // Every physical line is valid UTF-8 on its own.
        for part in physical {
            #expect(String(validating: Array(part.utf8), as: UTF8.self) != nil)
        }
    }
}
