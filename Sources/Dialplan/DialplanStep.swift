/// What the call controller should do next.
public enum DialplanStep: Sendable, Equatable {
    /// Ring all of these at once. An in-order group becomes one `.ring` per member.
    case ring(extensions: [String], seconds: Int)
    /// Send the call out through a trunk with the rewritten number.
    case trunk(name: String, number: String, seconds: Int)
    case voicemail(mailbox: String)
    case voicemailAccess
    case play(prompt: String)
    /// Play the prompt and collect one key.
    case menu(MenuStep)
    /// Reject (or, if answered, end) the call with this SIP status.
    case hangup(code: Int, reason: String?)
    /// Nothing in the context matched the dialed number, or the context does not exist: answer 404.
    case notFound
    /// The actions ran out.
    case end
}

/// A menu to present: play `prompt`, wait up to `waitSeconds` for one of `digits`.
public struct MenuStep: Sendable, Equatable {
    public var prompt: String
    public var waitSeconds: Int
    /// The option keys (`0`-`9`, `*`, `#`).
    public var digits: Set<String>

    public init(prompt: String, waitSeconds: Int, digits: Set<String>) {
        self.prompt = prompt
        self.waitSeconds = waitSeconds
        self.digits = digits
    }
}

/// How the previous step went.
public enum StepOutcome: Sendable, Equatable {
    /// The first call to `DialplanRun.next(after:)`.
    case start
    case answered, busy, noAnswer, unavailable
    case failed(code: Int)
    /// A key pressed during a menu.
    case digit(String)
    /// No key within the menu's wait.
    case menuTimeout
    /// A prompt, voicemail or menu finished playing.
    case played
}
