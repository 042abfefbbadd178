import CSQLite

/// One step of the schema, from version `version - 1` to `version`.
public struct Migration: Sendable {
    /// 1 for the first; each migration's version is one more than the previous one's.
    public let version: Int32
    /// What the step does, for logs and errors.
    public let name: String
    /// Runs inside the migration's transaction.
    public let apply: @Sendable (SQLiteConnection) throws -> Void

    /// A migration that runs an SQL script (several `;`-separated statements).
    public init(version: Int32, name: String, sql: String) {
        self.init(version: version, name: name) { try $0.executeScript(sql) }
    }

    /// A migration that runs code, e.g. to rewrite data row by row.
    public init(version: Int32, name: String, apply: @escaping @Sendable (SQLiteConnection) throws -> Void) {
        self.version = version
        self.name = name
        self.apply = apply
    }
}

/// Why the schema could not be brought up to date.
public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file was written by a newer CarePhone, whose schema this build does not know.
    case databaseTooNew(path: String, version: Int32, supported: Int32)
    /// The migration list is not numbered 1, 2, 3, ... (a programming error).
    case badMigrationList(String)
    /// A migration failed; the database stays at `fromVersion`.
    case failed(path: String, version: Int32, name: String, fromVersion: Int32, reason: String)

    public var description: String {
        switch self {
        case .databaseTooNew(let path, let version, let supported):
            return "the database at \(path) has schema version \(version), but this build of CarePhone "
                + "knows versions up to \(supported) only; run a CarePhone at least as new as the one that "
                + "last wrote it, or restore a backup made by this version"
        case .badMigrationList(let message):
            return "the list of migrations is malformed: \(message)"
        case .failed(let path, let version, let name, let fromVersion, let reason):
            return "migrating \(path) to schema version \(version) (\(name)) failed, so it stays at version "
                + "\(fromVersion): \(reason)"
        }
    }
}

/// The schema, as versions applied in order. The version a database is at is its
/// `PRAGMA user_version` (0 for a new file); each migration runs in its own transaction that
/// also sets the new version, so a failed step leaves the database at the previous version.
///
/// Never edit a released migration: append a new one.
public enum Migrations {
    public static let all: [Migration] = [schemaV1, schemaV2, schemaV3, schemaV4, schemaV5, schemaV6, schemaV7]

    /// The version `all` brings a database to.
    public static var latestVersion: Int32 { all.last?.version ?? 0 }

    /// Applies the migrations the database lacks, returning the versions before and after.
    @discardableResult
    public static func migrate(
        _ database: SQLiteDatabase, migrations: [Migration] = all
    ) throws -> (from: Int32, to: Int32) {
        for (offset, migration) in migrations.enumerated() where migration.version != Int32(offset + 1) {
            throw MigrationError.badMigrationList(
                "migration \"\(migration.name)\" has version \(migration.version) at position \(offset + 1)")
        }
        let latest = migrations.last?.version ?? 0
        let start = try database.userVersion()
        for migration in migrations where migration.version > start {
            try database.withConnection { connection in
                // Read the version again inside the write lock: another process may have
                // migrated since.
                try connection.transaction {
                    let current = Int32(try connection.queryFirst("PRAGMA user_version") { try $0.int64(0) } ?? 0)
                    guard current < migration.version else { return }
                    do {
                        try migration.apply(connection)
                    } catch {
                        throw MigrationError.failed(
                            path: database.path, version: migration.version, name: migration.name,
                            fromVersion: current, reason: String(describing: error))
                    }
                    // user_version lives in the database header, written by this transaction.
                    try connection.execute("PRAGMA user_version = \(migration.version)")
                }
            }
        }
        let end = try database.userVersion()
        if end > latest {
            throw MigrationError.databaseTooNew(path: database.path, version: end, supported: latest)
        }
        return (start, end)
    }

    /// Organisations, users, devices and registrar bindings.
    static let schemaV1 = Migration(
        version: 1, name: "organisations, users, devices, bindings",
        sql: """
            CREATE TABLE organisations (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                -- Lower case; NOCASE makes lookups and uniqueness case-insensitive (ASCII),
                -- which is what host names need.
                sip_domain TEXT NOT NULL COLLATE NOCASE UNIQUE,
                realm TEXT NOT NULL,
                time_zone TEXT NOT NULL DEFAULT 'UTC',
                locale TEXT NOT NULL DEFAULT 'en',
                baa_signed INTEGER NOT NULL DEFAULT 0 CHECK (baa_signed IN (0, 1)),
                -- Offered digest algorithms in order, comma-separated: 'MD5' or 'SHA-256,MD5'.
                digest_algorithms TEXT NOT NULL DEFAULT 'MD5' CHECK (digest_algorithms <> ''),
                created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
            );

            CREATE TABLE users (
                id INTEGER PRIMARY KEY,
                organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
                extension TEXT NOT NULL,
                display_name TEXT NOT NULL,
                email TEXT NOT NULL,
                role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
                created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
                UNIQUE (organisation_id, extension),
                -- Target of devices' composite key, so a device's user is in the device's organisation.
                UNIQUE (id, organisation_id)
            );

            CREATE TABLE devices (
                id INTEGER PRIMARY KEY,
                organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
                user_id INTEGER NOT NULL,
                -- The digest username; compared exactly, as phones send it.
                username TEXT NOT NULL,
                -- Lowercase hex HA1 = H(username:realm:password) per algorithm. No passwords.
                ha1_md5 TEXT NOT NULL CHECK (length(ha1_md5) = 32),
                ha1_sha256 TEXT NOT NULL CHECK (length(ha1_sha256) = 64),
                -- NULL: the organisation's algorithms; otherwise as organisations.digest_algorithms.
                digest_algorithms TEXT CHECK (digest_algorithms <> ''),
                created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
                UNIQUE (organisation_id, username),
                FOREIGN KEY (user_id, organisation_id) REFERENCES users(id, organisation_id) ON DELETE CASCADE
            );
            CREATE INDEX devices_user ON devices(user_id, organisation_id);

            -- Registrar location service (RFC 3261 §10.3), one row per (address-of-record, contact).
            CREATE TABLE bindings (
                aor TEXT NOT NULL,
                contact_uri TEXT NOT NULL,
                call_id TEXT NOT NULL,
                cseq INTEGER NOT NULL CHECK (cseq BETWEEN 0 AND 4294967295),
                expires_at INTEGER NOT NULL,
                q REAL,
                instance_id TEXT,
                reg_id INTEGER,
                -- Path header values (RFC 3327) as a JSON array of strings, '[]' when none.
                path TEXT NOT NULL DEFAULT '[]',
                user_agent TEXT,
                transport TEXT NOT NULL,
                source_host TEXT NOT NULL,
                source_port INTEGER NOT NULL,
                local_host TEXT NOT NULL DEFAULT '',
                local_port INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (aor, contact_uri)
            ) WITHOUT ROWID;
            CREATE INDEX bindings_expires_at ON bindings(expires_at);
            """)

    /// Call detail records (one per call, written when it ends).
    static let schemaV2 = Migration(
        version: 2, name: "call records",
        sql: """
            CREATE TABLE call_records (
                id TEXT PRIMARY KEY,
                organisation_id INTEGER NOT NULL,
                caller TEXT NOT NULL,
                caller_name TEXT NOT NULL,
                dialed TEXT NOT NULL,
                callee TEXT NOT NULL,
                inbound_trunk TEXT,
                -- Milliseconds since 1970 (UTC).
                started_at INTEGER NOT NULL,
                answered_at INTEGER,
                ended_at INTEGER NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'busy', 'no-answer', 'cancelled', 'failed')),
                failure_code INTEGER CHECK (failure_code IS NULL OR failure_code BETWEEN 300 AND 699),
                answered_by TEXT,
                ended_by TEXT
            ) WITHOUT ROWID;
            CREATE INDEX call_records_started_at ON call_records(started_at);
            """)

    /// Voicemail: mailboxes (personal and shared), who may open them, and messages.
    static let schemaV3 = Migration(
        version: 3, name: "voicemail",
        sql: """
            CREATE TABLE mailboxes (
                id INTEGER PRIMARY KEY,
                organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
                number TEXT NOT NULL,
                shared INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
                -- PINHash: 'v1$salt$hash'; NULL until a PIN is set.
                pin_hash TEXT,
                UNIQUE (organisation_id, number)
            );

            CREATE TABLE mailbox_members (
                mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                PRIMARY KEY (mailbox_id, user_id)
            ) WITHOUT ROWID;
            CREATE INDEX mailbox_members_user ON mailbox_members(user_id);

            CREATE TABLE voicemail_messages (
                id TEXT PRIMARY KEY,
                mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
                caller_number TEXT NOT NULL,
                caller_name TEXT NOT NULL,
                -- Milliseconds since 1970 (UTC).
                received_at INTEGER NOT NULL,
                duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
                heard INTEGER NOT NULL DEFAULT 0 CHECK (heard IN (0, 1)),
                deleted_at INTEGER,
                -- Relative to the data folder's voicemail/ directory.
                audio_file TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX voicemail_messages_mailbox ON voicemail_messages(mailbox_id, received_at);
            """)

    /// Bearer tokens for the HTTP API (hashes only) and the audit log.
    static let schemaV4 = Migration(
        version: 4, name: "api tokens, audit log",
        sql: """
            CREATE TABLE api_tokens (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                -- Lowercase hex SHA-256 of the secret; the secret itself is never stored.
                token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
                label TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                revoked_at INTEGER,
                last_used_at INTEGER
            );
            CREATE INDEX api_tokens_user ON api_tokens(user_id);

            -- Who read or deleted what (voicemail playback and deletion, later recordings).
            CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                user_id INTEGER NOT NULL,
                action TEXT NOT NULL,
                object TEXT NOT NULL,
                source TEXT NOT NULL
            );
            CREATE INDEX audit_log_at ON audit_log(at);
            """)

    /// RTP figures of calls whose media the server relayed or answered.
    static let schemaV5 = Migration(
        version: 5, name: "call quality figures",
        sql: """
            ALTER TABLE call_records ADD COLUMN packets_from_caller INTEGER;
            ALTER TABLE call_records ADD COLUMN packets_from_callee INTEGER;
            ALTER TABLE call_records ADD COLUMN loss_percent REAL;
            ALTER TABLE call_records ADD COLUMN jitter_ms REAL;
            ALTER TABLE call_records ADD COLUMN round_trip_ms REAL;
            ALTER TABLE call_records ADD COLUMN mos REAL;
            """)

    /// A user's own prompt language (NULL: the organisation's).
    static let schemaV6 = Migration(
        version: 6, name: "user locale",
        sql: """
            ALTER TABLE users ADD COLUMN locale TEXT;
            """)

    /// The shared calendar (providers, delegations, patients, appointments and their history),
    /// the SMS outbox and the clinic inbox. Times are milliseconds since 1970 (UTC).
    static let schemaV7 = Migration(
        version: 7, name: "calendar, SMS outbox and inbox",
        sql: """
            CREATE TABLE providers (
                id INTEGER PRIMARY KEY,
                organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
                user_id INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
                display_name TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                -- Lowercase hex SHA-256 of the calendar feed secret; NULL: no feed.
                feed_token_hash TEXT UNIQUE,
                -- Reminder offsets overriding the organisation's, e.g. '48h,2h'; NULL: the organisation's.
                reminder_offsets TEXT
            );

            -- An organisation's own reminder and calendar settings (NULL: the configuration file's).
            CREATE TABLE clinic_settings (
                organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
                reminder_offsets TEXT,
                quiet_hours TEXT,
                clinic_name TEXT,
                clinic_phone TEXT,
                patient_names_in_feeds INTEGER
            );

            CREATE TABLE delegations (
                provider_id INTEGER NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
                scheduler_user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                PRIMARY KEY (provider_id, scheduler_user_id)
            ) WITHOUT ROWID;

            CREATE TABLE working_hours (
                provider_id INTEGER NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
                weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
                start_minute INTEGER NOT NULL,
                end_minute INTEGER NOT NULL CHECK (end_minute > start_minute)
            );
            CREATE INDEX working_hours_provider ON working_hours(provider_id);

            CREATE TABLE patients (
                id INTEGER PRIMARY KEY,
                organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
                first_name TEXT NOT NULL,
                last_name TEXT NOT NULL,
                -- E.164.
                mobile TEXT NOT NULL,
                locale TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                sms_consent INTEGER NOT NULL CHECK (sms_consent IN (0, 1)),
                consent_source TEXT NOT NULL,
                consent_at INTEGER NOT NULL
            );
            CREATE INDEX patients_mobile ON patients(mobile);

            CREATE TABLE appointments (
                id INTEGER PRIMARY KEY,
                -- iCalendar UID; one invitation may sit in several providers' calendars.
                uid TEXT NOT NULL,
                organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
                provider_id INTEGER NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
                patient_id INTEGER REFERENCES patients(id) ON DELETE SET NULL,
                start_at INTEGER NOT NULL,
                end_at INTEGER NOT NULL CHECK (end_at > start_at),
                time_zone TEXT NOT NULL,
                kind TEXT NOT NULL,
                location TEXT,
                title TEXT,
                status TEXT NOT NULL,
                version INTEGER NOT NULL CHECK (version >= 1),
                changed_by INTEGER NOT NULL,
                changed_at INTEGER NOT NULL,
                meeting_id TEXT,
                meeting_passcode TEXT,
                meeting_url TEXT,
                series_id TEXT,
                created_at INTEGER NOT NULL,
                UNIQUE (provider_id, uid)
            );
            CREATE INDEX appointments_provider_start ON appointments(provider_id, start_at);
            CREATE INDEX appointments_patient ON appointments(patient_id, start_at);
            CREATE INDEX appointments_start ON appointments(start_at);

            -- Who changed which appointment, how, and from where (http, cli, sms, caldav, import).
            CREATE TABLE appointment_history (
                id INTEGER PRIMARY KEY,
                appointment_id INTEGER NOT NULL,
                version INTEGER NOT NULL,
                action TEXT NOT NULL,
                user_id INTEGER,
                source TEXT NOT NULL,
                at INTEGER NOT NULL,
                detail TEXT NOT NULL
            );
            CREATE INDEX appointment_history_appointment ON appointment_history(appointment_id);

            CREATE TABLE sms_outbox (
                id TEXT PRIMARY KEY,
                idempotency_key TEXT NOT NULL UNIQUE,
                organisation_id INTEGER NOT NULL,
                patient_id INTEGER,
                appointment_id INTEGER,
                purpose TEXT NOT NULL,
                to_number TEXT NOT NULL,
                text TEXT NOT NULL,
                encoding TEXT NOT NULL,
                segments INTEGER NOT NULL,
                send_at INTEGER NOT NULL,
                expires_at INTEGER,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                attempt_started_at INTEGER,
                last_error TEXT,
                gateway TEXT,
                gateway_message_id TEXT,
                created_at INTEGER NOT NULL,
                sent_at INTEGER,
                updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX sms_outbox_due ON sms_outbox(state, send_at);
            CREATE INDEX sms_outbox_appointment ON sms_outbox(appointment_id);
            CREATE INDEX sms_outbox_patient ON sms_outbox(patient_id);

            CREATE TABLE sms_inbox (
                id INTEGER PRIMARY KEY,
                organisation_id INTEGER,
                patient_id INTEGER,
                from_number TEXT NOT NULL,
                to_number TEXT NOT NULL,
                text TEXT NOT NULL,
                received_at INTEGER NOT NULL,
                reply TEXT NOT NULL,
                appointment_id INTEGER,
                outcome TEXT NOT NULL,
                needs_staff INTEGER NOT NULL,
                handled_at INTEGER,
                handled_by INTEGER
            );
            CREATE INDEX sms_inbox_organisation ON sms_inbox(organisation_id, received_at);

            -- Two-way CalDAV sync: per provider, the collection's last sync token, and per
            -- appointment the href and ETag it had when last in step with the server.
            CREATE TABLE caldav_collections (
                provider_id INTEGER PRIMARY KEY REFERENCES providers(id) ON DELETE CASCADE,
                url TEXT NOT NULL,
                sync_token TEXT,
                last_sync_at INTEGER
            );
            CREATE TABLE caldav_items (
                provider_id INTEGER NOT NULL,
                appointment_uid TEXT NOT NULL,
                href TEXT NOT NULL,
                etag TEXT,
                -- The appointment version last pushed or pulled; a higher one means a local change.
                synced_version INTEGER NOT NULL,
                PRIMARY KEY (provider_id, appointment_uid)
            ) WITHOUT ROWID;
            CREATE TABLE caldav_conflicts (
                id INTEGER PRIMARY KEY,
                provider_id INTEGER NOT NULL,
                appointment_uid TEXT NOT NULL,
                href TEXT NOT NULL,
                reason TEXT NOT NULL,
                detected_at INTEGER NOT NULL,
                resolved_at INTEGER,
                -- How a person settled it: 'carephone' (push ours) or 'caldav' (take theirs);
                -- 'applied:...' once a sync has done it.
                resolution TEXT
            );
            """)
}
