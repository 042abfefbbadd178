import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A client for one CalDAV calendar collection (RFC 4791) with HTTP Basic credentials.
///
/// Sync works in either of two ways: with `syncCollection(token:)` (RFC 6578) where the server
/// supports it, or by comparing `listETags()` (PROPFIND Depth 1, RFC 4918 §9.1) with what was seen
/// last time; changed resources are then read in bulk with `fetch(hrefs:)` (calendar-multiget,
/// RFC 4791 §7.9). Writes are conditional: `create` sends `If-None-Match: *` and `put` sends
/// `If-Match`, so a concurrent edit surfaces as `CalDAVError.preconditionFailed` (412) instead of
/// being overwritten (RFC 4791 §5.3.2, RFC 9110 §13.1).
///
/// Hrefs are what the server reports: absolute paths like `/alice/clinic/x.ics`. A bare name such
/// as `x.ics` is resolved against `collection`.
public struct CalDAVClient: Sendable {
    /// HTTP Basic credentials (RFC 7617); send them over TLS only, except on loopback.
    public struct Credentials: Sendable, Equatable {
        public var username: String
        public var password: String
        /// Creates credentials.
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    /// ETag of one resource.
    public struct ResourceETag: Sendable, Equatable {
        public var href: String
        public var etag: String
        /// Creates a value.
        public init(href: String, etag: String) {
            self.href = href
            self.etag = etag
        }
    }

    /// A calendar object resource with its body.
    public struct Resource: Sendable, Equatable {
        public var href: String
        public var etag: String
        /// The iCalendar text (RFC 5545); parse it with `ICalendarParser`.
        public var calendarData: String
        /// Creates a value.
        public init(href: String, etag: String, calendarData: String) {
            self.href = href
            self.etag = etag
            self.calendarData = calendarData
        }
    }

    /// Collection-level change markers.
    public struct CollectionState: Sendable, Equatable {
        /// `CS:getctag` (calendarserver.org extension): changes whenever any member changes.
        public var ctag: String?
        /// `DAV:sync-token` (RFC 6578 §4); nil when the server does not support sync-collection.
        public var syncToken: String?
    }

    /// What changed since a sync token (RFC 6578 §3.5).
    public struct Changes: Sendable, Equatable {
        /// Members created or modified, with their new ETags.
        public var changed: [ResourceETag]
        /// Members removed.
        public var deleted: [String]
        /// The token to send next time.
        public var token: String
        /// RFC 6578 §3.6: the server sent only part of the changes (507 on the collection);
        /// ask again with `token` for the rest.
        public var truncated: Bool
    }

    /// The answer to a sync-collection report.
    public enum SyncOutcome: Sendable, Equatable {
        case changes(Changes)
        /// The token is no longer valid (RFC 6578 §3.2: 403 or 409 with DAV:valid-sync-token):
        /// resynchronise in full with `listETags()` and then `syncCollection(token: nil)`.
        case tokenInvalid
    }

    /// Whether `makeCalendar` made the collection or found it there.
    public enum MakeCalendarOutcome: Sendable, Equatable {
        case created
        case alreadyExisted
    }

    /// The calendar collection URL; ends with `/`.
    public var collection: URL
    public var credentials: Credentials?
    public var session: URLSession

    /// Creates a client for `collection` (a `/` is appended when missing).
    public init(collection: URL, credentials: Credentials?, session: URLSession = .shared) {
        self.collection = collection.absoluteString.hasSuffix("/") ? collection : collection.appendingPathComponent("")
        self.credentials = credentials
        self.session = session
    }

    // MARK: Collection

    /// MKCALENDAR (RFC 4791 §5.3.1). A collection that already exists is not an error: servers
    /// answer 405 (RFC 4791 §5.3.1.2) or, like Radicale, 409 with DAV:resource-must-be-null.
    public func makeCalendar(displayName: String? = nil) async throws(CalDAVError) -> MakeCalendarOutcome {
        var body: String? = nil
        if let displayName {
            body = """
                <?xml version="1.0" encoding="utf-8"?>
                <C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>\
                <D:displayname>\(Self.xmlEscape(displayName))</D:displayname></D:prop></D:set></C:mkcalendar>
                """
        }
        let (status, data) = try await send("MKCALENDAR", collection, body: body)
        switch status {
        case 201: return .created
        case 405: return .alreadyExisted
        case 409 where String(decoding: data, as: UTF8.self).contains("resource-must-be-null"): return .alreadyExisted
        default: throw .http(status: status, body: String(decoding: data, as: UTF8.self))
        }
    }

    /// PROPFIND Depth 0 for `CS:getctag` and `DAV:sync-token` (RFC 6578 §4).
    public func collectionState() async throws(CalDAVError) -> CollectionState {
        let body = """
            <?xml version="1.0" encoding="utf-8"?>
            <D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><CS:getctag/><D:sync-token/>\
            </D:prop></D:propfind>
            """
        let status = try await multistatus("PROPFIND", collection, depth: "0", body: body)
        let properties = status.responses.first?.properties ?? [:]
        return CollectionState(ctag: properties[.getctag], syncToken: properties[.syncToken])
    }

    /// REPORT sync-collection (RFC 6578 §3.2) at sync-level 1; `nil` token for the initial sync,
    /// which lists every member.
    public func syncCollection(token: String?) async throws(CalDAVError) -> SyncOutcome {
        let body = """
            <?xml version="1.0" encoding="utf-8"?>
            <D:sync-collection xmlns:D="DAV:"><D:sync-token>\(Self.xmlEscape(token ?? ""))</D:sync-token>\
            <D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>
            """
        let (status, data) = try await send("REPORT", collection, body: body, depth: nil)
        if status == 403 || status == 409, String(decoding: data, as: UTF8.self).contains("valid-sync-token") {
            return .tokenInvalid
        }
        guard status == 207 else { throw .http(status: status, body: String(decoding: data, as: UTF8.self)) }
        let multistatus = try DAVMultistatus.parse(data)
        guard let newToken = multistatus.syncToken else {
            throw .malformedResponse("sync-collection without sync-token")
        }
        var changes = Changes(changed: [], deleted: [], token: newToken, truncated: false)
        for response in multistatus.responses {
            if isCollection(response.href) {
                if response.status == 507 { changes.truncated = true }
            } else if response.status == 404 {
                changes.deleted.append(response.href)
            } else if let etag = response.properties[.getetag] {
                changes.changed.append(ResourceETag(href: response.href, etag: etag))
            }
        }
        return .changes(changes)
    }

    /// PROPFIND Depth 1 for `DAV:getetag` of every member (RFC 4918 §9.1), for servers without
    /// sync-collection and for a full resync. The collection itself is left out.
    public func listETags() async throws(CalDAVError) -> [ResourceETag] {
        let body = """
            <?xml version="1.0" encoding="utf-8"?>
            <D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:resourcetype/></D:prop></D:propfind>
            """
        let status = try await multistatus("PROPFIND", collection, depth: "1", body: body)
        return status.responses.compactMap { response in
            guard !isCollection(response.href), !(response.properties[.resourcetype] ?? "").contains("collection"),
                let etag = response.properties[.getetag]
            else { return nil }
            return ResourceETag(href: response.href, etag: etag)
        }
    }

    // MARK: Resources

    /// REPORT calendar-multiget (RFC 4791 §7.9) for `hrefs`; members the server reports as
    /// missing (404) are left out.
    public func fetch(hrefs: [String]) async throws(CalDAVError) -> [Resource] {
        guard !hrefs.isEmpty else { return [] }
        let list = hrefs.map { "<D:href>\(Self.xmlEscape(path(of: $0)))</D:href>" }.joined()
        let body = """
            <?xml version="1.0" encoding="utf-8"?>
            <C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/>\
            <C:calendar-data/></D:prop>\(list)</C:calendar-multiget>
            """
        let status = try await multistatus("REPORT", collection, depth: "1", body: body)
        return status.responses.compactMap { response in
            guard let etag = response.properties[.getetag], let data = response.properties[.calendarData] else {
                return nil
            }
            return Resource(href: response.href, etag: etag, calendarData: data)
        }
    }

    /// GET one resource (RFC 4791 §5.3.4 requires the ETag on the response).
    public func get(href: String) async throws(CalDAVError) -> Resource {
        let (status, data, response) = try await exchange("GET", url(href), body: nil, headers: [:])
        guard status == 200 else { throw .http(status: status, body: String(decoding: data, as: UTF8.self)) }
        let etag: String
        if let header = response.value(forHTTPHeaderField: "ETag") {
            etag = header
        } else {
            etag = try await self.etag(href: href)
        }
        return Resource(href: path(of: href), etag: etag, calendarData: String(decoding: data, as: UTF8.self))
    }

    /// PUT a new resource with `If-None-Match: *` (RFC 4791 §5.3.2); 412 means the name is taken.
    /// Returns the new ETag.
    @discardableResult
    public func create(href: String, ics: String) async throws(CalDAVError) -> String {
        try await put(href: href, ics: ics, condition: ("If-None-Match", "*"))
    }

    /// PUT over an existing resource with `If-Match: ifMatch`; 412 means someone else changed it.
    /// Returns the new ETag. (Radicale answers 201 to an update, others 204: both are success.)
    @discardableResult
    public func put(href: String, ics: String, ifMatch: String) async throws(CalDAVError) -> String {
        try await put(href: href, ics: ics, condition: ("If-Match", ifMatch))
    }

    /// DELETE (RFC 4918 §9.6), conditional on `ifMatch` when given.
    public func delete(href: String, ifMatch: String?) async throws(CalDAVError) {
        let headers = ifMatch.map { ["If-Match": $0] } ?? [:]
        let (status, data, _) = try await exchange("DELETE", url(href), body: nil, headers: headers)
        switch status {
        case 200, 204: return
        case 412: throw .preconditionFailed(href: path(of: href))
        default: throw .http(status: status, body: String(decoding: data, as: UTF8.self))
        }
    }

    private func put(href: String, ics: String, condition: (String, String)) async throws(CalDAVError) -> String {
        let headers = ["Content-Type": "text/calendar; charset=utf-8", condition.0: condition.1]
        let (status, data, response) = try await exchange("PUT", url(href), body: ics, headers: headers)
        switch status {
        case 200, 201, 204:
            // RFC 4791 §5.3.4: no ETag header means the server changed the data as it stored it.
            if let etag = response.value(forHTTPHeaderField: "ETag") { return etag }
            return try await self.etag(href: href)
        case 412: throw .preconditionFailed(href: path(of: href))
        default: throw .http(status: status, body: String(decoding: data, as: UTF8.self))
        }
    }

    /// PROPFIND Depth 0 for one resource's `DAV:getetag`.
    func etag(href: String) async throws(CalDAVError) -> String {
        let body = """
            <?xml version="1.0" encoding="utf-8"?>
            <D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>
            """
        let status = try await multistatus("PROPFIND", url(href), depth: "0", body: body)
        guard let etag = status.responses.first?.properties[.getetag] else {
            throw .malformedResponse("no getetag for \(href)")
        }
        return etag
    }

    // MARK: HTTP

    /// The absolute URL of `href` (a path or a bare name).
    public func url(_ href: String) -> URL { URL(string: href, relativeTo: collection)?.absoluteURL ?? collection }

    /// The path of `href` as the server writes hrefs.
    func path(of href: String) -> String { href.hasPrefix("/") ? href : url(href).path }

    private func isCollection(_ href: String) -> Bool {
        let own = collection.path
        return href == own || href + "/" == own || href == own + "/"
    }

    private func multistatus(_ method: String, _ url: URL, depth: String, body: String) async throws(CalDAVError)
        -> DAVMultistatus
    {
        let (status, data) = try await send(method, url, body: body, depth: depth)
        guard status == 207 else { throw .http(status: status, body: String(decoding: data, as: UTF8.self)) }
        return try DAVMultistatus.parse(data)
    }

    private func send(_ method: String, _ url: URL, body: String?, depth: String? = nil) async throws(CalDAVError)
        -> (Int, Data)
    {
        var headers = body == nil ? [:] : ["Content-Type": "application/xml; charset=utf-8"]
        if let depth { headers["Depth"] = depth }
        let (status, data, _) = try await exchange(method, url, body: body, headers: headers)
        return (status, data)
    }

    private func exchange(_ method: String, _ url: URL, body: String?, headers: [String: String])
        async throws(CalDAVError) -> (Int, Data, HTTPURLResponse)
    {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let credentials {
            let token = Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString()
            request.setValue("Basic \(token)", forHTTPHeaderField: "Authorization")
        }
        do {
            let (data, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else { throw CalDAVError.transport("not an HTTP response") }
            return (http.statusCode, data, http)
        } catch let error as CalDAVError {
            throw error
        } catch {
            throw .transport("\(method) \(url.absoluteString): \(error.localizedDescription)")
        }
    }

    static func xmlEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
