import SIPCore
import Testing

@testable import Directory

@Suite("Directory model")
struct DirectoryModelTests {
    @Test func organisationDefaults() {
        let organisation = Organisation(name: "Clinic", sipDomain: "Clinic.Example")
        #expect(organisation.sipDomain == "clinic.example")
        #expect(organisation.realm == "clinic.example")
        #expect(organisation.timeZone == "UTC")
        #expect(organisation.locale == "en")
        #expect(organisation.baaSigned == false)
        #expect(organisation.digestAlgorithms == [.md5])
    }

    @Test(arguments: [
        (Organisation(name: " ", sipDomain: "a.example"), "invalid organisation: name is empty"),
        (
            Organisation(name: "A", sipDomain: "bad domain"),
            "invalid organisation: sip domain \"bad domain\" is not a host name (letters, digits, '-' and '.', e.g. clinic.example)"
        ),
        (
            Organisation(name: "A", sipDomain: "a.example", timeZone: "Mars/Olympus"),
            "invalid organisation: time zone \"Mars/Olympus\" is not an IANA identifier such as Europe/Rome"
        ),
        (
            Organisation(name: "A", sipDomain: "a.example", digestAlgorithms: []),
            "invalid digest algorithms: at least one algorithm must be offered"
        ),
        (
            Organisation(name: "A", sipDomain: "a.example", digestAlgorithms: [.md5, .md5]),
            "invalid digest algorithms: MD5, MD5 names an algorithm more than once"
        ),
    ])
    func organisationValidation(_ organisation: Organisation, _ message: String) {
        #expect(throws: DirectoryError.self) { try organisation.validate() }
        do {
            try organisation.validate()
        } catch {
            #expect(error.description == message)
        }
    }

    @Test(arguments: ["clinic.example", "localhost", "192.0.2.1", "[2001:db8::1]", "xn--bcher-kva.example"])
    func acceptedDomains(_ domain: String) throws {
        try Organisation(name: "A", sipDomain: domain, timeZone: "Europe/Rome").validate()
    }

    @Test func deviceStoresHA1NotPassword() {
        // RFC 2617 §3.5: HA1 of Mufasa:testrealm@host.com:Circle Of Life.
        let device = Device(
            organisationID: 1, userID: 1, username: "Mufasa", password: "Circle Of Life", realm: "testrealm@host.com")
        #expect(device.ha1MD5 == "939e7578ed9e3c518a452acee763bce9")
        #expect(device.ha1SHA256.count == 64)
        #expect(device.ha1(for: .sha256) == device.ha1SHA256)
        #expect(!String(describing: device).contains("Circle Of Life"))
    }

    @Test func deviceAlgorithmsFallBackToOrganisation() {
        let organisation = Organisation(name: "A", sipDomain: "a.example", digestAlgorithms: [.sha256, .md5])
        var device = Device(organisationID: 1, userID: 1, username: "1001", password: "12345678", realm: "a.example")
        #expect(device.effectiveDigestAlgorithms(in: organisation) == [.sha256, .md5])
        device.digestAlgorithms = [.md5]
        #expect(device.effectiveDigestAlgorithms(in: organisation) == [.md5])
    }

    @Test func algorithmListRoundTrips() {
        #expect(DigestAlgorithm.encodeList([.sha256, .md5]) == "SHA-256,MD5")
        #expect(DigestAlgorithm.decodeList("SHA-256,MD5") == [.sha256, .md5])
        #expect(DigestAlgorithm.decodeList("MD5,SHA-512") == nil)
    }
}
