import Testing

/// The system tests: the real `carephone` binary (`.build/debug/carephone`, so `swift build`
/// first) on loopback, driven by raw sockets (`SIPTestClient`), SIPp and baresip.
///
/// Every test starts its own server on free ports in its own scratch folder (`Scratch`,
/// removed afterwards; `CAREPHONE_KEEP_SCRATCH=1` keeps it, logs included), and stops every
/// process it started by PID. Missing peers fail the test with the `apt-get install` line;
/// `Scripts/test.sh` installs them.
///
/// The suites are nested here so that all of them run one after another: some time answers
/// (a 1 s silence, a slowed-down answer, a block), which would turn flaky if they shared the
/// machine's 2 cores with each other.
@Suite(.serialized) struct InteropTests {}
