import Foundation

/// Why a CalDAV request failed.
public enum CalDAVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 412 Precondition Failed (RFC 4918 §12.1, RFC 9110 §13.1.1): the `If-Match` ETag is stale
    /// because someone else changed the resource, or `If-None-Match: *` found it already there.
    /// Fetch it again and reconcile; do not retry blindly.
    case preconditionFailed(href: String)
    /// Any other unexpected HTTP status, with the start of the response body (often a DAV:error).
    case http(status: Int, body: String)
    /// The request never got an HTTP answer (connection refused, timeout, TLS).
    case transport(String)
    /// A 207 Multi-Status body (RFC 4918 §13) that is not XML or lacks what was asked for.
    case malformedResponse(String)

    public var description: String {
        switch self {
        case .preconditionFailed(let href):
            "\(href) changed on the server since it was last read (412); fetch it again before writing"
        case .http(let status, let body): "CalDAV server answered \(status): \(body.prefix(300))"
        case .transport(let message): "CalDAV server unreachable: \(message)"
        case .malformedResponse(let message): "CalDAV server sent an unreadable response: \(message)"
        }
    }
}
