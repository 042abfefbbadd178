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
        guard let value = headers[sessionExpires] else { return nil }  // `x` too: names are canonical
        let number = value.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return Int(number)
    }

    /// Headers a B2BUA carries from one side to the other so the endpoints negotiate session
    /// timers (RFC 4028) end to end. `Supported` and `Require` are not among them: the B2BUA
    /// states its own option tags (only `timer`), or a callee would use an extension such as
    /// 100rel that nobody on our side implements.
    static let relayedHeaders = [sessionExpires, minSE, "Content-Disposition", "Info-Package", "Recv-Info", "Reason"]

    /// The option tags we implement, as sent in `Supported`.
    static let supported = "timer"

    /// Whether `headers` list `tag` in `Supported`/`Require` (compact `k` too: names are canonical).
    static func lists(_ tag: String, in headers: SIPHeaders, _ name: String) -> Bool {
        headers.listElements(name).contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == tag }
    }
}
