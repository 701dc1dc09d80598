//! "Today" for a person: the calendar date in their work location's or legal entity's time zone.
//!
//! HR systems give a site's country, not its zone, and no maintained crate maps countries to IANA
//! zones, so this module keeps a short table: each country's most populous zone.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

const ZONES: &[(&str, &str)] = &[
    ("AT", "Europe/Vienna"),
    ("AU", "Australia/Sydney"),
    ("BE", "Europe/Brussels"),
    ("BR", "America/Sao_Paulo"),
    ("CA", "America/Toronto"),
    ("CH", "Europe/Zurich"),
    ("CN", "Asia/Shanghai"),
    ("CZ", "Europe/Prague"),
    ("DE", "Europe/Berlin"),
    ("DK", "Europe/Copenhagen"),
    ("ES", "Europe/Madrid"),
    ("FI", "Europe/Helsinki"),
    ("FR", "Europe/Paris"),
    ("GB", "Europe/London"),
    ("IE", "Europe/Dublin"),
    ("IN", "Asia/Kolkata"),
    ("IT", "Europe/Rome"),
    ("JP", "Asia/Tokyo"),
    ("LU", "Europe/Luxembourg"),
    ("MX", "America/Mexico_City"),
    ("NL", "Europe/Amsterdam"),
    ("NO", "Europe/Oslo"),
    ("NZ", "Pacific/Auckland"),
    ("PL", "Europe/Warsaw"),
    ("PT", "Europe/Lisbon"),
    ("RO", "Europe/Bucharest"),
    ("SE", "Europe/Stockholm"),
    ("SG", "Asia/Singapore"),
    ("US", "America/New_York"),
    ("ZA", "Africa/Johannesburg"),
];

/// The IANA zone of a country given as an ISO 3166 alpha-2 code or an English name.
pub fn zone_of_country(country: &str) -> Option<&'static str> {
    let code = match country.trim().to_ascii_uppercase().as_str() {
        "GERMANY" | "DEUTSCHLAND" => "DE".to_owned(),
        "FRANCE" => "FR".to_owned(),
        "UNITED KINGDOM" | "UK" => "GB".to_owned(),
        "UNITED STATES" | "USA" => "US".to_owned(),
        other => other.to_owned(),
    };
    ZONES.iter().find(|(c, _)| *c == code).map(|(_, z)| *z)
}

/// The calendar date at `now` in `zone`; the machine's local date when the zone is unknown.
pub fn today_in(zone: Option<&str>, now: DateTime<Utc>) -> NaiveDate {
    match zone.and_then(|z| z.parse::<Tz>().ok()) {
        Some(tz) => now.with_timezone(&tz).date_naive(),
        None => now.with_timezone(&chrono::Local).date_naive(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_date_where_the_person_works() {
        let now: DateTime<Utc> = "2026-04-07T02:00:00Z".parse().unwrap();
        assert_eq!(today_in(Some("Europe/Berlin"), now).to_string(), "2026-04-07");
        assert_eq!(
            today_in(Some("America/New_York"), now).to_string(),
            "2026-04-06",
            "at 02:00 UTC it is still the 6th in New York"
        );
        assert_eq!(zone_of_country("de"), Some("Europe/Berlin"));
        assert_eq!(zone_of_country("Atlantis"), None);
    }
}
