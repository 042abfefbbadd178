import Foundation

/// What the clinic and a CalDAV collection last agreed about one event.
public struct CalDAVItem: Sendable, Equatable {
    public var uid: String
    public var providerID: Int64
    public var href: String
    public var etag: String?
    /// The appointment version at that moment; a higher one means it was changed here since.
    public var syncedVersion: Int

    public init(uid: String, providerID: Int64, href: String, etag: String?, syncedVersion: Int) {
        self.uid = uid
        self.providerID = providerID
        self.href = href
        self.etag = etag
        self.syncedVersion = syncedVersion
    }
}

/// An event changed on both sides (or changed on one and deleted on the other): left alone on
/// both, for a person to settle.
public struct CalDAVConflict: Sendable, Equatable {
    public var id: Int64
    public var providerID: Int64
    public var uid: String
    public var href: String
    public var reason: String
    public var detectedAt: Date
    public var resolvedAt: Date?
    public var resolution: String?

    public init(id: Int64 = 0, providerID: Int64, uid: String, href: String, reason: String, detectedAt: Date, resolvedAt: Date? = nil) {
        self.id = id
        self.providerID = providerID
        self.uid = uid
        self.href = href
        self.reason = reason
        self.detectedAt = detectedAt
        self.resolvedAt = resolvedAt
    }
}

/// The sync state. `Storage.SQLiteCalDAVStore` implements it.
public protocol CalDAVSyncStore: Sendable {
    func items(providerID: Int64) throws -> [CalDAVItem]
    func saveItem(_ item: CalDAVItem) throws
    func removeItem(uid: String, providerID: Int64) throws
    /// Forgets every item of the provider (their collection changed).
    func removeItems(providerID: Int64) throws
    /// Records a conflict unless one is already open for the UID; true when new.
    @discardableResult
    func recordConflict(_ conflict: CalDAVConflict) throws -> Bool
    func conflicts(organisationID: Int64, includeResolved: Bool) throws -> [CalDAVConflict]
    /// Marks the conflict settled: `keep` is `carephone` (the next sync pushes ours over theirs)
    /// or `caldav` (it takes theirs). Nil when there is no open conflict with that id in the organisation.
    func resolveConflict(id: Int64, organisationID: Int64, keep: String, at: Date) throws -> CalDAVConflict?
    /// Settled conflicts whose resolution the next sync of the provider must apply: UID → keep.
    func pendingResolutions(providerID: Int64) throws -> [String: String]
    func resolutionApplied(uid: String, providerID: Int64) throws
    func collectionURL(providerID: Int64) throws -> String?
    func setCollection(providerID: Int64, url: String, syncedAt: Date?) throws
    /// The collection's sync-token or ctag at the last complete sync.
    func collectionTag(providerID: Int64) throws -> String?
    func setCollectionTag(_ tag: String?, providerID: Int64) throws
}
