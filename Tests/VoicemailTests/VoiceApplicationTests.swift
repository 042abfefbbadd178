import Foundation
import Media
import Testing

@testable import Voicemail

/// A call's audio without a network: keys are scripted, prompts are logged by length, and a
/// recording writes a WAV of the scripted length.
final class ScriptedAudio: CallAudio, @unchecked Sendable {
    var keys: [Character]
    var played: [Int] = []
    var recording: Recording

    init(keys: String = "", recording: Recording = Recording(duration: .seconds(4), end: .hungUp, heardVoice: true)) {
        self.keys = Array(keys)
        self.recording = recording
    }

    func play(_ samples: [Int16], interruptible: Bool) async throws {
        if interruptible, !keys.isEmpty { return }
        played.append(samples.count)
    }

    func nextDigit(timeout: Duration) async throws -> Character? {
        keys.isEmpty ? nil : keys.removeFirst()
    }

    func clearDigits() async {}

    func record(maxDuration: Duration, silenceLimit: Duration, stopKeys: Set<Character>) async throws -> Recording {
        var result = recording
        result.samples = [Int16](repeating: 500, count: Int(recording.duration / .milliseconds(1)) * 8)
        return result
    }
}

/// Mailboxes and messages in memory.
final class MemoryMailboxes: MailboxStore, @unchecked Sendable {
    var boxes: [Mailbox] = []
    var stored: [VoicemailMessage] = []

    func createMailbox(_ mailbox: Mailbox) throws -> Mailbox {
        var m = mailbox
        m.id = Int64(boxes.count + 1)
        boxes.append(m)
        return m
    }
    func mailbox(organisationID: Int64, number: String) throws -> Mailbox? { boxes.first { $0.number == number } }
    func mailboxes(ofUser userID: Int64) throws -> [Mailbox] { boxes.filter { $0.memberUserIDs.contains(userID) } }
    func setPINHash(_ hash: String?, mailboxID: Int64) throws { boxes[Int(mailboxID) - 1].pinHash = hash }
    func insert(_ message: VoicemailMessage) throws { stored.append(message) }
    func messages(mailboxID: Int64, includingDeleted: Bool) throws -> [VoicemailMessage] {
        stored.filter { $0.mailboxID == mailboxID && (includingDeleted || $0.deletedAt == nil) }
    }
    func setHeard(_ heard: Bool, messageID: String) throws {
        for i in stored.indices where stored[i].id == messageID { stored[i].heard = heard }
    }
    func setDeleted(_ at: Date?, messageID: String) throws {
        for i in stored.indices where stored[i].id == messageID { stored[i].deletedAt = at }
    }
    func purge(deletedBefore cutoff: Date) throws -> [VoicemailMessage] { [] }
}

@Suite struct VoiceApplicationTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vm-\(UUID().uuidString)")
    let prompts = PromptLibrary(folders: [])

    @Test func aMessageIsStoredWithItsCallerAndLength() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = MemoryMailboxes()
        let box = try store.createMailbox(Mailbox(organisationID: 1, number: "1002", memberUserIDs: [2]))
        let audio = ScriptedAudio()
        let deposit = VoicemailDeposit(store: store, audio: PlainAudioStore(folder: folder), folder: folder)
        let message = try #require(try await deposit.run(voice: Voice(audio: audio, prompts: prompts, language: "en"), mailbox: box, callerNumber: "+390612345678", callerName: "Rossi", busy: false))
        #expect(message.duration == 4 && message.callerNumber == "+390612345678" && message.mailboxID == box.id)
        #expect(store.stored == [message])
        let stored = try WAVFile(parsing: try Data(contentsOf: folder.appendingPathComponent(message.audioFile)))
        #expect(stored.frameCount == 32000, "4 s at 8 kHz")
    }

    @Test func tooShortOrSilentMessagesAreDiscarded() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = MemoryMailboxes()
        let box = try store.createMailbox(Mailbox(organisationID: 1, number: "1002", memberUserIDs: [2]))
        let deposit = VoicemailDeposit(store: store, audio: PlainAudioStore(folder: folder), folder: folder)
        for recording in [Recording(duration: .milliseconds(600), end: .hungUp, heardVoice: true), Recording(duration: .seconds(9), end: .silence, heardVoice: false)] {
            let audio = ScriptedAudio(recording: recording)
            #expect(try await deposit.run(voice: Voice(audio: audio, prompts: prompts, language: "en"), mailbox: box, callerNumber: "1001", callerName: "", busy: true) == nil)
        }
        #expect(store.stored.isEmpty)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("1").path)) ?? [] == [], "no audio is kept")
    }

    /// The busy greeting the owner recorded plays instead of the default one.
    @Test func theOwnersGreetingPlays() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = MemoryMailboxes()
        let box = try store.createMailbox(Mailbox(organisationID: 1, number: "1002", memberUserIDs: [2]))
        let greeting = Greetings.url(in: folder, mailboxID: box.id, kind: .busy)
        try FileManager.default.createDirectory(at: greeting.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(try WAVFile(samples: [Int16](repeating: 1, count: 1234)).serialized()).write(to: greeting)
        let audio = ScriptedAudio()
        _ = try await VoicemailDeposit(store: store, audio: PlainAudioStore(folder: folder), folder: folder).run(voice: Voice(audio: audio, prompts: prompts, language: "en"), mailbox: box, callerNumber: "1001", callerName: "", busy: true)
        #expect(audio.played.first == 1234)
    }

    /// *97: PIN, listen (1), delete (7); every change is reported for message waiting.
    @Test func accessDeletesAfterThePIN() async throws {
        let store = MemoryMailboxes()
        let box = try store.createMailbox(Mailbox(organisationID: 1, number: "1002", memberUserIDs: [2], pinHash: PINHash.make("2468")))
        try store.insert(VoicemailMessage(id: "m1", mailboxID: box.id, callerNumber: "1001", callerName: "", receivedAt: Date(), duration: 3, audioFile: "1/m1.wav"))
        let changes = Changes()
        let access = VoicemailAccess(store: store, audio: PlainAudioStore(folder: folder), folder: folder, throttle: PINThrottle(), timeZone: .gmt) { _ in changes.count += 1 }
        try await access.run(voice: Voice(audio: ScriptedAudio(keys: "2468#17*"), prompts: prompts, language: "en"), mailbox: box, trustedDevice: false)
        #expect(store.stored.first?.heard == true && store.stored.first?.deletedAt != nil)
        #expect(changes.count == 2, "heard, then deleted")
    }

    /// Wrong PINs end the session, count towards the lockout, and a locked mailbox refuses even
    /// the right PIN until the window passes.
    @Test func wrongPINsLockTheMailbox() async throws {
        let store = MemoryMailboxes()
        let box = try store.createMailbox(Mailbox(organisationID: 1, number: "1002", memberUserIDs: [2], pinHash: PINHash.make("2468")))
        try store.insert(VoicemailMessage(id: "m1", mailboxID: box.id, callerNumber: "1001", callerName: "", receivedAt: Date(), duration: 3, audioFile: "1/m1.wav"))
        let throttle = PINThrottle(limit: 5, window: 900)
        let access = VoicemailAccess(store: store, audio: PlainAudioStore(folder: folder), folder: folder, throttle: throttle, timeZone: .gmt) { _ in }
        try await access.run(voice: Voice(audio: ScriptedAudio(keys: "1111#2222#3333#17"), prompts: prompts, language: "en"), mailbox: box, trustedDevice: false)
        #expect(store.stored.first?.deletedAt == nil, "three wrong PINs: no access")
        try await access.run(voice: Voice(audio: ScriptedAudio(keys: "1111#2222#"), prompts: prompts, language: "en"), mailbox: box, trustedDevice: false)
        #expect(!throttle.allows(mailboxID: box.id))
        try await access.run(voice: Voice(audio: ScriptedAudio(keys: "2468#17"), prompts: prompts, language: "en"), mailbox: box, trustedDevice: false)
        #expect(store.stored.first?.deletedAt == nil, "locked: even the right PIN is refused")
        #expect(throttle.allows(mailboxID: box.id, now: Date().addingTimeInterval(901)))
    }

    @Test func thePINCanBeChangedByPhone() async throws {
        let store = MemoryMailboxes()
        let box = try store.createMailbox(Mailbox(organisationID: 1, number: "1002", memberUserIDs: [2], pinHash: PINHash.make("2468")))
        let access = VoicemailAccess(store: store, audio: PlainAudioStore(folder: folder), folder: folder, throttle: PINThrottle(), timeZone: .gmt) { _ in }
        try await access.run(voice: Voice(audio: ScriptedAudio(keys: "5975312#*"), prompts: prompts, language: "en"), mailbox: box, trustedDevice: true)
        #expect(PINHash.verify("975312", against: try #require(store.boxes[0].pinHash)))
    }
}

final class Changes: @unchecked Sendable {
    var count = 0
}
