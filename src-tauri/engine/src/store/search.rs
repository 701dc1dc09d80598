//! The name search: the contentless FTS5 table `employee_search` over first and last names and
//! the work email's local part (see migration V2).

use rusqlite::Connection;

use crate::error::Result;

/// The FTS5 query for what a person typed: every word must start a name or an email part.
pub fn match_expr(text: &str) -> Option<String> {
    // Only the local part of an email is indexed: a full address is searched by its local part.
    let text = text.split('@').next().unwrap_or(text);
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "")))
        .collect();
    (!words.is_empty()).then(|| words.join(" AND "))
}

/// Adds the people with ids in `after..=up_to` to the search index, in one statement (see migration V2).
pub fn index_new(conn: &Connection, after: i64, up_to: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO employee_search (rowid, first_name, last_name, email_name)
         SELECT id, first_name, last_name, email_name FROM employee_search_terms WHERE id > ?1 AND id <= ?2",
    )?
    .execute([after, up_to])?;
    Ok(())
}

/// Merges the index's segments: a deleted row's terms stay in them until then.
pub fn optimize(conn: &Connection) -> Result<()> {
    conn.execute("INSERT INTO employee_search (employee_search) VALUES ('optimize')", [])?;
    Ok(())
}
