// # Storage
//
// SQLite behind the stores the domain modules define, through the C API (the `CSQLite` system
// library target), with no other dependency.
//
// - `SQLiteDatabase`: a writer connection and a query-only reader, each serialised by a lock, with
//   WAL journaling, a busy timeout, foreign keys on, and prepared statements cached by their SQL
//   text. Work happens in `transaction { }`, `withConnection { }` or `read { }` closures that
//   receive a `SQLiteConnection`; `execute` and `query` are shorthands.
// - `Migrations`: the schema, as an ordered list of versions tracked by `PRAGMA user_version`.
//   `SQLiteDatabase.open(path:)` opens a file and brings it up to date.
// - `SQLiteDirectoryStore` (Directory's `DirectoryStore`) and `SQLiteBindingStore` (Registrar's
//   `BindingStore`).
//
// Durability: a store method returns only after its transaction is committed, and by default
// (`synchronous=FULL`) fsynced, so whatever the server acknowledged survives a crash.
