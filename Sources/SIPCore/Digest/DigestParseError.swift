/// Why a WWW-Authenticate, Proxy-Authenticate, Authorization or Proxy-Authorization value could
/// not be read. A registrar answers `.unsupportedScheme` and `.unsupportedAlgorithm` with a fresh
/// 401 challenge, and the rest with 400 Bad Request using `description` as the reason.
public enum DigestParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The value was empty or only whitespace.
    case empty
    /// The scheme is not `Digest`, e.g. `NoOneKnowsThisScheme opaque-data=here` (RFC 4475 §3.3.7)
    /// or `Basic ...`. Carries the scheme as sent.
    case unsupportedScheme(String)
    /// `algorithm=` names something other than MD5 or SHA-256 (e.g. `MD5-sess`, `SHA-512-256`).
    case unsupportedAlgorithm(String)
    /// A required parameter is absent (e.g. `nonce`; or `cnonce`/`nc` when `qop` is given).
    case missingParameter(String)
    /// A parameter appears more than once.
    case duplicateParameter(String)
    /// The text does not follow `name=token` / `name="quoted"` syntax; `offset` is the byte
    /// offset in the header value where reading stopped.
    case malformed(reason: String, offset: Int)
    /// A parameter's value is outside what the grammar allows.
    case invalidValue(parameter: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .empty:
            return "Digest header value is empty; expected 'Digest' followed by name=value parameters"
        case .unsupportedScheme(let scheme):
            return "Authentication scheme '\(Self.clip(scheme))' is not supported; "
                + "only Digest is (RFC 3261 §22.4). Configure the device for digest authentication"
        case .unsupportedAlgorithm(let algorithm):
            return "Digest algorithm '\(Self.clip(algorithm))' is not supported; use MD5 or SHA-256"
        case .missingParameter(let name):
            return "Digest header lacks the required parameter '\(name)'"
        case .duplicateParameter(let name):
            return "Digest header has the parameter '\(name)' more than once; each may appear only once"
        case .malformed(let reason, let offset):
            return "Digest header is malformed at byte \(offset): \(reason)"
        case .invalidValue(let name, let value, let expected):
            return "Digest parameter '\(name)' has the invalid value '\(Self.clip(value))'; expected \(expected)"
        }
    }

    /// Keeps echoed input short so one bad header cannot flood a log line or a reason phrase.
    private static func clip(_ s: String) -> String {
        s.utf8.count <= 64 ? s : String(s.prefix(64)) + "..."
    }
}
