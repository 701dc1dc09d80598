//! The schema, as an ordered list of migrations. Append only: a released migration never changes.

use rusqlite_migration::{Migrations, M};

/// Version 1: the directory, its sources and their settings, devices, sync runs and the change log.
const V1: &str = r#"
CREATE TABLE meta (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);

CREATE TABLE sources (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    kind                TEXT NOT NULL CHECK (kind IN ('kombo', 'scim', 'oauth', 'csv')),
    -- Connection settings without secrets (base URL, integration id...); secrets live in the OS keyring.
    config              TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    first_synced_at     TEXT,
    sync_interval_secs  INTEGER NOT NULL DEFAULT 3600 CHECK (sync_interval_secs >= 60),
    next_sync_at        TEXT,
    last_full_sync_at   TEXT,
    -- High-water mark of `changed_at` for incremental reads.
    updated_after       TEXT,
    failure_count       INTEGER NOT NULL DEFAULT 0,
    last_error          TEXT,
    personal_email_enabled INTEGER NOT NULL DEFAULT 1,
    mobile_phone_enabled   INTEGER NOT NULL DEFAULT 1,
    home_address_enabled   INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE legal_entities (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    remote_id   TEXT NOT NULL,
    name        TEXT,
    address     TEXT,
    time_zone   TEXT,
    UNIQUE (source_id, remote_id)
);

CREATE TABLE work_locations (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    remote_id   TEXT NOT NULL,
    name        TEXT,
    address     TEXT,
    time_zone   TEXT,
    UNIQUE (source_id, remote_id)
);

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    remote_id   TEXT NOT NULL,
    name        TEXT,
    type        TEXT,
    UNIQUE (source_id, remote_id)
);

CREATE TABLE employees (
    id                  INTEGER PRIMARY KEY,
    employee_number     TEXT,
    first_name          TEXT,
    last_name           TEXT,
    job_title           TEXT,
    work_email          TEXT,
    personal_email      TEXT,
    mobile_phone        TEXT,
    employment_status   TEXT,
    employment_type     TEXT,
    work_location_id    INTEGER REFERENCES work_locations (id) ON DELETE SET NULL,
    legal_entity_id     INTEGER REFERENCES legal_entities (id) ON DELETE SET NULL,
    manager_id          INTEGER REFERENCES employees (id) ON DELETE SET NULL,
    home_address        TEXT,
    start_date          TEXT,
    end_date            TEXT,
    -- IANA zone of the work location or legal entity: "today" for this person.
    time_zone           TEXT,
    hidden              INTEGER NOT NULL DEFAULT 0,
    departed_at         TEXT,
    -- The source and run that created the person: the provenance of every value they set then,
    -- unless field_provenance says a later run, another source or a local edit set it since.
    source_id           INTEGER REFERENCES sources (id) ON DELETE SET NULL,
    run_id              INTEGER REFERENCES sync_runs (id) ON DELETE SET NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX employees_work_email ON employees (lower(work_email));
CREATE INDEX employees_employee_number ON employees (employee_number);
CREATE INDEX employees_sort ON employees (last_name COLLATE NOCASE, first_name COLLATE NOCASE, id);
CREATE INDEX employees_time_zone ON employees (time_zone);

-- Search as you type: prefixes of names and of the email's local part (the domain, shared by
-- everyone, would only slow every write), accents folded. Contentless: only ids come back.
CREATE VIRTUAL TABLE employee_search USING fts5 (
    first_name, last_name, email_name,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE TRIGGER employees_search_insert AFTER INSERT ON employees BEGIN
    INSERT INTO employee_search (rowid, first_name, last_name, email_name)
    VALUES (new.id, new.first_name, new.last_name, substr(new.work_email, 1, coalesce(nullif(instr(new.work_email, '@'), 0), 1000) - 1));
END;
CREATE TRIGGER employees_search_delete AFTER DELETE ON employees BEGIN
    DELETE FROM employee_search WHERE rowid = old.id;
END;
CREATE TRIGGER employees_search_update AFTER UPDATE OF first_name, last_name, work_email ON employees BEGIN
    DELETE FROM employee_search WHERE rowid = old.id;
    INSERT INTO employee_search (rowid, first_name, last_name, email_name)
    VALUES (new.id, new.first_name, new.last_name, substr(new.work_email, 1, coalesce(nullif(instr(new.work_email, '@'), 0), 1000) - 1));
END;

-- Which employee a source's record is, and that record's standing in the source.
CREATE TABLE employee_links (
    source_id       INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    remote_id       TEXT NOT NULL,
    employee_id     INTEGER NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    missing_since   TEXT,
    out_of_scope    TEXT,
    PRIMARY KEY (source_id, remote_id),
    UNIQUE (source_id, employee_id)
);
CREATE INDEX employee_links_employee ON employee_links (employee_id);

CREATE TABLE employments (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    remote_id       TEXT NOT NULL,
    employee_remote_id TEXT NOT NULL,
    employment_type TEXT,
    effective_date  TEXT,
    UNIQUE (source_id, remote_id)
);

CREATE TABLE group_memberships (
    employee_id INTEGER NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    group_id    INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (employee_id, group_id)
);
CREATE INDEX group_memberships_group ON group_memberships (group_id);

CREATE TABLE field_modes (
    source_id   INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    field       TEXT NOT NULL,
    mode        TEXT NOT NULL CHECK (mode IN ('continuous', 'import_once')),
    PRIMARY KEY (source_id, field)
);

CREATE TABLE source_filters (
    source_id   INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('legal_entity', 'employment_type', 'team')),
    value       TEXT NOT NULL,
    PRIMARY KEY (source_id, kind, value)
);

-- Which source and run set a field after the person was created (or NULLs for a local edit).
CREATE TABLE field_provenance (
    employee_id INTEGER NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    field       TEXT NOT NULL,
    source_id   INTEGER REFERENCES sources (id) ON DELETE SET NULL,
    run_id      INTEGER REFERENCES sync_runs (id) ON DELETE SET NULL,
    set_at      TEXT NOT NULL,
    PRIMARY KEY (employee_id, field)
);

CREATE TABLE devices (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    model           TEXT NOT NULL,
    serial_number   TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL DEFAULT 'in_stock' CHECK (status IN ('in_stock', 'assigned', 'repair', 'retired')),
    created_at      TEXT NOT NULL
);

CREATE TABLE device_assignments (
    id          INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    employee_id INTEGER NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    assigned_on TEXT NOT NULL,
    returned_on TEXT
);
CREATE UNIQUE INDEX device_assignments_open ON device_assignments (device_id) WHERE returned_on IS NULL;
CREATE INDEX device_assignments_employee ON device_assignments (employee_id);

CREATE TABLE sync_runs (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('full', 'incremental')),
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    outcome     TEXT NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'held', 'discarded')),
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    excluded    INTEGER NOT NULL DEFAULT 0,
    departing   INTEGER NOT NULL DEFAULT 0,
    missing     INTEGER NOT NULL DEFAULT 0,
    error       TEXT
);
CREATE INDEX sync_runs_source ON sync_runs (source_id, started_at);

CREATE TABLE change_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    employee_id INTEGER REFERENCES employees (id) ON DELETE CASCADE,
    source_id   INTEGER REFERENCES sources (id) ON DELETE SET NULL,
    run_id      INTEGER REFERENCES sync_runs (id) ON DELETE SET NULL,
    actor       TEXT NOT NULL CHECK (actor IN ('sync', 'user')),
    action      TEXT NOT NULL,
    field       TEXT,
    old_value   TEXT,
    new_value   TEXT
);
CREATE INDEX change_log_employee ON change_log (employee_id, at);

-- What the last full read of each source returned, included or not and why: the answer to
-- "why is this person missing?" without asking the HR system again.
CREATE TABLE fetched_people (
    source_id       INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    remote_id       TEXT NOT NULL,
    name            TEXT NOT NULL,
    work_email      TEXT,
    employment_status TEXT,
    start_date      TEXT,
    end_date        TEXT,
    excluded        TEXT,
    PRIMARY KEY (source_id, remote_id)
);

-- A plan the mass-change guard held back, waiting to be approved or discarded.
CREATE TABLE held_plans (
    run_id  INTEGER PRIMARY KEY REFERENCES sync_runs (id) ON DELETE CASCADE,
    plan    TEXT NOT NULL
);

-- Values a later-connected source holds for a field that an earlier source owns.
CREATE TABLE field_conflicts (
    employee_id INTEGER NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    field       TEXT NOT NULL,
    source_id   INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    value       TEXT,
    PRIMARY KEY (employee_id, field, source_id)
);
"#;

/// Version 2: fewer b-trees to write per person, which is most of what a sync of a large company costs.
/// - New people enter the search index in one statement per sync instead of one per row: FTS5
///   flushes its pending terms at every statement, so the insert trigger turned each created
///   person into a tiny index segment to merge. The view is the one definition of what is indexed,
///   for the sync's bulk insert and for the update trigger.
/// - Links, group memberships, employments and fetched people are stored in their key's order (WITHOUT ROWID),
///   and links need one index where they had two: (employee_id, source_id) serves both lookups.
/// - Two employee indexes no query used: the employee number (people are matched in memory) and
///   the time zone (the zones in use are read from the sites, a few rows).
const V2: &str = r#"
CREATE VIEW employee_search_terms AS
    SELECT id, first_name, last_name, substr(work_email, 1, coalesce(nullif(instr(work_email, '@'), 0), 1000) - 1) AS email_name
    FROM employees;
DROP TRIGGER employees_search_insert;
DROP TRIGGER employees_search_update;
CREATE TRIGGER employees_search_update AFTER UPDATE OF first_name, last_name, work_email ON employees BEGIN
    DELETE FROM employee_search WHERE rowid = old.id;
    INSERT INTO employee_search (rowid, first_name, last_name, email_name)
    SELECT id, first_name, last_name, email_name FROM employee_search_terms WHERE id = new.id;
END;

DROP INDEX employees_employee_number;
DROP INDEX employees_time_zone;

CREATE TABLE employee_links_v2 (
    source_id       INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    remote_id       TEXT NOT NULL,
    employee_id     INTEGER NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    missing_since   TEXT,
    out_of_scope    TEXT,
    PRIMARY KEY (source_id, remote_id),
    UNIQUE (employee_id, source_id)
) WITHOUT ROWID;
INSERT INTO employee_links_v2 SELECT source_id, remote_id, employee_id, missing_since, out_of_scope FROM employee_links;
DROP TABLE employee_links;
ALTER TABLE employee_links_v2 RENAME TO employee_links;

CREATE TABLE group_memberships_v2 (
    employee_id INTEGER NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    group_id    INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (employee_id, group_id)
) WITHOUT ROWID;
INSERT INTO group_memberships_v2 SELECT employee_id, group_id FROM group_memberships;
DROP TABLE group_memberships;
ALTER TABLE group_memberships_v2 RENAME TO group_memberships;
-- For deleting a group's memberships. Queries of one person's groups start from the person:
-- they say so with CROSS JOIN, since this index now covers them too.
CREATE INDEX group_memberships_group ON group_memberships (group_id);

CREATE TABLE employments_v2 (
    source_id       INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    remote_id       TEXT NOT NULL,
    employee_remote_id TEXT NOT NULL,
    employment_type TEXT,
    effective_date  TEXT,
    PRIMARY KEY (source_id, remote_id)
) WITHOUT ROWID;
INSERT INTO employments_v2 SELECT source_id, remote_id, employee_remote_id, employment_type, effective_date FROM employments;
DROP TABLE employments;
ALTER TABLE employments_v2 RENAME TO employments;

CREATE TABLE fetched_people_v2 (
    source_id       INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    remote_id       TEXT NOT NULL,
    name            TEXT NOT NULL,
    work_email      TEXT,
    employment_status TEXT,
    start_date      TEXT,
    end_date        TEXT,
    excluded        TEXT,
    PRIMARY KEY (source_id, remote_id)
) WITHOUT ROWID;
INSERT INTO fetched_people_v2 SELECT source_id, remote_id, name, work_email, employment_status, start_date, end_date, excluded
    FROM fetched_people;
DROP TABLE fetched_people;
ALTER TABLE fetched_people_v2 RENAME TO fetched_people;
"#;

/// Version 3: a device's past hand-overs outlive the person retention erases: the holder becomes
/// "former employee" (no id) instead of the hand-over vanishing from the device's history.
const V3: &str = r#"
CREATE TABLE device_assignments_v3 (
    id          INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    employee_id INTEGER REFERENCES employees (id) ON DELETE SET NULL,
    assigned_on TEXT NOT NULL,
    returned_on TEXT,
    CHECK (employee_id IS NOT NULL OR returned_on IS NOT NULL)
);
INSERT INTO device_assignments_v3 SELECT id, device_id, employee_id, assigned_on, returned_on FROM device_assignments;
DROP TABLE device_assignments;
ALTER TABLE device_assignments_v3 RENAME TO device_assignments;
CREATE UNIQUE INDEX device_assignments_open ON device_assignments (device_id) WHERE returned_on IS NULL;
CREATE INDEX device_assignments_employee ON device_assignments (employee_id);
"#;

/// Version 4: a run keeps the warnings it raised (a JSON list; NULL when the run did not check),
/// so a scheduled sync's warnings reach the window and the history like a manual one's.
const V4: &str = r#"
ALTER TABLE sync_runs ADD COLUMN warnings TEXT;
"#;

/// Version 5: less is kept of people the filters exclude. `fetched_people` holds, for them, only
/// what the preview and "why is this person missing?" need: the HR id, the name, the work email and
/// the reason. Whether a full read returned any future starter or departed person at all (the API
/// key's permissions) is counted per source instead of read from everyone's dates.
const V5: &str = r#"
CREATE TABLE fetched_counts (
    source_id   INTEGER PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
    people      INTEGER NOT NULL,
    future      INTEGER NOT NULL,
    departed    INTEGER NOT NULL
);
INSERT INTO fetched_counts
    SELECT source_id, count(*), count(*) FILTER (WHERE employment_status = 'PENDING' OR start_date > date('now')),
           count(*) FILTER (WHERE employment_status = 'INACTIVE' OR end_date < date('now'))
    FROM fetched_people GROUP BY source_id;
UPDATE fetched_people SET employment_status = NULL, start_date = NULL, end_date = NULL WHERE excluded IS NOT NULL;
"#;

/// Version 6: the built-in demo's source is marked as such, never recognised by its name (a real
/// source may be called "Demo company"). A demo source from before is the one of that name whose
/// server ran on this machine, as the demo's simulator always did.
const V6: &str = r#"
ALTER TABLE sources ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
UPDATE sources SET demo = 1
    WHERE name = 'Demo company' AND kind = 'kombo' AND json_extract(config, '$.base_url') LIKE 'http://127.0.0.1:%';
"#;

/// Version 7: checklists. A template (per view, optionally narrowed with the filter shapes of
/// sources) lists steps with a due offset in days from the start or end date; every person in
/// Onboardings or Offboardings gets a copy of its steps. A step is never deleted when it stops being
/// needed: it is closed with the reason.
const V7: &str = r#"
CREATE TABLE checklist_templates (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    view        TEXT NOT NULL CHECK (view IN ('onboardings', 'offboardings')),
    filters     TEXT NOT NULL DEFAULT '{"legal_entities":[],"employment_types":[],"teams":[]}'
);

CREATE TABLE checklist_template_steps (
    id          INTEGER PRIMARY KEY,
    template_id INTEGER NOT NULL REFERENCES checklist_templates (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    offset_days INTEGER NOT NULL
);

CREATE TABLE checklist_steps (
    id              INTEGER PRIMARY KEY,
    employee_id     INTEGER NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    template_step_id INTEGER REFERENCES checklist_template_steps (id) ON DELETE SET NULL,
    view            TEXT NOT NULL CHECK (view IN ('onboardings', 'offboardings')),
    position        INTEGER NOT NULL,
    title           TEXT NOT NULL,
    offset_days     INTEGER NOT NULL,
    anchor_date     TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    done_at         TEXT,
    assignee        TEXT,
    comment         TEXT,
    closed          TEXT,
    closed_at       TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX checklist_steps_employee ON checklist_steps (employee_id, view);
CREATE UNIQUE INDEX checklist_steps_live ON checklist_steps (employee_id, template_step_id) WHERE closed IS NULL;

INSERT INTO checklist_templates (id, name, view) VALUES (1, 'Onboarding', 'onboardings'), (2, 'Offboarding', 'offboardings');
INSERT INTO checklist_template_steps (template_id, position, title, offset_days) VALUES
    (1, 1, 'Order equipment', -14),
    (1, 2, 'Ship to home address', -7),
    (1, 3, 'Create accounts', -3),
    (1, 4, 'Enrol device', -1),
    (1, 5, 'Welcome on day one', 0),
    (2, 1, 'Recover devices', 0),
    (2, 2, 'Revoke accounts', 0),
    (2, 3, 'Wipe devices', 3);
"#;

/// Version 8: employments are no longer kept. Nothing ever read them; a person's employment type
/// comes with the person.
const V8: &str = r#"
DROP TABLE employments;
"#;

/// Version 9: device rules. A rule suggests a device (a kind and a model) for the people its
/// filters take, with the filter shapes of sources and checklist templates.
const V9: &str = r#"
CREATE TABLE device_rules (
    id          INTEGER PRIMARY KEY,
    filters     TEXT NOT NULL DEFAULT '{"legal_entities":[],"employment_types":[],"teams":[]}',
    kind        TEXT NOT NULL CHECK (kind != ''),
    model       TEXT NOT NULL CHECK (model != ''),
    created_at  TEXT NOT NULL
);
"#;

/// Version 10: what the lists ask of every person, kept on the person, so that a view of a large
/// directory reads an index range instead of probing other tables for each of its people. The
/// database keeps both columns current (triggers), so no writer can forget them:
/// - `out_of_scope`: every source that knows the person excludes them by its filters;
/// - `devices_held`: the devices handed over to the person and not yet returned.
///
/// One index holds every column the views' conditions read, so that counting a view scans it
/// instead of the whole table (a tenth of a second at 100,000 people, a few ms from the index);
/// it also answers Onboardings by start date. Offboardings' end dates are indexed, and the few
/// pending starters, device holders and hidden people have partial indexes of their own.
const V10: &str = r#"
ALTER TABLE employees ADD COLUMN out_of_scope INTEGER NOT NULL DEFAULT 0;
ALTER TABLE employees ADD COLUMN devices_held INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER employee_links_scope_insert AFTER INSERT ON employee_links
WHEN NEW.out_of_scope IS NOT NULL OR (SELECT out_of_scope FROM employees WHERE id = NEW.employee_id) BEGIN
    UPDATE employees SET out_of_scope = NOT EXISTS (SELECT 1 FROM employee_links l WHERE l.employee_id = NEW.employee_id AND l.out_of_scope IS NULL)
    WHERE id = NEW.employee_id;
END;
CREATE TRIGGER employee_links_scope_update AFTER UPDATE OF out_of_scope, employee_id ON employee_links
WHEN OLD.out_of_scope IS NOT NEW.out_of_scope OR OLD.employee_id IS NOT NEW.employee_id BEGIN
    UPDATE employees SET out_of_scope = EXISTS (SELECT 1 FROM employee_links l WHERE l.employee_id = employees.id)
        AND NOT EXISTS (SELECT 1 FROM employee_links l WHERE l.employee_id = employees.id AND l.out_of_scope IS NULL)
    WHERE id IN (OLD.employee_id, NEW.employee_id);
END;
CREATE TRIGGER employee_links_scope_delete AFTER DELETE ON employee_links BEGIN
    UPDATE employees SET out_of_scope = EXISTS (SELECT 1 FROM employee_links l WHERE l.employee_id = OLD.employee_id)
        AND NOT EXISTS (SELECT 1 FROM employee_links l WHERE l.employee_id = OLD.employee_id AND l.out_of_scope IS NULL)
    WHERE id = OLD.employee_id;
END;

CREATE TRIGGER device_assignments_held_insert AFTER INSERT ON device_assignments
WHEN NEW.returned_on IS NULL BEGIN
    UPDATE employees SET devices_held = devices_held + 1 WHERE id = NEW.employee_id;
END;
CREATE TRIGGER device_assignments_held_update AFTER UPDATE OF returned_on, employee_id ON device_assignments BEGIN
    UPDATE employees SET devices_held = (SELECT count(*) FROM device_assignments da WHERE da.employee_id = employees.id AND da.returned_on IS NULL)
    WHERE id IN (OLD.employee_id, NEW.employee_id);
END;
CREATE TRIGGER device_assignments_held_delete AFTER DELETE ON device_assignments
WHEN OLD.returned_on IS NULL BEGIN
    UPDATE employees SET devices_held = devices_held - 1 WHERE id = OLD.employee_id;
END;

UPDATE employees SET
    out_of_scope = EXISTS (SELECT 1 FROM employee_links l WHERE l.employee_id = employees.id)
        AND NOT EXISTS (SELECT 1 FROM employee_links l WHERE l.employee_id = employees.id AND l.out_of_scope IS NULL),
    devices_held = (SELECT count(*) FROM device_assignments da WHERE da.employee_id = employees.id AND da.returned_on IS NULL);

CREATE INDEX employees_views ON employees
    (start_date, end_date, employment_status, departed_at, time_zone, hidden, out_of_scope, devices_held);
CREATE INDEX employees_end_date ON employees (end_date);
CREATE INDEX employees_pending ON employees (id) WHERE employment_status = 'PENDING';
CREATE INDEX employees_holding ON employees (id) WHERE devices_held > 0;
CREATE INDEX employees_hidden ON employees (id) WHERE hidden;
"#;

/// Version 11: a device in stock can be reserved for a person, so that it is promised to one
/// starter only. Erasing the person releases it; the hand-over to them ends the reservation.
const V11: &str = r#"
ALTER TABLE devices ADD COLUMN reserved_for INTEGER REFERENCES employees (id) ON DELETE SET NULL;
CREATE INDEX devices_reserved_for ON devices (reserved_for);
"#;

/// Version 12: who did what, for a team. Each change, hand-over, return and run keeps the database
/// role that made it (`made_by`, `assigned_by`, `returned_by`, `run_by`) and a run the machine
/// that ran it; `team_members` holds the name each role shows. On PostgreSQL the database fills
/// the roles itself (triggers, `migrations_postgres.rs`); a SQLite directory has one person and
/// leaves them NULL, its `team_members` empty (kept so that one query serves both stores).
const V12: &str = r#"
ALTER TABLE change_log ADD COLUMN made_by TEXT;
CREATE INDEX change_log_made_by ON change_log (made_by, id);
ALTER TABLE sync_runs ADD COLUMN machine TEXT;
ALTER TABLE sync_runs ADD COLUMN run_by TEXT;
ALTER TABLE device_assignments ADD COLUMN assigned_by TEXT;
ALTER TABLE device_assignments ADD COLUMN returned_by TEXT;
CREATE TABLE team_members (
    role_name       TEXT PRIMARY KEY,
    display_name    TEXT NOT NULL CHECK (display_name != ''),
    updated_at      TEXT NOT NULL
);
"#;

const ALL: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12];

pub fn migrations() -> Migrations<'static> {
    Migrations::new(ALL.iter().map(|sql| M::up(sql)).collect())
}

/// The schema version this build writes.
pub fn count() -> usize {
    ALL.len()
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().expect("every migration applies cleanly to an empty database");
    }

    #[test]
    fn version_2_keeps_a_version_1_directory_and_its_search() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        super::migrations().to_version(&mut conn, 1).unwrap();
        conn.execute_batch(
            "INSERT INTO sources (id, name, kind, config, created_at) VALUES (1, 'HR', 'kombo', '{}', 'now');
             INSERT INTO groups (id, source_id, remote_id, name) VALUES (1, 1, 'g1', 'Platform');
             INSERT INTO employees (id, first_name, last_name, work_email, created_at, updated_at)
                 VALUES (1, 'Ada', 'Lovelace', 'ada@example.com', 'now', 'now');
             INSERT INTO employee_links (source_id, remote_id, employee_id, missing_since) VALUES (1, 'r1', 1, '2026-11-20');
             INSERT INTO group_memberships VALUES (1, 1);
             INSERT INTO employments (source_id, remote_id, employee_remote_id, employment_type) VALUES (1, 'm1', 'r1', 'FULL_TIME');
             INSERT INTO fetched_people (source_id, remote_id, name, excluded) VALUES (1, 'r2', 'Alan Turing', 'not selected');",
        )
        .unwrap();
        super::migrations().to_version(&mut conn, 2).unwrap();

        let kept: (String, String, i64, String, String) = conn
            .query_row(
                "SELECT l.missing_since, e.employment_type, gm.group_id, f.excluded, (SELECT last_name FROM employees)
                 FROM employee_links l, employments e, group_memberships gm, fetched_people f",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(
            kept,
            ("2026-11-20".into(), "FULL_TIME".into(), 1, "not selected".into(), "Lovelace".into()),
            "every row survives the rebuilt tables"
        );
        let found = |term: &str| -> i64 {
            conn.query_row("SELECT count(*) FROM employee_search WHERE employee_search MATCH ?1", [term], |r| r.get(0)).unwrap()
        };
        assert_eq!(found("lovelace"), 1, "people indexed under version 1 stay searchable");
        conn.execute("UPDATE employees SET last_name = 'King' WHERE id = 1", []).unwrap();
        assert_eq!((found("lovelace"), found("king")), (0, 1), "a renamed person is found under the new name only");
        conn.execute("DELETE FROM employees WHERE id = 1", []).unwrap();
        let links: i64 = conn.query_row("SELECT count(*) FROM employee_links", [], |r| r.get(0)).unwrap();
        assert_eq!((found("king"), links), (0, 0), "erasing a person still takes their search entry and links");
    }

    #[test]
    fn version_3_keeps_hand_overs_and_lets_them_outlive_their_holder() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        super::migrations().to_version(&mut conn, 2).unwrap();
        conn.execute_batch(
            "INSERT INTO employees (id, first_name, created_at, updated_at) VALUES (1, 'Ada', 'now', 'now');
             INSERT INTO devices (id, kind, model, serial_number, created_at) VALUES (1, 'laptop', 'X1', 'SN1', 'now');
             INSERT INTO device_assignments (device_id, employee_id, assigned_on, returned_on) VALUES (1, 1, '2025-01-01', '2025-06-01');",
        )
        .unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        conn.execute("DELETE FROM employees WHERE id = 1", []).unwrap();
        let kept: (Option<i64>, String) = conn
            .query_row("SELECT employee_id, returned_on FROM device_assignments", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!(kept, (None, "2025-06-01".into()), "the hand-over stays, held by a former employee");
        let open = conn
            .execute("INSERT INTO device_assignments (device_id, employee_id, assigned_on) VALUES (1, NULL, '2026-01-01')", []);
        assert!(open.is_err(), "a device is never held, now, by no one");
    }

    #[test]
    fn version_5_forgets_the_status_and_dates_of_excluded_people_and_keeps_the_counts() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut conn, 4).unwrap();
        conn.execute_batch(
            "INSERT INTO sources (id, name, kind, config, created_at) VALUES (1, 'HR', 'kombo', '{}', 'now');
             INSERT INTO fetched_people VALUES (1, 'r1', 'Ada Lovelace', 'ada@example.com', 'PENDING', '2999-01-01', NULL, NULL);
             INSERT INTO fetched_people VALUES (1, 'r2', 'Alan Turing', 'alan@example.com', 'INACTIVE', '2001-01-01', '2002-01-01', 'not selected');",
        )
        .unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        let kept: Vec<(String, Option<String>, Option<String>)> = conn
            .prepare("SELECT remote_id, employment_status, end_date FROM fetched_people ORDER BY remote_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            kept,
            vec![("r1".into(), Some("PENDING".into()), None), ("r2".into(), None, None)],
            "an included person keeps their status; an excluded one keeps no status or date"
        );
        let counts: (i64, i64, i64) = conn
            .query_row("SELECT people, future, departed FROM fetched_counts", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        assert_eq!(counts, (2, 1, 1), "what the last read returned is counted before the dates go");
    }

    #[test]
    fn version_6_marks_the_older_demo_source_and_no_real_source_of_that_name() {
        let demo_after_upgrade = |base_url: &str| -> bool {
            let mut conn = Connection::open_in_memory().unwrap();
            super::migrations().to_version(&mut conn, 5).unwrap();
            let config = serde_json::json!({ "base_url": base_url, "integration_id": "i" }).to_string();
            conn.execute(
                "INSERT INTO sources (name, kind, config, created_at) VALUES ('Demo company', 'kombo', ?1, 'now')",
                [config],
            )
            .unwrap();
            super::migrations().to_latest(&mut conn).unwrap();
            conn.query_row("SELECT demo FROM sources", [], |r| r.get(0)).unwrap()
        };
        assert!(demo_after_upgrade("http://127.0.0.1:41234/v1"), "the demo's own source, served on this machine, stays the demo");
        assert!(!demo_after_upgrade("https://api.kombo.dev/v1"), "a real source called \"Demo company\" is not the demo");
    }

    #[test]
    fn version_8_drops_the_employments_and_keeps_the_people() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut conn, 7).unwrap();
        conn.execute_batch(
            "INSERT INTO sources (id, name, kind, config, created_at) VALUES (1, 'HR', 'kombo', '{}', 'now');
             INSERT INTO employees (id, first_name, last_name, employment_type, created_at, updated_at)
                 VALUES (1, 'Ada', 'Lovelace', 'FULL_TIME', 'now', 'now');
             INSERT INTO employee_links (source_id, remote_id, employee_id) VALUES (1, 'r1', 1);
             INSERT INTO employments (source_id, remote_id, employee_remote_id, employment_type) VALUES (1, 'm1', 'r1', 'FULL_TIME');",
        )
        .unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        let tables: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'employments'", [], |r| r.get(0)).unwrap();
        assert_eq!(tables, 0, "employments are no longer kept: nothing reads them");
        let kept: (String, String) = conn
            .query_row(
                "SELECT e.employment_type, l.remote_id FROM employees e JOIN employee_links l ON l.employee_id = e.id",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(kept, ("FULL_TIME".into(), "r1".into()), "the person, their employment type and their link stay");
    }
    #[test]
    fn version_10_keeps_scope_and_devices_held_on_the_person_whatever_writes_them() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        super::migrations().to_version(&mut conn, 9).unwrap();
        conn.execute_batch(
            "INSERT INTO sources (id, name, kind, config, created_at) VALUES (1, 'HR', 'kombo', '{}', 'now'), (2, 'IT', 'csv', '{}', 'now');
             INSERT INTO employees (id, first_name, created_at, updated_at) VALUES (1, 'Ada', 'now', 'now'), (2, 'Alan', 'now', 'now');
             INSERT INTO employee_links (source_id, remote_id, employee_id, out_of_scope) VALUES (1, 'r1', 1, 'legal entity: Quillon SAS');
             INSERT INTO devices (id, kind, model, serial_number, created_at) VALUES (1, 'laptop', 'X1', 'SN1', 'now'), (2, 'phone', 'P', 'SN2', 'now');
             INSERT INTO device_assignments (device_id, employee_id, assigned_on) VALUES (1, 2, '2026-01-01');",
        )
        .unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        let kept = |conn: &Connection| -> Vec<(bool, i64)> {
            let mut stmt = conn.prepare("SELECT out_of_scope, devices_held FROM employees ORDER BY id").unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
        };
        assert_eq!(kept(&conn), vec![(true, 0), (false, 1)], "the upgrade fills both columns from what was there");

        conn.execute("INSERT INTO employee_links (source_id, remote_id, employee_id) VALUES (2, 'c1', 1)", []).unwrap();
        assert!(!kept(&conn)[0].0, "a second source that takes the person brings them back in scope");
        conn.execute("UPDATE employee_links SET out_of_scope = 'team: Sales' WHERE source_id = 2", []).unwrap();
        assert!(kept(&conn)[0].0, "once every source excludes them, they are out of scope");
        conn.execute("UPDATE employee_links SET out_of_scope = NULL WHERE source_id = 1", []).unwrap();
        assert!(!kept(&conn)[0].0, "a filter that takes them again brings them back");
        conn.execute("DELETE FROM employee_links WHERE source_id = 1", []).unwrap();
        assert!(kept(&conn)[0].0, "removing the one source that took them leaves them out of scope");
        conn.execute("DELETE FROM employee_links WHERE employee_id = 1", []).unwrap();
        assert!(!kept(&conn)[0].0, "a person no source knows is not out of scope");

        conn.execute("INSERT INTO device_assignments (device_id, employee_id, assigned_on) VALUES (2, 2, '2026-02-01')", [])
            .unwrap();
        assert_eq!(kept(&conn)[1].1, 2, "a hand-over counts");
        conn.execute("UPDATE device_assignments SET returned_on = '2026-03-01' WHERE device_id = 1", []).unwrap();
        assert_eq!(kept(&conn)[1].1, 1, "a return counts");
        conn.execute("UPDATE device_assignments SET employee_id = 1 WHERE device_id = 2", []).unwrap();
        assert_eq!(kept(&conn), vec![(false, 1), (false, 0)], "a device moved to another person moves its count");
        conn.execute("DELETE FROM device_assignments WHERE device_id = 2", []).unwrap();
        assert_eq!(kept(&conn)[0].1, 0, "a removed hand-over no longer counts");
    }
}
