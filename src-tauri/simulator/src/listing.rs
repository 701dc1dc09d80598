//! Listing semantics shared by the five HRIS endpoints: query parameters,
//! filters, opaque cursors and the `{next, results}` page.
//!
//! The cursor carries the last id served and the number of the next page, so a
//! page is a range walk from that id (O(page), not O(company)) and faults can
//! target "page 3" without the server remembering any walk.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::api_error::ApiError;
use crate::records::{Employee, Employment, Group, LegalEntity, Location};
use crate::timestamp;

pub const DEFAULT_PAGE_SIZE: usize = 100;
pub const MAX_PAGE_SIZE: usize = 250;

#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    /// Serve records with ids strictly after this one.
    pub after: Option<String>,
    /// 1-based number of the page being served.
    pub page: u32,
    pub page_size: usize,
    pub updated_after: Option<DateTime<Utc>>,
    pub include_deleted: bool,
    pub ids: Option<HashSet<String>>,
    pub remote_ids: Option<HashSet<String>>,
}

impl ListQuery {
    pub fn parse(params: &HashMap<String, String>) -> Result<Self, ApiError> {
        let (page, after) = match params.get("cursor") {
            Some(cursor) => {
                let (page, after) =
                    decode_cursor(cursor).ok_or_else(|| ApiError::input(format!("Invalid cursor \"{cursor}\".")))?;
                (page, Some(after))
            }
            None => (1, None),
        };
        let page_size = match params.get("page_size") {
            None => DEFAULT_PAGE_SIZE,
            Some(raw) => raw.parse::<usize>().ok().filter(|size| (1..=MAX_PAGE_SIZE).contains(size)).ok_or_else(|| {
                ApiError::input(format!("page_size must be an integer from 1 to {MAX_PAGE_SIZE}, got \"{raw}\"."))
            })?,
        };
        let updated_after = params
            .get("updated_after")
            .map(|raw| {
                timestamp::parse_query(raw).ok_or_else(|| {
                    ApiError::input(format!("updated_after must be a date-time like 2026-04-07T00:00:00.000Z, got \"{raw}\"."))
                })
            })
            .transpose()?;
        let include_deleted = match params.get("include_deleted").map(String::as_str) {
            None | Some("false") => false,
            Some("true") => true,
            Some(raw) => return Err(ApiError::input(format!("include_deleted must be true or false, got \"{raw}\"."))),
        };
        Ok(ListQuery {
            after,
            page,
            page_size,
            updated_after,
            include_deleted,
            ids: params.get("ids").map(|raw| split_list(raw)),
            remote_ids: params.get("remote_ids").map(|raw| split_list(raw)),
        })
    }
}

fn split_list(raw: &str) -> HashSet<String> {
    raw.split(',').map(str::trim).filter(|part| !part.is_empty()).map(str::to_owned).collect()
}

/// Hex-encoded so clients treat it as opaque, as they must with Kombo's.
pub fn encode_cursor(page: u32, after: &str) -> String {
    format!("{page}:{after}").bytes().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

fn decode_cursor(cursor: &str) -> Option<(u32, String)> {
    if cursor.len() % 2 != 0 {
        return None;
    }
    let bytes = (0..cursor.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(cursor.get(at..at + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    let text = String::from_utf8(bytes).ok()?;
    let (page, after) = text.split_once(':')?;
    Some((page.parse().ok().filter(|page| *page > 1)?, after.to_owned()))
}

/// The fields every Kombo record has, which the shared filters read.
pub trait Listed: Serialize {
    fn id(&self) -> &str;
    fn remote_id(&self) -> Option<&str>;
    fn changed_at(&self) -> DateTime<Utc>;
    fn is_deleted(&self) -> bool;
}

macro_rules! listed {
    ($type:ty, |$record:ident| $remote_id:expr) => {
        impl Listed for $type {
            fn id(&self) -> &str {
                &self.id
            }
            fn remote_id(&self) -> Option<&str> {
                let $record = self;
                $remote_id
            }
            fn changed_at(&self) -> DateTime<Utc> {
                self.changed_at
            }
            fn is_deleted(&self) -> bool {
                self.remote_deleted_at.is_some()
            }
        }
    };
}

listed!(Employee, |record| Some(record.remote_id.as_str()));
listed!(Employment, |record| record.remote_id.as_deref());
listed!(Group, |record| Some(record.remote_id.as_str()));
listed!(LegalEntity, |record| record.remote_id.as_deref());
listed!(Location, |record| record.remote_id.as_deref());

#[derive(Debug, Serialize)]
pub struct Page<'a, T> {
    pub next: Option<String>,
    pub results: Vec<&'a T>,
}

#[derive(Debug, Serialize)]
pub struct Envelope<T> {
    pub status: &'static str,
    pub data: T,
}

impl<T> Envelope<T> {
    pub fn success(data: T) -> Self {
        Envelope { status: "success", data }
    }
}

/// Collects one page from records already positioned after the cursor, in id
/// order. Reading one record past the page tells whether a next page exists.
pub fn page<'a, T: Listed + 'a>(
    records: impl Iterator<Item = &'a T>,
    query: &ListQuery,
    visible: impl Fn(&T) -> bool,
) -> Page<'a, T> {
    let mut results: Vec<&T> = records
        .filter(|record| query.include_deleted || !record.is_deleted())
        .filter(|record| query.updated_after.is_none_or(|after| record.changed_at() > after))
        .filter(|record| query.ids.as_ref().is_none_or(|ids| ids.contains(record.id())))
        .filter(|record| {
            query.remote_ids.as_ref().is_none_or(|ids| record.remote_id().is_some_and(|remote| ids.contains(remote)))
        })
        .filter(|record| visible(record))
        .take(query.page_size + 1)
        .collect();
    let next = if results.len() > query.page_size {
        results.truncate(query.page_size);
        results.last().map(|last| encode_cursor(query.page + 1, last.id()))
    } else {
        None
    };
    Page { next, results }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_page_and_position() {
        let cursor = encode_cursor(3, "26vafvWSRmbhNcxJYqjCzuJg");
        assert_eq!(
            decode_cursor(&cursor),
            Some((3, "26vafvWSRmbhNcxJYqjCzuJg".to_owned())),
            "a cursor carries the next page number and the last id served"
        );
        assert_eq!(decode_cursor("zz"), None, "a cursor that is not ours is rejected");
    }

    #[test]
    fn page_size_outside_1_to_250_is_rejected() {
        for bad in ["0", "251", "-1", "ten"] {
            let params = HashMap::from([("page_size".to_owned(), bad.to_owned())]);
            let error = ListQuery::parse(&params).expect_err("out of range page_size fails");
            assert_eq!(error.code, "PLATFORM.INPUT_INVALID", "page_size={bad} is invalid input");
        }
    }
}
