import Directory
import Foundation
import Hummingbird
import Media
import Voicemail

/// Visual voicemail over HTTP (README §HTTP API): a user, authenticated by a bearer token
/// (`carephone tokens create`), lists the messages of the mailboxes they may open, plays a
/// message's audio (with byte ranges, so an app can seek), marks it heard, deletes and undeletes
/// it. Messages of other mailboxes answer 404, as if they did not exist. Every playback and
/// deletion is written to the audit log.
public struct VoicemailAPI: Sendable {
    public let tokens: any TokenStore
    public let mailboxes: any MailboxStore
    /// Message audio (decrypted on the way out).
    public let audio: any MessageAudioStore
    /// Where greetings live (`<data>/voicemail`).
    public let audioFolder: String
    /// Called after a message of `mailbox` changed (heard, deleted, undeleted): message waiting.
    public let onChange: @Sendable (Mailbox) -> Void

    public init(
        tokens: any TokenStore, mailboxes: any MailboxStore, audio: any MessageAudioStore, audioFolder: String,
        onChange: @escaping @Sendable (Mailbox) -> Void = { _ in }
    ) {
        self.tokens = tokens
        self.mailboxes = mailboxes
        self.audio = audio
        self.audioFolder = audioFolder
        self.onChange = onChange
    }

    /// The mailbox holding `message`, for `onChange`.
    func changed(_ message: VoicemailMessage, of user: User) {
        if let mailbox = (try? mailboxes.mailboxes(ofUser: user.id))?.first(where: { $0.id == message.mailboxID }) {
            onChange(mailbox)
        }
    }
}

struct MessageView: ResponseEncodable, Sendable {
    let id: String
    let mailbox: String
    let caller: String
    let caller_name: String
    let received_at: String
    let duration_seconds: Double
    let heard: Bool
    let deleted: Bool
}

struct MessageList: ResponseEncodable, Sendable {
    let messages: [MessageView]
}

func addVoicemailRoutes(to router: Router<APIRequestContext>, api: VoicemailAPI) {
    addGreetingRoutes(to: router, api: api)
    let group = router.group("api/voicemail")
    group.get("messages") { request, context -> Response in
        let user: User
        switch authenticate(request, api) {
        case .failure(let response): return response
        case .success(let u): user = u
        }
        let withDeleted = request.uri.queryParameters.get("deleted") == "true"
        let formatter = ISO8601DateFormatter()
        var views: [MessageView] = []
        for mailbox in try api.mailboxes.mailboxes(ofUser: user.id) {
            for m in try api.mailboxes.messages(mailboxID: mailbox.id, includingDeleted: withDeleted) {
                views.append(
                    MessageView(
                        id: m.id, mailbox: mailbox.number, caller: m.callerNumber, caller_name: m.callerName,
                        received_at: formatter.string(from: m.receivedAt), duration_seconds: m.duration, heard: m.heard,
                        deleted: m.deletedAt != nil))
            }
        }
        return try json(MessageList(messages: views))
    }
    group.get("messages/:id/audio") { request, context -> Response in
        let (user, message) : (User, VoicemailMessage)
        switch find(request, context, api) {
        case .failure(let response): return response
        case .success(let found): (user, message) = found
        }
        guard let bytes = try? api.audio.load(message.audioFile) else {
            return fieldError(.notFound, field: "id", message: "the audio of message \(message.id) is missing or cannot be decrypted")
        }
        let data = Data(bytes)
        let response = byteRange(request, data: data, contentType: "audio/wav")
        // Only audio actually served is a playback (not a refused range).
        if response.status == .ok || response.status == .partialContent {
            try api.tokens.record(AuditEntry(at: Date(), userID: user.id, action: "voicemail.play", object: message.id, source: context.clientAddress))
        }
        return response
    }
    group.put("messages/:id/heard") { request, context -> Response in
        let found: (User, VoicemailMessage)
        switch find(request, context, api) {
        case .failure(let response): return response
        case .success(let f): found = f
        }
        let message = found.1
        let body = try await request.body.collect(upTo: 4096)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let heard = object["heard"] as? NSNumber, String(cString: heard.objCType) == "c"
        else {
            return fieldError(.badRequest, field: "heard", message: "send {\"heard\": true} or {\"heard\": false}")
        }
        try api.mailboxes.setHeard(heard.boolValue, messageID: message.id)
        api.changed(message, of: found.0)
        return Response(status: .noContent)
    }
    group.delete("messages/:id") { request, context -> Response in
        let (user, message): (User, VoicemailMessage)
        switch find(request, context, api) {
        case .failure(let response): return response
        case .success(let found): (user, message) = found
        }
        try api.mailboxes.setDeleted(Date(), messageID: message.id)
        api.changed(message, of: user)
        try api.tokens.record(AuditEntry(at: Date(), userID: user.id, action: "voicemail.delete", object: message.id, source: context.clientAddress))
        return Response(status: .noContent)
    }
    group.post("messages/:id/undelete") { request, context -> Response in
        let (user, message): (User, VoicemailMessage)
        switch find(request, context, api) {
        case .failure(let response): return response
        case .success(let found): (user, message) = found
        }
        try api.mailboxes.setDeleted(nil, messageID: message.id)
        api.changed(message, of: user)
        try api.tokens.record(AuditEntry(at: Date(), userID: user.id, action: "voicemail.undelete", object: message.id, source: context.clientAddress))
        return Response(status: .noContent)
    }
}

/// Greetings: `PUT /api/voicemail/mailboxes/NUMBER/greetings/KIND` with a WAVE body (16-bit PCM
/// or G.711, any rate, mono or stereo; stored as 8 kHz mono), `GET` to hear it, `DELETE` to go back
/// to the default greeting. KIND is `unavailable` or `busy`; the user must be a member.
func addGreetingRoutes(to router: Router<APIRequestContext>, api: VoicemailAPI) {
    let group = router.group("api/voicemail/mailboxes/:number/greetings")
    @Sendable func target(_ request: Request, _ context: APIRequestContext) -> Outcome<(User, Mailbox, URL)> {
        let user: User
        switch authenticate(request, api) {
        case .failure(let response): return .failure(response)
        case .success(let u): user = u
        }
        let number = context.parameters.get("number") ?? ""
        guard let kind = Greetings.Kind(rawValue: context.parameters.get("kind") ?? "") else {
            return .failure(fieldError(.badRequest, field: "kind", message: "a greeting is `unavailable` or `busy`"))
        }
        let own = try? api.mailboxes.mailbox(organisationID: user.organisationID, number: number, creatingFor: (user.id, user.extension))
        guard let mailbox = own ?? nil, mailbox.memberUserIDs.contains(user.id) else {
            return .failure(fieldError(.notFound, field: "number", message: "no mailbox \(number) among yours"))
        }
        return .success((user, mailbox, Greetings.url(in: URL(fileURLWithPath: api.audioFolder), mailboxID: mailbox.id, kind: kind)))
    }
    group.put(":kind") { request, context -> Response in
        let (user, mailbox, url): (User, Mailbox, URL)
        switch target(request, context) {
        case .failure(let response): return response
        case .success(let found): (user, mailbox, url) = found
        }
        let body = try await request.body.collect(upTo: 20_000_000)
        let wav: WAVFile
        do {
            wav = try WAVFile(parsing: Array(buffer: body))
        } catch {
            return fieldError(.badRequest, field: "body", message: "not a WAVE file we can read (\(error)); send 16-bit PCM or G.711")
        }
        // Checked before converting: a file that claims 1 Hz would otherwise resample into gigabytes.
        guard (8000...48000).contains(wav.sampleRate) else {
            return fieldError(.badRequest, field: "body", message: "the sample rate is \(wav.sampleRate) Hz; send 8000 to 48000 Hz")
        }
        let seconds = Double(wav.frameCount) / Double(wav.sampleRate)
        guard seconds >= 0.5, seconds <= 120 else {
            return fieldError(.badRequest, field: "body", message: "a greeting lasts 0.5 to 120 seconds (this one: \(seconds) s)")
        }
        let samples = PromptLibrary.monoAt8kHz(wav.samples, channels: Int(wav.channels), rate: Int(wav.sampleRate))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let draft = url.deletingLastPathComponent().appendingPathComponent("upload-\(UUID().uuidString).wav")
        try Data(try WAVFile(samples: samples).serialized()).write(to: draft)
        guard rename(draft.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: draft)
            return fieldError(.internalServerError, field: "body", message: "the greeting could not be stored; try again")
        }
        try api.tokens.record(AuditEntry(at: Date(), userID: user.id, action: "voicemail.greeting", object: "\(mailbox.number)/\(url.lastPathComponent)", source: context.clientAddress))
        return Response(status: .noContent)
    }
    group.get(":kind") { request, context -> Response in
        switch target(request, context) {
        case .failure(let response): return response
        case .success(let found):
            guard let data = FileManager.default.contents(atPath: found.2.path) else {
                return fieldError(.notFound, field: "kind", message: "no greeting of this kind recorded; callers hear the default one")
            }
            return byteRange(request, data: data, contentType: "audio/wav")
        }
    }
    group.delete(":kind") { request, context -> Response in
        switch target(request, context) {
        case .failure(let response): return response
        case .success(let found):
            try? FileManager.default.removeItem(at: found.2)
            return Response(status: .noContent)
        }
    }
}

/// Either a value or the HTTP answer that refuses the request.
enum Outcome<T> {
    case success(T)
    case failure(Response)
}

/// The user of the request's `Authorization: Bearer` token, or a 401 naming the header.
func authenticate(_ request: Request, _ api: VoicemailAPI) -> Outcome<User> {
    authenticate(request, tokens: api.tokens)
}

/// The user of the request's `Authorization: Bearer` token, or a 401 naming the header.
func authenticate(_ request: Request, tokens: any TokenStore) -> Outcome<User> {
    guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
        var response = fieldError(.unauthorized, field: "Authorization", message: "send Authorization: Bearer <token> (carephone tokens create)")
        response.headers[.wwwAuthenticate] = "Bearer realm=\"carephone\""
        return .failure(response)
    }
    let secret = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
    guard let user = try? tokens.user(forTokenHash: APIToken.hash(secret), at: Date()) else {
        var response = fieldError(.unauthorized, field: "Authorization", message: "the token is not valid or was revoked")
        response.headers[.wwwAuthenticate] = "Bearer realm=\"carephone\", error=\"invalid_token\""
        return .failure(response)
    }
    return .success(user)
}

/// The authenticated user and the message `:id`, if it is in one of the user's mailboxes.
func find(_ request: Request, _ context: APIRequestContext, _ api: VoicemailAPI) -> Outcome<(User, VoicemailMessage)> {
    let user: User
    switch authenticate(request, api) {
    case .failure(let response): return .failure(response)
    case .success(let u): user = u
    }
    let id = context.parameters.get("id") ?? ""
    let boxes = (try? api.mailboxes.mailboxes(ofUser: user.id)) ?? []
    for box in boxes {
        if let message = (try? api.mailboxes.messages(mailboxID: box.id, includingDeleted: true))?.first(where: { $0.id == id }) {
            return .success((user, message))
        }
    }
    return .failure(fieldError(.notFound, field: "id", message: "no message \(id) in your mailboxes"))
}

func json(_ value: some Encodable) throws -> Response {
    let data = try JSONEncoder().encode(value)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// The whole body, or the one byte range asked for (RFC 9110 §14): 206 with Content-Range, or
/// 416 when the range is outside the file.
func byteRange(_ request: Request, data: Data, contentType: String) -> Response {
    var headers: HTTPFields = [.contentType: contentType, .acceptRanges: "bytes"]
    guard let range = request.headers[.range] else {
        headers[.contentLength] = "\(data.count)"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
    let spec = range.lowercased().hasPrefix("bytes=") ? String(range.dropFirst(6)) : ""
    let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
    var start: Int?
    var end: Int?
    if parts.count == 2 {
        if parts[0].isEmpty, let suffix = Int(parts[1]), suffix > 0 {
            start = max(0, data.count - suffix)
            end = data.count - 1
        } else if let s = Int(parts[0]) {
            start = s
            end = parts[1].isEmpty ? data.count - 1 : Int(parts[1]).map { min($0, data.count - 1) }
        }
    }
    guard let start, let end, start <= end, start < data.count else {
        headers[.contentRange] = "bytes */\(data.count)"
        return Response(status: .rangeNotSatisfiable, headers: headers)
    }
    headers[.contentRange] = "bytes \(start)-\(end)/\(data.count)"
    headers[.contentLength] = "\(end - start + 1)"
    return Response(status: .partialContent, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data[start...end])))
}
