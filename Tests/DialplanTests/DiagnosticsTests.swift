import Testing

@testable import Dialplan

/// Bad input gives every error at once, as `file:line:column: message`.
@Suite struct DiagnosticsTests {
    @Test func oneLineAndMultiLineStylesParseAlike() throws {
        let oneLine = try plan("context internal { match 1XXX { ring ${exten} for 20s; voicemail ${exten} } }")
        let multiLine = try plan(
            """
            context internal
            {
                match 1XXX
                {
                    ring ${exten} for 20s   # comment
                    voicemail ${exten};
                }
            }
            """)
        let expected: [DialplanStep] = [.ring(extensions: ["1234"], seconds: 20), .voicemail(mailbox: "1234")]
        #expect(steps(oneLine, call("1234"), outcomes: [.noAnswer]) == expected)
        #expect(steps(multiLine, call("1234"), outcomes: [.noAnswer]) == expected)
    }

    @Test func syntaxErrorsAreAllReported() {
        let text = """
            context internal {
              match 1XXX { rign ${exten} }
              match 2XXX { ring ${exten} for soon }
              match 3X.X { hangup 200 }
            }
            contxt other { }
            """
        #expect(
            diagnostics(text) == [
                "test.dialplan:2:16: unknown action `rign`; did you mean `ring`?",
                "test.dialplan:3:34: expected a time like `20s` (1s to 60m) after `for`, found `soon`",
                "test.dialplan:4:12: `.` may only end a pattern",
                "test.dialplan:4:23: hangup code 200 is out of range; use a SIP status from 400 to 699",
                "test.dialplan:6:1: unknown statement `contxt`; did you mean `context`?; expected one of timezone, hours, group, organisation, context",
            ])
    }

    @Test func hoursErrors() {
        let text = """
            timezone Europe/Rom
            hours office {
              mon-fri 18:00-08:00
              mon-fir 08:00-12:00
              sat 09:00-25:00
              closed 2026-02-29 12-25
            }
            """
        #expect(
            diagnostics(text) == [
                "test.dialplan:1:10: unknown time zone `Europe/Rom`; did you mean `Europe/Rome`?; use an IANA name like `Europe/Rome`",
                "test.dialplan:3:17: end 08:00 is before start 18:00; split an overnight range into two lines, like `mon 18:00-24:00` and `tue 00:00-08:00`",
                "test.dialplan:4:7: unknown day `fir`; did you mean `fri`?; use mon, tue, wed, thu, fri, sat, sun or daily",
                "test.dialplan:5:13: bad time `25:00`; write HH:MM from 00:00 to 24:00",
                "test.dialplan:6:10: `2026-02-29` is not a date",
            ])
    }

    @Test func missingBraceIsReportedOnce() {
        #expect(
            diagnostics("context internal {\n  match 1 { ring 1001\n") == [
                "test.dialplan:3:1: missing `}` to close the `{` at 2:11"
            ])
    }

    @Test func menuErrors() {
        let text = """
            context internal {
              match 1 { menu welcome { wait 5s } }
              match 2 { menu welcome { 1: ring 1001; 1: ring 1002; 12: hangup } }
              match 3 { menu welcome { 1: play a; ring 1002 } }
            }
            """
        #expect(
            diagnostics(text) == [
                "test.dialplan:2:13: menu `welcome` has no options; add one like `1: ring 1002`",
                "test.dialplan:3:42: option `1` is given twice in this menu; the first is at 3:28",
                "test.dialplan:3:56: `12` is not a menu key; use 0-9, `*`, `#`, `timeout` or `invalid`",
                "test.dialplan:4:39: expected `KEY:` before a menu option, found `ring`; write `1: ring ...`, and `{ }` around several actions",
            ])
    }

    @Test func validationErrors() {
        let text = """
            group front { members 1001 1009 }
            context internal {
              match 1XXX { ring ${exten} }
              match 1[0-4]XX { ring 1001 }
              match 1XXX { ring 1001 }
              match 0 { goto recepton }
              match 2 { ring 1010 group front; ring group back }
              match 3 { trunk carier strip 1 }
              match 4 { voicemail ${extn}; set box = 19${exten:2}; voicemail ${box} }
              match 5 { when office { play open } }
            }
            context reception { match ! { play hi } }
            """
        let environment = DialplanEnvironment(extensions: ["1001", "1002"], trunks: ["carrier"])
        #expect(
            diagnostics(text, environment: environment) == [
                "test.dialplan:1:28: group `front`: member 1009 is not an extension",
                "test.dialplan:4:9: unreachable: every number it matches is matched by `1XXX` at test.dialplan:3:9",
                "test.dialplan:5:9: duplicate pattern `1XXX`; the first is at test.dialplan:3:9",
                "test.dialplan:6:18: unknown context `recepton`; did you mean `reception`?",
                "test.dialplan:7:18: `ring 1010`: 1010 is not an extension",
                "test.dialplan:7:47: unknown group `back`",
                "test.dialplan:8:19: unknown trunk `carier`; did you mean `carrier`?",
                "test.dialplan:9:23: unknown variable `${extn}`; did you mean `${exten}`?",
                "test.dialplan:10:18: unknown hours `office`; define it with `hours office { ... }`",
                "test.dialplan:12:9: warning: context `reception` is never entered: no `organisation` line or `goto` names it",
            ])
        #expect(compile(text, environment: environment).plan == nil)
    }

    @Test func duplicateNamesSayWhereTheFirstIs() {
        let first = DialplanSource(
            path: "a.dialplan", text: "hours office { daily 08:00-18:00 }\ncontext internal { match 1 { play a } }")
        let second = DialplanSource(
            path: "b.dialplan", text: "context internal { match 2 { play b } }\nhours office { sat 09:00-12:00 }")
        let compilation = DialplanCompiler.compile([first, second], environment: DialplanEnvironment())
        #expect(
            compilation.diagnostics.map(\.description) == [
                "b.dialplan:1:9: duplicate context `internal`; the first is at a.dialplan:2:9",
                "b.dialplan:2:7: duplicate hours `office`; the first is at a.dialplan:1:7",
            ])
    }

    @Test func warningsDoNotBlockLoading() throws {
        let compilation = compile("context internal { match 1 { play a } }\ncontext spare { }")
        #expect(
            compilation.diagnostics.map(\.description) == [
                "test.dialplan:2:9: warning: context `spare` has no `match` rules; every call to it gets 404"
            ])
        #expect(compilation.plan != nil)
    }

    @Test func organisationsChooseTheEntryContext() throws {
        let plan = try plan(
            """
            organisation Clinic-A.example context clinic-a
            context clinic-a { match ! { play a } }
            context internal { match ! { play b } }
            """)
        #expect(plan.entryContext(forOrganisation: "clinic-a.example") == "clinic-a")
        #expect(plan.entryContext(forOrganisation: "other.example") == "internal")
        #expect(
            diagnostics("organisation x.example context nowhere\ncontext internal { match ! { play b } }") == [
                "test.dialplan:1:32: unknown context `nowhere`"
            ])
    }
}

/// The example in `Dialplans/README.md` prints what the README says.
@Test func readmeExample() {
    let text = """
        context internal {
          match 1XXX { rign ${exten} }
          match 1[0-4]XX { ring 1001 }
        }
        """
    let compilation = DialplanCompiler.compile(
        [DialplanSource(path: "clinic.dialplan", text: text)], environment: DialplanEnvironment())
    #expect(
        compilation.diagnostics.map(\.description) == [
            "clinic.dialplan:2:16: unknown action `rign`; did you mean `ring`?",
            "clinic.dialplan:3:9: unreachable: every number it matches is matched by `1XXX` at clinic.dialplan:2:9",
        ])
}
