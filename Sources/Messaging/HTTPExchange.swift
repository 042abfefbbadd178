import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP request to a gateway, with network failures turned into ``SMSGatewayError``.
enum HTTPExchange {
    /// Sends `request` and returns the status and the body as text (UTF-8, invalid bytes
    /// replaced). Every transport failure (refused, reset, timed out, DNS) is `.temporary`.
    ///
    /// A timeout after the request went out may hide a text the gateway took; retrying it can
    /// send it twice. Gateways give no idempotency key for this, so it is accepted.
    static func perform(
        _ request: URLRequest, session: URLSession, gateway: String
    ) async throws(SMSGatewayError) -> (status: Int, body: String) {
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw .temporary("\(gateway) could not be reached: \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else {
            throw .temporary("\(gateway) gave an answer that is not HTTP")
        }
        return (http.statusCode, String(decoding: data, as: UTF8.self))
    }
}
