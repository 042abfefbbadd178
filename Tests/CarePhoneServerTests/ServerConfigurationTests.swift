import Calls
import Foundation
import Testing

@testable import CarePhoneServer

@Suite struct ServerConfigurationTests {
    func write(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("carephone-config-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    @Test func readsEveryKey() throws {
        let path = try write("""
            {"data": "/srv/carephone", "bind": ["127.0.0.1", "::1"], "sip_port": 5070, "http_port": 8081,
             "server_names": ["pbx.clinic.example"], "log_level": "debug", "nonce_lifetime": 120, "qualify_interval": 30,
             "sqlite_synchronous": "NORMAL",
             "registrar": {"min_expires": 30, "default_expires": 1800, "max_expires": 7200, "max_contacts": 4},
             "auth_throttle": {"window_seconds": 120, "slow_after_failures": 3, "block_after_failures": 6, "block_seconds": 900,
                               "user_alarm_after_failures": 50, "delay_milliseconds": 250}}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var c = ServerConfiguration()
        try c.load(file: path)
        #expect(c.dataDirectory == "/srv/carephone")
        #expect(c.bindAddresses == ["127.0.0.1", "::1"])
        #expect(c.sipPort == 5070 && c.httpPort == 8081)
        #expect(c.serverNames == ["pbx.clinic.example"])
        #expect(c.logLevel == "debug" && c.nonceLifetime == 120 && c.qualifyInterval == 30 && c.sqliteSynchronous == "NORMAL")
        #expect(c.registrar.minExpires == 30 && c.registrar.defaultExpires == 1800 && c.registrar.maxExpires == 7200 && c.registrar.maxContactsPerAOR == 4)
        #expect(c.throttle.window == 120 && c.throttle.slowAfter == 3 && c.throttle.blockAfter == 6 && c.throttle.blockSeconds == 900)
        #expect(c.throttle.userAlarmAfter == 50 && c.throttle.delayMilliseconds == 250)
    }

    @Test(arguments: [
        ("{\"sip_prot\": 5070}", "unknown key sip_prot"),
        ("{\"sip_port\": \"5070\"}", "sip_port must be a whole number"),
        ("{\"sip_port\": true}", "sip_port must be a whole number"),
        ("{\"sip_port\": 50.5}", "sip_port must be a whole number"),
        ("{\"sip_port\": 70000}", "sip_port is 70000; it must be between 1 and 65535"),
        ("{\"http_port\": 9090, \"registrar\": {\"max_contacts\": 0}}", "registrar.max_contacts is 0; it must be between 1 and 100"),
        ("{\"registrar\": {\"min_expire\": 5}}", "unknown key registrar.min_expire"),
        ("{\"registrar\": {\"min_expires\": 600, \"max_expires\": 60}}", "registrar.min_expires (600) is above registrar.max_expires (60)"),
        ("{\"log_level\": \"loud\"}", "log_level is \"loud\"; use one of trace, debug, info, notice, warning, error"),
        ("[1, 2]", "the top level must be a JSON object"),
        ("{\"media\": {\"rtp_ports\": \"30000\"}}", "media.rtp_ports is \"30000\"; write FIRST-LAST"),
        ("{\"media\": {\"anchor\": \"sometimes\"}}", "media.anchor is \"sometimes\"; use one of media-steps, always"),
        ("{\"media\": {\"voicemail_max_seconds\": 1}}", "media.voicemail_max_seconds is 1; it must be between 5 and 3600"),
        ("{\"media\": {\"rtp_port\": \"1-2\"}}", "unknown key media.rtp_port"),
        ("{\"sip_port\": }", "not valid JSON"),
        ("{\"sms\": {\"gateway\": \"carrier-pigeon\"}}", "sms.gateway is \"carrier-pigeon\"; use one of kannel, rest, none"),
        ("{\"sms\": {\"gateway\": \"rest\"}}", "sms.rest_url is needed with gateway \"rest\""),
        ("{\"sms\": {\"kannel_sendsms_url\": \"ftp://x\"}}", "sms.kannel_sendsms_url is \"ftp://x\"; it must be an http(s) URL"),
        ("{\"reminders\": {\"offsets\": \"48h, soon\"}}", "reminders.offsets: 'soon' is not an offset"),
        ("{\"reminders\": {\"quiet_hours\": \"late\"}}", "reminders.quiet_hours is \"late\"; write HH:MM-HH:MM"),
        ("{\"reminders\": {\"templates\": {\"en\": \"Your {diagnosis} visit\"}}}", "reminders.templates.en"),
        ("{\"reminders\": {\"templates\": {\"fr\": \"Bonjour\"}}}", "unknown key reminders.templates.fr"),
        ("{\"meetings\": {\"url_template\": \"https://meet.example/fixed\"}}", "meetings.url_template is \"https://meet.example/fixed\"; it must be an http(s) URL with {room}"),
        ("{\"calendar\": {\"caldav_url\": \"http://dav.example/cal/\"}}", "calendar.caldav_url is \"http://dav.example/cal/\"; it must be an http(s) URL with {extension}"),
    ])
    func errorsNameTheKey(_ json: String, _ message: String) throws {
        let path = try write(json)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var c = ServerConfiguration()
        do {
            try c.load(file: path)
            Issue.record("expected an error for \(json)")
        } catch let error as ConfigurationError {
            #expect(error.description.contains(message), "\(error.description)")
            #expect(error.description.hasPrefix(path))
        }
        // A bad file changes nothing, even keys read before the bad one.
        #expect(c == ServerConfiguration())
    }

    @Test func readsTheCalendarSections() throws {
        let path = try write("""
            {"sms": {"gateway": "kannel", "kannel_sendsms_url": "http://127.0.0.1:13013/cgi-bin/sendsms", "kannel_username": "cp",
                     "kannel_password": "pw", "from": "Clinic", "callback_secret": "s3cret-0123456789"},
             "reminders": {"offsets": "24h, 1h30m", "quiet_hours": "22:00-07:30", "clinic_phone": "+390612345678",
                           "templates": {"it": "Ciao {first_name}, {date} {time}. {reply_keywords}"}, "unsettled_seconds": 60},
             "meetings": {"url_template": "https://meet.example/{room}"},
             "calendar": {"patient_names_in_feeds": true, "caldav_url": "http://127.0.0.1:5232/c/{extension}/", "caldav_interval_seconds": 5}}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var c = ServerConfiguration()
        try c.load(file: path)
        #expect(c.calendar.gateway == "kannel" && c.calendar.kannelUsername == "cp" && c.calendar.callbackSecret == "s3cret-0123456789")
        #expect(c.calendar.reminderRule.offsets.map(\.description) == ["P1D", "PT1H30M"])
        #expect(c.calendar.reminderRule.quietHours?.start.description == "22:00" && c.calendar.reminderRule.quietHours?.end.description == "07:30")
        #expect(c.calendar.templates["it"]?.hasPrefix("Ciao") == true && c.calendar.unsettledSeconds == 60)
        #expect(c.calendar.meetingURLTemplate == "https://meet.example/{room}" && c.calendar.patientNamesInFeeds)
        #expect(c.calendar.caldavURLTemplate == "http://127.0.0.1:5232/c/{extension}/" && c.calendar.caldavIntervalSeconds == 5)
    }

    @Test func readsTheMediaSection() throws {
        let path = try write("""
            {"media": {"rtp_ports": "30000-30999", "rtp_bind": "192.0.2.10", "rtp_advertised_address": "203.0.113.5", "anchor": "always",
                       "prompts_folder": "/srv/prompts", "voicemail_max_seconds": 60, "voicemail_silence_seconds": 3,
                       "voicemail_minimum_milliseconds": 500, "skip_pin_from_own_device": true, "threads": 1, "deleted_voicemail_days": 7}}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var c = ServerConfiguration()
        try c.load(file: path)
        let m = c.media
        #expect(m.rtpPorts == 30000...30999 && m.rtpBind == "192.0.2.10" && m.rtpAdvertised == "203.0.113.5" && m.anchor == "always")
        #expect(m.promptsFolder == "/srv/prompts" && m.voicemailMaxSeconds == 60 && m.voicemailSilenceSeconds == 3)
        #expect(m.voicemailMinimumMilliseconds == 500 && m.skipPINFromOwnDevice && m.threads == 1 && m.deletedVoicemailDays == 7)
    }

    @Test func zeroAndOneAreNumbersNotBooleans() throws {
        let path = try write("{\"qualify_interval\": 0, \"registrar\": {\"min_expires\": 1, \"max_contacts\": 1}, \"auth_throttle\": {\"delay_milliseconds\": 0}}")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var c = ServerConfiguration()
        try c.load(file: path)
        #expect(c.qualifyInterval == 0 && c.registrar.minExpires == 1 && c.registrar.maxContactsPerAOR == 1 && c.throttle.delayMilliseconds == 0)
    }

    @Test func missingFile() {
        var c = ServerConfiguration()
        #expect(throws: ConfigurationError("/nonexistent/carephone.json: cannot read the config file")) {
            try c.load(file: "/nonexistent/carephone.json")
        }
    }
}

@Suite struct TrunkConfigurationTests {
    func load(_ json: String) throws -> ServerConfiguration {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("carephone-trunks-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var c = ServerConfiguration()
        try c.load(file: path)
        return c
    }

    @Test func readsATrunkAndTheDialplanFolder() throws {
        let c = try load("""
            {"dialplan_folder": "/etc/carephone/dialplans", "trunks": [
              {"name": "carrier", "host": "203.0.113.5", "port": 5070, "transport": "tcp", "domain": "sip.carrier.example",
               "username": "clinic-42", "password": "pw", "register": true, "register_expires": 900,
               "caller_id": "+390612345600", "inbound_sources": ["198.51.100.7", "198.51.100.8:5060"],
               "inbound_context": "did", "organisation": "clinic.example"}]}
            """)
        #expect(c.dialplanFolder == "/etc/carephone/dialplans")
        let t = try #require(c.trunks.first)
        #expect(t.name == "carrier" && t.destination == CallDestination(transport: "tcp", host: "203.0.113.5", port: 5070))
        #expect(t.domain == "sip.carrier.example" && t.username == "clinic-42" && t.password == "pw")
        #expect(t.register && t.registerExpires == 900 && t.callerID == "+390612345600")
        #expect(t.inboundSources == ["198.51.100.7", "198.51.100.8:5060"] && t.inboundContext == "did")
        #expect(t.organisationDomain == "clinic.example")
    }

    @Test(arguments: [
        ("{\"trunks\": [{\"host\": \"h\"}]}", "trunks[0].name is required"),
        ("{\"trunks\": [{\"name\": \"a b\", \"host\": \"h\"}]}", "trunks[0].name \"a b\" may contain only letters, digits, - and _"),
        ("{\"trunks\": [{\"name\": \"c\"}]}", "trunks[0].host is required"),
        ("{\"trunks\": [{\"name\": \"c\", \"host\": \"h\", \"transport\": \"sctp\"}]}", "trunks[0].transport is \"sctp\"; use one of udp, tcp"),
        ("{\"trunks\": [{\"name\": \"c\", \"host\": \"h\", \"username\": \"u\"}]}", "trunks[0].username and trunks[0].password go together"),
        ("{\"trunks\": [{\"name\": \"c\", \"host\": \"h\", \"register\": true}]}", "trunks[0].register needs username and password"),
        ("{\"trunks\": [{\"name\": \"c\", \"host\": \"h\", \"register\": 1}]}", "trunks[0].register must be true or false"),
        ("{\"trunks\": [{\"name\": \"c\", \"host\": \"h\", \"passwrd\": \"x\"}]}", "unknown key trunks[0].passwrd"),
        ("{\"trunks\": [{\"name\": \"c\", \"host\": \"h\"}, {\"name\": \"c\", \"host\": \"i\"}]}", "trunks[1].name \"c\" is used by another trunk"),
        ("{\"trunks\": {\"name\": \"c\"}}", "trunks must be a list of objects"),
    ])
    func errorsNameTheKey(_ json: String, _ message: String) throws {
        do {
            _ = try load(json)
            Issue.record("expected an error for \(json)")
        } catch let error as ConfigurationError {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }
}
