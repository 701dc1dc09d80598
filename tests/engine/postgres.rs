//! What only a directory in PostgreSQL can meet: its server stopped in the middle of a sync,
//! search answering as SQLite's full-text index does on the same company, and what its planner
//! knows after a first sync.

use roster_engine::store::employees::EmployeeQuery;
use roster_engine::store::postgres;
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use roster_simulator::{Change, EditableField, EmploymentType, NewHire};
use roster_test_postgres::{cluster, Cluster};

use crate::data_dir::DataDir;
use crate::harness::{connect, fast_retry, now, start, World, SOURCE};

fn people(engine: &Engine) -> i64 {
    engine.store().conn().query_row("SELECT count(*) FROM employees", (), |r| r.get(0)).unwrap()
}

#[test]
fn a_server_stopped_in_the_middle_of_a_sync_keeps_nothing_of_it_and_the_next_sync_after_a_restart_succeeds() {
    // A server of this test's own, to stop: the shared one serves the other tests.
    let server = Cluster::new();
    let database = server.database();
    let dir = tempfile::tempdir().unwrap();
    postgres::connect(dir.path(), &database.url.parse().unwrap(), &database.password).unwrap();
    let sim = start(71, 1500);
    let mut engine = Engine::open(dir.path()).unwrap().with_retry(fast_retry());
    connect(&mut engine, SOURCE, &sim);

    let mut stopped = false;
    let error = engine
        .sync_with_progress(SOURCE, now(), SyncRequest::default(), &mut |progress| {
            if !stopped && progress.done >= 300 {
                server.stop();
                stopped = true;
            }
        })
        .expect_err("the sync cannot finish without its database");
    assert!(stopped, "the server was stopped while the sync was writing");
    let message = error.to_string();
    assert!(message.contains(&database.url), "the error names the database: {message}");
    assert!(message.contains("nothing of the interrupted change was kept"), "and says what became of the sync: {message}");
    drop(engine);

    server.start();
    let mut engine = Engine::open(dir.path()).unwrap().with_retry(fast_retry());
    assert_eq!(people(&engine), 0, "the interrupted first sync's people were never committed");
    let report = engine.sync(SOURCE, now(), SyncRequest::default()).expect("the next sync succeeds");
    assert!(report.counts.created > 1000, "{:?}", report.counts);
    assert_eq!(people(&engine), i64::from(report.counts.created));
    let runs = engine.runs(None, 10).unwrap();
    assert!(
        runs.iter().any(|run| run.outcome == roster_engine::store::runs::RunState::Failed),
        "the stopped run is recorded as failed: {runs:?}"
    );
}

#[test]
fn search_finds_the_same_people_on_both_stores_accents_and_apostrophes_included() {
    let sim = start(72, 300);
    for (first, last, email) in [
        ("Zoë", "O'Brien", "zoe.obrien"),
        ("Ærøskøbing", "Łukasiewicz-Nuñez", "aero.lukasiewicz"),
        ("José", "D'Angelo", "jose.dangelo"),
        ("Renée", "Müller Straße", "renee.muller"),
    ] {
        sim.apply(Change::Hire(NewHire {
            first_name: first.into(),
            last_name: last.into(),
            work_email: Some(format!("{email}@quillon.example")),
            start_date: Some(crate::harness::today()),
            legal_entity_id: None,
            employment_type: EmploymentType::FullTime,
            job_title: None,
        }));
    }
    let (local, shared) = (DataDir::sqlite(), DataDir::postgres());
    let engines: Vec<Engine> = [local.path(), shared.path()]
        .into_iter()
        .map(|dir| {
            let mut engine = Engine::open(dir).unwrap().with_retry(fast_retry());
            connect(&mut engine, SOURCE, &sim);
            engine.sync(SOURCE, now(), SyncRequest::default()).unwrap();
            engine
        })
        .collect();

    let found = |engine: &Engine, text: &str| -> Vec<String> {
        let query = EmployeeQuery {
            view: roster_engine::model::View::All,
            include_hidden: true,
            include_out_of_scope: true,
            search: Some(text.to_owned()),
            limit: 10_000,
            ..EmployeeQuery::default()
        };
        let mut emails: Vec<String> =
            engine.employees(&query, now()).unwrap().into_iter().map(|e| e.work_email.unwrap_or_default()).collect();
        emails.sort();
        emails
    };
    let queries = [
        "zoe",
        "ZOË",
        "o'brien",
        "obrien",
        "brien",
        "d'angelo",
        "angelo",
        "jose",
        "josé",
        "łuk",
        "luk",
        "nuñez",
        "nunez",
        "ærø",
        "muller",
        "müller",
        "straße",
        "renée renee",
        "zoe.obrien@quillon.example",
        "a",
        "ma",
        "sch",
        "an ma",
        "x",
        "'",
        "-",
        "z o",
    ];
    let mut matched = 0;
    for text in queries {
        let (on_sqlite, on_postgres) = (found(&engines[0], text), found(&engines[1], text));
        assert_eq!(on_sqlite, on_postgres, "both stores find the same people for {text:?}");
        matched += usize::from(!on_sqlite.is_empty());
    }
    assert!(matched > 15, "most queries find someone: the comparison is not of empty lists");
    for (text, email) in
        [("zoe", "zoe.obrien"), ("o'brien", "zoe.obrien"), ("luk", "aero.lukasiewicz"), ("muller", "renee.muller")]
    {
        assert!(found(&engines[1], text).iter().any(|e| e.starts_with(email)), "{text:?} finds {email}");
    }
}

#[test]
fn two_sources_syncing_at_once_interleave_their_people_and_each_person_is_indexed_once() {
    let database = cluster().database();
    let (first_dir, second_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for dir in [&first_dir, &second_dir] {
        postgres::connect(dir.path(), &database.url.parse().unwrap(), &database.password).unwrap();
    }
    let sim = start(73, 1100);
    let mut first = Engine::open(first_dir.path()).unwrap().with_retry(fast_retry());
    connect(&mut first, SOURCE, &sim);
    // The other source: a CSV file of people the company's HR system does not have.
    let csv = first_dir.path().join("contractors.csv");
    std::fs::write(
        &csv,
        "employee_number,first_name,last_name,work_email,start_date\n\
         C1,Quinta,Vasquez-Ray,quinta@contractors.example,2026-01-05\n\
         C2,Oskar,Xylander-Quay,oskar@contractors.example,2026-02-02\n",
    )
    .unwrap();
    first.add_csv_source("Contractors", &csv, now()).unwrap();
    let mut second = Engine::open(second_dir.path()).unwrap().with_retry(fast_retry());

    // A first sync writes people as it reads them, taking their ids from the sequence a thousand
    // at a time. After the HR sync took its first thousand, the other machine's sync of the CSV
    // source takes the next ids and commits; the HR sync's next thousand come after them, so its
    // range of new ids holds the other source's people.
    let mut interleaved = false;
    first
        .sync_with_progress(SOURCE, now(), SyncRequest::default(), &mut |progress| {
            if !interleaved && progress.done > 0 {
                second.sync("Contractors", now(), SyncRequest::default()).expect("the other source's sync commits meanwhile");
                interleaved = true;
            }
        })
        .expect("the HR sync indexes only its own people");
    assert!(interleaved);
    let search = |text: &str| {
        let query = EmployeeQuery { search: Some(text.to_owned()), include_hidden: true, ..EmployeeQuery::default() };
        first.employees(&query, now()).unwrap().len()
    };
    assert_eq!(search("xylander"), 1, "the other source's person is found once");
    let unindexed: i64 = first
        .store()
        .conn()
        .query_row(
            "SELECT count(*) FROM employees e WHERE NOT EXISTS (SELECT 1 FROM employee_search_words w WHERE w.employee_id = e.id) AND e.last_name IS NOT NULL",
            (),
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unindexed, 0, "and everyone has their words");
}

#[test]
fn after_a_first_sync_the_planner_knows_the_directorys_size_and_no_statement_is_compiled() {
    let mut world = World::on_postgres(74, 400);
    let first = world.sync();
    let conn = world.engine.store().conn();
    // Until something analyzes a new table, the planner reads its size as unknown (-1).
    for table in ["employees", "employee_links", "employee_search_words", "group_memberships"] {
        let estimated: i64 =
            conn.query_row("SELECT reltuples::bigint FROM pg_class WHERE relname = ?1", [table], |r| r.get(0)).unwrap();
        assert!(estimated > 0, "{table}: the planner's estimate of its rows is {estimated}");
    }
    let estimated: i64 =
        conn.query_row("SELECT reltuples::bigint FROM pg_class WHERE relname = 'employees'", (), |r| r.get(0)).unwrap();
    assert_eq!(estimated, i64::from(first.counts.created), "the estimate is the people the first sync created");
    let jit: String = conn.query_row("SHOW jit", (), |r| r.get(0)).unwrap();
    assert_eq!(jit, "off", "Roster's statements are planned, never compiled to machine code first");
}

#[test]
fn a_re_sync_of_more_people_than_its_plan_reads_at_once_plans_each_of_them_once() {
    // PostgreSQL hands a statement's rows over whole, so the plan reads the staged people 5,000 at
    // a time, each batch after the last id of the one before.
    let mut world = World::on_postgres(75, 5300);
    let first = world.sync();
    assert!(first.counts.created > 5000, "more people than one batch: {:?}", first.counts);

    // The first and the last in the order the plan reads them (byte order) change.
    let mut ids: Vec<String> = world.sim.employees().into_iter().map(|e| e.id).collect();
    ids.sort();
    for id in [&ids[0], &ids[ids.len() - 1]] {
        world.sim.apply(Change::Edit {
            employee_id: id.clone(),
            field: EditableField::LastName,
            value: Some("Batch-Edge".into()),
        });
    }
    let again = world.engine.sync(SOURCE, now(), SyncRequest { full: true, ..SyncRequest::default() }).unwrap();
    assert_eq!(again.counts.updated, 2, "both ends of the read are planned: {:?}", again.counts);
    assert_eq!(again.counts.unchanged, first.counts.created - 2, "everyone else once: {:?}", again.counts);
    assert_eq!(again.counts.created + again.counts.missing + again.counts.departing, 0, "{:?}", again.counts);
}
