import Calls
import Dialplan
import Directory
import Foundation
import Logging
import Media
import MediaEngine
import NIOCore
import Voicemail

/// The B2BUA's media: anchoring RTP on the server (`relay`), answering callers for the plan's
/// media steps, and running the voice applications (prompts, menus, voicemail) on them.
///
/// Called on the SIP event loop; the media itself runs on the engine's loops and the
/// applications in tasks, whose results come back to the SIP loop.
final class MediaService: MediaRelay {
    struct Settings {
        /// Relay every call's RTP through the server (for quality figures and NAT), not only
        /// calls a media step answered.
        var anchorAllCalls = false
        /// `*97` from the owner's own registered phone skips the PIN.
        var skipPINFromOwnDevice = false
    }

    let engine: MediaEngine
    let sipLoop: EventLoop
    let settings: Settings
    let prompts: PromptLibrary
    let mailboxes: any MailboxStore
    let directory: any DirectoryStore
    let voicemailFolder: URL
    let audio: any MessageAudioStore
    let deposit: VoicemailDeposit
    let pinThrottle = PINThrottle()
    let logger: Logger
    /// A mailbox changed (new message, heard, deleted): message waiting. Called on the SIP loop.
    var mailboxChanged: (Mailbox) -> Void = { _ in }
    private var sessions: [String: CallMediaSession] = [:]
    /// Voice applications running, by call; on the SIP loop.
    private var applications: [String: Task<Void, Never>] = [:]

    init(
        engine: MediaEngine, sipLoop: EventLoop, settings: Settings, prompts: PromptLibrary, mailboxes: any MailboxStore,
        directory: any DirectoryStore, voicemailFolder: URL, audio: any MessageAudioStore, deposit: VoicemailDeposit.Settings,
        logger: Logger
    ) {
        self.engine = engine
        self.sipLoop = sipLoop
        self.settings = settings
        self.prompts = prompts
        self.mailboxes = mailboxes
        self.directory = directory
        self.voicemailFolder = voicemailFolder
        self.audio = audio
        self.deposit = VoicemailDeposit(store: mailboxes, audio: audio, folder: voicemailFolder, settings: deposit)
        self.logger = logger
    }

    var activeSessions: Int { sessions.count }

    private func session(_ callID: String) -> CallMediaSession {
        if let existing = sessions[callID] { return existing }
        let created = CallMediaSession(callID: callID, loop: engine.nextLoop())
        sessions[callID] = created
        return created
    }

    private func endpoint(_ existing: MediaEndpoint?, in session: CallMediaSession) throws -> MediaEndpoint {
        if let existing { return existing }
        return try engine.openEndpoint(on: session.loop)
    }

    // MARK: anchoring

    func relay(_ body: [UInt8], contentType: String?, callID: String, towards side: CallSide) -> [UInt8] {
        guard settings.anchorAllCalls || sessions[callID] != nil, contentType?.lowercased().hasPrefix("application/sdp") ?? true,
            let sdp = try? SessionDescription(parsing: body), let audio = sdp.audio,
            let host = sdp.address(ofMedia: audio.index)
        else { return body }
        let session = session(callID)
        do {
            session.callerSide = try endpoint(session.callerSide, in: session)
            session.calleeSide = try endpoint(session.calleeSide, in: session)
        } catch {
            logger.warning("no RTP port for a relayed call; media goes direct", metadata: ["call": "\(callID)", "error": "\(error)"])
            return body
        }
        guard let callerSide = session.callerSide, let calleeSide = session.calleeSide else { return body }
        // The body comes from the other side: it says where that side receives.
        let (from, facing) = side == .callee ? (callerSide, calleeSide) : (calleeSide, callerSide)
        from.setRemote(host: host, port: audio.section.port)
        if session.channel == nil { session.join() }
        return session.stamp(sdp.relayed(through: facing.host, port: facing.localPort), towards: side, host: facing.host)
    }

    func callEnded(_ callID: String) -> MediaQuality? {
        guard let session = sessions.removeValue(forKey: callID) else { return nil }
        let quality = session.quality()
        session.close()
        return quality
    }

    // MARK: calls the server answers

    func answerCaller(callID: String, offer: [UInt8]) -> MediaAnswer {
        let session = session(callID)
        do {
            session.callerSide = try endpoint(session.callerSide, in: session)
        } catch {
            logger.warning("no RTP port to answer a call", metadata: ["call": "\(callID)", "error": "\(error)"])
            return .refused("\(error)")
        }
        guard let endpoint = session.callerSide else { return .refused("no endpoint") }
        // Whatever relayed to the caller before (an anchored callee that did not answer) stops.
        let calleeSide = session.calleeSide
        session.loop.execute { calleeSide?.peer = nil }
        guard !offer.isEmpty else {
            // Late offer (RFC 3264 §4 with RFC 3261 §13.2.1) or a re-INVITE without SDP: we
            // offer (what was agreed, if anything was), the ACK answers.
            if session.callerAudio == nil {
                attachChannel(session, audio: NegotiatedAudio(codec: .muLaw, dtmfPayloadType: 101, remoteHost: "", remotePort: 0))
            }
            return .sdp(session.offer(from: endpoint, towards: .caller))
        }
        let parsed: SessionDescription
        let audio: NegotiatedAudio
        do {
            parsed = try SessionDescription(parsing: offer)
            audio = try parsed.negotiateAudio()
        } catch {
            return .refused("\(error)")
        }
        endpoint.setRemote(host: audio.remoteHost, port: audio.remotePort)
        session.callerAudio = audio
        attachChannel(session, audio: audio)
        let ours = SessionDescription.audio(
            host: endpoint.host, port: endpoint.localPort, codecs: [audio.codec], dtmfPayloadType: audio.dtmfPayloadType,
            sessionID: session.sessionID, version: 0, direction: Self.answerDirection(audio.direction))
        return .sdp(session.stamp(SessionDescription.answer(to: parsed, with: ours), towards: .caller, host: endpoint.host))
    }

    /// RFC 3264 §6.1: sendonly is answered recvonly and the reverse.
    static func answerDirection(_ offered: String) -> String {
        switch offered {
        case "sendonly": "recvonly"
        case "recvonly": "sendonly"
        case "inactive": "inactive"
        default: "sendrecv"
        }
    }

    private func attachChannel(_ session: CallMediaSession, audio: NegotiatedAudio) {
        if let channel = session.channel {
            channel.update(audio: audio)
        } else if let endpoint = session.callerSide {
            session.channel = MediaChannel(endpoint: endpoint, audio: audio)
        }
    }

    func callerAnswered(callID: String, answer: [UInt8]) {
        guard let session = sessions[callID], let audio = try? SessionDescription(parsing: answer).negotiateAudio() else { return }
        session.callerSide?.setRemote(host: audio.remoteHost, port: audio.remotePort)
        session.callerAudio = audio
        session.channel?.update(audio: audio)
    }

    func offerToCallee(callID: String) -> [UInt8] {
        let session = session(callID)
        guard let endpoint = try? endpoint(session.calleeSide, in: session) else { return [] }
        session.calleeSide = endpoint
        // A new party: whatever it relayed to before is forgotten.
        session.loop.execute { endpoint.peer = nil }
        return session.offer(from: endpoint, towards: .callee)
    }

    func calleeAnswered(callID: String, answer: [UInt8]) {
        guard let session = sessions[callID] else { return }
        if let sdp = try? SessionDescription(parsing: answer), let audio = sdp.audio, let host = sdp.address(ofMedia: audio.index) {
            session.calleeSide?.setRemote(host: host, port: audio.section.port)
        }
        // The application (ringback, menu) stops; from now on the two parties hear each other.
        session.stopRingback()
        session.channel?.hangUp()
        session.channel = nil
        session.join()
    }

    /// The ringback tone: 425 Hz, 1 s on and 4 s off, the most common cadence in ITU-T E.180
    /// (countries differ; one tone for all here).
    static let ringbackTone: [Int16] = (0..<8000).map { i in Int16(6000 * sin(2 * Double.pi * 425 * Double(i) / 8000)) }

    func ringback(callID: String) {
        guard let session = sessions[callID], let channel = session.channel, session.ringback == nil else { return }
        channel.allowBackground()
        let tone = Self.ringbackTone
        session.ringback = Task {
            while !Task.isCancelled {
                do {
                    try await channel.playBackground(tone)
                    try await Task.sleep(for: .seconds(4))
                } catch {
                    return
                }
            }
        }
    }

    func digit(_ key: Character, callID: String) {
        sessions[callID]?.channel?.deliverDigit(key)
    }

    // MARK: applications

    func accepts(_ application: MediaApplication, caller: CallerIdentity) -> Bool {
        switch application {
        case .voicemail(let number, _):
            return (try? mailbox(organisationID: caller.organisationID, number: number)) != nil
        case .voicemailAccess:
            // A caller from outside (or a device no user owns) has no mailbox of its own to open.
            guard let own = caller.userExtension else { return false }
            return (try? mailbox(organisationID: caller.organisationID, number: own)) != nil
        case .play, .menu:
            return true
        }
    }

    func run(_ application: MediaApplication, callID: String, caller: CallerIdentity, done: @escaping (StepOutcome) -> Void) {
        guard let session = sessions[callID], let channel = session.channel else {
            done(.played)
            return
        }
        session.stopRingback()
        let organisation = try? directory.organisation(id: caller.organisationID)
        let voice = Voice(audio: channel, prompts: prompts, language: PromptLibrary.language(forLocale: locale(for: application, caller: caller, organisation: organisation)))
        let box = UncheckedBox(done)
        let loop = sipLoop
        let context = VoiceContext(service: UncheckedBox(self), caller: caller, organisation: organisation, callID: callID, logger: logger)
        let service = UncheckedBox(self)
        applications[callID] = Task {
            let outcome: StepOutcome
            do {
                outcome = try await context.run(application, voice: voice)
            } catch CallAudioError.hungUp {
                outcome = .played
            } catch {
                context.logger.warning("voice application failed", metadata: ["call": "\(context.callID)", "error": "\(error)"])
                outcome = .played
            }
            loop.execute {
                service.value.applications[context.callID] = nil
                box.value(outcome)
            }
        }
    }

    /// Server shutdown: the calls were hung up, so applications are finishing (a recording
    /// is being stored); wait for them, at most `timeout`. Call from outside the SIP loop.
    static func drain(_ service: UncheckedBox<MediaService>, on loop: EventLoop, timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let running = (try? await loop.submit { service.value.applications.count }.get()) ?? 0
            if running == 0 { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        service.value.logger.warning("voice applications still running at shutdown")
    }

    /// The language a caller hears: the user's own for `*97`, the mailbox owner's for their
    /// voicemail greeting, otherwise (and when the user has none) the organisation's.
    func locale(for application: MediaApplication, caller: CallerIdentity, organisation: Organisation?) -> String {
        let fallback = organisation?.locale ?? "en"
        let user: String?
        switch application {
        case .voicemailAccess: user = caller.userExtension
        case .voicemail(let mailbox, _): user = mailbox
        case .play, .menu: user = nil
        }
        guard let user, let found = try? self.user(extension: user, organisationID: caller.organisationID) else { return fallback }
        return found.locale ?? fallback
    }

    /// The mailbox `number` of an organisation; a user's own mailbox is created the first time
    /// it is needed.
    func mailbox(organisationID: Int64, number: String) throws -> Mailbox? {
        if let existing = try mailboxes.mailbox(organisationID: organisationID, number: number) { return existing }
        let user = try self.user(extension: number, organisationID: organisationID)
        return try mailboxes.mailbox(organisationID: organisationID, number: number, creatingFor: user.map { ($0.id, $0.extension) })
    }

    /// The user with `extension`, if any.
    private func user(extension: String, organisationID: Int64) throws -> User? {
        try directory.users(organisationID: organisationID).first { $0.extension == `extension` }
    }
}

/// What a voice application task needs, carried off the SIP loop.
struct VoiceContext: Sendable {
    let service: UncheckedBox<MediaService>
    let caller: CallerIdentity
    let organisation: Organisation?
    let callID: String
    let logger: Logger

    func run(_ application: MediaApplication, voice: Voice) async throws -> StepOutcome {
        let service = service.value
        for prompt in Self.prompts(of: application) where service.prompts.samples(prompt, language: voice.language) == nil {
            logger.warning("prompt not found; the caller hears nothing for it", metadata: ["prompt": "\(prompt)", "language": "\(voice.language)", "call": "\(callID)"])
        }
        switch application {
        case .play(let prompt):
            return try await VoiceApplications.play(prompt, voice: voice)
        case .menu(let menu):
            return try await VoiceApplications.menu(menu, voice: voice)
        case .voicemail(let number, let busy):
            guard let mailbox = try service.mailbox(organisationID: caller.organisationID, number: number) else {
                logger.warning("no such mailbox", metadata: ["call": "\(callID)", "mailbox": "\(number)"])
                try await voice.say(["goodbye"], interruptible: false)
                return .played
            }
            if let message = try await service.deposit.run(
                voice: voice, mailbox: mailbox, callerNumber: caller.number, callerName: caller.displayName, busy: busy)
            {
                logger.info("voicemail stored", metadata: ["call": "\(callID)", "mailbox": "\(number)", "message": "\(message.id)", "seconds": "\(message.duration)"])
                notify(mailbox)
            } else {
                logger.info("voicemail too short; discarded", metadata: ["call": "\(callID)", "mailbox": "\(number)"])
            }
            return .played
        case .voicemailAccess:
            guard let own = caller.userExtension, let mailbox = try service.mailbox(organisationID: caller.organisationID, number: own) else {
                try await voice.say(["goodbye"], interruptible: false)
                return .played
            }
            let access = VoicemailAccess(
                store: service.mailboxes, audio: service.audio, folder: service.voicemailFolder, throttle: service.pinThrottle,
                timeZone: organisation.flatMap { TimeZone(identifier: $0.timeZone) } ?? .current,
                changed: { mailbox in notify(mailbox) })
            // Only the owner's own authenticated phone, calling its own mailbox, may skip the PIN.
            let trusted = service.settings.skipPINFromOwnDevice && caller.deviceAOR != nil && !mailbox.shared && mailbox.number == own
            try await access.run(voice: voice, mailbox: mailbox, trustedDevice: trusted)
            return .played
        }
    }

    static func prompts(of application: MediaApplication) -> [String] {
        switch application {
        case .play(let prompt): [prompt]
        case .menu(let menu): [menu.prompt]
        default: []
        }
    }

    private func notify(_ mailbox: Mailbox) {
        let service = service
        service.value.sipLoop.execute { service.value.mailboxChanged(mailbox) }
    }
}
