//! A company in the simulator, a Roster directory in a temp dir, and the clock both share.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use roster_engine::connector::http::RetryPolicy;
use roster_engine::connector::kombo::KomboConfig;
use roster_engine::model::{EmployeeRow, View};
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::store::settings::Settings;
use roster_engine::sync::{SyncReport, SyncRequest};
use roster_engine::Engine;
use roster_simulator::{Change, CompanySpec, Employee, EmploymentType, NewHire, Simulator, SimulatorConfig};

use crate::data_dir::DataDir;

pub const SOURCE: &str = "HR";

pub fn now() -> DateTime<Utc> {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

pub fn today() -> NaiveDate {
    now().date_naive()
}

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy { attempts: 2, first_delay: Duration::from_millis(10), timeout: Duration::from_secs(10) }
}

pub fn start(seed: u64, size: usize) -> Simulator {
    start_with(SimulatorConfig::new(CompanySpec { seed, size, today: today() }))
}

pub fn start_with(config: SimulatorConfig) -> Simulator {
    let sim = Simulator::start(config).expect("the simulator starts");
    sim.set_clock(now());
    sim
}

pub struct World {
    pub sim: Simulator,
    pub engine: Engine,
    pub dir: DataDir,
}

impl World {
    /// A simulated company connected as source "HR", not yet synced. Retention is off, so that
    /// the rules' tests find everyone the simulator sends (its company has people who left years
    /// ago); the retention tests set it themselves.
    pub fn new(seed: u64, size: usize) -> World {
        World::with_simulator(start(seed, size))
    }

    pub fn with_simulator(sim: Simulator) -> World {
        World::in_dir(sim, DataDir::new())
    }

    /// [`World::new`] in a data directory with its own SQLite file, whatever the tests' store:
    /// for what only a local directory has (its files, their encryption, the write-ahead log).
    pub fn on_sqlite(seed: u64, size: usize) -> World {
        World::in_dir(start(seed, size), DataDir::sqlite())
    }

    /// [`World::new`] in a data directory pointed at a PostgreSQL database, whatever the tests'
    /// store: for what only PostgreSQL has (its planner, how it hands rows over).
    pub fn on_postgres(seed: u64, size: usize) -> World {
        World::in_dir(start(seed, size), DataDir::postgres())
    }

    fn in_dir(sim: Simulator, dir: DataDir) -> World {
        let mut engine = Engine::open(dir.path()).unwrap().with_retry(fast_retry());
        engine.save_settings(&Settings { retention_days: 0, ..Settings::default() }, now()).unwrap();
        connect(&mut engine, SOURCE, &sim);
        World { sim, engine, dir }
    }

    pub fn sync(&mut self) -> SyncReport {
        self.sync_at(now())
    }

    pub fn sync_at(&mut self, at: DateTime<Utc>) -> SyncReport {
        self.sim.set_clock(at);
        self.engine.sync(SOURCE, at, SyncRequest::default()).expect("the sync succeeds")
    }

    pub fn list(&self, view: View, include_hidden: bool) -> Vec<EmployeeRow> {
        self.list_at(view, include_hidden, now())
    }

    pub fn list_at(&self, view: View, include_hidden: bool, at: DateTime<Utc>) -> Vec<EmployeeRow> {
        let query = EmployeeQuery { view, include_hidden, limit: 100_000, ..EmployeeQuery::default() };
        self.engine.employees(&query, at).unwrap()
    }

    pub fn emails(&self, view: View, include_hidden: bool) -> Vec<String> {
        self.list(view, include_hidden).into_iter().filter_map(|e| e.work_email).collect()
    }

    /// The first simulated employee that satisfies `pick`.
    pub fn remote(&self, pick: impl Fn(&Employee) -> bool) -> Employee {
        self.sim.employees().into_iter().find(|e| pick(e)).expect("the simulated company has such a person")
    }

    /// Hires "New LAST_NAME" starting on `start` in the legal entity called `entity`; returns
    /// their work email.
    pub fn hire(&self, last_name: &str, entity: &str, start: NaiveDate, employment_type: EmploymentType) -> String {
        let entities = self.sim.legal_entities();
        let entity = entities.into_iter().find(|e| e.name.as_deref() == Some(entity)).expect("the company has that entity");
        let email = format!("{}@quillon.example", last_name.to_lowercase());
        self.sim.apply(Change::Hire(NewHire {
            first_name: "New".into(),
            last_name: last_name.into(),
            work_email: Some(email.clone()),
            start_date: Some(start),
            legal_entity_id: Some(entity.id),
            employment_type,
            job_title: None,
        }));
        email
    }

    pub fn count_employees(&self) -> i64 {
        self.engine.store().conn().query_row("SELECT count(*) FROM employees", (), |r| r.get(0)).unwrap()
    }
}

pub fn connect(engine: &mut Engine, name: &str, sim: &Simulator) {
    let config = KomboConfig { base_url: sim.base_url(), integration_id: sim.integration_id().to_owned(), tool: None };
    engine.add_kombo_source(name, config, sim.api_key(), now()).expect("the source connects");
}

pub fn email(e: &Employee) -> String {
    e.work_email.clone().expect("the picked person has a work email")
}
