//! The real window, driven through the stable `data-testid` and `data-*` attributes it renders.
//! Every wait has a deadline, and a timeout says what the window showed instead.

use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};

/// A cold debug build answers slowly, and a sync reads a whole company over HTTP.
const TIMEOUT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(200);
/// The element that scrolls the employee table, and the height of its rows (`EmployeeTable.svelte`).
const SCROLLER: &str = r#"document.querySelector('table[data-testid="employee-table"]').parentElement"#;
const ROW_HEIGHT: u32 = 36;

pub struct Window {
    pub client: Client,
}

impl Window {
    /// The first element matching `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                return element;
            }
            if Instant::now() > deadline {
                panic!("{css} did not appear within {TIMEOUT:?}; the window says: {:?}", self.alerts().await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn all(&self, css: &str) -> Vec<Element> {
        self.client.find_all(Locator::Css(css)).await.unwrap_or_default()
    }

    pub async fn click(&self, test_id: &str) {
        self.click_css(&format!(r#"[data-testid="{test_id}"]"#)).await;
    }

    pub async fn click_css(&self, css: &str) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            // A button can exist but be disabled while work runs: wait until it takes the click.
            let element = self.find(css).await;
            let disabled = element.attr("disabled").await.ok().flatten().is_some();
            let clicked = if disabled { Err("disabled".to_owned()) } else { element.click().await.map_err(|e| e.to_string()) };
            match clicked {
                Ok(()) => return,
                Err(error) => assert!(Instant::now() < deadline, "{css} never took a click within {TIMEOUT:?}: {error}"),
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Replaces the text of the input `test_id`.
    pub async fn fill(&self, test_id: &str, text: &str) {
        let input = self.find(&format!(r#"[data-testid="{test_id}"]"#)).await;
        input.clear().await.unwrap_or_else(|e| panic!("{test_id} should clear: {e}"));
        // WebDriver's clear fires no input event: tell the page, as a person's deleting would.
        let element = serde_json::to_value(&input).expect("an element serialises");
        self.client
            .execute("arguments[0].dispatchEvent(new Event('input', { bubbles: true }))", vec![element])
            .await
            .unwrap_or_else(|e| panic!("{test_id} should take an input event: {e}"));
        if !text.is_empty() {
            input.send_keys(text).await.unwrap_or_else(|e| panic!("{test_id} should take typing: {e}"));
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap_or_default()
    }

    /// Waits until the text of `css` contains `expected`; returns that text.
    pub async fn wait_text(&self, css: &str, expected: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(expected) {
                return text;
            }
            if Instant::now() > deadline {
                panic!(
                    "{css} did not come to contain {expected:?} within {TIMEOUT:?}: it says {text:?}; alerts: {:?}",
                    self.alerts().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the header says the sources synced: "synced …", never "not synced yet".
    pub async fn wait_synced(&self) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let said = self.text(r#"[data-testid="sync-status"]"#).await;
            if said.contains("synced") && !said.contains("not synced") {
                return;
            }
            assert!(Instant::now() < deadline, "the sources did not sync within {TIMEOUT:?}: the header says {said:?}");
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until `count(css)` satisfies `ok`; returns the count.
    pub async fn wait_count(&self, css: &str, what: &str, ok: impl Fn(usize) -> bool) -> usize {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let count = self.all(css).await.len();
            if ok(count) {
                return count;
            }
            if Instant::now() > deadline {
                panic!("{what}: {css} matched {count} elements after {TIMEOUT:?}; alerts: {:?}", self.alerts().await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The whole list of `view` once it has loaded the answer to `search`: the work emails of its
    /// rows, in order. Only the rows on screen are rendered, so it scrolls through the list as a
    /// person would, page by page, and back to the top at the end.
    pub async fn list(&self, view: &str, search: &str) -> Vec<String> {
        // The window opens on the Overview; the lists are on Employees.
        self.click("nav-employees").await;
        self.click(&format!("tab-{view}")).await;
        self.fill("search", search).await;
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = std::collections::BTreeMap::new();
        loop {
            let snapshot = self.table().await;
            let answers = snapshot["view"] == view && snapshot["search"] == search.trim() && snapshot["state"] == "ready";
            if answers {
                let indices = snapshot["indices"].as_array().expect("the snapshot numbers the rows");
                let emails = snapshot["emails"].as_array().expect("the snapshot lists the rows");
                for (index, email) in indices.iter().zip(emails) {
                    seen.insert(index.as_u64().unwrap_or_default(), email.as_str().unwrap_or_default().to_owned());
                }
                // aria-rowcount counts the header row; -1 while more rows are still to load.
                let total = snapshot["rowcount"].as_i64().unwrap_or(-1) - 1;
                let whole = usize::try_from(total).is_ok_and(|n| seen.len() == n && seen.keys().copied().eq(0..n as u64));
                if whole {
                    self.client.execute(&format!("{SCROLLER}.scrollTop = 0;"), vec![]).await.expect("scroll back up");
                    return seen.into_values().collect();
                }
                self.client
                    .execute(&format!("const s = {SCROLLER}; s.scrollTop += s.clientHeight - {ROW_HEIGHT};"), vec![])
                    .await
                    .expect("scroll the list");
            }
            if Instant::now() > deadline {
                panic!(
                    "the {view} list did not load the answer to {search:?} within {TIMEOUT:?}: the table shows {snapshot}; alerts: {:?}",
                    self.alerts().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// What the employee table shows now, without touching the page: its view, search, load
    /// state (`ready` or not), its row count (`aria-rowcount`) and the index and work email of
    /// each rendered row; `null` without a table.
    pub async fn table(&self) -> serde_json::Value {
        // The table says which view and search its rows answer, and whether a load is under way.
        // One script reads those and the rows in a single turn of the page's event loop, so the
        // snapshot cannot mix a list that is still rendering with the one before it.
        const SNAPSHOT: &str = r#"
            const table = document.querySelector('table[data-testid="employee-table"]');
            if (!table) return null;
            const rows = Array.from(table.querySelectorAll('tr[data-testid="employee-row"]'));
            return {
                view: table.dataset.view,
                search: table.dataset.search,
                state: table.dataset.state,
                rowcount: Number(table.getAttribute("aria-rowcount")),
                indices: rows.map((row) => Number(row.dataset.index)),
                emails: rows.map((row) => row.dataset.email ?? ""),
            };
        "#;
        self.client.execute(SNAPSHOT, vec![]).await.unwrap_or_default()
    }

    /// The error banners, so a failure says why (a locked keyring, an unreachable simulator…).
    pub async fn alerts(&self) -> Vec<String> {
        let mut texts = Vec::new();
        for alert in self.all(r#"[role="alert"]"#).await {
            texts.push(alert.text().await.unwrap_or_default());
        }
        texts
    }

    /// With `ROSTER_E2E_SCREENSHOTS=<dir>`, saves what the window shows as `<dir>/<name>.png`, for
    /// a person to look at; without it, does nothing.
    pub async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("ROSTER_E2E_SCREENSHOTS") else {
            return;
        };
        // Wait for loads and transitions to finish, so the picture shows the finished screen.
        const SETTLED: &str = r#"return !document.querySelector('[aria-busy="true"]')
            && document.getAnimations().every((a) => a.playState !== "running");"#;
        let deadline = Instant::now() + TIMEOUT;
        while self.client.execute(SETTLED, vec![]).await.ok() != Some(serde_json::Value::Bool(true)) {
            assert!(Instant::now() < deadline, "the window never settled for the screenshot {name}");
            tokio::time::sleep(POLL).await;
        }
        let png = self.client.screenshot().await.expect("the window can be captured");
        std::fs::create_dir_all(&dir).expect("the screenshot directory can be created");
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).expect("the screenshot is written");
    }
}
