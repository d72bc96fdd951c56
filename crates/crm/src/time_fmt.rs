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
    use std::fmt::Write;
    let ts = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    // Civil time and offset directly: cheaper than a `Zoned` and `strftime` on hot paths.
    let offset = tz.to_offset(ts);
    let civil = offset.to_datetime(ts);
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let (hours, minutes) = (seconds.abs() / 3600, seconds.abs() % 3600 / 60);
    let mut out = String::with_capacity(25);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{hours:02}:{minutes:02}",
        civil.year(),
        civil.month(),
        civil.day(),
        civil.hour(),
        civil.minute(),
        civil.second()
    );
    out
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
