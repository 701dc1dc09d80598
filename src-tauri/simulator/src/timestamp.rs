//! Kombo's timestamp format: every date and date-time goes over the wire as
//! `YYYY-MM-DDTHH:MM:SS.sssZ`, dates being midnight UTC.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde::Serializer;

/// Kombo always sends milliseconds; chrono's default omits them, so we format by hand.
pub fn format(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(at))
}

pub fn serialize_opt<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serialize(at, serializer),
        None => serializer.serialize_none(),
    }
}

/// A calendar date as Kombo sends it: midnight UTC.
pub fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0).expect("midnight exists on every date").and_utc()
}

/// Stored instants are cut to the millisecond so that a `changed_at` read from the
/// wire and sent back as `updated_after` compares exactly with the stored value.
pub fn to_millis(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(3)
}

/// Parses `updated_after` the way Kombo accepts it: a date, or a date-time with
/// optional fraction and optional `Z` (always UTC).
pub fn parse_query(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(at.with_timezone(&Utc));
    }
    let naive = raw.strip_suffix('Z').unwrap_or(raw);
    if let Ok(at) = chrono::NaiveDateTime::parse_from_str(naive, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(at.and_utc());
    }
    NaiveDate::parse_from_str(naive, "%Y-%m-%d").ok().map(midnight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_sent_as_midnight_utc_with_milliseconds() {
        let date = NaiveDate::from_ymd_opt(2026, 4, 7).unwrap();
        assert_eq!(format(&midnight(date)), "2026-04-07T00:00:00.000Z", "Kombo dates are midnight UTC with milliseconds");
    }

    #[test]
    fn updated_after_accepts_every_form_kombo_documents() {
        let expected = midnight(NaiveDate::from_ymd_opt(2026, 4, 7).unwrap());
        for raw in ["2026-04-07", "2026-04-07T00:00:00", "2026-04-07T00:00:00Z", "2026-04-07T00:00:00.000Z"] {
            assert_eq!(parse_query(raw), Some(expected), "updated_after form {raw} is accepted");
        }
        assert_eq!(parse_query("yesterday"), None, "garbage is rejected");
    }
}
