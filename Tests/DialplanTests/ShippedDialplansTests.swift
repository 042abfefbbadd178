import Foundation
import Testing

@testable import Dialplan

/// The files in `Dialplans/` compile as documented.
@Suite struct ShippedDialplansTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Dialplans").path

    @Test func defaultPlanCompilesWithoutAnEnvironment() throws {
        let sources = try DialplanCompiler.sources(inFolder: Self.folder)
        #expect(sources.map { ($0.path as NSString).lastPathComponent } == ["default.dialplan"])
        let compilation = DialplanCompiler.compile(sources, environment: DialplanEnvironment())
        #expect(compilation.diagnostics.map(\.description) == [])
        let plan = try #require(compilation.plan)
        #expect(plan.contextNames == ["internal", "extension", "reception", "from-trunk"])
        #expect(
            steps(plan, call("1002"), outcomes: [.noAnswer]) == [
                .ring(extensions: ["1002"], seconds: 30), .voicemail(mailbox: "1002"),
            ])
        #expect(steps(plan, call("12345678")) == [.ring(extensions: ["12345678"], seconds: 30)])
        #expect(steps(plan, call("123456789")) == [.notFound])
        #expect(steps(plan, call("0123")) == [.notFound])
        #expect(steps(plan, call("*97")) == [.voicemailAccess])
        #expect(
            steps(plan, call("0"), outcomes: [.busy]) == [
                .ring(extensions: ["1001"], seconds: 30), .voicemail(mailbox: "1001"),
            ])
        #expect(steps(plan, call("+390612345678", context: "from-trunk")) == [.ring(extensions: ["1001"], seconds: 30)])
    }

    @Test func defaultPlanReferencesNoTrunk() throws {
        let sources = try DialplanCompiler.sources(inFolder: Self.folder)
        let compilation = DialplanCompiler.compile(sources, environment: DialplanEnvironment(trunks: []))
        #expect(compilation.plan != nil)
    }

    @Test func smallClinicExampleCompilesWithItsTrunk() throws {
        let path = Self.folder + "/examples/small-clinic.dialplan"
        let source = DialplanSource(path: path, text: try String(contentsOfFile: path, encoding: .utf8))
        let environment = DialplanEnvironment(
            extensions: ["1001", "1002", "1003", "1004", "1900"], trunks: ["carrier"])
        let compilation = DialplanCompiler.compile([source], environment: environment)
        #expect(compilation.diagnostics.map(\.description) == [])
        let plan = try #require(compilation.plan)

        // Monday 2026-06-01 10:00 in Rome is 08:00 UTC: open, the menu; key 3 rings the doctors in turn.
        let monday = call("+390612345600", context: "reception", now: utc("2026-06-01T08:00"))
        #expect(
            steps(plan, monday, outcomes: [.digit("3"), .noAnswer, .noAnswer]) == [
                .menu(MenuStep(prompt: "welcome", waitSeconds: 5, digits: ["1", "2", "3"])),
                .ring(extensions: ["1002"], seconds: 15), .ring(extensions: ["1004"], seconds: 15),
                .voicemail(mailbox: "1900"),
            ])
        // Christmas Eve is closed every year.
        let christmasEve = call("+390612345600", context: "reception", now: utc("2026-12-24T09:00"))
        #expect(
            steps(plan, christmasEve, outcomes: [.played]) == [
                .play(prompt: "closed"), .voicemail(mailbox: "1900"),
            ])
        // The outside line drops the 9.
        #expect(steps(plan, call("90612345678")) == [.trunk(name: "carrier", number: "0612345678", seconds: 60)])
        // Dr. Rossi's DID while she is with a patient.
        let appointment = FakeCalendar(busy: ["1002": [DateInterval(start: utc("2026-06-01T07:00"), duration: 3600)]])
        let direct = call("+390612345602", context: "from-trunk", now: utc("2026-06-01T07:30"))
        #expect(steps(plan, direct, calendar: appointment) == [.voicemail(mailbox: "1002")])
        let later = call("+390612345602", context: "from-trunk", now: utc("2026-06-01T08:30"))
        #expect(steps(plan, later, calendar: appointment) == [.ring(extensions: ["1002"], seconds: 25)])
    }
}
