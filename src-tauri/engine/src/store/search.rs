//! The name search: every typed word must start a first name, a last name or a word of the work
//! email's local part, case and accents ignored. SQLite: the contentless FTS5 table
//! `employee_search` (see migration V2). PostgreSQL has no such index (folding accents in SQL
//! needs an extension only a superuser installs): the words are folded here and kept in
//! `employee_search_words`, queried by prefix.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::error::Result;
use crate::store::db::{Db, Dialect, Value};
use crate::store::employees;

/// A condition on `e.id` (an employee's id) that holds for the people `text` finds; `None` when
/// it holds no word to search for. `in_name_order`: the list may read the whole directory in name
/// order (its sort index) and stop at its page.
pub(crate) fn condition(conn: &Db, text: &str, in_name_order: bool) -> Result<Option<String>> {
    // Only the local part of an email is indexed: a full address is searched by its local part.
    let text = text.split('@').next().unwrap_or(text);
    // The two indexes differ: FTS5 takes a query expression, the word table a prefix per word.
    // Either way the words are letters and digits only, so they are written into the SQL text.
    match conn.dialect() {
        Dialect::Sqlite => {
            let Some(expr) = match_expr(text) else { return Ok(None) };
            let found = format!("SELECT rowid FROM employee_search WHERE employee_search MATCH '{expr}'");
            // Dialect: SQLite otherwise reads every person found by id and sorts them all; when
            // they are many (thousands for "a" at 100,000 people, each a row to read and decrypt),
            // reading the sort index and keeping those found, up to the page, reads far fewer
            // rows. The `+` keeps the planner from reading people through the list of ids.
            let keep = if in_name_order && finds_many(conn, &found, 8)? { "+" } else { "" };
            Ok(Some(format!("{keep}e.id IN ({found})")))
        }
        Dialect::Postgres => {
            let each: Vec<String> = words(text)
                .iter()
                .map(|word| format!("SELECT employee_id FROM employee_search_words WHERE word LIKE '{word}%'"))
                .collect();
            if each.is_empty() {
                return Ok(None);
            }
            let found = each.join(" INTERSECT ");
            // Dialect: PostgreSQL's planner, left to choose, often walks the sort index for a few
            // people found (it cannot know how few a prefix finds), probing the word index for
            // each of thousands of people (0.3 s for "ki" at 100,000). Each step of that walk
            // costs far more than in SQLite, so it wins only when found are many more; below,
            // they are read by id: `ARRAY(…)` is run once, before the list.
            if in_name_order && finds_many(conn, &found, 200)? {
                // `IS TRUE` keeps the condition a set built once and looked up at each step of the
                // sort index; as a bare `IN` the planner joins it, probing the word index per step
                // (84 ms for "th" at 100,000 people, 22 ms as a set).
                Ok(Some(format!("(e.id IN ({found})) IS TRUE")))
            } else {
                Ok(Some(format!("e.id = ANY(ARRAY({found}))")))
            }
        }
    }
}

/// Whether the people `found` (a query of ids) are many enough that a page of them is best read
/// from the sort index. Reading it costs about the directory over the share found (to meet a page
/// of them), reading those found costs as many rows as they are: past about the square root of
/// `factor` times the directory, the sort index wins (`factor`: how much a step of the index
/// costs against reading one person found, measured per store). Counted up to that many.
fn finds_many(conn: &Db, found: &str, factor: i64) -> Result<bool> {
    let many = (factor * employees::last_id(conn)?).isqrt() + 1;
    let counted: i64 = conn.query_row(&format!("SELECT count(*) FROM ({found} LIMIT {many}) AS found"), (), |r| r.get(0))?;
    Ok(counted >= many)
}

/// The FTS5 query for what a person typed: every word must start a name or an email part.
fn match_expr(text: &str) -> Option<String> {
    let words: Vec<String> =
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| format!("\"{w}\"*")).collect();
    (!words.is_empty()).then(|| words.join(" AND "))
}

/// The words of `text` as FTS5's `unicode61 remove_diacritics 2` tokenizer indexes them: runs of
/// letters and digits, lower case, without accents.
fn words(text: &str) -> Vec<String> {
    let folded: String = text.nfd().filter(|c| !is_combining_mark(*c)).nfc().flat_map(char::to_lowercase).collect();
    folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// A person's searchable words, each once: names and the work email's local part.
fn person_words(first_name: Option<&str>, last_name: Option<&str>, work_email: Option<&str>) -> Vec<String> {
    let email_name = work_email.map(|email| email.split('@').next().unwrap_or(email));
    let mut all: Vec<String> = [first_name, last_name, email_name].into_iter().flatten().flat_map(words).collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// Adds the people with ids in `after..=up_to` to the search index, in one statement (see migration V2).
pub fn index_new(conn: &Db, after: i64, up_to: i64) -> Result<()> {
    match conn.dialect() {
        Dialect::Sqlite => {
            conn.execute(
                "INSERT INTO employee_search (rowid, first_name, last_name, email_name)
                 SELECT id, first_name, last_name, email_name FROM employee_search_terms WHERE id > ?1 AND id <= ?2",
                [after, up_to],
            )?;
        }
        // Another source's sync may have committed people whose ids fell inside this sync's
        // range (PostgreSQL hands out ids to concurrent transactions interleaved): they came
        // with their words, and are skipped. SQLite's writers take turns, so their ranges never mix.
        Dialect::Postgres => index_words(
            conn,
            "id > ?1 AND id <= ?2 AND NOT EXISTS (SELECT 1 FROM employee_search_words w WHERE w.employee_id = employees.id)",
            [after, up_to],
        )?,
    }
    Ok(())
}

/// Re-indexes a person whose name or work email changed. SQLite's trigger does this itself
/// (migration V2); PostgreSQL's words are computed here.
pub fn reindex(conn: &Db, employee_id: i64) -> Result<()> {
    if conn.dialect() == Dialect::Postgres {
        conn.execute("DELETE FROM employee_search_words WHERE employee_id = ?1", [employee_id])?;
        index_words(conn, "id = ?1", [employee_id])?;
    }
    Ok(())
}

/// PostgreSQL: the words of the employees `within` (a condition on `employees`, its parameters
/// `params`), inserted in one bulk insert.
fn index_words<const N: usize>(conn: &Db, within: &str, params: [i64; N]) -> Result<()> {
    let people =
        conn.query_map(&format!("SELECT id, first_name, last_name, work_email FROM employees WHERE {within}"), params, |r| {
            let (first, last, email) = (r.get::<Option<String>>(1)?, r.get::<Option<String>>(2)?, r.get::<Option<String>>(3)?);
            Ok((r.get::<i64>(0)?, person_words(first.as_deref(), last.as_deref(), email.as_deref())))
        })?;
    let rows = people.iter().flat_map(|(id, words)| words.iter().map(|word| [Value::Int(*id), Value::Text(word)]));
    conn.insert_rows("employee_search_words", &["employee_id", "word"], rows)
}

/// Merges the index's segments: a deleted row's terms stay in them until then. Only SQLite's
/// FTS5 index has segments.
pub fn optimize(conn: &rusqlite::Connection) -> Result<()> {
    conn.execute("INSERT INTO employee_search (employee_search) VALUES ('optimize')", [])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The people (of `names`: first name, last name, work email) that FTS5 finds for `typed`.
    fn fts5_finds(conn: &Db, typed: &str) -> Vec<i64> {
        let condition = condition(conn, typed, false).unwrap().expect("the query has words");
        conn.query_map(&format!("SELECT e.id FROM employees e WHERE {condition} ORDER BY e.id"), (), |r| r.get(0)).unwrap()
    }

    /// The people whose folded words start with each folded typed word, as PostgreSQL's prefix
    /// search over `employee_search_words` finds them.
    fn words_find(people: &[(i64, Vec<String>)], typed: &str) -> Vec<i64> {
        let typed = words(typed.split('@').next().unwrap_or(typed));
        people
            .iter()
            .filter(|(_, words)| typed.iter().all(|t| words.iter().any(|w| w.starts_with(t.as_str()))))
            .map(|(id, _)| *id)
            .collect()
    }

    #[test]
    fn the_folded_words_find_what_sqlites_full_text_index_finds() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(dir.path()).unwrap();
        let conn = store.conn();
        let names = [
            ("Zoë", "Ångström", "zoe.angstrom@example.com"),
            ("Seán", "O'Brien", "sean.obrien@example.com"),
            ("Anna-Lena", "Müller", "a.mueller@example.com"),
            ("José", "Nuñez", "jnunez2@example.com"),
            ("FRANÇOIS", "de la Cruz", "fdlc@example.com"),
            ("Łukasz", "Żółć", "lukasz@example.com"),
            ("민준", "김", "minjun.kim@example.com"),
        ];
        for (first, last, email) in names {
            conn.execute(
                "INSERT INTO employees (first_name, last_name, work_email, created_at, updated_at) VALUES (?1, ?2, ?3, 'now', 'now')",
                [first, last, email],
            )
            .unwrap();
        }
        index_new(conn, 0, 100).unwrap();
        let people: Vec<(i64, Vec<String>)> =
            (1..).zip(names).map(|(id, (first, last, email))| (id, person_words(Some(first), Some(last), Some(email)))).collect();
        let queries = [
            "zoe",
            "ZOË",
            "ang",
            "Ångs",
            "sean o'brien",
            "obrien",
            "o'b",
            "brien",
            "anna lena",
            "lena",
            "muller",
            "mueller",
            "jose nun",
            "jnunez2",
            "françois",
            "francois",
            "de la",
            "cruz",
            "lukasz",
            "łuk",
            "zolc",
            "민준",
            "김",
            "sean.obrien@example.com",
            "a.mueller@",
            "nobody",
        ];
        for typed in queries {
            assert_eq!(fts5_finds(conn, typed), words_find(&people, typed), "\"{typed}\" finds the same people in both stores");
        }
        assert!(!fts5_finds(conn, "o'b").is_empty(), "an apostrophe splits words as the index does");
    }

    #[test]
    fn words_are_folded_split_and_kept_once() {
        assert_eq!(
            person_words(Some("Anna-Lena"), Some("Ångström"), Some("anna.angstrom@example.com")),
            ["angstrom", "anna", "lena"],
            "a person's words are their names' and email local part's, lower case, accents removed, each once"
        );
        assert_eq!(person_words(None, None, None), Vec::<String>::new());
    }
}
