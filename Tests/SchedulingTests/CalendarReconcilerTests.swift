import Testing

@testable import Scheduling

/// Every branch of `CalendarReconciler.decide`, plus pairing and resource naming.
@Suite struct CalendarReconcilerTests {
    typealias Local = CalendarReconciler.LocalEntry
    typealias Remote = CalendarReconciler.RemoteEntry

    func decisions(_ local: [Local], _ remote: [Remote]) -> [CalendarReconciler.Decision] {
        CalendarReconciler.decisions(local: local, remote: remote)
    }

    @Test func newLocalEventIsCreatedRemotely() {
        #expect(
            decisions([Local(uid: "a/1", changedSinceSync: true)], []) == [.pushCreate(uid: "a/1", href: "a_2F1.ics")])
        #expect(decisions([Local(uid: "b", href: "/c/b.ics")], []) == [.pushCreate(uid: "b", href: "/c/b.ics")])
    }

    @Test func localChangeWithUnchangedRemoteIsPushedWithIfMatch() {
        let local = Local(uid: "u", href: "/c/u.ics", lastSyncedETag: "\"1\"", changedSinceSync: true)
        #expect(
            decisions([local], [Remote(href: "/c/u.ics", etag: "\"1\"")]) == [
                .pushUpdate(uid: "u", href: "/c/u.ics", ifMatch: "\"1\"")
            ])
    }

    @Test func remoteChangeWithUnchangedLocalIsPulled() {
        let local = Local(uid: "u", href: "/c/u.ics", lastSyncedETag: "\"1\"")
        #expect(
            decisions([local], [Remote(href: "/c/u.ics", etag: "\"2\"")]) == [
                .pullUpdate(uid: "u", href: "/c/u.ics", etag: "\"2\"")
            ])
    }

    @Test func unchangedOnBothSidesDoesNothing() {
        let local = Local(uid: "u", href: "/c/u.ics", lastSyncedETag: "\"1\"")
        #expect(decisions([local], [Remote(href: "/c/u.ics", etag: "\"1\"")]) == [])
    }

    @Test func changedOnBothSidesIsAConflict() {
        let local = Local(uid: "u", href: "/c/u.ics", lastSyncedETag: "\"1\"", changedSinceSync: true)
        #expect(
            decisions([local], [Remote(href: "/c/u.ics", etag: "\"2\"")]) == [
                .conflict(uid: "u", reason: .changedOnBothSides)
            ])
    }

    @Test func remoteDeletionOfAnUnchangedEventDeletesLocally() {
        let local = Local(uid: "u", href: "/c/u.ics", lastSyncedETag: "\"1\"")
        #expect(decisions([local], []) == [.deleteLocal(uid: "u")])
    }

    @Test func remoteDeletionOfALocallyChangedEventIsAConflict() {
        let local = Local(uid: "u", href: "/c/u.ics", lastSyncedETag: "\"1\"", changedSinceSync: true)
        #expect(decisions([local], []) == [.conflict(uid: "u", reason: .changedLocallyDeletedRemotely)])
    }

    @Test func localDeletionOfAnUnchangedRemoteDeletesRemotelyWithIfMatch() {
        let local = Local(uid: "u", href: "/c/u.ics", lastSyncedETag: "\"1\"", deletedLocally: true)
        #expect(
            decisions([local], [Remote(href: "/c/u.ics", etag: "\"1\"")]) == [
                .deleteRemote(uid: "u", href: "/c/u.ics", ifMatch: "\"1\"")
            ])
    }

    @Test func localDeletionOfARemotelyChangedEventIsAConflict() {
        let local = Local(uid: "u", href: "/c/u.ics", lastSyncedETag: "\"1\"", deletedLocally: true)
        #expect(
            decisions([local], [Remote(href: "/c/u.ics", etag: "\"2\"")]) == [
                .conflict(uid: "u", reason: .deletedLocallyChangedRemotely)
            ])
    }

    @Test func deletedOnBothSidesOrNeverPushedForgetsTheTombstone() {
        #expect(
            decisions([Local(uid: "u", href: "/c/u.ics", lastSyncedETag: "\"1\"", deletedLocally: true)], []) == [
                .forgetLocal(uid: "u")
            ])
        #expect(decisions([Local(uid: "v", deletedLocally: true)], []) == [.forgetLocal(uid: "v")])
    }

    @Test func presentOnBothSidesWithoutASyncRecordIsAConflict() {
        let local = Local(uid: "u", changedSinceSync: true)
        #expect(
            decisions([local], [Remote(href: "/c/other.ics", etag: "\"9\"", uid: "u")]) == [
                .conflict(uid: "u", reason: .unsyncedOnBothSides)
            ])
    }

    @Test func unknownRemoteResourcesArePulledAfterLocalDecisions() {
        let local = Local(uid: "u", changedSinceSync: true)
        let result = decisions(
            [local], [Remote(href: "/c/n1.ics", etag: "\"a\""), Remote(href: "/c/n2.ics", etag: "\"b\"", uid: "n2")])
        #expect(
            result == [
                .pushCreate(uid: "u", href: "u.ics"), .pullNew(href: "/c/n1.ics", etag: "\"a\""),
                .pullNew(href: "/c/n2.ics", etag: "\"b\""),
            ])
    }

    @Test func pairsByUIDWhenTheLocalEntryHasAnotherHref() {
        // e.g. the server renamed the resource: the UID still identifies it.
        let local = Local(uid: "u", href: "/c/old.ics", lastSyncedETag: "\"1\"", changedSinceSync: true)
        #expect(
            decisions([local], [Remote(href: "/c/new.ics", etag: "\"1\"", uid: "u")]) == [
                .pushUpdate(uid: "u", href: "/c/new.ics", ifMatch: "\"1\"")
            ])
    }

    @Test func conflictsNeverProduceAWrite() {
        let locals = [
            Local(uid: "both", href: "/c/both.ics", lastSyncedETag: "1", changedSinceSync: true),
            Local(uid: "gone", href: "/c/gone.ics", lastSyncedETag: "1", changedSinceSync: true),
            Local(uid: "edited", href: "/c/edited.ics", lastSyncedETag: "1", deletedLocally: true),
        ]
        let remote = [Remote(href: "/c/both.ics", etag: "2"), Remote(href: "/c/edited.ics", etag: "2")]
        let result = decisions(locals, remote)
        #expect(result.count == 3)
        for decision in result {
            guard case .conflict = decision else {
                Issue.record("expected only conflicts, got \(decision)")
                continue
            }
        }
    }

    @Test func resourceNamesAreSafeAndDistinct() {
        #expect(
            CalDAVResourceName.href(forUID: "appointment-42@clinic.example.org")
                == "appointment-42_40clinic.example.org.ics")
        #expect(CalDAVResourceName.href(forUID: "a/b") == "a_2Fb.ics")
        #expect(CalDAVResourceName.href(forUID: "a_2Fb") == "a_5F2Fb.ics")
        #expect(CalDAVResourceName.href(forUID: "è ") == "_C3_A8_20.ics")
    }
}
