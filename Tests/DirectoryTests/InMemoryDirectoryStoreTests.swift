import Testing

@testable import Directory

@Suite("InMemoryDirectoryStore")
struct InMemoryDirectoryStoreTests {
    let store = InMemoryDirectoryStore()

    func row(_ line: Int, _ number: String, _ name: String, password: String = "12345678", role: Role? = nil)
        -> UserImportRow
    {
        UserImportRow(
            line: line, extension: number, displayName: name, password: password, email: "\(number)@clinic.example",
            role: role)
    }

    @Test func domainLookupIgnoresCase() throws {
        let created = try store.createOrganisation(Organisation(name: "Clinic", sipDomain: "clinic.example"))
        #expect(created.id != 0)
        #expect(try store.organisation(forDomain: "CLINIC.Example") == created)
        #expect(try store.organisation(forDomain: "other.example") == nil)
        #expect(try store.organisation(id: created.id) == created)
        #expect(throws: DirectoryError.domainTaken("clinic.example")) {
            try store.createOrganisation(Organisation(name: "Copy", sipDomain: "Clinic.EXAMPLE"))
        }
        #expect(try store.organisations() == [created])
    }

    @Test func importIsIdempotent() throws {
        let organisation = try store.createOrganisation(Organisation(name: "Clinic", sipDomain: "clinic.example"))
        let rows = [row(2, "1001", "Alice"), row(3, "1002", "Bob", role: .admin)]
        let first = try store.importUsers(rows, organisationID: organisation.id)
        #expect(first == ImportSummary(created: ["1001", "1002"]))
        let second = try store.importUsers(rows, organisationID: organisation.id)
        #expect(second == ImportSummary(unchanged: ["1001", "1002"]))
        #expect(try store.users(organisationID: organisation.id).map(\.extension) == ["1001", "1002"])
        #expect(try store.devices(organisationID: organisation.id).count == 2)

        let third = try store.importUsers(
            [row(2, "1001", "Alice Smith"), row(3, "1002", "Bob", password: "new-password"), row(4, "1003", "Cy")],
            organisationID: organisation.id)
        #expect(third == ImportSummary(created: ["1003"], updated: ["1001", "1002"]))
        // Without a role, an existing user keeps theirs.
        #expect(try store.users(organisationID: organisation.id).first { $0.extension == "1002" }?.role == .admin)
        let device = try #require(try store.device(organisationID: organisation.id, username: "1002"))
        #expect(
            device
                == Device(
                    id: device.id, organisationID: organisation.id, userID: device.userID, username: "1002",
                    password: "new-password", realm: "clinic.example"))
    }

    @Test func importIsAllOrNothing() throws {
        let organisation = try store.createOrganisation(Organisation(name: "Clinic", sipDomain: "clinic.example"))
        let rows = [row(2, "1001", "Alice"), row(3, "1002", "Bob", password: "short")]
        #expect(
            throws: DirectoryError.invalidImport([
                UserImportError(line: 3, message: "sip_password must be at least 8 characters")
            ])
        ) {
            try store.importUsers(rows, organisationID: organisation.id)
        }
        #expect(try store.users(organisationID: organisation.id).isEmpty)
        #expect(try store.devices(organisationID: organisation.id).isEmpty)
    }

    @Test func importIntoUnknownOrganisationFails() {
        #expect(throws: DirectoryError.organisationNotFound(id: 42)) {
            try store.importUsers([row(2, "1001", "Alice")], organisationID: 42)
        }
    }

    @Test func digestAlgorithmsCanBeSet() throws {
        let organisation = try store.createOrganisation(Organisation(name: "Clinic", sipDomain: "clinic.example"))
        _ = try store.importUsers([row(2, "1001", "Alice")], organisationID: organisation.id)
        try store.setDigestAlgorithms([.sha256, .md5], organisationID: organisation.id)
        #expect(try store.organisation(id: organisation.id)?.digestAlgorithms == [.sha256, .md5])
        let device = try #require(try store.device(organisationID: organisation.id, username: "1001"))
        try store.setDigestAlgorithms([.md5], deviceID: device.id)
        #expect(try store.device(organisationID: organisation.id, username: "1001")?.digestAlgorithms == [.md5])
        try store.setDigestAlgorithms(nil, deviceID: device.id)
        #expect(try store.device(organisationID: organisation.id, username: "1001")?.digestAlgorithms == nil)
        #expect(throws: DirectoryError.self) { try store.setDigestAlgorithms([], organisationID: organisation.id) }
        #expect(throws: DirectoryError.deviceNotFound(id: 999)) { try store.setDigestAlgorithms(nil, deviceID: 999) }
    }

    @Test func demoSeedCreatesOnceAndReturnsPasswords() throws {
        var counter = 0
        let makePassword = {
            counter += 1
            return "demo-password-\(counter)"
        }
        let first = try DemoSeed.ensure(domain: "PBX.local", in: store, makePassword: makePassword)
        #expect(first.createdOrganisation)
        #expect(first.organisation.sipDomain == "pbx.local")
        #expect(first.accounts.map(\.username) == ["1001", "1002", "1003"])
        #expect(first.accounts.map(\.password) == ["demo-password-1", "demo-password-2", "demo-password-3"])
        let device = try #require(try store.device(organisationID: first.organisation.id, username: "1002"))
        #expect(
            device.ha1MD5
                == Device(
                    organisationID: 0, userID: 0, username: "1002", password: "demo-password-2", realm: "pbx.local"
                ).ha1MD5)

        let second = try DemoSeed.ensure(domain: "pbx.local", in: store, makePassword: makePassword)
        #expect(!second.createdOrganisation)
        #expect(second.accounts.allSatisfy { $0.password == nil })
        #expect(try store.users(organisationID: first.organisation.id).count == 3)

        let reset = try DemoSeed.ensure(
            domain: "pbx.local", in: store, resetPasswords: true, makePassword: makePassword)
        #expect(reset.accounts.map(\.password) == ["demo-password-4", "demo-password-5", "demo-password-6"])
    }

    @Test func randomPasswordsAreLongEnough() {
        let password = DemoSeed.randomPassword()
        #expect(password.count == 16)
        #expect(Device.passwordProblem(password) == nil)
        #expect(password != DemoSeed.randomPassword())
    }
}
