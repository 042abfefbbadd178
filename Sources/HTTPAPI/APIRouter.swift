import Foundation
import Hummingbird
import Registrar

/// What the HTTP API needs from the running server.
public protocol APIBackend: Sendable {
    /// The current registrations (bindings that have not lapsed).
    func currentBindings() async throws -> [Binding]
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

/// The REST routes: `GET /health`, `GET /api/registrations`.
public func buildRouter(backend: some APIBackend) -> Router<BasicRequestContext> {
    let router = Router()
    router.get("health") { _, _ in Health(status: "ok") }
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
public func buildHTTPApplication(backend: some APIBackend, host: String, port: Int, onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
    Application(
        router: buildRouter(backend: backend),
        configuration: .init(address: .hostname(host, port: port), serverName: "CarePhone"),
        onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }
    )
}
