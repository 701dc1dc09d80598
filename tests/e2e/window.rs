//! Reading the employee list from the real window, through the stable `data-*` attributes it renders.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

/// The first launch includes the demo's first sync, which a cold debug build takes some seconds for.
const RENDER_TIMEOUT: Duration = Duration::from_secs(90);

/// One row as the window shows it: the engine's id, and the work email unless the cell is empty.
#[derive(Debug)]
pub struct Row {
    pub id: i64,
    pub work_email: Option<String>,
    pub start_date: Option<String>,
}

/// Waits until the list shows `view`, has finished loading and holds at least one row; returns the rows.
pub async fn rows_of(client: &Client, view: &str) -> Vec<Row> {
    let ready =
        format!(r#"table[data-testid="employee-table"][data-view="{view}"][data-state="ready"]"#);
    let deadline = Instant::now() + RENDER_TIMEOUT;
    loop {
        if client.find(Locator::Css(&ready)).await.is_ok() {
            let rows = read_rows(client).await;
            if !rows.is_empty() {
                return rows;
            }
        }
        if Instant::now() > deadline {
            panic!("the {view} list showed no employee within {RENDER_TIMEOUT:?}; the window says: {:?}", alerts(client).await);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn read_rows(client: &Client) -> Vec<Row> {
    let mut rows = Vec::new();
    for row in client
        .find_all(Locator::Css(r#"tr[data-testid="employee-row"]"#))
        .await
        .unwrap_or_default()
    {
        let id = row
            .attr("data-id")
            .await
            .ok()
            .flatten()
            .and_then(|id| id.parse().ok());
        let id = id.expect("every employee row carries the engine's id in data-id");
        let email = match row
            .find(Locator::Css(r#"td[data-field="work_email"]"#))
            .await
        {
            Ok(cell) => cell.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        let start_date = match row
            .find(Locator::Css(r#"td[data-field="start_date"] time"#))
            .await
        {
            Ok(time) => time.attr("datetime").await.ok().flatten(),
            Err(_) => None,
        };
        let work_email = Some(email.trim().to_owned()).filter(|e| !e.is_empty());
        rows.push(Row {
            id,
            work_email,
            start_date,
        });
    }
    rows
}

/// The error banners, so a failure says why the list stayed empty (a locked keyring, say).
async fn alerts(client: &Client) -> Vec<String> {
    let mut texts = Vec::new();
    for alert in client
        .find_all(Locator::Css(r#"[role="alert"]"#))
        .await
        .unwrap_or_default()
    {
        texts.push(alert.text().await.unwrap_or_default());
    }
    texts
}

pub async fn open_tab(client: &Client, view: &str) {
    client
        .find(Locator::Css(&format!(r#"[data-testid="tab-{view}"]"#)))
        .await
        .unwrap_or_else(|e| panic!("the {view} tab should exist: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("the {view} tab should take a click: {e}"));
}

/// With `ROSTER_E2E_SCREENSHOTS=<dir>`, saves what the window shows as `<dir>/<name>.png`, for a
/// person to look at; without it, does nothing.
pub async fn screenshot(client: &Client, name: &str) {
    let Some(dir) = std::env::var_os("ROSTER_E2E_SCREENSHOTS") else {
        return;
    };
    let png = client
        .screenshot()
        .await
        .expect("the window can be captured");
    std::fs::create_dir_all(&dir).expect("the screenshot directory can be created");
    std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png)
        .expect("the screenshot is written");
}
