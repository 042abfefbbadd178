/// The text of one dialplan file and the path it is reported under in diagnostics.
public struct DialplanSource: Sendable, Equatable {
    /// The path shown in diagnostics, exactly as given.
    public var path: String
    /// The whole file.
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}
