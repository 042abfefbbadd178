// # Directory
//
// The people and phones of each organisation, and the rules that keep them consistent.
//
// - ``Organisation``: a tenant, with its SIP domain, digest realm, time zone, locale, whether a
//   Business Associate Agreement is signed, and the digest algorithms it offers in challenges.
// - ``User``: a person with an extension and a ``Role``.
// - ``Device``: a SIP account that registers. Only digest HA1 values are kept, never passwords.
// - ``DirectoryStore``: what the rest of the server asks of storage. `Storage` implements it on
//   SQLite; ``InMemoryDirectoryStore`` serves unit tests.
// - ``UserImport``: reads and checks a CSV of users before anything is written;
//   ``DirectoryStore/importUsers(_:organisationID:)`` then applies it all-or-nothing.
// - ``DemoSeed``: the demo organisation with extensions 1001-1003 for `carephone serve --demo`.
//
// The module imports Foundation and SIPCore (for ``DigestAlgorithm``) only, so it is testable
// without a database.
