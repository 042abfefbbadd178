import Foundation
import Testing

@testable import Directory

@Suite("UserImport")
struct UserImportTests {
    struct Good: CustomTestStringConvertible, Sendable {
        var name: String
        var csv: String
        /// Expected rows as (line, extension, display name, password, email, role).
        var rows: [(Int, String, String, String, String, Role?)]
        var testDescription: String { name }
    }

    static let good: [Good] = [
        Good(
            name: "plain LF with role",
            csv: """
                extension,display_name,sip_password,email,role
                1001,Alice Smith,secret-pass-1,alice@clinic.example,admin
                1002,Bob Jones,secret-pass-2,bob@clinic.example,member

                """,
            rows: [
                (2, "1001", "Alice Smith", "secret-pass-1", "alice@clinic.example", .admin),
                (3, "1002", "Bob Jones", "secret-pass-2", "bob@clinic.example", .member),
            ]),
        Good(
            name: "BOM, CRLF, columns in another order, extra column ignored, no final line break",
            csv: "\u{FEFF}email,Notes,sip_password,display_name,extension\r\n"
                + "carla@clinic.example,ignored,abcdefgh,Carla,2001\r\n"
                + "dan@clinic.example,,abcdefgh,Dan,2002",
            rows: [
                (2, "2001", "Carla", "abcdefgh", "carla@clinic.example", nil),
                (3, "2002", "Dan", "abcdefgh", "dan@clinic.example", nil),
            ]),
        Good(
            name: "quoted fields: commas, doubled quotes, any script",
            csv: "extension,display_name,sip_password,email\n"
                + "1001,\"Rossi, Maria\",\"p@ss,word!\",maria@clinic.example\n"
                + "1002,\"Dr. \"\"Doc\"\" Brown\",\"pass\"\"word1\",doc@clinic.example\n"
                + "1003,Zhāng 張偉,12345678,zhang@clinic.example\n"
                + "1004,Niccolò Ferrari,12345678,niccolo@clinic.example\n"
                + "1005,  \"Ana Lúcia\"  ,12345678,ana@clinic.example\n",
            rows: [
                (2, "1001", "Rossi, Maria", "p@ss,word!", "maria@clinic.example", nil),
                (3, "1002", "Dr. \"Doc\" Brown", "pass\"word1", "doc@clinic.example", nil),
                (4, "1003", "Zhāng 張偉", "12345678", "zhang@clinic.example", nil),
                (5, "1004", "Niccolò Ferrari", "12345678", "niccolo@clinic.example", nil),
                (6, "1005", "Ana Lúcia", "12345678", "ana@clinic.example", nil),
            ]),
        Good(
            name: "blank lines keep line numbers; header names are forgiving; role in any case",
            csv: "\n Extension ,Display Name,SIP-Password,EMAIL,Role\n\n1001,A B,12345678,a@b.example,OWNER\n\n\n"
                + "12345678,C D,12345678,c@d.example, \n",
            rows: [
                (4, "1001", "A B", "12345678", "a@b.example", .owner),
                (7, "12345678", "C D", "12345678", "c@d.example", nil),
            ]),
        Good(
            name: "spreadsheet padding: empty trailing cells beyond the header",
            csv: "extension,display_name,sip_password,email\n1001,A,12345678,a@b.example,,\n",
            rows: [(2, "1001", "A", "12345678", "a@b.example", nil)]),
        Good(
            name: "header only",
            csv: "extension,display_name,sip_password,email\n",
            rows: []),
        Good(
            name: "surrounding spaces trimmed except in passwords",
            csv: "extension,display_name,sip_password,email\n 1001 , Alice , pass word ,  a@b.example \n",
            rows: [(2, "1001", "Alice", " pass word ", "a@b.example", nil)]),
    ]

    @Test(arguments: good)
    func parsesGoodFile(_ example: Good) throws {
        let rows = try UserImport.parse(csv: example.csv)
        #expect(rows.count == example.rows.count)
        for (row, expected) in zip(rows, example.rows) {
            #expect(row.line == expected.0)
            #expect(row.extension == expected.1)
            #expect(row.displayName == expected.2)
            #expect(row.password == expected.3)
            #expect(row.email == expected.4)
            #expect(row.role == expected.5)
        }
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        var name: String
        var csv: String
        var errors: [String]
        var testDescription: String { name }
    }

    static let header = "extension,display_name,sip_password,email\n"

    static let bad: [Bad] = [
        Bad(
            name: "every bad row is reported with its line",
            csv: header
                + "1001,Alice,12345678,alice@clinic.example\n"  // 2
                + "1002,Bob,12345678,bob@clinic.example\n"  // 3
                + "10a1,Carla,12345678,carla@clinic.example\n"  // 4
                + "1003,Dan,short,dan@clinic.example\n"  // 5
                + "1004,Eve,12345678\n"  // 6
                + "1002,Bob Again,12345678,bob2@clinic.example\n"  // 7
                + "1005,Fay,12345678,fay@clinic.example\n"  // 8
                + "1006,Gus,12345678,x@\n",  // 9
            errors: [
                "line 4: extension \"10a1\" must be 2-8 digits",
                "line 5: sip_password must be at least 8 characters",
                "line 6: expected 4 fields as in the header, found 3",
                "line 7: extension 1002 is repeated (first on line 3)",
                "line 9: email \"x@\" is not a valid address",
            ]),
        Bad(
            name: "extension rules",
            csv: header
                + "0123,A,12345678,a@b.example\n"
                + "5,B,12345678,b@b.example\n"
                + "123456789,C,12345678,c@b.example\n"
                + ",D,12345678,d@b.example\n"
                + "１２３,E,12345678,e@b.example\n",
            errors: [
                "line 2: extension \"0123\" may not start with 0 (0 is for the operator and outside lines)",
                "line 3: extension \"5\" must be 2-8 digits",
                "line 4: extension \"123456789\" must be 2-8 digits",
                "line 5: extension is empty",
                "line 6: extension \"１２３\" must be 2-8 digits",
            ]),
        Bad(
            name: "several problems on one row, in column order",
            csv: header + "ab,,1234,nobody\n",
            errors: [
                "line 2: extension \"ab\" must be 2-8 digits",
                "line 2: display_name is empty",
                "line 2: sip_password must be at least 8 characters",
                "line 2: email \"nobody\" is not a valid address",
            ]),
        Bad(
            name: "emails",
            csv: header
                + "1001,A,12345678,@clinic.example\n"
                + "1002,B,12345678,a b@clinic.example\n"
                + "1003,C,12345678,a@localhost\n"
                + "1004,D,12345678,a@@clinic.example\n"
                + "1005,E,12345678,\n",
            errors: [
                "line 2: email \"@clinic.example\" is not a valid address",
                "line 3: email \"a b@clinic.example\" is not a valid address",
                "line 4: email \"a@localhost\" is not a valid address",
                "line 5: email \"a@@clinic.example\" is not a valid address",
                "line 6: email is empty",
            ]),
        Bad(
            name: "missing header column",
            csv: "extension,display_name,email\n1001,A,a@b.example\n",
            errors: [
                "line 1: the header is missing column \"sip_password\"; the first line must name the columns "
                    + "\"extension\", \"display_name\", \"sip_password\" and \"email\" (in any order)"
            ]),
        Bad(
            name: "no header row at all",
            csv: "1001,Alice,12345678,alice@clinic.example\n",
            errors: [
                "line 1: the header is missing columns \"extension\", \"display_name\", \"sip_password\" and \"email\"; "
                    + "the first line must name the columns \"extension\", \"display_name\", \"sip_password\" and "
                    + "\"email\" (in any order)"
            ]),
        Bad(
            name: "column named twice",
            csv: "extension,email,display_name,sip_password,Email\n",
            errors: ["line 1: column \"email\" appears twice in the header (columns 2 and 5)"]),
        Bad(
            name: "empty file",
            csv: "",
            errors: [
                "line 1: the file is empty; the first line must be a header naming the columns "
                    + "\"extension\", \"display_name\", \"sip_password\" and \"email\""
            ]),
        Bad(
            name: "bad role",
            csv: "extension,display_name,sip_password,email,role\n1001,A,12345678,a@b.example,boss\n",
            errors: ["line 2: role \"boss\" must be one of owner, admin, member"]),
        Bad(
            name: "quote never closed, reported where it opens",
            csv: header + "1001,A,12345678,a@b.example\n1002,\"B,12345678,b@b.example\n1003,C,12345678,c@b.example\n",
            errors: ["line 3: field 2 opens a double quote that is never closed"]),
        Bad(
            name: "quote inside an unquoted field",
            csv: header + "1001,O\"Brien,12345678,a@b.example\n",
            errors: [
                "line 2: field 2 has a double quote inside an unquoted value; enclose the whole field in "
                    + "double quotes and double the quote (\"\")"
            ]),
        Bad(
            name: "text after a closing quote",
            csv: header + "1001,\"Ann\" Lee,12345678,a@b.example\n",
            errors: [
                "line 2: field 2 has text after its closing double quote; a quote inside a quoted field must be "
                    + "doubled (\"\")"
            ]),
        Bad(
            name: "a quoted line break counts toward later line numbers",
            csv: header + "1001,\"Ann\nLee\",12345678,a@b.example\n1002,B,123,b@b.example\n",
            errors: [
                "line 2: display_name contains a control character (such as a line break or tab)",
                "line 4: sip_password must be at least 8 characters",
            ]),
    ]

    @Test(arguments: bad)
    func reportsBadFile(_ example: Bad) {
        #expect(throws: DirectoryError.self) { try UserImport.parse(csv: example.csv) }
        let (rows, errors) = UserImport.read(Data(example.csv.utf8))
        #expect(rows.isEmpty, "no rows are returned from a file with problems")
        #expect(errors.map(\.description) == example.errors)
    }

    @Test func invalidUTF8IsReportedWithItsLine() {
        var data = Data((Self.header + "1001,A,12345678,a@b.example\n1002,").utf8)
        data.append(contentsOf: [0x52, 0xE9, 0x6D, 0x69])  // "Rémi" in Latin-1
        data.append(contentsOf: Array(",12345678,r@b.example\n".utf8))
        let (_, errors) = UserImport.read(data)
        #expect(
            errors.map(\.description) == [
                "line 3: field 2 is not valid UTF-8 text; save the file as UTF-8 (\"CSV UTF-8\" in spreadsheet programs)"
            ])
    }

    @Test func displayNamesAreStoredComposed() throws {
        // "Niccolò" with a combining grave accent (as macOS file names have it).
        let decomposed = "Niccolo\u{300}"
        let rows = try UserImport.parse(csv: Self.header + "1001,\(decomposed),12345678,n@b.example\n")
        #expect(Array(rows[0].displayName.unicodeScalars) == Array("Niccol\u{F2}".unicodeScalars))
    }

    /// A user's own prompt language: optional, checked as a language tag.
    @Test func localesAreOptionalLanguageTags() throws {
        let rows = try UserImport.parse(csv: "extension,display_name,sip_password,email,locale\n1001,A,12345678,a@b.example,zh-TW\n1002,B,12345678,b@b.example,\n")
        #expect(rows.map(\.locale) == ["zh-TW", nil])
        let (_, errors) = UserImport.read(Data("extension,display_name,sip_password,email,locale\n1001,A,12345678,a@b.example,italian!\n".utf8))
        #expect(errors.map(\.description) == ["line 2: locale \"italian!\" must be a language tag such as en, it or zh-TW"])
    }

    @Test func errorDescriptionNamesLine() {
        #expect(UserImportError(line: 4, message: "x").description == "line 4: x")
    }

    @Test func rowDescriptionHidesPassword() {
        let row = UserImportRow(
            line: 2, extension: "1001", displayName: "A", password: "hunter22", email: "a@b.example")
        #expect(!row.description.contains("hunter22"))
    }

    @Test func validateNumbersRowsWithoutLinesByPosition() {
        let rows = [
            UserImportRow(extension: "1001", displayName: "A", password: "12345678", email: "a@b.example"),
            UserImportRow(extension: "1001", displayName: "B", password: "12345678", email: "b@b.example"),
        ]
        #expect(
            UserImport.validate(rows).map(\.description) == ["line 2: extension 1001 is repeated (first on line 1)"])
    }
}

@Suite("CSVReader")
struct CSVReaderTests {
    static let cases: [(String, [[String]])] = [
        ("a,b\r\nc,d\r\n", [["a", "b"], ["c", "d"]]),
        ("a,b\nc,d", [["a", "b"], ["c", "d"]]),
        ("a,,\n", [["a", "", ""]]),
        ("\"\"\n", [[""]]),
        ("\"a\r\nb\",c\n", [["a\r\nb", "c"]]),
        ("\"\"\"\"\n", [["\""]]),
        ("x\r\r\ny\n", [["x"], ["y"]]),
        ("\u{FEFF}a\n", [["a"]]),
    ]

    @Test(arguments: cases)
    func reads(_ input: String, _ expected: [[String]]) {
        let (records, errors) = CSVReader.read(Array(input.utf8))
        #expect(errors.isEmpty)
        #expect(records.map(\.fields) == expected)
    }

    @Test func recordsCarryTheirStartingLine() {
        let (records, _) = CSVReader.read(Array("a\n\"b\nb\"\nc\r\n\r\nd".utf8))
        #expect(records.map(\.line) == [1, 2, 4, 6])
    }
}
