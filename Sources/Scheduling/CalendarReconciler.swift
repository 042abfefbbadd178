import Foundation

/// Decides how to bring the clinic's calendar and a CalDAV collection back in step, from what
/// each side holds now and what was agreed at the last sync. Pure logic: no I/O, no clock.
///
/// The ETag a server gave for a resource (RFC 4918 §8.6, RFC 4791 §5.3.4) changes whenever the
/// resource does, so "remote changed" is "its ETag differs from `lastSyncedETag`". A change on one
/// side only is copied to the other; pushes carry `If-Match` with the last synced ETag so a remote
/// edit made in the meantime turns into a 412 instead of being overwritten. When both sides changed
/// (or one edited what the other deleted) the answer is `.conflict`: neither side is touched
/// and a person decides.
public enum CalendarReconciler {
    /// The clinic's view of one event.
    public struct LocalEntry: Sendable, Equatable {
        /// The event's UID (RFC 5545 §3.8.4.7).
        public var uid: String
        /// Where the event lives in the collection; nil until first pushed.
        public var href: String?
        /// The ETag the server gave at the last successful push or pull; nil if never synced.
        public var lastSyncedETag: String?
        /// Edited here since the last sync.
        public var changedSinceSync: Bool
        /// Deleted here since the last sync (a tombstone kept until the remote copy is gone).
        public var deletedLocally: Bool

        /// Creates an entry.
        public init(
            uid: String, href: String? = nil, lastSyncedETag: String? = nil, changedSinceSync: Bool = false,
            deletedLocally: Bool = false
        ) {
            self.uid = uid
            self.href = href
            self.lastSyncedETag = lastSyncedETag
            self.changedSinceSync = changedSinceSync
            self.deletedLocally = deletedLocally
        }
    }

    /// One resource in the collection now.
    public struct RemoteEntry: Sendable, Equatable {
        public var href: String
        public var etag: String
        /// The UID inside it, when known (after a multiget); used to pair a resource with a local
        /// entry that has no href yet.
        public var uid: String?

        /// Creates an entry.
        public init(href: String, etag: String, uid: String? = nil) {
            self.href = href
            self.etag = etag
            self.uid = uid
        }
    }

    /// Why an event cannot be synced without a person.
    public enum ConflictReason: Sendable, Equatable {
        /// Edited here, and its ETag moved on the server too.
        case changedOnBothSides
        /// Edited here, deleted on the server.
        case changedLocallyDeletedRemotely
        /// Deleted here, edited on the server.
        case deletedLocallyChangedRemotely
        /// On both sides with no sync record (e.g. a crash between PUT and saving its ETag).
        case unsyncedOnBothSides
    }

    /// One step to take.
    public enum Decision: Sendable, Equatable {
        /// PUT with `If-None-Match: *` (a new resource).
        case pushCreate(uid: String, href: String)
        /// PUT with `If-Match: ifMatch`.
        case pushUpdate(uid: String, href: String, ifMatch: String)
        /// Fetch a resource not known here and add it.
        case pullNew(href: String, etag: String)
        /// Fetch a resource that changed on the server and replace the local copy.
        case pullUpdate(uid: String, href: String, etag: String)
        /// The server deleted it and it was not changed here: delete here.
        case deleteLocal(uid: String)
        /// DELETE with `If-Match: ifMatch`.
        case deleteRemote(uid: String, href: String, ifMatch: String)
        /// Deleted here and absent there (or never pushed): drop the tombstone.
        case forgetLocal(uid: String)
        /// Leave both sides alone and ask a person.
        case conflict(uid: String, reason: ConflictReason)
    }

    /// The decisions for `local` against the complete current listing `remote`, local entries first
    /// in their order, then new remote resources in theirs. Up-to-date entries produce nothing.
    /// A remote resource pairs with a local entry by href, or else by UID.
    /// - Parameter hrefForNewUID: the resource name for an event never pushed.
    public static func decisions(
        local: [LocalEntry], remote: [RemoteEntry],
        hrefForNewUID: (String) -> String = CalDAVResourceName.href(forUID:)
    ) -> [Decision] {
        var remoteByHref: [String: RemoteEntry] = [:]
        var remoteByUID: [String: RemoteEntry] = [:]
        for entry in remote {
            remoteByHref[entry.href] = entry
            if let uid = entry.uid { remoteByUID[uid] = entry }
        }
        var paired: Set<String> = []
        var decisions: [Decision] = []
        for entry in local {
            let match = entry.href.flatMap { remoteByHref[$0] } ?? remoteByUID[entry.uid]
            if let match { paired.insert(match.href) }
            if let decision = decide(entry, match, hrefForNewUID: hrefForNewUID) { decisions.append(decision) }
        }
        for entry in remote where !paired.contains(entry.href) {
            decisions.append(.pullNew(href: entry.href, etag: entry.etag))
        }
        return decisions
    }

    static func decide(_ local: LocalEntry, _ remote: RemoteEntry?, hrefForNewUID: (String) -> String) -> Decision? {
        let uid = local.uid
        guard let remote else {
            if local.deletedLocally { return .forgetLocal(uid: uid) }
            guard local.lastSyncedETag != nil else {
                return .pushCreate(uid: uid, href: local.href ?? hrefForNewUID(uid))
            }
            return local.changedSinceSync
                ? .conflict(uid: uid, reason: .changedLocallyDeletedRemotely) : .deleteLocal(uid: uid)
        }
        guard let synced = local.lastSyncedETag else {
            return .conflict(uid: uid, reason: .unsyncedOnBothSides)
        }
        let remoteChanged = remote.etag != synced
        if local.deletedLocally {
            return remoteChanged
                ? .conflict(uid: uid, reason: .deletedLocallyChangedRemotely)
                : .deleteRemote(uid: uid, href: remote.href, ifMatch: synced)
        }
        switch (local.changedSinceSync, remoteChanged) {
        case (true, true): return .conflict(uid: uid, reason: .changedOnBothSides)
        case (true, false): return .pushUpdate(uid: uid, href: remote.href, ifMatch: synced)
        case (false, true): return .pullUpdate(uid: uid, href: remote.href, etag: remote.etag)
        case (false, false): return nil
        }
    }
}
