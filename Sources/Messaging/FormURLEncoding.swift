import Foundation

/// `application/x-www-form-urlencoded` pairs, as both gateways send them (Kannel's `sendsms`
/// query string, a REST provider's POST body).
///
/// Everything except RFC 3986 §2.3 unreserved characters is percent-encoded from UTF-8, so `+`,
/// `&`, `=`, `%` and `#` inside a value (a dlr-url, a text) survive the round trip. Spaces
/// become `%20`, which every form decoder accepts.
public enum FormURLEncoding {
    /// RFC 3986 §2.3: ALPHA / DIGIT / "-" / "." / "_" / "~".
    private static let unreserved: CharacterSet = {
        var set = CharacterSet()
        set.insert(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return set
    }()

    /// One value (or name), percent-encoded.
    static func encode(_ value: String) -> String {
        // Cannot fail: every Swift String is valid Unicode and has a UTF-8 form.
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    /// `name=value&name=value`, in the given order.
    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// `url` with `name=value` appended to its query (`?` or `&` as needed).
    static func appending(_ pairs: [(String, String)], to url: String) -> String {
        let separator = url.contains("?") ? (url.hasSuffix("?") || url.hasSuffix("&") ? "" : "&") : "?"
        return url + separator + encode(pairs)
    }

    /// The pairs of a form body or query (`+` is a space), the last value of a repeated name
    /// winning: what a REST provider's callbacks post to us.
    public static func decode(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func value(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            fields[value(kv[0])] = kv.count > 1 ? value(kv[1]) : ""
        }
        return fields
    }
}
