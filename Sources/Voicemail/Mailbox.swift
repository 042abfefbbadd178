import Foundation

/// A voicemail box: a user's own, or a shared (group) mailbox several users can open.
public struct Mailbox: Sendable, Equatable, Identifiable {
    /// Assigned by the store; `0` for one not yet created.
    public var id: Int64
    public var organisationID: Int64
    /// The number the dialplan names (`voicemail 1002`, `voicemail 1900`).
    public var number: String
    /// The users who may open it: the owner for a personal mailbox, every member for a shared one.
    public var memberUserIDs: [Int64]
    /// A shared (group) mailbox, e.g. reception's.
    public var shared: Bool
    /// Salted hash of the PIN for access by phone (`PINHash`); nil until a PIN is set.
    public var pinHash: String?

    public init(id: Int64 = 0, organisationID: Int64, number: String, memberUserIDs: [Int64], shared: Bool = false, pinHash: String? = nil) {
        self.id = id
        self.organisationID = organisationID
        self.number = number
        self.memberUserIDs = memberUserIDs
        self.shared = shared
        self.pinHash = pinHash
    }
}

/// Where mailboxes and messages are kept. `Storage.SQLiteMailboxStore` implements it on SQLite.
public protocol MailboxStore: Sendable {
    /// Creates a mailbox (its `id` is ignored) and returns it with the assigned one. Throws when
    /// the organisation already has a mailbox with that number.
    func createMailbox(_ mailbox: Mailbox) throws -> Mailbox
    func mailbox(organisationID: Int64, number: String) throws -> Mailbox?
    /// The mailboxes `userID` may open: their own and the shared ones they belong to.
    func mailboxes(ofUser userID: Int64) throws -> [Mailbox]
    func setPINHash(_ hash: String?, mailboxID: Int64) throws

    /// Stores a new message (durably: it is acknowledged to nobody before this returns).
    func insert(_ message: VoicemailMessage) throws
    /// Messages of a mailbox, oldest first; deleted ones only when asked.
    func messages(mailboxID: Int64, includingDeleted: Bool) throws -> [VoicemailMessage]
    func setHeard(_ heard: Bool, messageID: String) throws
    /// Marks deleted (nil undeletes).
    func setDeleted(_ at: Date?, messageID: String) throws
    /// Removes messages deleted before `cutoff` for good, returning them (their audio files go too).
    func purge(deletedBefore cutoff: Date) throws -> [VoicemailMessage]
}

extension MailboxStore {
    /// What the message-waiting lamp shows (RFC 3842): new and old messages not deleted.
    public func summary(mailboxID: Int64) throws -> MessageCounts {
        let live = try messages(mailboxID: mailboxID, includingDeleted: false)
        return MessageCounts(new: live.filter { !$0.heard }.count, old: live.filter(\.heard).count)
    }
}

extension MailboxStore {
    /// Mailbox `number`, or, when it does not exist and `owner` is the user with that
    /// extension, that user's own mailbox, created now: every user has one without set-up.
    public func mailbox(organisationID: Int64, number: String, creatingFor owner: (id: Int64, extension: String)?) throws -> Mailbox? {
        if let existing = try mailbox(organisationID: organisationID, number: number) { return existing }
        guard let owner, owner.extension == number else { return nil }
        do {
            return try createMailbox(Mailbox(organisationID: organisationID, number: number, memberUserIDs: [owner.id]))
        } catch {
            // Created meanwhile by another request.
            return try mailbox(organisationID: organisationID, number: number)
        }
    }
}
