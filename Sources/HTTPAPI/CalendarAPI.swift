import Directory
import Foundation
import Hummingbird
import Messaging
import Scheduling

/// The calendar, patients, reminders and SMS over HTTP (README §HTTP API, calendar). Users are
/// authenticated by bearer token like visual voicemail; booking follows ``SchedulingPolicy``.
public struct CalendarAPI: Sendable {
    public let tokens: any TokenStore
    public let directory: any DirectoryStore
    public let calendar: any SchedulingStore
    public let scheduling: SchedulingService
    public let outbox: any OutboxStore
    public let inbox: any InboxStore
    public let replies: ReplyHandler
    /// Secret the SMS gateway's callbacks carry (`?secret=`).
    public let callbackSecret: String
    /// Leave patients' names in calendar feeds (off: names are health information).
    public let patientNamesInFeeds: Bool
    /// Imports an `.ics` into a provider's calendar; returns (created, updated).
    public let importICS: @Sendable (_ text: String, _ provider: Provider, _ user: ActingUser) async throws -> (Int, Int)
    /// CalDAV sync state, for the conflicts list.
    public let caldav: any CalDAVSyncStore
    /// Called after a delivery report or inbound text, e.g. to log.
    public let log: @Sendable (String) -> Void

    public init(
        tokens: any TokenStore, directory: any DirectoryStore, calendar: any SchedulingStore, scheduling: SchedulingService,
        outbox: any OutboxStore, inbox: any InboxStore, replies: ReplyHandler, callbackSecret: String, patientNamesInFeeds: Bool,
        importICS: @escaping @Sendable (String, Provider, ActingUser) async throws -> (Int, Int), caldav: any CalDAVSyncStore,
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.tokens = tokens
        self.directory = directory
        self.calendar = calendar
        self.scheduling = scheduling
        self.outbox = outbox
        self.inbox = inbox
        self.replies = replies
        self.callbackSecret = callbackSecret
        self.patientNamesInFeeds = patientNamesInFeeds
        self.importICS = importICS
        self.caldav = caldav
        self.log = log
    }

    /// Whether a callback carries the secret (compared in constant time; an empty secret never matches).
    func isCallbackSecret(_ given: String?) -> Bool {
        guard let given, !callbackSecret.isEmpty else { return false }
        let a = Array(given.utf8)
        let b = Array(callbackSecret.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<b.count { difference |= b[i] ^ (i < a.count ? a[i] : 0) }
        return difference == 0
    }

    /// The bearer token's user as the calendar sees them, or a 401.
    func actingUser(_ request: Request) -> Outcome<(User, ActingUser)> {
        switch authenticate(request, tokens: tokens) {
        case .failure(let response): return .failure(response)
        case .success(let user):
            return .success((user, ActingUser(id: user.id, organisationID: user.organisationID, roleName: user.role.rawValue)))
        }
    }
}

/// A JSON request body, read field by field; every problem names its field.
struct JSONFields {
    let object: [String: Any]

    init(_ request: Request, limit: Int = 1 << 20) async throws(HTTPFieldError) {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch {
            throw HTTPFieldError(field: "body", message: "the body is too large or unreadable")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] else {
            throw HTTPFieldError(field: "body", message: "send a JSON object (Content-Type: application/json)")
        }
        self.object = object
    }

    func string(_ key: String, required: Bool = false) throws(HTTPFieldError) -> String? {
        guard let value = object[key], !(value is NSNull) else {
            if required { throw HTTPFieldError(field: key, message: "is required") }
            return nil
        }
        guard let text = value as? String else { throw HTTPFieldError(field: key, message: "must be a string") }
        return text
    }

    func int(_ key: String, required: Bool = false) throws(HTTPFieldError) -> Int64? {
        guard let value = object[key], !(value is NSNull) else {
            if required { throw HTTPFieldError(field: key, message: "is required") }
            return nil
        }
        // On Linux `is Bool` holds for the numbers 0 and 1: a JSON boolean has type code "c".
        if let n = value as? NSNumber, String(cString: n.objCType) != "c", n.doubleValue == n.doubleValue.rounded(), abs(n.doubleValue) < 9e15 {
            return n.int64Value
        }
        if let text = value as? String, let n = Int64(text) { return n }
        throw HTTPFieldError(field: key, message: "must be a whole number")
    }

    func bool(_ key: String) throws(HTTPFieldError) -> Bool? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let n = value as? NSNumber, String(cString: n.objCType) == "c" else {
            throw HTTPFieldError(field: key, message: "must be true or false")
        }
        return n.boolValue
    }

    func strings(_ key: String) throws(HTTPFieldError) -> [String]? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let list = value as? [String] else { throw HTTPFieldError(field: key, message: "must be a list of strings") }
        return list
    }

    /// An instant: ISO 8601 with `Z` or an offset, or a wall-clock `2027-03-29T09:00` in `zone`.
    func instant(_ key: String, zone: TimeZone?, required: Bool = false) throws(HTTPFieldError) -> Date? {
        guard let text = try string(key, required: required) else { return nil }
        guard let date = TimeText.parse(text, zone: zone) else { throw HTTPFieldError(field: key, message: TimeText.problem(text, zone: zone)) }
        return date
    }
}

/// A 4xx naming the field.
struct HTTPFieldError: Error {
    var status: HTTPResponse.Status = .badRequest
    let field: String
    let message: String

    init(status: HTTPResponse.Status = .badRequest, field: String, message: String) {
        self.status = status
        self.field = field
        self.message = message
    }

    var response: Response { fieldError(status, field: field, message: message) }
}

enum DateText {
    static func parse(_ text: String, zone: TimeZone?) -> Date? { TimeText.parse(text, zone: zone) }

    static func string(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    static func local(_ date: Date, zone: String) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: zone) ?? .gmt
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}

/// The HTTP answer for a refused calendar change.
func schedulingResponse(_ error: SchedulingError) -> Response {
    switch error {
    case .invalid(let errors):
        let first = errors.first
        let body: [String: Any] = [
            "error": first?.message ?? "invalid", "field": first?.field ?? "body",
            "errors": errors.map { ["field": $0.field, "error": $0.message] },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    case .refused(let refusal): return fieldError(.forbidden, field: "provider_id", message: refusal.description)
    case .notFound(let field, let message): return fieldError(.notFound, field: field, message: message)
    case .conflict(let field, let message): return fieldError(.conflict, field: field, message: message)
    case .meeting(let why): return fieldError(.badGateway, field: "meeting", message: "the meeting service failed: \(why)")
    case .storage(let why): return fieldError(.internalServerError, field: "storage", message: why)
    }
}

func jsonObject(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
