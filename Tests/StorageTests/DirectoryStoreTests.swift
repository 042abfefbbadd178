import Directory
import Foundation
import SIPCore
import Testing

@testable import Storage

/// The same behaviour checked on both stores: SQLite on a real file, and in memory.
enum StoreKind: String, CaseIterable, Sendable {
    case sqlite
    case inMemory
}

/// A store and what keeps it alive.
struct StoreUnderTest {
    let store: any DirectoryStore
    let folder: TemporaryFolder

    init(_ kind: StoreKind) throws {
        folder = TemporaryFolder()
        switch kind {
        case .sqlite: store = SQLiteDirectoryStore(database: try folder.open())
        case .inMemory: store = InMemoryDirectoryStore()
        }
    }
}

@Suite("DirectoryStore")
struct DirectoryStoreTests {
    static func row(_ line: Int, _ number: String, _ name: String, password: String = "12345678", role: Role? = nil)
        -> UserImportRow
    {
        UserImportRow(
            line: line, extension: number, displayName: name, password: password, email: "\(number)@clinic.example",
            role: role)
    }

    @Test(arguments: StoreKind.allCases)
    func organisationsAndDomainLookup(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind).store
        let clinic = try store.createOrganisation(
            Organisation(
                name: "Clinica San Marco", sipDomain: "Clinic.Example", realm: "San Marco", timeZone: "Europe/Rome",
                locale: "it", baaSigned: true, digestAlgorithms: [.sha256, .md5]))
        let other = try store.createOrganisation(Organisation(name: "Other", sipDomain: "other.example"))
        #expect(clinic.id != 0 && other.id != 0 && clinic.id != other.id)
        #expect(clinic.sipDomain == "clinic.example")
        #expect(try store.organisation(forDomain: "CLINIC.example") == clinic)
        #expect(try store.organisation(forDomain: "clinic.example") == clinic)
        #expect(try store.organisation(forDomain: "nowhere.example") == nil)
        #expect(try store.organisation(id: other.id) == other)
        #expect(try store.organisation(id: 999) == nil)
        #expect(try store.organisations() == [clinic, other])
        #expect(throws: DirectoryError.domainTaken("clinic.example")) {
            try store.createOrganisation(Organisation(name: "Copy", sipDomain: "CLINIC.EXAMPLE"))
        }
        #expect(throws: DirectoryError.self) {
            try store.createOrganisation(Organisation(name: "", sipDomain: "new.example"))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func importTwiceCreatesNoDuplicates(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind).store
        let organisation = try store.createOrganisation(Organisation(name: "Clinic", sipDomain: "clinic.example"))
        let csv = """
            extension,display_name,sip_password,email,role
            1001,"Rossi, Maria",correct-horse-1,1001@clinic.example,admin
            1002,Zhāng 張偉,battery-staple,1002@clinic.example,
            1003,Niccolò,12345678,1003@clinic.example,member

            """
        let rows = try UserImport.parse(csv: csv)
        #expect(
            try store.importUsers(rows, organisationID: organisation.id).description
                == "3 created, 0 updated, 0 unchanged")
        #expect(
            try store.importUsers(rows, organisationID: organisation.id)
                == ImportSummary(unchanged: ["1001", "1002", "1003"]))

        let users = try store.users(organisationID: organisation.id)
        #expect(users.map(\.extension) == ["1001", "1002", "1003"])
        #expect(users.map(\.displayName) == ["Rossi, Maria", "Zhāng 張偉", "Niccolò"])
        #expect(users.map(\.role) == [.admin, .member, .member])
        let devices = try store.devices(organisationID: organisation.id)
        #expect(devices.map(\.username) == ["1001", "1002", "1003"])
        for (device, user) in zip(devices, users) { #expect(device.userID == user.id) }

        let device = try #require(try store.device(organisationID: organisation.id, username: "1002"))
        #expect(
            device.ha1MD5
                == DigestAlgorithm.md5.ha1(username: "1002", realm: "clinic.example", password: "battery-staple"))
        #expect(
            device.ha1SHA256
                == DigestAlgorithm.sha256.ha1(username: "1002", realm: "clinic.example", password: "battery-staple"))
        #expect(device.digestAlgorithms == nil)

        let changed = try store.importUsers(
            [
                Self.row(2, "1001", "Rossi, Maria", password: "correct-horse-1", role: .owner),
                Self.row(3, "1002", "Zhāng 張偉", password: "new-password"),
                Self.row(4, "1004", "Dana"),
            ], organisationID: organisation.id)
        #expect(changed == ImportSummary(created: ["1004"], updated: ["1001", "1002"]))
        #expect(try store.users(organisationID: organisation.id).count == 4)
        #expect(try store.users(organisationID: organisation.id).first?.role == .owner)
        let updated = try #require(try store.device(organisationID: organisation.id, username: "1002"))
        #expect(updated.id == device.id)
        #expect(
            updated.ha1MD5
                == DigestAlgorithm.md5.ha1(username: "1002", realm: "clinic.example", password: "new-password"))
    }

    @Test(arguments: StoreKind.allCases)
    func oneBadRowWritesNothing(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind).store
        let organisation = try store.createOrganisation(Organisation(name: "Clinic", sipDomain: "clinic.example"))
        _ = try store.importUsers([Self.row(2, "1001", "Alice")], organisationID: organisation.id)
        let rows = [
            Self.row(2, "1001", "Alice Renamed"), Self.row(3, "1002", "Bob"),
            Self.row(4, "1003", "Cy", password: "short"),
        ]
        #expect(
            throws: DirectoryError.invalidImport([
                UserImportError(line: 4, message: "sip_password must be at least 8 characters")
            ])
        ) {
            try store.importUsers(rows, organisationID: organisation.id)
        }
        #expect(try store.users(organisationID: organisation.id).map(\.displayName) == ["Alice"])
        #expect(try store.devices(organisationID: organisation.id).map(\.username) == ["1001"])
    }

    @Test(arguments: StoreKind.allCases)
    func conflictingDeviceWritesNothing(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind).store
        let organisation = try store.createOrganisation(Organisation(name: "Clinic", sipDomain: "clinic.example"))
        _ = try store.importUsers([Self.row(2, "1001", "Alice")], organisationID: organisation.id)
        // Valid rows, but organisations stay separate: the same extension elsewhere is fine.
        let elsewhere = try store.createOrganisation(Organisation(name: "Other", sipDomain: "other.example"))
        #expect(try store.importUsers([Self.row(2, "1001", "Zed")], organisationID: elsewhere.id).createdCount == 1)
        #expect(try store.users(organisationID: organisation.id).map(\.displayName) == ["Alice"])
        #expect(throws: DirectoryError.organisationNotFound(id: 9_999)) {
            try store.importUsers([Self.row(2, "1001", "Alice")], organisationID: 9_999)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func digestAlgorithmSettings(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind).store
        let organisation = try store.createOrganisation(Organisation(name: "Clinic", sipDomain: "clinic.example"))
        #expect(organisation.digestAlgorithms == [.md5])
        _ = try store.importUsers([Self.row(2, "1001", "Alice")], organisationID: organisation.id)
        try store.setDigestAlgorithms([.sha256, .md5], organisationID: organisation.id)
        #expect(try store.organisation(id: organisation.id)?.digestAlgorithms == [.sha256, .md5])
        let device = try #require(try store.device(organisationID: organisation.id, username: "1001"))
        try store.setDigestAlgorithms([.md5], deviceID: device.id)
        #expect(try store.device(organisationID: organisation.id, username: "1001")?.digestAlgorithms == [.md5])
        // A password change keeps the device's own algorithms.
        _ = try store.importUsers(
            [Self.row(2, "1001", "Alice", password: "another-one")], organisationID: organisation.id)
        #expect(try store.device(organisationID: organisation.id, username: "1001")?.digestAlgorithms == [.md5])
        try store.setDigestAlgorithms(nil, deviceID: device.id)
        #expect(try store.device(organisationID: organisation.id, username: "1001")?.digestAlgorithms == nil)
        #expect(throws: DirectoryError.organisationNotFound(id: 9_999)) {
            try store.setDigestAlgorithms([.md5], organisationID: 9_999)
        }
        #expect(throws: DirectoryError.deviceNotFound(id: 9_999)) {
            try store.setDigestAlgorithms(nil, deviceID: 9_999)
        }
        #expect(throws: DirectoryError.self) { try store.setDigestAlgorithms([.md5, .md5], deviceID: device.id) }
    }

    @Test(arguments: StoreKind.allCases)
    func demoSeed(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind).store
        let outcome = try DemoSeed.ensure(domain: "localhost", in: store)
        #expect(outcome.accounts.count == 3)
        #expect(outcome.accounts.allSatisfy { $0.password?.count == 16 })
        let again = try DemoSeed.ensure(domain: "localhost", in: store)
        #expect(again.accounts.allSatisfy { $0.password == nil })
        #expect(try store.devices(organisationID: outcome.organisation.id).count == 3)
    }
}

@Suite("SQLiteDirectoryStore")
struct SQLiteDirectoryStoreTests {
    let folder = TemporaryFolder()

    @Test func reopenKeepsData() throws {
        let organisationID: Int64
        do {
            let database = try folder.open()
            let store = SQLiteDirectoryStore(database: database)
            organisationID = try store.createOrganisation(Organisation(name: "Clinic", sipDomain: "clinic.example")).id
            _ = try store.importUsers(
                [
                    UserImportRow(
                        extension: "1001", displayName: "Alice", password: "12345678", email: "a@clinic.example")
                ],
                organisationID: organisationID)
            database.close()
        }
        let store = SQLiteDirectoryStore(database: try folder.open())
        #expect(try store.organisation(forDomain: "clinic.example")?.id == organisationID)
        #expect(try store.users(organisationID: organisationID).map(\.displayName) == ["Alice"])
        #expect(try store.device(organisationID: organisationID, username: "1001") != nil)
    }

    @Test func noPasswordIsStored() throws {
        let database = try folder.open()
        let store = SQLiteDirectoryStore(database: database)
        let organisation = try store.createOrganisation(Organisation(name: "Clinic", sipDomain: "clinic.example"))
        _ = try store.importUsers(
            [
                UserImportRow(
                    extension: "1001", displayName: "Alice", password: "unguessable-secret", email: "a@clinic.example")
            ],
            organisationID: organisation.id)
        database.close()
        let bytes =
            try Data(contentsOf: URL(fileURLWithPath: folder.databasePath))
            + ((try? Data(contentsOf: URL(fileURLWithPath: folder.databasePath + "-wal"))) ?? Data())
        #expect(bytes.range(of: Data("unguessable-secret".utf8)) == nil)
    }

    @Test func schemaKeepsDevicesInTheirUsersOrganisation() throws {
        let database = try folder.open()
        let store = SQLiteDirectoryStore(database: database)
        let a = try store.createOrganisation(Organisation(name: "A", sipDomain: "a.example"))
        let b = try store.createOrganisation(Organisation(name: "B", sipDomain: "b.example"))
        _ = try store.importUsers(
            [UserImportRow(extension: "1001", displayName: "Alice", password: "12345678", email: "a@a.example")],
            organisationID: a.id)
        let userID = try #require(try store.users(organisationID: a.id).first?.id)
        #expect(throws: SQLiteError.self) {
            try database.execute(
                "INSERT INTO devices (organisation_id, user_id, username, ha1_md5, ha1_sha256) VALUES (?, ?, 'x', ?, ?)",
                [
                    .integer(b.id), .integer(userID), .text(String(repeating: "0", count: 32)),
                    .text(String(repeating: "0", count: 64)),
                ])
        }
    }
}
