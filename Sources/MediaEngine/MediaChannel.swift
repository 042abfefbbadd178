import Foundation
import Media
import NIOCore

/// A voice application's view of a call the server answered: `CallAudio` on a terminating
/// `MediaEndpoint`. Prompts are paced out in 20 ms frames (`FramePacer`), keys come from RFC 4733
/// events (`DTMFReceiver`) or SIP INFO, and recordings go through a jitter buffer into memory
/// (the application stores them, encrypted). All state lives on the endpoint's event loop.
public final class MediaChannel: CallAudio, @unchecked Sendable {
    public let endpoint: MediaEndpoint
    public private(set) var audio: NegotiatedAudio
    var loop: EventLoop { endpoint.loop }

    private var stream: RTPStream
    private let started = NIODeadline.now()
    private let timestampBase = UInt32.random(in: 0...UInt32.max)
    private var receiver: DTMFReceiver
    private var digits: [Character] = []
    private var hungUp = false
    private var digitWaiter: (promise: EventLoopPromise<Character?>, timeout: Scheduled<Void>)?
    private var player: Player?
    private var recorder: Recorder?

    private struct Player {
        var pacer: FramePacer
        var start: NIODeadline
        var task: RepeatedTask?
        var promise: EventLoopPromise<Void>
        var interruptible: Bool
        /// A background sound (ringback) that `stopBackground` ends.
        var background = false
    }
    private var backgroundAllowed = true

    private struct Recorder {
        var jitter = JitterBuffer()
        var samples: [Int16] = []
        var heardVoice = false
        var start: NIODeadline
        var lastVoice: NIODeadline
        var maxDuration: Duration
        var silenceLimit: Duration
        var stopKeys: Set<Character>
        var task: RepeatedTask?
        var promise: EventLoopPromise<Recording>
    }

    /// Takes over `endpoint` (its packets come here from now on).
    public init(endpoint: MediaEndpoint, audio: NegotiatedAudio) {
        self.endpoint = endpoint
        self.audio = audio
        stream = RTPStream(ssrc: UInt32.random(in: 1...UInt32.max), firstSequence: UInt16.random(in: 0...UInt16.max))
        receiver = DTMFReceiver(payloadType: audio.dtmfPayloadType ?? 101)
        endpoint.loop.execute { [self] in
            endpoint.peer = nil
            endpoint.onPacket = { [weak self] packet in self?.received(packet) }
        }
    }

    /// A new offer/answer changed the far end's codec or events.
    public func update(audio new: NegotiatedAudio) {
        loop.execute { [self] in
            audio = new
            receiver = DTMFReceiver(payloadType: new.dtmfPayloadType ?? 101)
        }
    }

    /// A key that arrived by SIP INFO (RFC 2976 with `application/dtmf-relay` or `application/dtmf`).
    public func deliverDigit(_ key: Character) {
        loop.execute { [self] in digit(key) }
    }

    /// The call is over: a recording ends normally, everything else waiting fails with `.hungUp`.
    public func hangUp() {
        loop.execute { [self] in
            guard !hungUp else { return }
            hungUp = true
            if let waiter = digitWaiter {
                digitWaiter = nil
                waiter.timeout.cancel()
                waiter.promise.fail(CallAudioError.hungUp)
            }
            if let p = player {
                player = nil
                p.task?.cancel()
                p.promise.fail(CallAudioError.hungUp)
            }
            finishRecording(.hungUp)
        }
    }

    /// The RTP timestamp for now: the sampling clock keeps running between prompts.
    private var currentTimestamp: UInt32 {
        let elapsed = (NIODeadline.now() - started).nanoseconds
        return timestampBase &+ UInt32(truncatingIfNeeded: elapsed / 125_000)
    }

    // MARK: CallAudio

    public func play(_ samples: [Int16], interruptible: Bool) async throws {
        try await startPlaying(samples, interruptible: interruptible, background: false)
    }

    /// Plays a background sound (ringback) unless `stopBackground` was called since the last
    /// `allowBackground`: a late start cannot cut into the application that follows.
    public func playBackground(_ samples: [Int16]) async throws {
        try await startPlaying(samples, interruptible: false, background: true)
    }

    public func allowBackground() {
        loop.execute { [self] in backgroundAllowed = true }
    }

    /// Ends the background sound now and refuses new ones.
    public func stopBackground() {
        loop.execute { [self] in
            backgroundAllowed = false
            if player?.background == true { stopPlayer() }
        }
    }

    private func startPlaying(_ samples: [Int16], interruptible: Bool, background: Bool) async throws {
        try await loop.flatSubmit { [self] () -> EventLoopFuture<Void> in
            guard !hungUp else { return loop.makeFailedFuture(CallAudioError.hungUp) }
            if interruptible, !digits.isEmpty { return loop.makeSucceededVoidFuture() }
            if background, !backgroundAllowed { return loop.makeSucceededVoidFuture() }
            // One sound at a time: whatever played is cut short.
            stopPlayer()
            let promise = loop.makePromise(of: Void.self)
            let pacer = FramePacer(samples: samples, codec: audio.codec, stream: stream, startTimestamp: currentTimestamp)
            player = Player(pacer: pacer, start: .now(), task: nil, promise: promise, interruptible: interruptible, background: background)
            player?.task = loop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(20)) { [weak self] _ in
                self?.tick()
            }
            return promise.futureResult
        }.get()
    }

    private func tick() {
        guard var p = player else { return }
        let elapsed = NIODeadline.now() - p.start
        for packet in p.pacer.frames(upTo: Duration(elapsed)) { endpoint.send(packet) }
        player = p
        if p.pacer.isFinished { stopPlayer() }
    }

    private func stopPlayer() {
        guard let p = player else { return }
        player = nil
        p.task?.cancel()
        stream = p.pacer.stream
        p.promise.succeed(())
    }

    /// Sends a key as RFC 4733 events (marker start, updates every 50 ms, three end packets),
    /// numbered in the channel's stream; returns when the last end packet is out. Needs the far
    /// end to have agreed to telephone-event.
    public func sendDigit(_ key: Character, length: Duration = .milliseconds(100)) async throws {
        guard let digit = DTMFDigit(key) else { return }
        try await loop.flatSubmit { [self] () -> EventLoopFuture<Void> in
            guard !hungUp else { return loop.makeFailedFuture(CallAudioError.hungUp) }
            guard let payloadType = audio.dtmfPayloadType else { return loop.makeSucceededVoidFuture() }
            let sender = DTMFSender(payloadType: payloadType)
            let schedule = sender.packets(for: digit, length: length, timestamp: currentTimestamp, stream: &stream)
            let futures = schedule.map { item in
                loop.scheduleTask(in: TimeAmount(item.offset)) { [weak self] in self?.endpoint.send(item.packet) }.futureResult
            }
            return EventLoopFuture.andAllSucceed(futures, on: loop)
        }.get()
    }

    public func nextDigit(timeout: Duration) async throws -> Character? {
        try await loop.flatSubmit { [self] () -> EventLoopFuture<Character?> in
            guard !hungUp else { return loop.makeFailedFuture(CallAudioError.hungUp) }
            if !digits.isEmpty { return loop.makeSucceededFuture(digits.removeFirst()) }
            let promise = loop.makePromise(of: Character?.self)
            let task = loop.scheduleTask(in: TimeAmount(timeout)) { [weak self] in
                guard let self, let waiter = self.digitWaiter else { return }
                self.digitWaiter = nil
                waiter.promise.succeed(nil)
            }
            digitWaiter = (promise, task)
            return promise.futureResult
        }.get()
    }

    public func clearDigits() async {
        try? await loop.submit { [self] in digits.removeAll() }.get()
    }

    public func record(maxDuration: Duration, silenceLimit: Duration, stopKeys: Set<Character>) async throws -> Recording {
        try await loop.flatSubmit { [self] () -> EventLoopFuture<Recording> in
            let promise = loop.makePromise(of: Recording.self)
            if hungUp {
                promise.succeed(Recording(duration: .zero, end: .hungUp, heardVoice: false))
                return promise.futureResult
            }
            let now = NIODeadline.now()
            recorder = Recorder(start: now, lastVoice: now, maxDuration: maxDuration, silenceLimit: silenceLimit, stopKeys: stopKeys, promise: promise)
            recorder?.samples.reserveCapacity(min(Int(maxDuration / .milliseconds(1)) * 8, 8000 * 600))
            recorder?.task = loop.scheduleRepeatedTask(initialDelay: .milliseconds(200), delay: .milliseconds(200)) { [weak self] _ in
                self?.recorderTick()
            }
            return promise.futureResult
        }.get()
    }

    private func recorderTick() {
        guard let r = recorder else { return }
        let now = NIODeadline.now()
        if now - r.start >= TimeAmount(r.maxDuration) {
            finishRecording(.maxDuration)
        } else if r.heardVoice, now - r.lastVoice >= TimeAmount(r.silenceLimit) {
            finishRecording(.silence)
        }
    }

    private func write(_ outputs: [JitterBuffer.Output], into r: inout Recorder) {
        for output in outputs {
            switch output {
            case .audio(let packet):
                let samples = audio.codec.decode(packet.payload)
                if FrameLevel.meanAbsolute(samples) >= FrameLevel.silenceThreshold {
                    r.heardVoice = true
                    r.lastVoice = .now()
                }
                r.samples += samples
            case .silence(let count):
                r.samples += [Int16](repeating: 0, count: count)
            }
        }
    }

    private func finishRecording(_ end: Recording.End) {
        guard var r = recorder else { return }
        recorder = nil
        r.task?.cancel()
        write(r.jitter.flush(), into: &r)
        r.promise.succeed(Recording(duration: .milliseconds(r.samples.count / 8), end: end, heardVoice: r.heardVoice, samples: r.samples))
    }

    // MARK: receiving

    private func received(_ packet: RTPPacket) {
        if let dtmf = audio.dtmfPayloadType, packet.payloadType == dtmf {
            if let press = receiver.receive(packet) { digit(press.digit.character) }
        } else if packet.payloadType == audio.payloadType, var r = recorder {
            // Moved out while it grows, so its sample array is not copied on every packet.
            recorder = nil
            write(r.jitter.insert(packet), into: &r)
            recorder = r
        }
    }

    private func digit(_ key: Character) {
        guard !hungUp else { return }
        if let r = recorder, r.stopKeys.contains(key) {
            finishRecording(.key(key))
            return
        }
        digits.append(key)
        if digits.count > 32 { digits.removeFirst() }
        if let waiter = digitWaiter {
            digitWaiter = nil
            waiter.timeout.cancel()
            waiter.promise.succeed(digits.removeFirst())
        }
        if let p = player, p.interruptible { stopPlayer() }
    }
}
