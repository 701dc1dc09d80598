//! Desktop notifications: a failed sync, a plan held for approval, a sync's warnings (one
//! notification for them all), the starters of the coming week who have no device yet (one for them all), and each
//! morning the checklist steps due today or overdue (one notification for them all). A
//! notification that cannot be shown (no notification service) is logged and otherwise ignored:
//! the window shows the same facts.

use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

use crate::sync::SyncOutcome;
use roster_engine::sync::Outcome;

pub fn sync_outcomes(app: &AppHandle, outcomes: &[SyncOutcome]) {
    for outcome in outcomes {
        if let Some(error) = &outcome.error {
            show(app, &format!("Sync of {} failed", outcome.source), &error.message);
        } else if outcome.outcome == Some(Outcome::Held) {
            show(
                app,
                &format!("{} is waiting for your approval", outcome.source),
                "This sync would change many people at once. Review it in Roster › Sync history, then approve or discard it.",
            );
        }
    }
    let warnings: Vec<&str> = outcomes.iter().flat_map(|o| o.warnings.iter().map(String::as_str)).collect();
    if !warnings.is_empty() {
        show(app, "Roster may be missing people", &warnings.join("\n"));
    }
}

/// One notification the engine composed: the morning's checklist steps, or the starters who
/// have no device yet.
pub fn notice(app: &AppHandle, notice: &roster_engine::Notice) {
    show(app, &notice.title, &notice.body);
}

fn show(app: &AppHandle, title: &str, body: &str) {
    let (title, body) = (plain(title), plain(body));
    if let Err(error) = app.notification().builder().title(&title).body(&body).show() {
        tracing::warn!(%error, title, "could not show a notification");
    }
}

/// Text that a notification server shows as written. Bodies carry server error texts and HR
/// names, and many Linux servers render a body as markup (`<a href>`, `<img>`), so `&`, `<` and `>`
/// are escaped; control characters are dropped.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn notification_text_is_shown_as_written_never_as_markup() {
        assert_eq!(
            plain("Server said <a href=\"https://evil.example\">log in</a> & <img src=x>\n\u{1b}[2Jdone"),
            "Server said &lt;a href=\"https://evil.example\"&gt;log in&lt;/a&gt; &amp; &lt;img src=x&gt;\n[2Jdone",
            "markup is escaped, lines kept, control characters dropped"
        );
        assert_eq!(plain("Ada Lovelace starts on 1 Dec"), "Ada Lovelace starts on 1 Dec", "plain text is unchanged");
    }
}
