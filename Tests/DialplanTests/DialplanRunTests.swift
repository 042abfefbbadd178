import Foundation
import Testing

@testable import Dialplan

@Suite struct DialplanRunTests {
    @Test func ringThenVoicemailWhateverTheFailure() throws {
        let plan = try plan("context internal { match 1XXX { ring ${exten}; voicemail ${exten} } }")
        for failure in [StepOutcome.busy, .noAnswer, .unavailable, .failed(code: 503)] {
            #expect(
                steps(plan, call("1002"), outcomes: [failure, .played]) == [
                    .ring(extensions: ["1002"], seconds: 30), .voicemail(mailbox: "1002"), .end,
                ])
        }
        #expect(steps(plan, call("1002"), outcomes: [.answered]) == [.ring(extensions: ["1002"], seconds: 30), .end])
        #expect(steps(plan, call("999")) == [.notFound])
        #expect(steps(plan, call("1002", context: "nowhere")) == [.notFound])
    }

    @Test func firstMatchInFileOrderWins() throws {
        let plan = try plan("context internal { match 1001 { play a }; match 1XXX { play b }; match 1! { play c } }")
        var run = plan.start(call("1001"), calendar: nil)
        #expect(run.next(after: .start) == .play(prompt: "a"))
        #expect(run.visited == ["internal/1001"])
        #expect(steps(plan, call("1002")) == [.play(prompt: "b")])
        #expect(steps(plan, call("1")) == [.play(prompt: "c")])
    }

    @Test func severalTargetsAndGroupsRingAtOnce() throws {
        let plan = try plan(
            """
            group front { members 1001 1003 }
            context internal { match 1 { ring 1002 group front 1001 for 20s } }
            """)
        #expect(steps(plan, call("1")) == [.ring(extensions: ["1002", "1001", "1003"], seconds: 20)])
    }

    @Test func inOrderGroupRingsEachMemberInTurn() throws {
        let plan = try plan(
            """
            group doctors { members 1002 1003 1004; strategy in-order; each 15s }
            context internal {
              match 1 { ring group doctors for 40s; voicemail 1900 }
              match 2 { ring group doctors; hangup busy }
            }
            """)
        #expect(
            steps(plan, call("1"), outcomes: [.noAnswer, .busy, .unavailable]) == [
                .ring(extensions: ["1002"], seconds: 15), .ring(extensions: ["1003"], seconds: 15),
                .ring(extensions: ["1004"], seconds: 10), .voicemail(mailbox: "1900"),
            ])
        #expect(
            steps(plan, call("2"), outcomes: [.noAnswer, .noAnswer, .noAnswer, .played]) == [
                .ring(extensions: ["1002"], seconds: 15), .ring(extensions: ["1003"], seconds: 15),
                .ring(extensions: ["1004"], seconds: 15), .hangup(code: 486, reason: nil), .end,
            ])
        #expect(steps(plan, call("1"), outcomes: [.noAnswer, .answered]).last == .end)
    }

    static let menuPlan = """
        context internal {
          match 1 {
            menu welcome {
              tries 2; wait 4s
              1: ring 1002
              #: { play bye; hangup 603 "Declined" }
              timeout: voicemail 1900
              invalid: play sorry
            }
            play after-menu
          }
          match 2 { menu short { 1: play one } }
        }
        """

    @Test func menuOptionsRunThenContinueAfterTheMenu() throws {
        let plan = try plan(Self.menuPlan)
        let menu = DialplanStep.menu(MenuStep(prompt: "welcome", waitSeconds: 4, digits: ["1", "#"]))
        #expect(
            steps(plan, call("1"), outcomes: [.digit("1"), .noAnswer]) == [
                menu, .ring(extensions: ["1002"], seconds: 30), .play(prompt: "after-menu"),
            ])
        #expect(
            steps(plan, call("1"), outcomes: [.digit("#"), .played, .played]) == [
                menu, .play(prompt: "bye"), .hangup(code: 603, reason: "Declined"), .end,
            ])
    }

    @Test func menuReplaysUntilTriesAreUsedUp() throws {
        let plan = try plan(Self.menuPlan)
        let menu = DialplanStep.menu(MenuStep(prompt: "welcome", waitSeconds: 4, digits: ["1", "#"]))
        // tries 2: the prompt plays twice, then the branch of the last failure runs.
        #expect(
            steps(plan, call("1"), outcomes: [.menuTimeout, .menuTimeout]) == [menu, menu, .voicemail(mailbox: "1900")])
        #expect(steps(plan, call("1"), outcomes: [.menuTimeout, .digit("7")]) == [menu, menu, .play(prompt: "sorry")])
        #expect(
            steps(plan, call("1"), outcomes: [.digit("9"), .digit("1")]) == [
                menu, menu, .ring(extensions: ["1002"], seconds: 30),
            ])
        // Default tries 3; no branches: carry on after the menu (here: nothing left).
        let short = DialplanStep.menu(MenuStep(prompt: "short", waitSeconds: 5, digits: ["1"]))
        #expect(
            steps(plan, call("2"), outcomes: [.digit("5"), .menuTimeout, .digit("5")]) == [short, short, short, .end])
    }

    @Test func invalidKeyFallsBackToTheTimeoutBranch() throws {
        let plan = try plan("context internal { match 1 { menu m { tries 1; 1: play a; timeout: play t } } }")
        #expect(steps(plan, call("1"), outcomes: [.digit("2")]).last == .play(prompt: "t"))
    }

    @Test func gotoRematchesAndStopsLoops() throws {
        let plan = try plan(
            """
            context internal {
              match 0 { goto reception 1900 }
              match 5 { goto internal }
              match 6 { goto other }
            }
            context reception { match 1900 { voicemail ${exten} } }
            context other { match 6 { goto internal } }
            """)
        var run = plan.start(call("0"), calendar: nil)
        #expect(run.next(after: .start) == .voicemail(mailbox: "1900"))
        #expect(run.visited == ["internal/0", "reception/1900"])
        #expect(steps(plan, call("5"), outcomes: [.played]) == [.hangup(code: 482, reason: "Dialplan Loop"), .end])
        var loop = plan.start(call("6"), calendar: nil)
        #expect(loop.next(after: .start) == .hangup(code: 482, reason: "Dialplan Loop"))
        #expect(loop.visited.count == 21)
    }

    @Test func variables() throws {
        let plan = try plan(
            """
            context internal {
              match 9X. {
                set box = 19${exten:1:2}
                set who = "${caller} (${caller_name}) in ${context}"
                voicemail ${box}
                voicemail ${who}
                goto inbound ${exten:1}
              }
            }
            context inbound { match X. { voicemail ${did}-${exten}-${context}-${box} } }
            """)
        #expect(
            steps(plan, call("90612", caller: "1003"), outcomes: [.played, .played]) == [
                .voicemail(mailbox: "1906"), .voicemail(mailbox: "1003 (Reception) in internal"),
                .voicemail(mailbox: "90612-0612-inbound-1906"),
            ])
    }

    @Test func trunkRewritesTheNumber() throws {
        let plan = try plan(
            """
            context internal {
              match 9X. { trunk carrier strip 1 prefix +39 for 45s; trunk backup strip 1 }
              match 00X. { trunk carrier prefix + strip 2 }
            }
            """, environment: DialplanEnvironment(trunks: ["carrier", "backup"]))
        #expect(
            steps(plan, call("90612345678"), outcomes: [.failed(code: 503)]) == [
                .trunk(name: "carrier", number: "+390612345678", seconds: 45),
                .trunk(name: "backup", number: "0612345678", seconds: 60),
            ])
        #expect(steps(plan, call("0044207")) == [.trunk(name: "carrier", number: "+44207", seconds: 60)])
    }

    @Test func calendarConditions() throws {
        let plan = try plan(
            """
            context from-trunk {
              match X. {
                set doctor = 1002
                when in-appointment ${doctor} { voicemail 1002 }
                otherwise { when not busy 1003 { ring 1002 1003 } otherwise { ring 1002 } }
              }
            }
            """)
        let nine = utc("2026-06-01T09:00")
        let calendar = FakeCalendar(busy: [
            "1002": [DateInterval(start: nine, duration: 1800)],
            "1003": [DateInterval(start: nine.addingTimeInterval(1800), duration: 1800)],
        ])
        let inbound = { (now: Date) in call("0612", context: "from-trunk", now: now) }
        #expect(steps(plan, inbound(nine), calendar: calendar) == [.voicemail(mailbox: "1002")])
        #expect(
            steps(plan, inbound(nine.addingTimeInterval(1800)), calendar: calendar) == [
                .ring(extensions: ["1002"], seconds: 30)
            ])
        #expect(
            steps(plan, inbound(nine.addingTimeInterval(3600)), calendar: calendar) == [
                .ring(extensions: ["1002", "1003"], seconds: 30)
            ])
        // No calendar: nobody is busy.
        #expect(steps(plan, inbound(nine)) == [.ring(extensions: ["1002", "1003"], seconds: 30)])
    }

    @Test func aPatientCallingNearTheirVisitReachesTheProvider() throws {
        let routes = try plan(
            """
            context from-trunk {
              match X. {
                when visit-within 15 { ring ${visit_provider} for 20s }
                ring 1001
              }
            }
            """)
        let visit = utc("2026-06-01T10:00")
        let calendar = FakeCalendar(busy: [:], visits: ["+393471234567": (visit, "1002")])
        let from = { (caller: String, now: Date) in DialplanCall(context: "from-trunk", dialed: "0612", caller: caller, now: now) }
        #expect(steps(routes, from("+393471234567", visit.addingTimeInterval(-600)), calendar: calendar) == [.ring(extensions: ["1002"], seconds: 20)])
        #expect(steps(routes, from("+393471234567", visit.addingTimeInterval(-3600)), calendar: calendar) == [.ring(extensions: ["1001"], seconds: 30)])
        #expect(steps(routes, from("+15550000000", visit), calendar: calendar) == [.ring(extensions: ["1001"], seconds: 30)])
        #expect(diagnostics("context internal { match X { when visit-within soon { ring 1 } } }").contains(
            "test.dialplan:1:48: `visit-within` needs minutes from 1 to 1440, not `soon`"))
    }
}
