//! How a simulator is set up: which company, which credentials, which tool it
//! pretends to be, and whether the API key may see future and former employees.

use chrono::NaiveDate;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::company::CompanySpec;
use crate::ids::{opaque_id, token};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatorConfig {
    pub company: CompanySpec,
    pub api_key: String,
    pub integration_id: String,
    /// Kombo tool id, e.g. `personio` or `lucca`.
    pub tool: String,
    /// Models a Lucca API key without "View future/departed employees": PENDING
    /// and INACTIVE employees (and their employments) are not returned.
    pub hide_future_and_departed: bool,
}

impl SimulatorConfig {
    /// A Personio integration over the given company, with a fresh random API
    /// key and an integration id derived from the company seed.
    pub fn new(company: CompanySpec) -> Self {
        let tool = "personio".to_owned();
        let mut rng = ChaCha8Rng::seed_from_u64(company.seed);
        SimulatorConfig {
            integration_id: format!("{tool}:{}", opaque_id(&mut rng)),
            company,
            api_key: random_api_key(),
            tool,
            hide_future_and_departed: false,
        }
    }

    /// The company the app's demo mode shows: seed 7, 60 employees.
    pub fn demo(today: NaiveDate) -> Self {
        SimulatorConfig::new(CompanySpec { seed: 7, size: 60, today })
    }
}

/// Random per process, so another local process cannot guess the key of a
/// simulator it did not start.
pub fn random_api_key() -> String {
    format!("sim_{}", token(&mut rand::thread_rng(), 40))
}
