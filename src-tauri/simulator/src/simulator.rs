//! A running simulator: an axum server on its own thread and tokio runtime, so
//! callers need no runtime of their own, with handles to script changes and
//! faults between syncs. Dropping it stops the server.

use std::collections::HashMap;
use std::future::IntoFuture;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

use crate::change::Change;
use crate::config::SimulatorConfig;
use crate::connect;
use crate::fault::Fault;
use crate::records::{Employee, LegalEntity};
use crate::request_log::RecordedRequest;
use crate::routes;
use crate::state::Shared;
use crate::timestamp;

pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Serves on a free port of 127.0.0.1.
    pub fn start(config: SimulatorConfig) -> io::Result<Simulator> {
        Simulator::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config)
    }

    pub fn start_on(addr: SocketAddr, config: SimulatorConfig) -> io::Result<Simulator> {
        // Bound before returning, so the first request can never race the server.
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let shared = Arc::new(Shared::new(config, format!("http://{addr}")));
        let router = routes::router(shared.clone());
        let (shutdown, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name(format!("roster-simulator-{}", addr.port())).spawn(move || {
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => listener,
                    Err(error) => {
                        tracing::error!(%error, "simulator could not adopt its socket");
                        return;
                    }
                };
                tokio::select! {
                    result = axum::serve(listener, router).into_future() => {
                        if let Err(error) = result {
                            tracing::error!(%error, "simulator server stopped");
                        }
                    }
                    _ = stopped => {}
                }
            });
            // Open keep-alive connections would otherwise hold the thread.
            runtime.shutdown_timeout(Duration::from_millis(100));
        })?;
        Ok(Simulator { shared, addr, shutdown: Some(shutdown), thread: Some(thread) })
    }

    /// `http://127.0.0.1:PORT/v1`, the equivalent of `https://api.kombo.dev/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn api_key(&self) -> &str {
        &self.shared.config.api_key
    }

    pub fn integration_id(&self) -> &str {
        &self.shared.config.integration_id
    }

    pub fn config(&self) -> &SimulatorConfig {
        &self.shared.config
    }

    /// Applies a scripted change as of the simulator clock.
    ///
    /// # Panics
    /// If the change names an unknown employee or carries an invalid value: that
    /// is a bug in the test script, reported with what to fix.
    pub fn apply(&self, change: Change) {
        let result = {
            let mut inner = self.shared.lock();
            let now = inner.now();
            // Kept pages show the company as it was.
            if let Some(pages) = &mut inner.pages {
                pages.clear();
            }
            inner.company.apply(change, now)
        };
        if let Err(error) = result {
            panic!("scripted change rejected: {error}");
        }
    }

    /// From now on, each listing page is rendered once, at its first request, and then served
    /// from memory as the same bytes, until a change to the company discards them: a client's
    /// read then costs the simulator almost nothing (the benchmark's floor measures the client).
    pub fn keep_pages_in_memory(&self) {
        self.shared.lock().pages.get_or_insert_with(HashMap::new);
    }

    /// How many listing pages are kept in memory.
    pub fn pages_in_memory(&self) -> usize {
        self.shared.lock().pages.as_ref().map_or(0, HashMap::len)
    }

    pub fn inject(&self, fault: Fault) {
        self.shared.lock().faults.inject(fault);
    }

    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Holds every request until the returned value is dropped, so that a test can catch a
    /// client in the middle of its read (`HeldRequests::wait_for_request`).
    pub fn hold_requests(&self) -> HeldRequests<'_> {
        self.shared.gate.set_open(false);
        HeldRequests { shared: &self.shared }
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Every employee as the HR tool holds it now, deleted ones included.
    pub fn employees(&self) -> Vec<Employee> {
        self.shared.lock().company.employees().cloned().collect()
    }

    pub fn legal_entities(&self) -> Vec<LegalEntity> {
        self.shared.lock().company.legal_entities().cloned().collect()
    }

    /// Fixes the time stamped on changes; until called, the wall clock is used.
    pub fn set_clock(&self, now: DateTime<Utc>) {
        self.shared.lock().clock = Some(timestamp::to_millis(now));
    }

    /// Does what the user does on the Connect page and returns the activation
    /// token the frontend would receive.
    ///
    /// # Panics
    /// If `link` was not created by this simulator's `create-link`.
    pub fn complete_connect_link(&self, link: &str) -> String {
        let link_id = link.trim_end_matches('/').rsplit('/').next().unwrap_or(link);
        let activation_token = connect::complete(&mut self.shared.lock(), link_id);
        activation_token.unwrap_or_else(|| panic!("{link} is not a Connect link of this simulator"))
    }
}

/// Requests are held while this lives; dropping it lets them through.
pub struct HeldRequests<'a> {
    shared: &'a Shared,
}

impl HeldRequests<'_> {
    /// Blocks until a request is being held: the client is then in the middle of its read.
    ///
    /// # Panics
    /// If no request arrives within 30 s: the client never called.
    pub fn wait_for_request(&self) {
        assert!(self.shared.gate.wait_for_request(Duration::from_secs(30)), "no request reached the simulator within 30 s");
    }
}

impl Drop for HeldRequests<'_> {
    fn drop(&mut self) {
        self.shared.gate.set_open(true);
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
