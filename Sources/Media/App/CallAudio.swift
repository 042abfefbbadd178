import Foundation

/// The audio of one answered call, as a voice application (voicemail, a menu, a prompt) sees
/// it: play, listen for keys, record. `MediaEngine.MediaChannel` implements it on RTP; tests can
/// implement it in memory.
///
/// Keys pressed at any time are queued (type-ahead), whether they came as RFC 4733 events or
/// as SIP INFO. Every method throws `CallAudioError.hungUp` once the call is over, except
/// `record`, for which hanging up is the normal end.
public protocol CallAudio: AnyObject, Sendable {
    /// Plays 16-bit 8 kHz mono samples in 20 ms frames. When `interruptible`, a key press (one
    /// already queued included) stops it at once; the key stays queued.
    func play(_ samples: [Int16], interruptible: Bool) async throws
    /// The next key pressed, waiting up to `timeout`; nil when none came.
    func nextDigit(timeout: Duration) async throws -> Character?
    /// Forgets keys pressed so far.
    func clearDigits() async
    /// Records what the caller says, until they hang up, press one of `stopKeys`, `maxDuration`
    /// passes or `silenceLimit` of silence follows speech. The audio stays in memory (a few MB
    /// at most), so nothing unencrypted ever reaches the disk; the caller stores it.
    func record(maxDuration: Duration, silenceLimit: Duration, stopKeys: Set<Character>) async throws -> Recording
}

/// How a recording went.
public struct Recording: Sendable, Equatable {
    public enum End: Sendable, Equatable {
        case hungUp, key(Character), maxDuration, silence
    }

    /// Audio written (silence concealment included).
    public var duration: Duration
    public var end: End
    /// Whether anything louder than silence was heard.
    public var heardVoice: Bool
    /// The audio: 16-bit samples at 8 kHz, mono.
    public var samples: [Int16]

    public init(duration: Duration, end: End, heardVoice: Bool, samples: [Int16] = []) {
        self.duration = duration
        self.end = end
        self.heardVoice = heardVoice
        self.samples = samples
    }

    /// The audio as a 16-bit PCM WAVE file.
    public var wav: [UInt8] { (try? WAVFile(samples: samples).serialized()) ?? [] }
}

public enum CallAudioError: Error, Sendable, Equatable {
    /// The call is over.
    case hungUp
    /// The recording file could not be written.
    case storage(String)
}

/// Loudness of a 20 ms frame, for silence detection: mean absolute sample value.
public enum FrameLevel {
    /// Below this mean absolute value (about −48 dBFS) a frame counts as silence.
    public static let silenceThreshold = 130

    public static func meanAbsolute(_ samples: [Int16]) -> Int {
        guard !samples.isEmpty else { return 0 }
        var total = 0
        for s in samples { total += abs(Int(s)) }
        return total / samples.count
    }
}
