import Foundation
import Logging
import Voicemail

/// Removes voicemail for good once it has been deleted for `retention`: the rows first (so a
/// message is never listed without its audio), then the audio files. Runs at start and hourly.
struct VoicemailPurger: Sendable {
    let store: any MailboxStore
    let audio: any MessageAudioStore
    let retention: TimeInterval
    let logger: Logger

    /// One pass; returns how many messages went.
    @discardableResult
    func purge(now: Date = Date()) -> Int {
        do {
            let gone = try store.purge(deletedBefore: now.addingTimeInterval(-retention))
            for message in gone {
                audio.remove(message.audioFile)
            }
            if !gone.isEmpty { logger.info("deleted voicemail purged", metadata: ["messages": "\(gone.count)"]) }
            return gone.count
        } catch {
            logger.warning("voicemail purge failed; will try again", metadata: ["error": "\(error)"])
            return 0
        }
    }

    /// Purges now and every hour until the task is cancelled.
    func run() -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                purge()
                try? await Task.sleep(for: .seconds(3600))
            }
        }
    }
}
