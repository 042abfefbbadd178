import Foundation
import Media

/// One's own mailbox by phone (`*97`): PIN, then the main menu: 1 listen (new messages first,
/// then saved ones, each announced with caller and time; during and after a message 1 replays,
/// 9 saves, 7 deletes, # skips to the next), 3 record the greeting, 5 change the PIN, * leaves.
public struct VoicemailAccess: Sendable {
    public let store: any MailboxStore
    public let audio: any MessageAudioStore
    /// The data folder's `voicemail/` directory (greetings).
    public let folder: URL
    public let throttle: PINThrottle
    /// Called after every change of a mailbox (message heard, deleted), for message waiting.
    public let changed: @Sendable (Mailbox) -> Void
    public let timeZone: TimeZone

    public init(
        store: any MailboxStore, audio: any MessageAudioStore, folder: URL, throttle: PINThrottle, timeZone: TimeZone,
        changed: @escaping @Sendable (Mailbox) -> Void
    ) {
        self.store = store
        self.audio = audio
        self.folder = folder
        self.throttle = throttle
        self.timeZone = timeZone
        self.changed = changed
    }

    /// Runs the session. `trustedDevice`: the call comes from the owner's own registered phone
    /// and the policy lets that skip the PIN.
    public func run(voice: Voice, mailbox: Mailbox, trustedDevice: Bool) async throws {
        var mailbox = mailbox
        if !trustedDevice {
            guard try await authenticate(voice: voice, mailbox: mailbox) else {
                try await voice.say(["goodbye"], interruptible: false)
                return
            }
        }
        try await announceCounts(voice: voice, mailbox: mailbox)
        for _ in 0..<20 {
            try await voice.say(["vm-main-menu"])
            guard let key = try await voice.audio.nextDigit(timeout: .seconds(8)) else { break }
            switch key {
            case "1": try await listen(voice: voice, mailbox: mailbox)
            case "3": try await recordGreeting(voice: voice, mailbox: mailbox)
            case "5": mailbox = try await changePIN(voice: voice, mailbox: mailbox)
            case "*": break
            default:
                try await voice.say(["invalid"])
                continue
            }
            if key == "*" { break }
        }
        try await voice.say(["goodbye"], interruptible: false)
    }

    /// Up to three PINs per call; wrong ones count towards the mailbox's lockout.
    func authenticate(voice: Voice, mailbox: Mailbox) async throws -> Bool {
        guard let hash = mailbox.pinHash else {
            // No PIN was ever set: the mailbox can be opened from its owner's phone only.
            return false
        }
        for _ in 0..<3 {
            guard throttle.allows(mailboxID: mailbox.id) else { return false }
            try await voice.say(["vm-enter-pin"])
            let pin = try await voice.collect(maxDigits: 10)
            if PINHash.verify(pin, against: hash) {
                throttle.succeeded(mailboxID: mailbox.id)
                return true
            }
            throttle.failed(mailboxID: mailbox.id)
            try await voice.say(["vm-wrong-pin"])
        }
        return false
    }

    func announceCounts(voice: Voice, mailbox: Mailbox) async throws {
        let counts = try store.summary(mailboxID: mailbox.id)
        if counts.new == 0 && counts.old == 0 {
            try await voice.say(["vm-no-messages"])
            return
        }
        var names = ["vm-you-have"] + Voice.digits(String(counts.new)) + [counts.new == 1 ? "vm-new-message" : "vm-new-messages"]
        if counts.old > 0 { names += Voice.digits(String(counts.old)) + ["vm-saved-messages"] }
        try await voice.say(names)
    }

    func listen(voice: Voice, mailbox: Mailbox) async throws {
        let live = try store.messages(mailboxID: mailbox.id, includingDeleted: false)
        let ordered = live.filter { !$0.heard } + live.filter(\.heard)
        guard !ordered.isEmpty else {
            try await voice.say(["vm-no-messages"])
            return
        }
        for message in ordered {
            var replay = true
            var decided = false
            var prompts = 0
            while !decided {
                if replay {
                    replay = false
                    try await voice.say(["vm-message-from"] + Voice.digits(message.callerNumber) + ["vm-received"] + Voice.digits(timeText(message.receivedAt)))
                    if let wav = try? audio.load(message.audioFile), let samples = PromptLibrary.samples(ofWAV: wav) {
                        try await voice.audio.play(samples, interruptible: true)
                    }
                    if !message.heard {
                        try store.setHeard(true, messageID: message.id)
                        changed(mailbox)
                    }
                }
                try await voice.say(["vm-message-menu"])
                let key = try await voice.audio.nextDigit(timeout: .seconds(6))
                switch key {
                case "1": replay = true
                case "9":
                    try await voice.say(["vm-saved"])
                    decided = true
                case "7":
                    try store.setDeleted(Date(), messageID: message.id)
                    changed(mailbox)
                    try await voice.say(["vm-deleted"])
                    decided = true
                case "#": decided = true
                case nil:
                    prompts += 1
                    decided = prompts >= 2
                default:
                    try await voice.say(["invalid"])
                }
            }
        }
        try await voice.say(["vm-no-more"])
    }

    func recordGreeting(voice: Voice, mailbox: Mailbox) async throws {
        try await voice.say(["vm-record-greeting"])
        await voice.audio.clearDigits()
        try await voice.say(["beep"], interruptible: false)
        let target = Greetings.url(in: folder, mailboxID: mailbox.id, kind: .unavailable)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let recording = try await voice.audio.record(maxDuration: .seconds(60), silenceLimit: .seconds(4), stopKeys: ["#"])
        guard recording.heardVoice, recording.duration >= .seconds(1), recording.end != .hungUp else { return }
        try DurableFile.write(recording.wav, to: target)
        try await voice.say(["vm-greeting-saved"])
    }

    func changePIN(voice: Voice, mailbox: Mailbox) async throws -> Mailbox {
        try await voice.say(["vm-new-pin"])
        let pin = try await voice.collect(maxDigits: 10)
        guard PINHash.problem(pin) == nil else {
            try await voice.say(["invalid"])
            return mailbox
        }
        var updated = mailbox
        updated.pinHash = PINHash.make(pin)
        try store.setPINHash(updated.pinHash, mailboxID: mailbox.id)
        try await voice.say(["vm-pin-changed"])
        return updated
    }

    /// When a message came, as digits to announce: day, month, hour, minute (`DDMMHHMM`).
    func timeText(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.day, .month, .hour, .minute], from: date)
        func two(_ v: Int?) -> String { String(format: "%02d", v ?? 0) }
        return two(c.day) + two(c.month) + two(c.hour) + two(c.minute)
    }
}

/// Wrong PINs are limited per mailbox like wrong SIP passwords: after `limit` failures within
/// `window`, the mailbox cannot be opened by phone until the window has passed.
public final class PINThrottle: @unchecked Sendable {
    public let limit: Int
    public let window: TimeInterval
    private let lock = NSLock()
    private var failures: [Int64: [Date]] = [:]

    public init(limit: Int = 5, window: TimeInterval = 900) {
        self.limit = limit
        self.window = window
    }

    public func allows(mailboxID: Int64, now: Date = Date()) -> Bool {
        lock.withLock {
            let recent = (failures[mailboxID] ?? []).filter { now.timeIntervalSince($0) < window }
            failures[mailboxID] = recent
            return recent.count < limit
        }
    }

    public func failed(mailboxID: Int64, now: Date = Date()) {
        lock.withLock { failures[mailboxID, default: []].append(now) }
    }

    public func succeeded(mailboxID: Int64) {
        _ = lock.withLock { failures.removeValue(forKey: mailboxID) }
    }
}
