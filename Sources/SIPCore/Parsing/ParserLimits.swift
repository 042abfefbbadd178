/// Limits that protect the server from oversized input; a message beyond them is refused
/// with a precise error instead of being buffered without bound.
public struct ParserLimits: Sendable, Equatable {
    /// Largest whole message (start line, headers and body), in bytes.
    public var maxMessageSize: Int
    /// Largest single header field after unfolding, in bytes.
    public var maxHeaderLength: Int
    /// Most header fields in one message.
    public var maxHeaderCount: Int
    /// Largest body, in bytes.
    public var maxBodySize: Int

    public init(maxMessageSize: Int = 65_535, maxHeaderLength: Int = 8_192, maxHeaderCount: Int = 128, maxBodySize: Int = 32_768) {
        self.maxMessageSize = maxMessageSize
        self.maxHeaderLength = maxHeaderLength
        self.maxHeaderCount = maxHeaderCount
        self.maxBodySize = maxBodySize
    }

    public static let `default` = ParserLimits()
}
