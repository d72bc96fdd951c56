//! Times on the wire: ISO 8601 with the organization's time-zone offset, e.g.
//! `2026-02-06T00:28:53-08:00`.

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::clock::Millis;

/// Resolves an IANA zone name, falling back to UTC for a name this system does not know.
pub fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// Formats `ms` in `tz` to the second, with a `+hh:mm` offset (never `Z`).
pub fn format(ms: Millis, tz: &TimeZone) -> String {
    let ts = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    let zoned = ts.to_zoned(tz.clone());
    zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Parses an ISO 8601 date-time with an offset (`If-Modified-Since`, datetime fields).
pub fn parse(text: &str) -> Option<Millis> {
    text.trim().parse::<Timestamp>().ok().map(|t| t.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_offset_and_parses_back() {
        let tz = zone("America/Los_Angeles");
        let ms = 1_770_366_533_000; // 2026-02-06T08:28:53Z
        let text = format(ms, &tz);
        assert_eq!(text, "2026-02-06T00:28:53-08:00");
        assert_eq!(parse(&text), Some(ms));
        assert_eq!(format(ms, &zone("Etc/UTC")), "2026-02-06T08:28:53+00:00");
    }
}
