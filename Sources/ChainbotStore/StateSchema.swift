/// The state file's schema history; the last migration's version is the schema this chainbot writes.
///
/// Times are integer milliseconds since the Unix epoch, UTC. Resources are named by a `kind` and a
/// `name` column each, never by a `Kind/name` string that would have to be split again.
enum StateSchema {
    static let migrations: [SQLiteMigration] = [version1, version2, version3, version4, version5]
    static let version5 = SQLiteMigration(
        version: 5, summary: "intent before action",
        sql: """
            -- A revision is begun before its first step with every planned step (outcome 'pending', seq = plan
            -- step index + 1) and finished as each step's outcome is known. plan_digest names the plan it
            -- ran; writer_pid the process that began it. A revision still unfinished when the next writer
            -- holds the state lock gets outcome 'interrupted'.
            ALTER TABLE revisions ADD COLUMN plan_digest TEXT;
            ALTER TABLE revisions ADD COLUMN writer_pid INTEGER;
            CREATE INDEX revisions_unfinished ON revisions (id) WHERE finished_at IS NULL;
            """)
    static let version4 = SQLiteMigration(
        version: 4, summary: "owed follow-up steps",
        sql: """
            -- A restart or reload still owed after a write that succeeded (DESIGN §6): recorded before the
            -- plan runs, deleted when it succeeds. action is the step's text, action_json the step itself.
            CREATE TABLE pending_steps (
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                action TEXT NOT NULL,
                action_json TEXT NOT NULL,
                since INTEGER NOT NULL,
                last_error TEXT,
                PRIMARY KEY (kind, name, action)
            );
            """)
    static let version3 = SQLiteMigration(
        version: 3, summary: "event change sequence",
        sql: """
            -- Every insert of an event and every repeat (count, last seen) takes the next number, so a reader
            -- that remembers the last number it saw gets exactly what changed after it (the agent's event
            -- stream replays from it on reconnect). Numbers follow commit order: writes are serialized.
            ALTER TABLE events ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
            UPDATE events SET seq = numbered.n
                FROM (SELECT id, row_number() OVER (ORDER BY last_seen, id) AS n FROM events) AS numbered
                WHERE numbered.id = events.id;
            CREATE INDEX events_by_seq ON events (seq);
            CREATE TRIGGER events_seq_on_insert AFTER INSERT ON events BEGIN
                UPDATE events SET seq = (SELECT coalesce(max(seq), 0) + 1 FROM events) WHERE id = NEW.id;
            END;
            CREATE TRIGGER events_seq_on_repeat AFTER UPDATE OF count, last_seen ON events BEGIN
                UPDATE events SET seq = (SELECT coalesce(max(seq), 0) + 1 FROM events) WHERE id = NEW.id;
            END;
            """)
    static let version2 = SQLiteMigration(
        version: 2, summary: "suspensions",
        sql: """
            -- Resources the agent leaves alone until a time (`chainbot suspend KIND/NAME --for 2h`).
            CREATE TABLE suspensions (
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                until INTEGER NOT NULL,
                reason TEXT NOT NULL DEFAULT '',
                PRIMARY KEY (kind, name)
            );
            """)

    static let version1 = SQLiteMigration(
        version: 1, summary: "inventory, revisions, events, outbox, status",
        sql: """
            -- Facts about this state file. instance_id makes outbox idempotency keys unique even when the
            -- state file is recreated and event numbers start again.
            CREATE TABLE store_meta (
                key TEXT PRIMARY KEY NOT NULL,
                value TEXT NOT NULL
            );
            INSERT INTO store_meta (key, value) VALUES ('instance_id', lower(hex(randomblob(16))));

            -- The last-applied spec of every resource chainbot manages: the prune inventory.
            CREATE TABLE resources (
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                spec_json TEXT NOT NULL,
                spec_hash TEXT NOT NULL,
                generation TEXT NOT NULL,
                applied_at INTEGER NOT NULL,
                created_by_chainbot INTEGER NOT NULL CHECK (created_by_chainbot IN (0, 1)),
                PRIMARY KEY (kind, name)
            );

            -- One row per apply. AUTOINCREMENT: a revision number is never reused, even after deletes.
            CREATE TABLE revisions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                generation TEXT NOT NULL,
                git_commit TEXT,
                started_at INTEGER NOT NULL,
                finished_at INTEGER,
                outcome TEXT,
                summary_json TEXT,
                CHECK ((finished_at IS NULL) = (outcome IS NULL))
            );

            -- The steps of an apply in the order they were recorded (seq is 1-based).
            CREATE TABLE revision_steps (
                revision_id INTEGER NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
                seq INTEGER NOT NULL CHECK (seq >= 1),
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                action TEXT NOT NULL,
                outcome TEXT NOT NULL,
                error TEXT,
                started_at INTEGER NOT NULL,
                finished_at INTEGER NOT NULL,
                PRIMARY KEY (revision_id, seq)
            );
            CREATE INDEX revision_steps_by_resource ON revision_steps (kind, name);

            -- Events, deduplicated: a repeat of the same type, reason, resource and message counts again.
            CREATE TABLE events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                type TEXT NOT NULL CHECK (type IN ('Normal', 'Warning')),
                reason TEXT NOT NULL,
                regarding_kind TEXT NOT NULL,
                regarding_name TEXT NOT NULL,
                message TEXT NOT NULL,
                count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1),
                first_seen INTEGER NOT NULL,
                last_seen INTEGER NOT NULL,
                generation TEXT,
                UNIQUE (type, reason, regarding_kind, regarding_name, message)
            );
            CREATE INDEX events_by_last_seen ON events (last_seen);

            -- Event occurrences to deliver to ALEX OS, one row each. Deleting an event with entries is
            -- refused (no cascade), so retention cannot drop an undelivered entry by accident.
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id INTEGER NOT NULL REFERENCES events (id),
                idempotency_key TEXT NOT NULL UNIQUE,
                resource_kind TEXT NOT NULL,
                resource_name TEXT NOT NULL,
                payload_json TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                next_attempt_at INTEGER NOT NULL,
                last_error TEXT,
                created_at INTEGER NOT NULL,
                delivered_at INTEGER
            );
            CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL;
            CREATE INDEX outbox_by_event ON outbox (event_id);

            -- The latest status of each resource. sync: Synced | OutOfSync | Unknown; health: Healthy |
            -- Progressing | Degraded | Missing | Unknown; conditions_json: a JSON array of conditions.
            CREATE TABLE resource_status (
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                sync TEXT NOT NULL DEFAULT 'Unknown',
                health TEXT NOT NULL DEFAULT 'Unknown',
                conditions_json TEXT NOT NULL DEFAULT '[]',
                observed_generation TEXT,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (kind, name)
            );
            """)
}
