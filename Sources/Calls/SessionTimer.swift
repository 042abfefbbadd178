import Foundation
import SIPCore

/// Session timers (RFC 4028): the `Session-Expires` and `Min-SE` headers.
enum SessionTimer {
    static let sessionExpires = "Session-Expires"
    static let minSE = "Min-SE"
    /// The smallest interval we accept (RFC 4028 §4: at least 90 s).
    static let minimumInterval = 90

    /// The delta-seconds of a `Session-Expires` (or compact `x`) header, if present and valid.
    static func interval(in headers: SIPHeaders) -> Int? {
        guard let value = headers[sessionExpires] ?? headers["x"] else { return nil }
        let number = value.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return Int(number)
    }

    /// Headers a B2BUA carries from one side to the other so the endpoints negotiate session
    /// timers (RFC 4028) and other extensions end to end.
    static let relayedHeaders = [
        sessionExpires, minSE, HeaderName.supported, HeaderName.require, "Content-Disposition", "Info-Package",
        "Recv-Info", "Reason",
    ]
}
