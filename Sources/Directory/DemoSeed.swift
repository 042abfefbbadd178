/// The demo organisation that `carephone serve --demo` creates, so a newcomer can register a
/// softphone at once.
///
/// Extensions 1001, 1002 and 1003 each get a user and a device whose SIP username is the
/// extension. Passwords are random (16 letters and digits) and returned so the command line can
/// print them; they are set only when an account is created, or on every call when
/// `resetPasswords` is true, because stored HA1 values cannot be turned back into passwords.
public enum DemoSeed {
    /// The demo accounts. Their e-mail addresses are `<extension>@demo.invalid` (RFC 2606).
    public static let accounts: [(extension: String, displayName: String)] = [
        ("1001", "Reception"),
        ("1002", "Dr. Maria Rossi"),
        ("1003", "Nurse Zhāng Wěi"),
    ]

    /// One demo SIP account as the command line prints it.
    public struct Account: Sendable, Equatable {
        public var `extension`: String
        public var displayName: String
        /// The SIP username (the extension).
        public var username: String
        /// The SIP domain to register to.
        public var domain: String
        /// The password just set, or `nil` if the account already existed and was left alone.
        public var password: String?
    }

    public struct Outcome: Sendable, Equatable {
        public var organisation: Organisation
        /// Whether the organisation was created by this call.
        public var createdOrganisation: Bool
        public var accounts: [Account]
    }

    /// Makes sure the demo organisation for `domain` and its accounts exist.
    ///
    /// - Parameters:
    ///   - domain: the SIP domain phones will register to, e.g. the server's host name or IP.
    ///   - resetPasswords: give every demo account a new password, even existing ones.
    ///   - makePassword: the password source; tests pass a deterministic one.
    public static func ensure(
        domain: String, in store: any DirectoryStore, resetPasswords: Bool = false,
        makePassword: () -> String = DemoSeed.randomPassword
    ) throws -> Outcome {
        var createdOrganisation = false
        let organisation: Organisation
        if let existing = try store.organisation(forDomain: domain) {
            organisation = existing
        } else {
            organisation = try store.createOrganisation(Organisation(name: "CarePhone Demo Clinic", sipDomain: domain))
            createdOrganisation = true
        }

        var result: [Account] = []
        var rows: [UserImportRow] = []
        for (number, name) in accounts {
            var account = Account(
                extension: number, displayName: name, username: number, domain: organisation.sipDomain, password: nil)
            if try resetPasswords || store.device(organisationID: organisation.id, username: number) == nil {
                let password = makePassword()
                account.password = password
                rows.append(
                    UserImportRow(
                        extension: number, displayName: name, password: password,
                        email: "\(number)@demo.invalid"))
            }
            result.append(account)
        }
        if !rows.isEmpty { _ = try store.importUsers(rows, organisationID: organisation.id) }
        return Outcome(organisation: organisation, createdOrganisation: createdOrganisation, accounts: result)
    }

    /// 16 random letters and digits, without look-alikes (0/O, 1/l/I), easy to type on a phone.
    public static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
