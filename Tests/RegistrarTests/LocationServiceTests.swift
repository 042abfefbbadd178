import Foundation
import Testing

@testable import Registrar

/// The packed location service against a plain dictionary of arrays (the implementation it
/// replaced), with a seeded random stream of changes.
@Suite struct LocationServiceTests {
    /// The `[String: [Binding]]` location service, as the reference.
    struct ReferenceModel {
        var byAOR: [String: [Binding]] = [:]
        var count = 0

        func bindings(of aor: String, now: Int64) -> [Binding] { (byAOR[aor] ?? []).filter { $0.expiresAt > now } }
        var all: [Binding] { byAOR.values.flatMap { $0 } }
        func expiredCount(atOrBefore time: Int64) -> Int { all.filter { $0.expiresAt <= time }.count }

        mutating func apply(_ change: BindingChange) {
            switch change {
            case .upsert(let b):
                var list = byAOR[b.aor] ?? []
                if let i = list.firstIndex(where: { $0.contactURI == b.contactURI }) {
                    list[i] = b
                } else {
                    list.append(b)
                    count += 1
                }
                byAOR[b.aor] = list
            case .remove(let aor, let contact):
                guard var list = byAOR[aor], let i = list.firstIndex(where: { $0.contactURI == contact }) else {
                    return
                }
                list.remove(at: i)
                count -= 1
                byAOR[aor] = list.isEmpty ? nil : list
            case .removeAll(let aor):
                count -= byAOR[aor]?.count ?? 0
                byAOR[aor] = nil
            case .removeExpired(let time):
                for (aor, list) in byAOR {
                    let kept = list.filter { $0.expiresAt > time }
                    count -= list.count - kept.count
                    byAOR[aor] = kept.isEmpty ? nil : kept
                }
            }
        }
    }

    /// SplitMix64, so a failure can be replayed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Addresses and contacts include pairs that differ in bytes but are equal as Swift Strings
    /// (precomposed and decomposed é, KELVIN SIGN and K, GREEK QUESTION MARK and ;).
    static let aors: [String] =
        (1000..<1030).map { "sip:\($0)@clinic.example" } + [
            "sip:caf\u{E9}@clinic.example", "sip:cafe\u{301}@clinic.example", "sip:\u{212A}@clinic.example",
            "sip:K@clinic.example", "sip:电话@诊所.example", "", "sip:a;b@clinic.example", "sip:a\u{37E}b@clinic.example",
        ]
    static let contacts = [
        "sip:1001@192.0.2.10:5062", "sip:1001@192.0.2.11:5062;transport=tcp", "sip:x@[2001:db8::1]:5060",
        "sip:caf\u{E9}@192.0.2.12", "sip:cafe\u{301}@192.0.2.12", "",
        "sip:1001@192.0.2.13;ob;+sip.instance=\"<urn:uuid:1>\"",
    ]

    static func pick<T>(_ options: [T], _ rng: inout SeededGenerator) -> T {
        options[Int.random(in: 0..<options.count, using: &rng)]
    }

    static func randomBinding(aor: String, contact: String, now: Int64, _ rng: inout SeededGenerator) -> Binding {
        Binding(
            aor: aor, contactURI: contact,
            callID: pick(["call-1", "a84b4c76e66710@pc33.atlanta.com", "\(rng.next())@192.0.2.10", ""], &rng),
            cseq: pick([0, 1, UInt32.max, UInt32.random(in: 0...UInt32.max, using: &rng)], &rng),
            expiresAt: pick([now + Int64.random(in: -5...60, using: &rng), now + 3600, Int64.max, Int64.min], &rng),
            q: pick([nil, 0, 1, 0.5, Double.random(in: 0...1, using: &rng)], &rng),
            instanceID: pick([nil, "", "\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\""], &rng),
            regID: pick([nil, 0, 1, -1, Int.max, Int.min], &rng),
            path: pick([[], [""], ["<sip:edge1.example;lr>", "<sip:é.example;lr>"]], &rng),
            userAgent: pick(
                [
                    nil, "", "SIPp register_auth benchmark", "Téléphone ☎️ 📞 v2", "电话机 1.0",
                    String(repeating: "ü", count: 300),
                ], &rng),
            transport: pick(["udp", "tcp", "tls", "ws", ""], &rng),
            sourceHost: pick(["127.0.0.1", "2001:db8::1", "", "例え.jp"], &rng),
            sourcePort: pick([0, 5060, 65535, Int.max, Int.min, -1], &rng),
            localHost: pick(["192.0.2.1", ""], &rng),
            localPort: pick([0, 5060, 25060], &rng))
    }

    /// Byte-exact descriptions: Binding's `==` compares Strings by canonical equivalence, which
    /// would hide a wrongly stored spelling, so non-ASCII scalars are written as escapes.
    static func exact(_ bindings: [Binding]) -> [String] {
        bindings.map { b in
            String(reflecting: b).unicodeScalars.map { $0.isASCII ? String($0) : "\\u{\(String($0.value, radix: 16))}" }
                .joined()
        }
    }

    static func sortedExact(_ bindings: [Binding]) -> [String] { exact(bindings).sorted() }

    @Test(arguments: [(UInt64.max, 5000), (3, 3000), (0, 2000)])
    func matchesTheReferenceModel(hashMask: UInt64, steps: Int) {
        var rng = SeededGenerator(state: 0xCA7E_F0E5 ^ hashMask)
        var packed = LocationService([], hashMask: hashMask)
        var model = ReferenceModel()
        var now: Int64 = 1_800_000_000
        var refreshes = 0
        for step in 0..<steps {
            now += Int64.random(in: 0...2, using: &rng)
            let aor = Self.pick(Self.aors, &rng)
            let change: BindingChange
            var isRefresh = false
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<40:
                change = .upsert(Self.randomBinding(aor: aor, contact: Self.pick(Self.contacts, &rng), now: now, &rng))
            case 40..<65:
                // A refresh: the same binding with a new CSeq and expiry.
                guard var b = model.byAOR[aor]?.randomElement(using: &rng) else { continue }
                b.cseq &+= 1
                b.expiresAt = now + Int64.random(in: 1...60, using: &rng)
                change = .upsert(b)
                isRefresh = true
            case 65..<82:
                let contact = model.byAOR[aor]?.randomElement(using: &rng)?.contactURI ?? Self.pick(Self.contacts, &rng)
                change = .remove(aor: aor, contactURI: contact)
            case 82..<86: change = .removeAll(aor: aor)
            default: change = .removeExpired(atOrBefore: now)
            }
            let poolBefore = packed.poolBytes
            packed.apply(change)
            model.apply(change)
            // The first difference ends the run: later steps would only repeat it.
            func differs<T: Equatable>(_ what: String, _ got: T, _ want: T) -> Bool {
                guard got != want else { return false }
                Issue.record("step \(step), after \(change): \(what)\n got: \(got)\nwant: \(want)")
                return true
            }
            if isRefresh {
                if differs("pool bytes after a refresh", packed.poolBytes, poolBefore) { return }
                refreshes += 1
            }
            if differs("count", packed.count, model.count) { return }
            if differs("expiredCount", packed.expiredCount(atOrBefore: now), model.expiredCount(atOrBefore: now)) {
                return
            }
            for probe in [aor, Self.pick(Self.aors, &rng)] {
                for time in [now, Int64.min] {
                    let got = Self.exact(packed.bindings(of: probe, now: time))
                    if differs(
                        "bindings(of: \(probe), now: \(time))", got, Self.exact(model.bindings(of: probe, now: time)))
                    {
                        return
                    }
                }
            }
            if step % 50 == 0 || step == steps - 1 {
                if differs("all", Self.sortedExact(packed.all), Self.sortedExact(model.all)) { return }
            }
        }
        #expect(packed.compactions > 0)
        #expect(refreshes > 0)
        print(
            "model test (hashMask \(hashMask)): \(steps) steps, \(packed.compactions) compactions, \(packed.count) bindings left"
        )
    }

    @Test func orderWithinAnAddressIsFirstRegistration() {
        var location = LocationService()
        let aor = "sip:1001@clinic.example"
        func binding(_ contact: String, cseq: UInt32) -> Binding {
            Binding(
                aor: aor, contactURI: contact, callID: "c", cseq: cseq, expiresAt: 100, transport: "udp",
                sourceHost: "h", sourcePort: 1)
        }
        for contact in ["sip:a@h", "sip:b@h", "sip:c@h"] { location.apply(.upsert(binding(contact, cseq: 1))) }
        location.apply(.upsert(binding("sip:a@h", cseq: 2)))
        location.apply(.remove(aor: aor, contactURI: "sip:b@h"))
        location.apply(.upsert(binding("sip:b@h", cseq: 3)))
        #expect(location.bindings(of: aor, now: 0).map(\.contactURI) == ["sip:a@h", "sip:c@h", "sip:b@h"])
        #expect(location.bindings(of: aor, now: 0).map(\.cseq) == [2, 1, 3])
        #expect(location.bindings(of: aor, now: 100).isEmpty)
        #expect(location.bindings(of: "sip:1002@clinic.example", now: 0).isEmpty)
    }

    @Test func unicodeAndEmptyFieldsRoundTrip() {
        let full = Binding(
            aor: "sip:müller@klinik.example", contactURI: "sip:müller@192.0.2.10:5062;ua=☎️", callID: "ß@h", cseq: .max,
            expiresAt: .max, q: 0.123456789, instanceID: "\"<urn:uuid:é>\"", regID: .min,
            path: ["<sip:é;lr>", "", "<sip:p2;lr>"],
            userAgent: "Téléphone 📞 \u{0}", transport: "wss", sourceHost: "2001:db8::1", sourcePort: .max,
            localHost: "例え.jp",
            localPort: .min)
        let empty = Binding(
            aor: "", contactURI: "", callID: "", cseq: 0, expiresAt: 1, q: 0, instanceID: "", regID: 0, path: [""],
            userAgent: "",
            transport: "", sourceHost: "", sourcePort: 0)
        let none = Binding(
            aor: "sip:x@y", contactURI: "sip:x@z", callID: "c", cseq: 1, expiresAt: 1, transport: "udp",
            sourceHost: "h", sourcePort: 1)
        let location = LocationService([full, empty, none])
        #expect(location.count == 3)
        for b in [full, empty, none] {
            let got = location.bindings(of: b.aor, now: 0)
            #expect(Self.exact(got) == Self.exact([b]))
        }
        // "" and nil stay apart.
        #expect(location.bindings(of: "", now: 0)[0].userAgent == "")
        #expect(location.bindings(of: "sip:x@y", now: 0)[0].userAgent == nil)
        #expect(location.bindings(of: "sip:x@y", now: 0)[0].q == nil)
        #expect(location.bindings(of: "sip:x@y", now: 0)[0].regID == nil)
    }

    /// Every address in one chain: lookups must still compare the addresses themselves.
    @Test func collidingAddressesStayApart() {
        var location = LocationService([], hashMask: 0)
        for n in 0..<50 {
            location.apply(
                .upsert(
                    Binding(
                        aor: "sip:\(n)@h", contactURI: "sip:c@h", callID: "c", cseq: UInt32(n), expiresAt: 100,
                        transport: "udp", sourceHost: "h", sourcePort: n)))
        }
        #expect(location.count == 50)
        #expect(location.bindings(of: "sip:7@h", now: 0).map(\.sourcePort) == [7])
        location.apply(.removeAll(aor: "sip:7@h"))
        location.apply(.remove(aor: "sip:8@h", contactURI: "sip:c@h"))
        location.apply(.remove(aor: "sip:9@h", contactURI: "sip:other@h"))
        #expect(location.count == 48)
        #expect(location.bindings(of: "sip:7@h", now: 0).isEmpty)
        #expect(location.bindings(of: "sip:9@h", now: 0).map(\.sourcePort) == [9])
        #expect(Set(location.all.map(\.sourcePort)) == Set((0..<50).filter { $0 != 7 && $0 != 8 }))
    }

    @Test func sweepAndReleaseWhenEmpty() {
        var location = LocationService()
        for n in 0..<1000 {
            location.apply(
                .upsert(
                    Binding(
                        aor: "sip:\(n)@clinic.example", contactURI: "sip:\(n)@192.0.2.10", callID: "c\(n)", cseq: 1,
                        expiresAt: Int64(100 + n % 10), transport: "udp", sourceHost: "h", sourcePort: 1)))
        }
        #expect(location.expiredCount(atOrBefore: 99) == 0)
        #expect(location.expiredCount(atOrBefore: 105) == 600)
        location.apply(.removeExpired(atOrBefore: 105))
        #expect(location.count == 400)
        #expect(location.all.allSatisfy { $0.expiresAt > 105 })
        #expect(location.compactions == 1)  // more than half the pool became garbage
        #expect(location.bindings(of: "sip:9@clinic.example", now: 0).map(\.callID) == ["c9"])
        location.apply(.removeExpired(atOrBefore: 200))
        #expect(location.count == 0)
        #expect(location.reservedBytes == 0)
    }
}

/// RSS of 10,000 bindings shaped like the registration benchmark's.
@Suite(.serialized) struct LocationServiceMemoryTests {
    static func rssAnonKB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix("RssAnon:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
        }
        return 0
    }

    static func benchmarkShaped() -> LocationService {
        var location = LocationService()
        for i in 0..<10_000 {
            location.apply(
                .upsert(
                    Binding(
                        aor: "sip:\(10000 + i)@bench.carephone.test", contactURI: "sip:\(10000 + i)@127.0.0.1:5060",
                        callID: "\(i)-28123@127.0.0.1", cseq: 2, expiresAt: 4_000_000_000,
                        userAgent: "SIPp register_auth benchmark", transport: "udp", sourceHost: "127.0.0.1",
                        sourcePort: 5060, localHost: "127.0.0.1", localPort: 25060)))
        }
        return location
    }

    /// RSS is process-wide and other suites run in parallel, so their allocations can only add to
    /// the figure: up to three tries, every service kept alive so that none reuses another's pages.
    @Test func tenThousandBindingsFitInFourMegabytes() {
        var kept: [LocationService] = []
        var deltas: [Int] = []
        for _ in 1...3 {
            let before = Self.rssAnonKB()
            let location = Self.benchmarkShaped()
            deltas.append(Self.rssAnonKB() - before)
            kept.append(location)
            if deltas.last! < 4096 { break }
        }
        let location = kept[0]
        print(
            "location service: RssAnon +\(deltas.map { "\($0) KB" }.joined(separator: ", +")) for 10,000 bindings; "
                + "buffers reserve \(location.reservedBytes / 1024) KB, pool \(location.poolBytes / 1024) KB")
        #expect(location.count == 10_000)
        #expect(deltas.min()! < 4096)
        #expect(location.reservedBytes < 4 << 20)
    }
}
