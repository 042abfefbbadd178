import Foundation

/// The video meeting of a video visit: what the patient and the provider join.
public struct Meeting: Sendable, Hashable, Codable {
    /// The provider's identifier for the meeting (the room name for Jitsi-style URLs).
    public var id: String
    /// Digits to type when joining, if the meeting service asks for one.
    public var passcode: String?
    /// Where to join, sent to the patient in the reminder.
    public var joinURL: String

    public init(id: String, passcode: String?, joinURL: String) {
        self.id = id
        self.passcode = passcode
        self.joinURL = joinURL
    }
}

/// Makes, moves and cancels meetings for video visits. A hosted meeting service is one adapter;
/// ``TemplateMeetingProvider`` renders a room URL and needs no service at all.
public protocol MeetingProvider: Sendable {
    /// A new meeting for `appointment` (already holding its final time and UID).
    func create(for appointment: Appointment) async throws -> Meeting
    /// The visit moved: the same meeting at the new time (or a new one, if the service requires).
    func update(_ meeting: Meeting, for appointment: Appointment) async throws -> Meeting
    /// The visit was cancelled.
    func cancel(_ meeting: Meeting, for appointment: Appointment) async throws
}

/// Meetings as rooms named in a URL template, e.g. `https://meet.jit.si/{room}` (Jitsi makes a
/// room when the first person opens its URL, so nothing needs to be created or cancelled).
///
/// Placeholders: `{room}` (an unguessable room name), `{passcode}` (six digits) and `{uid}`.
/// The room name comes from random bytes, not from the visit, so the link says nothing about
/// who is seen or why.
public struct TemplateMeetingProvider: MeetingProvider {
    public let urlTemplate: String
    /// Also make a passcode (only useful when the template or service uses it).
    public let withPasscode: Bool

    /// Throws when the template has no `{room}` (every visit would share one room).
    public init(urlTemplate: String, withPasscode: Bool = false) throws(ValidationError) {
        guard urlTemplate.contains("{room}") else {
            throw ValidationError(field: "meetings.url_template", message: "must contain {room}, e.g. https://meet.jit.si/{room}")
        }
        guard let scheme = URL(string: urlTemplate.replacingOccurrences(of: "{room}", with: "r")
            .replacingOccurrences(of: "{passcode}", with: "1").replacingOccurrences(of: "{uid}", with: "u"))?.scheme,
            scheme == "https" || scheme == "http"
        else {
            throw ValidationError(field: "meetings.url_template", message: "must be an http(s) URL, e.g. https://meet.jit.si/{room}")
        }
        self.urlTemplate = urlTemplate
        self.withPasscode = withPasscode
    }

    public func create(for appointment: Appointment) async throws -> Meeting {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijkmnopqrstuvwxyz23456789")
        let room = "CarePhone-" + String((0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        let passcode = withPasscode ? String(format: "%06d", Int.random(in: 0...999_999, using: &generator)) : nil
        let url = urlTemplate.replacingOccurrences(of: "{room}", with: room)
            .replacingOccurrences(of: "{passcode}", with: passcode ?? "")
            .replacingOccurrences(of: "{uid}", with: appointment.uid.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        return Meeting(id: room, passcode: passcode, joinURL: url)
    }

    /// A room URL does not depend on the time: the same meeting.
    public func update(_ meeting: Meeting, for appointment: Appointment) async throws -> Meeting { meeting }

    /// Nothing to release; the visit no longer shows the link.
    public func cancel(_ meeting: Meeting, for appointment: Appointment) async throws {}
}
