import Calls
import Dialplan
import Foundation
import Media

/// The dialplan's `play` and `menu` steps on a call's audio.
enum VoiceApplications {
    /// Plays a prompt to the end (keys do not cut it short).
    static func play(_ prompt: String, voice: Voice) async throws -> StepOutcome {
        try await voice.say([prompt], interruptible: false)
        return .played
    }

    /// RFC-less but conventional IVR behaviour: the prompt plays (a key cuts it short), then the
    /// menu waits `waitSeconds` for one key. An option key is the outcome; any other key says
    /// "not a valid choice", and the plan (which counts tries) replays the menu.
    static func menu(_ menu: MenuStep, voice: Voice) async throws -> StepOutcome {
        try await voice.say([menu.prompt])
        guard let key = try await voice.audio.nextDigit(timeout: .seconds(Int64(max(1, menu.waitSeconds)))) else { return .menuTimeout }
        let text = String(key)
        if !menu.digits.contains(text) {
            try await voice.say(["invalid"], interruptible: false)
            await voice.audio.clearDigits()
        }
        return .digit(text)
    }
}
