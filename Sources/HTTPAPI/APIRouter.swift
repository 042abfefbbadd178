import Calls
import Foundation
import Hummingbird
import Registrar

/// What the HTTP API needs from the running server.
public protocol APIBackend: Sendable {
    /// The current registrations (bindings that have not lapsed).
    func currentBindings() async throws -> [Binding]
    /// Call records, newest first.
    func recentCalls(limit: Int) async throws -> [CallRecord]
    /// The dialplan status file's JSON (what `carephone dialplan status --json` prints), if any.
    func dialplanStatusJSON() async throws -> Data?
}

/// One registration as the API shows it.
struct BindingView: ResponseEncodable, Sendable {
    let aor: String
    let contact: String
    let expires_in: Int64
    let transport: String
    let source: String
    let user_agent: String?

    init(_ b: Binding, now: Int64) {
        aor = b.aor
        contact = b.contactURI
        expires_in = max(0, b.expiresAt - now)
        transport = b.transport
        source = b.sourceDescription
        user_agent = b.userAgent
    }
}

struct RegistrationList: ResponseEncodable, Sendable {
    let registrations: [BindingView]
}

struct Health: ResponseEncodable, Sendable {
    let status: String
}

/// One call record as the API shows it.
struct CallView: ResponseEncodable, Sendable {
    let id: String
    let caller: String
    let caller_name: String
    let dialed: String
    let callee: String
    let inbound_trunk: String?
    let started_at: String
    let answered_at: String?
    let ended_at: String
    let outcome: String
    let failure_code: Int?
    let duration_seconds: Double
    let answered_by: String?
    let ended_by: String?
    let quality: QualityView?

    struct QualityView: Codable, Sendable {
        let packets_from_caller: Int
        let packets_from_callee: Int
        let loss_percent: Double
        let jitter_ms: Double
        let round_trip_ms: Double?
        let mos: Double
    }

    init(_ r: CallRecord) {
        let f = ISO8601DateFormatter()
        id = r.id
        caller = r.caller
        caller_name = r.callerName
        dialed = r.dialed
        callee = r.callee
        inbound_trunk = r.inboundTrunk
        started_at = f.string(from: r.startedAt)
        answered_at = r.answeredAt.map { f.string(from: $0) }
        ended_at = f.string(from: r.endedAt)
        outcome = r.outcome.rawValue
        failure_code = r.failureCode
        duration_seconds = (r.duration * 1000).rounded() / 1000
        answered_by = r.answeredBy
        ended_by = r.endedBy
        quality = r.quality.map {
            QualityView(
                packets_from_caller: $0.packetsFromCaller, packets_from_callee: $0.packetsFromCallee, loss_percent: $0.lossPercent,
                jitter_ms: $0.jitterMilliseconds, round_trip_ms: $0.roundTripMilliseconds, mos: $0.mos)
        }
    }
}

struct CallList: ResponseEncodable, Sendable {
    let calls: [CallView]
}

/// A 4xx answer whose JSON body names the field at fault.
func fieldError(_ status: HTTPResponse.Status, field: String, message: String) -> Response {
    let body = (try? JSONSerialization.data(withJSONObject: ["error": message, "field": field], options: [.sortedKeys])) ?? Data()
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
}

/// The REST routes: `GET /health`, `GET /api/registrations`, `GET /api/calls`,
/// `GET /api/dialplan/status`.
public func buildRouter(backend: some APIBackend, voicemail: VoicemailAPI? = nil, calendar: CalendarAPI? = nil) -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self)
    if let voicemail { addVoicemailRoutes(to: router, api: voicemail) }
    if let calendar { addCalendarRoutes(to: router, api: calendar) }
    router.get("health") { _, _ in Health(status: "ok") }
    router.get("api/calls") { request, _ -> Response in
        var limit = 50
        if let text = request.uri.queryParameters.get("limit") {
            guard let n = Int(text), (1...1000).contains(n) else {
                return fieldError(.badRequest, field: "limit", message: "limit must be a whole number from 1 to 1000, not \"\(text)\"")
            }
            limit = n
        }
        let list = CallList(calls: try await backend.recentCalls(limit: limit).map(CallView.init))
        let data = try JSONEncoder().encode(list)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
    router.get("api/dialplan/status") { _, _ -> Response in
        guard let data = try await backend.dialplanStatusJSON() else {
            return fieldError(.notFound, field: "dialplan", message: "no dialplan status yet")
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
    router.get("api/registrations") { _, _ in
        let now = Int64(Date().timeIntervalSince1970)
        let list = try await backend.currentBindings()
            .sorted { ($0.aor, $0.contactURI) < ($1.aor, $1.contactURI) }
            .map { BindingView($0, now: now) }
        return RegistrationList(registrations: list)
    }
    return router
}

/// The HTTP application on `host:port`.
public func buildHTTPApplication(
    backend: some APIBackend, voicemail: VoicemailAPI? = nil, calendar: CalendarAPI? = nil, host: String, port: Int,
    onRunning: @escaping @Sendable (Int) async -> Void
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(backend: backend, voicemail: voicemail, calendar: calendar),
        configuration: .init(address: .hostname(host, port: port), serverName: "CarePhone"),
        onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }
    )
}
