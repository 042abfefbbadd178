import Calls
import Dialplan
import Directory
import Foundation
import HTTPAPI
import Hummingbird
import Logging
import Media
import MediaEngine
import NIOCore
import NIOPosix
import Registrar
import SIPCore
import SIPTransport
import ServiceLifecycle
import Storage
import Voicemail

/// The running server: storage, registrar, SIP transport and the HTTP API, as services in one
/// `ServiceGroup` that stops gracefully on SIGTERM or SIGINT.
public final class CarePhoneApplication: Sendable {
    public let configuration: ServerConfiguration
    let logger: Logger

    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until a shutdown signal. `onReady` gets the SIP and HTTP ports actually bound.
    public func run(onReady: @escaping @Sendable (_ sipAddresses: [String], _ httpPort: Int) -> Void = { _, _ in }) async throws {
        let folder = DataFolder(path: configuration.dataDirectory)
        // SQLiteDatabase keeps a separate read-only connection (WAL), so the registrar's
        // directory reads never wait for the binding writer's fsync.
        let database = try folder.openDatabase(synchronous: configuration.sqliteSynchronous)
        let directory = SQLiteDirectoryStore(database: database)
        let bindingStore = SQLiteBindingStore(database: database)
        let now = Int64(Date().timeIntervalSince1970)
        let stored = try bindingStore.loadAll()
        try bindingStore.apply([.removeExpired(atOrBefore: now)])
        let live = stored.filter { $0.expiresAt > now }
        logger.info("loaded registrations", metadata: ["bindings": "\(live.count)", "expired": "\(stored.count - live.count)"])

        var names = Set(configuration.serverNames.map { $0.lowercased() })
        names.insert(ProcessInfo.processInfo.hostName.lowercased())
        for address in configuration.bindAddresses where address != "0.0.0.0" && address != "::" { names.insert(address.lowercased()) }
        // With a wildcard bind, a phone may address any of this machine's IPs: all are "this server".
        let interfaceAddresses = ((try? System.enumerateInterfaces()) ?? []).compactMap { $0.address.ipAddress }
        for address in interfaceAddresses { names.insert(address.lowercased()) }
        let registrar = Registrar(
            directory: directory, bindings: live,
            nonces: NonceIssuer(secret: try folder.nonceSecret(), lifetime: configuration.nonceLifetime),
            policy: configuration.registrar, throttle: configuration.throttle,
            resolver: OrganisationResolver(serverNames: names))

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let core = SIPServerCore(eventLoop: group.next(), registrar: registrar, bindingStore: bindingStore, logger: logger)
        let transport = SIPTransportService(group: group, delegate: core)
        core.transport = transport
        // A TCP connection idle for longer than any registration can last is dead.
        transport.idleTimeout = .seconds(Int64(configuration.registrar.maxExpires) + 60)

        // Calls: the dialplan (watched), the B2BUA, and CDRs on SQLite. Set up before the SIP
        // sockets open, so no request can arrive before the B2BUA exists.
        let trunks = try configuration.trunks.map(Self.resolved)
        let domains = Set(try directory.organisations().map { $0.sipDomain.lowercased() })
        for trunk in trunks {
            if let domain = trunk.organisationDomain, !domains.contains(domain.lowercased()) {
                throw ConfigurationError("trunk \(trunk.name): organisation \(domain) does not exist (known: \(domains.sorted().joined(separator: ", ")))")
            }
        }
        let dialplans = DialplanService(
            folder: configuration.dialplanFolder,
            statusPath: (configuration.dataDirectory as NSString).appendingPathComponent("dialplan-status.json"),
            logger: logger,
            environment: Self.dialplanEnvironment(directory: directory, trunks: trunks),
            requirements: { plan in
                let domains = ((try? directory.organisations()) ?? []).map(\.sipDomain)
                return DialplanRequirements.problems(plan, organisationDomains: domains, trunks: trunks)
            })
        dialplans.start()
        let records = CallRecordWriter(store: SQLiteCallRecordStore(database: database), logger: logger)
        let media = configuration.media
        let rtpHost = media.rtpBind ?? configuration.bindAddresses.first(where: { $0 != "0.0.0.0" && $0 != "::" }) ?? "0.0.0.0"
        let advertised = media.rtpAdvertised ?? (rtpHost == "0.0.0.0" || rtpHost == "::" ? (interfaceAddresses.first { !$0.hasPrefix("127.") && !$0.contains(":") } ?? "127.0.0.1") : rtpHost)
        let engine = MediaEngine(configuration: .init(bindHost: rtpHost, advertisedHost: advertised, ports: media.rtpPorts, threads: media.threads))
        // Voicemail is encrypted at rest with a key kept outside the data folder.
        let (key, createdKey) = try EncryptionKeyFile.loadOrCreate(configuration.encryptionKeyFile)
        if createdKey {
            logger.notice("created the voicemail encryption key; keep a copy apart from data backups", metadata: ["encryption_key_file": "\(configuration.encryptionKeyFile)"])
        }
        let voicemailFolder = URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("voicemail")
        let messageAudio = EncryptedAudioStore(folder: voicemailFolder, key: key)
        var depositSettings = VoicemailDeposit.Settings()
        depositSettings.maxDuration = .seconds(media.voicemailMaxSeconds)
        depositSettings.silenceLimit = .seconds(media.voicemailSilenceSeconds)
        depositSettings.minimumDuration = .milliseconds(media.voicemailMinimumMilliseconds)
        let mediaService = MediaService(
            engine: engine, sipLoop: core.eventLoop,
            settings: .init(anchorAllCalls: media.anchor == "always", skipPINFromOwnDevice: media.skipPINFromOwnDevice),
            prompts: PromptLibrary(folders: [
                URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("prompts"), URL(fileURLWithPath: media.promptsFolder),
            ]),
            mailboxes: SQLiteMailboxStore(database: database), directory: directory,
            voicemailFolder: voicemailFolder, audio: messageAudio, deposit: depositSettings, logger: logger)
        let purger = VoicemailPurger(
            store: SQLiteMailboxStore(database: database), audio: messageAudio,
            retention: TimeInterval(media.deletedVoicemailDays) * 86_400, logger: logger
        ).run()
        defer { purger.cancel() }
        if !FileManager.default.fileExists(atPath: (media.promptsFolder as NSString).appendingPathComponent("en")) {
            logger.warning("prompts folder not found; callers will hear silence", metadata: ["prompts_folder": "\(media.promptsFolder)"])
        }
        // The shared calendar, reminders and SMS.
        let calendarSettings = configuration.calendar
        let callbackBase = calendarSettings.callbackBaseURL ?? "http://\(configuration.httpBindAddress.contains(":") ? "[\(configuration.httpBindAddress)]" : configuration.httpBindAddress):\(configuration.httpPort)"
        let calendarServices = try CalendarServices(
            database: database, directory: directory, settings: calendarSettings, callbackBase: callbackBase,
            callbackSecret: try calendarSettings.callbackSecret ?? folder.callbackSecret(), logger: logger)
        let calendarConditions = CalendarConditionsAdapter(calendar: calendarServices.calendar, directory: directory)
        try await core.eventLoop.submit {
            core.configureCalls(trunks: trunks, dialplans: dialplans, records: records, mailboxes: SQLiteMailboxStore(database: database))
            core.b2bua.calendar = calendarConditions
            core.b2bua.media = mediaService
            mediaService.mailboxChanged = { mailbox in core.messageWaiting?.mailboxChanged(mailbox) }
        }.get()
        core.interfaceAddresses = interfaceAddresses
        core.boundHosts = configuration.bindAddresses
        core.localPort = configuration.sipPort
        var bound: [String] = []
        var sipPort = configuration.sipPort
        for host in configuration.bindAddresses {
            let addresses: [SocketAddress]
            do {
                addresses = try await transport.bind(host: host, port: sipPort)
            } catch {
                throw ConfigurationError("cannot listen for SIP on \(host) port \(sipPort): \(error) (is another server using it? use --sip-port)")
            }
            if sipPort == 0, let first = addresses.first?.port { sipPort = first }
            for (i, a) in addresses.enumerated() {
                let ip = a.ipAddress.map { $0.contains(":") ? "[\($0)]" : $0 } ?? host
                bound.append("\(i == 0 ? "udp" : "tcp") \(ip):\(a.port ?? 0)")
            }
        }
        core.qualifyInterval = Int64(configuration.qualifyInterval)
        core.interfaceAddresses = interfaceAddresses
        core.localPort = sipPort
        core.boundHosts = configuration.bindAddresses

        // Trunk registrations need the bound port for their Contact.
        try await core.eventLoop.submit { core.b2bua.startTrunkRegistrations() }.get()
        core.start()
        let sipService = SIPService(
            core: core, transport: transport, group: group, logger: logger, dialplans: dialplans, records: records, media: engine,
            mediaService: UncheckedBox(mediaService))
        let backend = ServerBackend(
            core: core, calls: SQLiteCallRecordStore(database: database),
            dialplanStatusPath: (configuration.dataDirectory as NSString).appendingPathComponent("dialplan-status.json"))
        let httpHost = configuration.httpBindAddress
        let boundSIP = bound
        let voicemail = VoicemailAPI(
            tokens: SQLiteTokenStore(database: database), mailboxes: SQLiteMailboxStore(database: database), audio: messageAudio,
            audioFolder: (configuration.dataDirectory as NSString).appendingPathComponent("voicemail"),
            onChange: { mailbox in core.eventLoop.execute { core.messageWaiting?.mailboxChanged(mailbox) } })
        let http = buildHTTPApplication(
            backend: backend, voicemail: voicemail, calendar: calendarServices.api(tokens: SQLiteTokenStore(database: database)), host: httpHost, port: configuration.httpPort) { [logger] port in
            logger.notice("ready", metadata: ["sip": "\(boundSIP.joined(separator: " "))", "http": "\(httpHost):\(port)"])
            onReady(boundSIP, port)
        }
        var serviceList: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: sipService), .init(service: http)]
        if let dispatcher = calendarServices.dispatcher {
            serviceList.append(.init(service: ReminderDispatchService(dispatcher: dispatcher)))
        } else {
            logger.notice("no SMS gateway configured (sms.gateway); reminders stay queued in the outbox")
        }
        if calendarSettings.caldavURLTemplate != nil {
            serviceList.append(.init(service: CalDAVSyncService(services: calendarServices)))
        }
        // Reminders for every pending visit are planned again in the background once the server
        // is up (idempotent keys; a big calendar takes seconds and must not delay calls).
        let planning = Task.detached { calendarServices.planAtStart() }
        defer { planning.cancel() }
        let services = ServiceGroup(configuration: .init(
            services: serviceList,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await services.run()
    }
}

extension CarePhoneApplication {
    /// Trunk host names are resolved once at start (a B2BUA leg must not wait for DNS).
    static func resolved(_ trunk: Trunk) throws -> Trunk {
        var trunk = trunk
        let host = trunk.destination.host
        if (try? SocketAddress(ipAddress: host, port: 0)) == nil {
            guard let address = try? SocketAddress.makeAddressResolvingHost(host, port: trunk.destination.port), let ip = address.ipAddress else {
                throw ConfigurationError("trunk \(trunk.name): cannot resolve host \(host)")
            }
            trunk.destination.host = ip
        }
        return trunk
    }

    /// What dialplans are checked against: the directory's extensions and the configured trunks.
    static func dialplanEnvironment(directory: SQLiteDirectoryStore, trunks: [Trunk]) -> @Sendable () -> DialplanEnvironment {
        let names = Set(trunks.map(\.name))
        return {
            let organisations = (try? directory.organisations()) ?? []
            var extensions = Set<String>()
            for organisation in organisations {
                for user in (try? directory.users(organisationID: organisation.id)) ?? [] { extensions.insert(user.extension) }
            }
            let zone = organisations.first.flatMap { TimeZone(identifier: $0.timeZone) } ?? .current
            return DialplanEnvironment(extensions: organisations.isEmpty ? nil : extensions, trunks: names, defaultTimeZone: zone)
        }
    }
}

/// Keeps the SIP side alive in the service group and closes it on shutdown: calls in progress
/// are ended with BYE (and their CDRs written) before the transport closes.
struct SIPService: Service {
    let core: SIPServerCore
    let transport: SIPTransportService
    let group: MultiThreadedEventLoopGroup
    let logger: Logger
    let dialplans: DialplanService
    let records: CallRecordWriter
    let media: MediaEngine
    let mediaService: UncheckedBox<MediaService>

    func run() async throws {
        try? await gracefulShutdown()
        logger.notice("stopping SIP")
        try? await core.eventLoop.submit { core.b2bua?.endAll() }.get()
        // Give the BYEs a moment to leave before the sockets close.
        try? await Task.sleep(for: .milliseconds(200))
        // Messages being stored as their calls ended are finished before anything closes.
        await MediaService.drain(mediaService, on: core.eventLoop, timeout: .seconds(5))
        await transport.close()
        try? await core.eventLoop.submit { core.stop() }.get()
        dialplans.stop()
        records.flush()
        try? await media.group.shutdownGracefully()
        try? await group.shutdownGracefully()
    }
}

/// Answers the HTTP API from the SIP event loop, where the registrar's state lives.
struct ServerBackend: APIBackend {
    let core: SIPServerCore
    let calls: SQLiteCallRecordStore
    let dialplanStatusPath: String

    func recentCalls(limit: Int) async throws -> [CallRecord] {
        try calls.recent(limit: limit)
    }

    func dialplanStatusJSON() async throws -> Data? {
        FileManager.default.contents(atPath: dialplanStatusPath)
    }

    func currentBindings() async throws -> [Binding] {
        let now = Int64(Date().timeIntervalSince1970)
        return try await core.eventLoop.submit { core.registrar.location.all.filter { $0.expiresAt > now } }.get()
    }
}
