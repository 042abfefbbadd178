import Foundation

/// One voicemail message: who left it, when, how long, and where its audio is.
public struct VoicemailMessage: Sendable, Equatable, Identifiable {
    /// A random UUID, also the audio file's name.
    public var id: String
    public var mailboxID: Int64
    /// The caller's number as presented (extension, or a trunk's caller ID).
    public var callerNumber: String
    public var callerName: String
    public var receivedAt: Date
    /// Seconds of audio.
    public var duration: Double
    /// Listened to (by phone or by the visual voicemail API).
    public var heard: Bool
    /// Set when deleted; the message can be undeleted until it is purged.
    public var deletedAt: Date?
    /// The audio file, relative to the data folder's `voicemail/` directory.
    public var audioFile: String

    public init(
        id: String = UUID().uuidString.lowercased(), mailboxID: Int64, callerNumber: String, callerName: String,
        receivedAt: Date, duration: Double, heard: Bool = false, deletedAt: Date? = nil, audioFile: String
    ) {
        self.id = id
        self.mailboxID = mailboxID
        self.callerNumber = callerNumber
        self.callerName = callerName
        self.receivedAt = receivedAt
        self.duration = duration
        self.heard = heard
        self.deletedAt = deletedAt
        self.audioFile = audioFile
    }
}
