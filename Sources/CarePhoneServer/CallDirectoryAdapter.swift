import Calls
import Directory
import Foundation
import Registrar

/// Answers the B2BUA's "who is extension N and where are their phones" from the directory
/// (users and devices, re-read at most every 5 s) and the registrar's location service.
///
/// Event-loop confined, like the registrar.
final class CallDirectoryAdapter: CallDirectory {
    private struct Member {
        var displayName: String
        var usernames: [String]
    }

    private let registrar: Registrar
    private var cache: [Int64: (at: Int64, domain: String, members: [String: Member])] = [:]
    /// Device username → the user's extension and name, per organisation (for caller identity).
    private var devicesCache: [Int64: [String: (extension: String, displayName: String)]] = [:]

    init(registrar: Registrar) {
        self.registrar = registrar
    }

    func lookup(extension: String, organisationID: Int64) -> ExtensionLookup {
        let now = Int64(Date().timeIntervalSince1970)
        guard let entry = organisation(organisationID, now: now), let member = entry.members[`extension`] else { return .unknown }
        var contacts: [ContactTarget] = []
        for username in member.usernames {
            let aor = "sip:\(username)@\(entry.domain)"
            for binding in registrar.location.bindings(of: aor, now: now) {
                let host = binding.sourceHost
                contacts.append(
                    ContactTarget(
                        uri: binding.contactURI,
                        destination: CallDestination(transport: binding.transport, host: host, port: binding.sourcePort),
                        aor: aor, userAgent: binding.userAgent))
            }
        }
        return .user(displayName: member.displayName, contacts: contacts)
    }

    /// The user a device belongs to: the caller's extension and name for the dialplan.
    func user(ofDevice username: String, organisationID: Int64) -> (extension: String, displayName: String)? {
        let now = Int64(Date().timeIntervalSince1970)
        _ = organisation(organisationID, now: now)
        return devicesCache[organisationID]?[username]
    }

    private func organisation(_ id: Int64, now: Int64) -> (at: Int64, domain: String, members: [String: Member])? {
        if let cached = cache[id], now - cached.at < 5 { return cached }
        guard let organisation = registrar.organisations(now: now).first(where: { $0.id == id }),
            let users = try? registrar.directory.users(organisationID: id),
            let devices = try? registrar.directory.devices(organisationID: id)
        else { return cache[id] }
        var members: [String: Member] = [:]
        var byUserID: [Int64: String] = [:]
        for user in users {
            members[user.extension] = Member(displayName: user.displayName, usernames: [])
            byUserID[user.id] = user.extension
        }
        var deviceUsers: [String: (extension: String, displayName: String)] = [:]
        for device in devices {
            guard let ext = byUserID[device.userID] else { continue }
            members[ext]?.usernames.append(device.username)
            deviceUsers[device.username] = (ext, members[ext]?.displayName ?? "")
        }
        let entry = (now, organisation.sipDomain, members)
        cache[id] = entry
        devicesCache[id] = deviceUsers
        return entry
    }
}
