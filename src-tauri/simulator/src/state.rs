//! What a running simulator holds: its configuration, the company, armed
//! faults, the request log and the Connect flow, behind one mutex (no handler
//! awaits while holding it).

use std::collections::HashMap;

use axum::body::Bytes;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::company::Company;
use crate::config::SimulatorConfig;
use crate::fault::{Faults, Model};
use crate::gate::Gate;
use crate::ids::opaque_id;
use crate::request_log::RecordedRequest;
use crate::timestamp;

/// One Kombo Connect link, from creation to activation.
#[derive(Debug, Clone)]
pub struct ConnectLink {
    pub end_user_email: String,
    pub end_user_organization_name: String,
    pub end_user_origin_id: Option<String>,
    pub tool: String,
}

pub struct Inner {
    pub company: Company,
    pub faults: Faults,
    pub requests: Vec<RecordedRequest>,
    /// `None` follows the wall clock.
    pub clock: Option<DateTime<Utc>>,
    pub links: HashMap<String, ConnectLink>,
    pub activations: HashMap<String, ConnectLink>,
    /// Draws link ids, activation tokens and sync ids.
    pub rng: ChaCha8Rng,
    /// Listing pages as served, by model and query string, when they are kept in memory.
    pub pages: Option<HashMap<(Model, String), Bytes>>,
}

impl Inner {
    pub fn now(&self) -> DateTime<Utc> {
        timestamp::to_millis(self.clock.unwrap_or_else(Utc::now))
    }

    /// The body of a listing page: the bytes served before for the same model and query when
    /// pages are kept, else `render`ed from the company now (and kept).
    pub fn page(&mut self, model: Model, query: &str, render: impl FnOnce(&Company) -> Vec<u8>) -> Bytes {
        let key = (model, query.to_owned());
        if let Some(body) = self.pages.as_ref().and_then(|pages| pages.get(&key)) {
            return body.clone();
        }
        let body = Bytes::from(render(&self.company));
        if let Some(pages) = &mut self.pages {
            pages.insert(key, body.clone());
        }
        body
    }
}

pub struct Shared {
    pub config: SimulatorConfig,
    /// `http://127.0.0.1:PORT`, for links the simulator hands out.
    pub origin: String,
    pub environment_id: String,
    pub customer_id: String,
    /// Outside `inner`: requests wait at it without holding the lock.
    pub gate: Gate,
    inner: Mutex<Inner>,
}

impl Shared {
    pub fn new(config: SimulatorConfig, origin: String) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(config.company.seed ^ 0x5eed_c0de);
        let environment_id = opaque_id(&mut rng);
        let customer_id = opaque_id(&mut rng);
        let company = Company::generate(config.company);
        Shared {
            config,
            origin,
            environment_id,
            customer_id,
            gate: Gate::default(),
            inner: Mutex::new(Inner {
                company,
                faults: Faults::default(),
                requests: Vec::new(),
                clock: None,
                links: HashMap::new(),
                activations: HashMap::new(),
                rng,
                pages: None,
            }),
        }
    }

    /// A panic elsewhere must not take the simulator down with it: the data is
    /// still consistent because every change is applied under one lock.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
