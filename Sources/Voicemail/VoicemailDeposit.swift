import Foundation
import Media

/// Leaving a message: the mailbox's greeting (its own busy or unavailable recording, or the
/// default naming the extension), a tone, then recording until the caller hangs up, presses
/// `#`, reaches the maximum length or stays silent. Messages too short to matter (or without a
/// sound above silence) are discarded; the others are stored, audio first (through the
/// `MessageAudioStore`, which the server's encrypts), then metadata, each made durable before the
/// next step, so what a caller left is never lost on a crash.
public struct VoicemailDeposit: Sendable {
    public struct Settings: Sendable {
        public var maxDuration: Duration = .seconds(180)
        public var silenceLimit: Duration = .seconds(5)
        public var minimumDuration: Duration = .seconds(1)

        public init() {}
    }

    public let store: any MailboxStore
    public let audio: any MessageAudioStore
    /// The data folder's `voicemail/` directory (greetings live there as plain files).
    public let folder: URL
    public let settings: Settings

    public init(store: any MailboxStore, audio: any MessageAudioStore, folder: URL, settings: Settings = Settings()) {
        self.store = store
        self.audio = audio
        self.folder = folder
        self.settings = settings
    }

    /// The stored message, or nil when nothing worth keeping was said.
    public func run(voice: Voice, mailbox: Mailbox, callerNumber: String, callerName: String, busy: Bool, now: @Sendable () -> Date = Date.init) async throws -> VoicemailMessage? {
        let greeting = Greetings.url(in: folder, mailboxID: mailbox.id, kind: busy ? .busy : .unavailable)
        if let own = PromptLibrary.load(greeting) ?? (busy ? PromptLibrary.load(Greetings.url(in: folder, mailboxID: mailbox.id, kind: .unavailable)) : nil) {
            try await voice.audio.play(own, interruptible: true)
        } else {
            try await voice.say(["vm-extension-prefix"] + Voice.digits(mailbox.number) + ["vm-extension-suffix", busy ? "vm-busy" : "vm-unavailable"])
        }
        // `#` during the greeting skips it; any other key is ignored.
        await voice.audio.clearDigits()
        try await voice.say(["beep"], interruptible: false)
        let id = UUID().uuidString.lowercased()
        let relative = "\(mailbox.id)/\(id).wav"
        let receivedAt = now()
        let recording = try await voice.audio.record(maxDuration: settings.maxDuration, silenceLimit: settings.silenceLimit, stopKeys: ["#"])
        guard recording.duration >= settings.minimumDuration, recording.heardVoice else { return nil }
        try audio.store(recording.wav, at: relative)
        let message = VoicemailMessage(
            id: id, mailboxID: mailbox.id, callerNumber: callerNumber, callerName: callerName, receivedAt: receivedAt,
            duration: Double(recording.duration / .milliseconds(1)) / 1000, audioFile: relative)
        // A busy database gets a few more tries: the caller has hung up and cannot be asked again.
        var attempt = 0
        while true {
            do {
                try store.insert(message)
                break
            } catch {
                attempt += 1
                if attempt >= 5 { throw error }
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
        if recording.end != .hungUp {
            try? await voice.say(["goodbye"], interruptible: false)
        }
        return message
    }
}

/// Where a mailbox's own greetings are kept: `voicemail/<mailbox id>/greeting-<kind>.wav`.
public enum Greetings {
    public enum Kind: String, Sendable, CaseIterable {
        case unavailable, busy
    }

    public static func url(in folder: URL, mailboxID: Int64, kind: Kind) -> URL {
        folder.appendingPathComponent("\(mailboxID)/greeting-\(kind.rawValue).wav")
    }
}
