import Foundation

/// What a dialplan is checked against: the extensions and trunks that exist, and the time zone of
/// files without a `timezone` line.
public struct DialplanEnvironment: Sendable {
    /// Extensions a literal `ring` target or group member must name; nil: not checked.
    public var extensions: Set<String>?
    /// Trunk names `trunk` may use; nil: not checked.
    public var trunks: Set<String>?
    /// The time zone of `hours` in files that have no `timezone` line.
    public var defaultTimeZone: TimeZone

    public init(extensions: Set<String>? = nil, trunks: Set<String>? = nil, defaultTimeZone: TimeZone = .current) {
        self.extensions = extensions
        self.trunks = trunks
        self.defaultTimeZone = defaultTimeZone
    }
}
