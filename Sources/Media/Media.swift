// Media: the socket-free foundations of CarePhone's media engine.
//
// Everything here imports Foundation only and is driven by its caller: no sockets, no timers,
// no wall clock. Time enters as `Duration` values the caller supplies, so a 20 ms pacer or a
// 60 ms jitter buffer is tested in microseconds.
//
// - `G711/`: µ-law and A-law sample codecs (ITU-T G.711), table-driven decode.
// - `WAV/`: RIFF WAVE reader, writer and a streaming writer for recorders.
// - `RTP/`: RTP packets (RFC 3550 §5.1), sequence arithmetic and extended sequence numbers (A.1),
//   outgoing stream state, the frame pacer for players.
// - `DTMF/`: RFC 4733 telephone-event payloads, a receiver and a sender.
// - `Jitter/`: the recorder's jitter buffer and the interarrival jitter estimate (RFC 3550 A.8).
// - `RTCP/`: sender and receiver reports (RFC 3550 §6.4), receive statistics (A.3), a MOS estimate.
//
// - `SDP/`: session descriptions (RFC 4566), G.711 offer/answer (RFC 3264), the relay's rewriting.
// - `App/`: what voice applications are written against: `CallAudio` (play, keys, record),
//   `Voice` (prompts by name in a language, key collection) and the `PromptLibrary`.
//
// Sockets, symmetric RTP latching, the relay and the voice channel are in `MediaEngine` (NIO),
// so everything here stays testable without a network.
