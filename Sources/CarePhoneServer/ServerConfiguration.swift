import Calls
import Foundation
import Registrar

/// Everything `carephone serve` can be told, from flags and the config file (README §Configuration).
public struct ServerConfiguration: Sendable, Equatable {
    public var dataDirectory: String = "./data"
    public var bindAddresses: [String] = ["0.0.0.0"]
    public var sipPort: Int = 5060
    public var httpPort: Int = 8080
    /// The HTTP API lists registrations (phone addresses, extensions) and has no login yet, so
    /// it listens on loopback unless told otherwise.
    public var httpBindAddress: String = "127.0.0.1"
    /// Extra host names that mean "this server" in Request-URIs (its IP and host name always do).
    public var serverNames: [String] = []
    public var registrar = RegistrarPolicy()
    public var throttle = AuthThrottle.Settings()
    /// How long a digest nonce stays fresh, in seconds (RFC 7616 §3.3 stale=true after).
    public var nonceLifetime: Int64 = 300
    public var logLevel: String = "info"
    /// Seconds between OPTIONS pings to registered contacts; 0 turns them off.
    public var qualifyInterval: Int = 0
    /// SQLite synchronous mode: FULL (default) or NORMAL.
    public var sqliteSynchronous: String = "FULL"
    /// The folder of `*.dialplan` files, watched for changes.
    public var dialplanFolder: String = "./Dialplans"
    /// SIP trunks (providers) for calls out and in.
    public var trunks: [Trunk] = []
    public var media = MediaSettings()
    /// The key that encrypts voicemail at rest; made on first start. Keep it outside the data
    /// folder (and out of its backups).
    public var encryptionKeyFile: String = "./carephone.key"
    /// SMS gateway, reminders, meetings, feeds and CalDAV.
    public var calendar = CalendarSettings()

    public init() {}

    public var databasePath: String { (dataDirectory as NSString).appendingPathComponent("carephone.sqlite") }
}

/// A configuration problem, naming the key or flag and what is wrong with it.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension ServerConfiguration {
    /// Reads a JSON config file. Unknown keys and wrong types are errors naming the key; on any
    /// error nothing is changed.
    public mutating func load(file path: String) throws {
        var loaded = self
        try loaded.apply(file: path)
        self = loaded
    }

    private mutating func apply(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("\(path): cannot read the config file")
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw ConfigurationError("\(path): not valid JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "parse error"))")
        }
        guard let root = object as? [String: Any] else { throw ConfigurationError("\(path): the top level must be a JSON object") }
        var reader = KeyReader(file: path, prefix: "", object: root)
        dataDirectory = try reader.string("data") ?? dataDirectory
        if let binds = try reader.strings("bind") { bindAddresses = binds }
        sipPort = try reader.int("sip_port", range: 1...65535) ?? sipPort
        httpPort = try reader.int("http_port", range: 1...65535) ?? httpPort
        httpBindAddress = try reader.string("http_bind") ?? httpBindAddress
        serverNames = try reader.strings("server_names") ?? serverNames
        logLevel = try reader.string("log_level", oneOf: ["trace", "debug", "info", "notice", "warning", "error"]) ?? logLevel
        nonceLifetime = Int64(try reader.int("nonce_lifetime", range: 10...86_400) ?? Int(nonceLifetime))
        qualifyInterval = try reader.int("qualify_interval", range: 0...86_400) ?? qualifyInterval
        sqliteSynchronous = try reader.string("sqlite_synchronous", oneOf: ["FULL", "NORMAL"]) ?? sqliteSynchronous
        dialplanFolder = try reader.string("dialplan_folder") ?? dialplanFolder
        encryptionKeyFile = try reader.string("encryption_key_file") ?? encryptionKeyFile
        if let list = try reader.objects("trunks") {
            var parsed: [Trunk] = []
            for var t in list {
                let trunk = try Self.trunk(&t)
                if parsed.contains(where: { $0.name == trunk.name }) {
                    throw ConfigurationError("\(path): \(t.name("name")) \"\(trunk.name)\" is used by another trunk")
                }
                parsed.append(trunk)
            }
            trunks = parsed
        }
        if var m = try reader.object("media") {
            try media.apply(&m)
            try m.finish()
        }
        if var s = try reader.object("sms") {
            try calendar.applySMS(&s)
            try s.finish()
        }
        if var s = try reader.object("reminders") {
            try calendar.applyReminders(&s)
            try s.finish()
        }
        if var s = try reader.object("meetings") {
            try calendar.applyMeetings(&s)
            try s.finish()
        }
        if var s = try reader.object("calendar") {
            try calendar.applyCalendar(&s)
            try s.finish()
        }
        if var r = try reader.object("registrar") {
            registrar.minExpires = UInt32(try r.int("min_expires", range: 1...86_400) ?? Int(registrar.minExpires))
            registrar.defaultExpires = UInt32(try r.int("default_expires", range: 1...604_800) ?? Int(registrar.defaultExpires))
            registrar.maxExpires = UInt32(try r.int("max_expires", range: 1...604_800) ?? Int(registrar.maxExpires))
            registrar.maxContactsPerAOR = try r.int("max_contacts", range: 1...100) ?? registrar.maxContactsPerAOR
            try r.finish()
            if registrar.minExpires > registrar.maxExpires {
                throw ConfigurationError("\(path): registrar.min_expires (\(registrar.minExpires)) is above registrar.max_expires (\(registrar.maxExpires))")
            }
        }
        if var t = try reader.object("auth_throttle") {
            throttle.window = Int64(try t.int("window_seconds", range: 1...86_400) ?? Int(throttle.window))
            throttle.slowAfter = try t.int("slow_after_failures", range: 1...100_000) ?? throttle.slowAfter
            throttle.blockAfter = try t.int("block_after_failures", range: 1...100_000) ?? throttle.blockAfter
            throttle.blockSeconds = Int64(try t.int("block_seconds", range: 1...604_800) ?? Int(throttle.blockSeconds))
            throttle.userAlarmAfter = try t.int("user_alarm_after_failures", range: 1...100_000) ?? throttle.userAlarmAfter
            throttle.delayMilliseconds = Int64(try t.int("delay_milliseconds", range: 0...10_000) ?? Int(throttle.delayMilliseconds))
            try t.finish()
        }
        try reader.finish()
    }
}

extension ServerConfiguration {
    /// One entry of `trunks` (README §Trunks).
    static func trunk(_ t: inout KeyReader) throws -> Trunk {
        guard let name = try t.string("name"), !name.isEmpty else {
            throw ConfigurationError("\(t.file): \(t.name("name")) is required")
        }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ConfigurationError("\(t.file): \(t.name("name")) \"\(name)\" may contain only letters, digits, - and _")
        }
        guard let host = try t.string("host"), !host.isEmpty else {
            throw ConfigurationError("\(t.file): \(t.name("host")) is required")
        }
        let port = try t.int("port", range: 1...65535) ?? 5060
        let transport = try t.string("transport", oneOf: ["udp", "tcp"]) ?? "udp"
        let username = try t.string("username")
        let password = try t.string("password")
        if (username == nil) != (password == nil) {
            throw ConfigurationError("\(t.file): \(t.name("username")) and \(t.name("password")) go together")
        }
        let register = try t.bool("register") ?? false
        if register && username == nil {
            throw ConfigurationError("\(t.file): \(t.name("register")) needs username and password")
        }
        let sources = try t.strings("inbound_sources") ?? []
        for source in sources {
            let (host, port) = Trunk.split(source)
            let isIP = host.split(separator: ".").count == 4 && host.split(separator: ".").allSatisfy { UInt8($0) != nil } || host.contains(":")
            if !isIP || (port.map { !(1...65535).contains($0) } ?? false) {
                throw ConfigurationError("\(t.file): \(t.name("inbound_sources")) \"\(source)\" must be an IP address, optionally with :port (calls in are recognised by where they come from)")
            }
        }
        let trunk = Trunk(
            name: name, destination: CallDestination(transport: transport, host: host, port: port),
            domain: try t.string("domain"), username: username, password: password, register: register,
            registerExpires: try t.int("register_expires", range: 60...86_400) ?? 600,
            callerID: try t.string("caller_id"), inboundSources: sources,
            inboundContext: try t.string("inbound_context") ?? "from-trunk",
            organisationDomain: try t.string("organisation"))
        try t.finish()
        return trunk
    }
}

/// Reads typed values from a JSON object and remembers which keys were used, so leftovers
/// (typos) can be reported.
struct KeyReader {
    let file: String
    let prefix: String
    let object: [String: Any]
    var used: Set<String> = []

    init(file: String, prefix: String, object: [String: Any]) {
        self.file = file
        self.prefix = prefix
        self.object = object
    }

    func name(_ key: String) -> String { prefix + key }

    mutating func value(_ key: String) -> Any? {
        used.insert(key)
        return object[key]
    }

    mutating func string(_ key: String, oneOf allowed: [String]? = nil) throws -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v as? String else { throw ConfigurationError("\(file): \(name(key)) must be a string") }
        if let allowed, !allowed.contains(s) {
            throw ConfigurationError("\(file): \(name(key)) is \"\(s)\"; use one of \(allowed.joined(separator: ", "))")
        }
        return s
    }

    mutating func strings(_ key: String) throws -> [String]? {
        guard let v = value(key) else { return nil }
        if let s = v as? String { return [s] }
        guard let list = v as? [String] else { throw ConfigurationError("\(file): \(name(key)) must be a string or a list of strings") }
        return list
    }

    mutating func int(_ key: String, range: ClosedRange<Int>) throws -> Int? {
        guard let v = value(key) else { return nil }
        // On Linux JSONSerialization gives NSNumber for numbers and booleans alike, and `is Bool`
        // is true for 0 and 1: a real boolean is the one whose type code is "c".
        guard let n = v as? NSNumber, n.doubleValue.rounded() == n.doubleValue, String(cString: n.objCType) != "c" else {
            throw ConfigurationError("\(file): \(name(key)) must be a whole number")
        }
        guard range.contains(n.intValue) else {
            throw ConfigurationError("\(file): \(name(key)) is \(n.intValue); it must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return n.intValue
    }

    mutating func bool(_ key: String) throws -> Bool? {
        guard let v = value(key) else { return nil }
        guard let n = v as? NSNumber, String(cString: n.objCType) == "c" else {
            throw ConfigurationError("\(file): \(name(key)) must be true or false")
        }
        return n.boolValue
    }

    mutating func objects(_ key: String) throws -> [KeyReader]? {
        guard let v = value(key) else { return nil }
        guard let list = v as? [Any] else { throw ConfigurationError("\(file): \(name(key)) must be a list of objects") }
        return try list.enumerated().map { i, element in
            guard let o = element as? [String: Any] else {
                throw ConfigurationError("\(file): \(name(key))[\(i)] must be an object")
            }
            return KeyReader(file: file, prefix: name(key) + "[\(i)].", object: o)
        }
    }

    mutating func object(_ key: String) throws -> KeyReader? {
        guard let v = value(key) else { return nil }
        guard let o = v as? [String: Any] else { throw ConfigurationError("\(file): \(name(key)) must be an object") }
        return KeyReader(file: file, prefix: name(key) + ".", object: o)
    }

    func finish() throws {
        let unknown = Set(object.keys).subtracting(used).sorted()
        if let first = unknown.first {
            throw ConfigurationError("\(file): unknown key \(name(first))")
        }
    }
}

/// The `media` section: RTP ports and addresses, anchoring, prompts and voicemail limits.
public struct MediaSettings: Sendable, Equatable {
    /// UDP ports for RTP (even) and RTCP (odd), e.g. `"20000-29999"` in the file.
    public var rtpPorts: ClosedRange<Int> = 20000...29999
    /// Address RTP sockets bind to; nil: the first SIP bind address (127.0.0.1 for a wildcard,
    /// when no advertised address is given).
    public var rtpBind: String?
    /// Address written into SDP for phones to send RTP to.
    public var rtpAdvertised: String?
    /// `always`: relay every call's RTP through the server; `media-steps`: only calls a
    /// voicemail, menu or prompt answered.
    public var anchor: String = "media-steps"
    /// The shipped prompts; administrators' own recordings go in `<data>/prompts/<language>/`.
    public var promptsFolder: String = "./Prompts"
    public var voicemailMaxSeconds = 180
    public var voicemailSilenceSeconds = 5
    /// Messages shorter than this are discarded (milliseconds).
    public var voicemailMinimumMilliseconds = 1000
    public var skipPINFromOwnDevice = false
    public var threads = 2
    /// Days a deleted voicemail can still be undeleted before it is removed for good.
    public var deletedVoicemailDays = 30

    public init() {}

    mutating func apply(_ m: inout KeyReader) throws {
        if let text = try m.string("rtp_ports") {
            let parts = text.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, parts[0] >= 1024, parts[1] <= 65535, parts[1] - parts[0] >= 3 else {
                throw ConfigurationError("\(m.file): \(m.name("rtp_ports")) is \"\(text)\"; write FIRST-LAST, e.g. 20000-29999 (1024-65535, at least 4 ports)")
            }
            rtpPorts = parts[0]...parts[1]
        }
        rtpBind = try m.string("rtp_bind") ?? rtpBind
        rtpAdvertised = try m.string("rtp_advertised_address") ?? rtpAdvertised
        anchor = try m.string("anchor", oneOf: ["media-steps", "always"]) ?? anchor
        promptsFolder = try m.string("prompts_folder") ?? promptsFolder
        voicemailMaxSeconds = try m.int("voicemail_max_seconds", range: 5...3600) ?? voicemailMaxSeconds
        voicemailSilenceSeconds = try m.int("voicemail_silence_seconds", range: 1...60) ?? voicemailSilenceSeconds
        voicemailMinimumMilliseconds = try m.int("voicemail_minimum_milliseconds", range: 0...60_000) ?? voicemailMinimumMilliseconds
        skipPINFromOwnDevice = try m.bool("skip_pin_from_own_device") ?? skipPINFromOwnDevice
        threads = try m.int("threads", range: 1...64) ?? threads
        deletedVoicemailDays = try m.int("deleted_voicemail_days", range: 0...3650) ?? deletedVoicemailDays
    }
}
