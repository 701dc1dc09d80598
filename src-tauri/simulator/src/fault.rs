//! Faults a test can inject into the simulated API: slowness, rate limits,
//! server errors, cut connections, broken JSON and Kombo's integration errors.

use std::time::Duration;

/// The five HRIS read models, one listing endpoint each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    Employees,
    Employments,
    Groups,
    LegalEntities,
    Locations,
}

impl Model {
    pub fn path(self) -> &'static str {
        match self {
            Model::Employees => "/v1/hris/employees",
            Model::Employments => "/v1/hris/employments",
            Model::Groups => "/v1/hris/groups",
            Model::LegalEntities => "/v1/hris/legal-entities",
            Model::Locations => "/v1/hris/locations",
        }
    }
}

/// `page` is 1-based within one listing walk (page 1 is the request without a
/// cursor); `times` is how many matching requests fail before the fault disarms,
/// `u32::MAX` meaning always.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Delay before every response.
    Latency(Duration),
    /// 429 with `Retry-After` and `PLATFORM.RATE_LIMIT_EXCEEDED`, on any page.
    RateLimit { model: Model, retry_after_secs: u64, times: u32 },
    /// 500 with the error envelope.
    ServerError { model: Model, page: u32, times: u32 },
    /// Headers and half the body, then the connection is aborted.
    DropConnection { model: Model, page: u32, times: u32 },
    /// 200 whose body is not valid JSON.
    MalformedJson { model: Model, page: u32, times: u32 },
    /// 409 `INTEGRATION.SETUP_SYNC_PENDING` on every HRIS listing until cleared.
    SetupSyncPending,
    /// 403 `INTEGRATION.PERMISSION_MISSING` on one model until cleared.
    PermissionMissing { model: Model },
    /// `results: []` with the same `next` cursor on every page of one model, as Kombo has been
    /// seen to answer, until cleared.
    StuckCursor { model: Model },
    /// `create-link` answers this link instead of the simulator's own page (a spoofed endpoint).
    ConnectLink(&'static str),
}

/// What a listing request must do instead of answering normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    RateLimited { retry_after_secs: u64 },
    ServerError,
    DropConnection,
    MalformedJson,
    SetupSyncPending,
    PermissionMissing,
    StuckCursor,
}

/// An injected fault reduced to when it fires and what it does.
#[derive(Debug)]
struct Armed {
    /// `None` fires for every model.
    model: Option<Model>,
    /// `None` fires on every page.
    page: Option<u32>,
    outcome: Outcome,
    remaining: u32,
}

#[derive(Debug, Default)]
pub struct Faults {
    latency: Duration,
    connect_link: Option<&'static str>,
    armed: Vec<Armed>,
}

impl Faults {
    pub fn inject(&mut self, fault: Fault) {
        let (model, page, outcome, remaining) = match fault {
            Fault::Latency(delay) => {
                self.latency = delay;
                return;
            }
            Fault::RateLimit { model, retry_after_secs, times } => {
                (Some(model), None, Outcome::RateLimited { retry_after_secs }, times)
            }
            Fault::ServerError { model, page, times } => (Some(model), Some(page), Outcome::ServerError, times),
            Fault::DropConnection { model, page, times } => (Some(model), Some(page), Outcome::DropConnection, times),
            Fault::MalformedJson { model, page, times } => (Some(model), Some(page), Outcome::MalformedJson, times),
            Fault::SetupSyncPending => (None, None, Outcome::SetupSyncPending, u32::MAX),
            Fault::PermissionMissing { model } => (Some(model), None, Outcome::PermissionMissing, u32::MAX),
            Fault::StuckCursor { model } => (Some(model), None, Outcome::StuckCursor, u32::MAX),
            Fault::ConnectLink(link) => {
                self.connect_link = Some(link);
                return;
            }
        };
        self.armed.push(Armed { model, page, outcome, remaining });
    }

    pub fn clear(&mut self) {
        *self = Faults::default();
    }

    pub fn latency(&self) -> Duration {
        self.latency
    }

    /// The link `create-link` must answer instead of the simulator's own, if one was injected.
    pub fn connect_link(&self) -> Option<&'static str> {
        self.connect_link
    }

    /// The first armed fault matching this request fires, and counts down.
    pub fn fire(&mut self, model: Model, page: u32) -> Option<Outcome> {
        let armed = self.armed.iter_mut().find(|armed| {
            armed.remaining > 0 && armed.model.is_none_or(|m| m == model) && armed.page.is_none_or(|p| p == page)
        })?;
        if armed.remaining != u32::MAX {
            armed.remaining -= 1;
        }
        Some(armed.outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_disarms_after_its_count() {
        let mut faults = Faults::default();
        faults.inject(Fault::ServerError { model: Model::Groups, page: 2, times: 2 });
        assert_eq!(faults.fire(Model::Groups, 1), None, "other pages are unaffected");
        assert_eq!(faults.fire(Model::Employees, 2), None, "other models are unaffected");
        assert_eq!(faults.fire(Model::Groups, 2), Some(Outcome::ServerError), "first hit fails");
        assert_eq!(faults.fire(Model::Groups, 2), Some(Outcome::ServerError), "second hit fails");
        assert_eq!(faults.fire(Model::Groups, 2), None, "the fault disarms after `times` hits");
    }
}
