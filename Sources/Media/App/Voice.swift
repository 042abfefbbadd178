import Foundation

/// Prompts and key collection in one language, on one call's audio: what voice applications
/// (menus, voicemail) are written with.
public struct Voice: Sendable {
    public let audio: any CallAudio
    public let prompts: PromptLibrary
    public let language: String

    public init(audio: any CallAudio, prompts: PromptLibrary, language: String) {
        self.audio = audio
        self.prompts = prompts
        self.language = language
    }

    /// Plays the named prompts back to back (missing ones are skipped). A key stops them when
    /// `interruptible` and stays queued for whoever reads keys next.
    public func say(_ names: [String], interruptible: Bool = true) async throws {
        var samples: [Int16] = []
        for name in names {
            if let s = prompts.samples(name, language: language) {
                samples += s
            } else if let s = prompts.tone(name) {
                samples += s
            }
        }
        guard !samples.isEmpty else { return }
        try await audio.play(samples, interruptible: interruptible)
    }

    public func say(_ names: String..., interruptible: Bool = true) async throws {
        try await say(names, interruptible: interruptible)
    }

    /// `1002` → the prompts `digit-1 digit-0 digit-0 digit-2`.
    public static func digits(_ text: String) -> [String] {
        text.compactMap { c -> String? in
            switch c {
            case "0"..."9": "digit-\(c)"
            case "*": "digit-star"
            case "#": "digit-pound"
            default: nil
            }
        }
    }

    /// Keys up to `terminator` (not included) or `maxDigits`, waiting `firstTimeout` for the
    /// first and `interDigit` for each next one. Empty when nothing was pressed.
    public func collect(maxDigits: Int, firstTimeout: Duration = .seconds(6), interDigit: Duration = .seconds(4), terminator: Character = "#") async throws -> String {
        var text = ""
        while text.count < maxDigits {
            guard let key = try await audio.nextDigit(timeout: text.isEmpty ? firstTimeout : interDigit) else { break }
            if key == terminator { break }
            text.append(key)
        }
        return text
    }
}
