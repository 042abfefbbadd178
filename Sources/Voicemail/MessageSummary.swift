import Foundation

/// New and old (heard) voice messages of a mailbox.
public struct MessageCounts: Sendable, Equatable {
    public var new: Int
    public var old: Int

    public init(new: Int, old: Int) {
        precondition(new >= 0 && old >= 0, "message counts are never negative")
        self.new = new
        self.old = old
    }
}

/// The `application/simple-message-summary` body of a message-waiting NOTIFY (RFC 3842 §5.2).
///
/// ```
/// Messages-Waiting: yes
/// Message-Account: sip:1002@clinic.example
/// Voice-Message: 1/0
/// ```
public struct MessageSummary: Sendable, Equatable {
    public var counts: MessageCounts
    /// The mailbox's address (RFC 3842 `Message-Account`), e.g. `sip:1002@clinic.example`.
    public var account: String

    public static let contentType = "application/simple-message-summary"

    public init(counts: MessageCounts, account: String) {
        self.counts = counts
        self.account = account
    }

    /// The body, with CRLF line ends. `Messages-Waiting` is `yes` when there are new messages.
    public var body: String {
        "Messages-Waiting: \(counts.new > 0 ? "yes" : "no")\r\n"
            + "Message-Account: \(account)\r\n"
            + "Voice-Message: \(counts.new)/\(counts.old)\r\n"
    }

    /// Parses a body (as phones and tests see it): status line, account and voice counts.
    public init?(parsing text: String) {
        var waiting: Bool?
        var account = ""
        var counts: MessageCounts?
        for line in text.split(whereSeparator: { $0 == "\r" || $0 == "\n" }) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "messages-waiting": waiting = value.lowercased() == "yes"
            case "message-account": account = value
            case "voice-message":
                let numbers = value.split(separator: " ").first?.split(separator: "/").compactMap { Int($0) } ?? []
                if numbers.count == 2, numbers[0] >= 0, numbers[1] >= 0 { counts = MessageCounts(new: numbers[0], old: numbers[1]) }
            default: continue
            }
        }
        guard let waiting, let counts, waiting == (counts.new > 0) else { return nil }
        self.init(counts: counts, account: account)
    }
}
