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
    format_text(ms, tz).as_str().to_string()
}

/// A time as the wire shows it, kept on the stack: a page of records shows hundreds, and this
/// spares an allocation each.
#[derive(Clone, Copy)]
pub struct TimeText {
    bytes: [u8; 26],
    len: u8,
}

impl TimeText {
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).expect("digits and separators are ASCII")
    }
}

/// [`format`] without the `String`.
pub fn format_text(ms: Millis, tz: &TimeZone) -> TimeText {
    let ts = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    let offset = tz.to_offset(ts).seconds();
    // The digits are written by hand rather than through `fmt` and a civil date-time.
    let local = ts.as_millisecond().div_euclid(1000) + i64::from(offset);
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    // Jiff's timestamps reach back to year -9999: such a year takes a sign and four digits.
    let mut text = TimeText { bytes: [0; 26], len: 25 };
    let out = if year < 0 {
        text.bytes[0] = b'-';
        text.len = 26;
        &mut text.bytes[1..]
    } else {
        &mut text.bytes[..25]
    };
    write_digits(&mut out[0..4], year.unsigned_abs() as u32);
    out[4] = b'-';
    write_digits(&mut out[5..7], month);
    out[7] = b'-';
    write_digits(&mut out[8..10], day);
    out[10] = b'T';
    write_digits(&mut out[11..13], (secs / 3600) as u32);
    out[13] = b':';
    write_digits(&mut out[14..16], (secs % 3600 / 60) as u32);
    out[16] = b':';
    write_digits(&mut out[17..19], (secs % 60) as u32);
    out[19] = if offset < 0 { b'-' } else { b'+' };
    let offset = offset.unsigned_abs();
    write_digits(&mut out[20..22], offset / 3600);
    out[22] = b':';
    write_digits(&mut out[23..25], offset % 3600 / 60);
    text
}

/// `value`'s last `out.len()` decimal digits, zero-padded.
fn write_digits(out: &mut [u8], mut value: u32) {
    for digit in out.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
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
        assert_eq!(format(ms, &zone("Asia/Kolkata")), "2026-02-06T13:58:53+05:30");
        assert_eq!(format(-63_000_000_000_000, &zone("UTC")), "-0027-08-11T08:00:00+00:00");
    }

    #[test]
    fn hand_written_digits_match_jiff_everywhere() {
        // Days around leap years, centuries, the epoch, DST changes and half-hour zones.
        let zones = ["UTC", "America/Los_Angeles", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "Australia/Lord_Howe"];
        let mut ms: i64 = -631_152_000_000; // 1950-01-01, after the local mean times whose offsets have seconds
        while ms < 7_258_118_400_000 {
            // 2200-01-01
            for name in zones {
                let tz = zone(name);
                let expected = Timestamp::from_millisecond(ms).unwrap().to_zoned(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
                assert_eq!(format(ms, &tz), expected, "{ms} in {name}");
            }
            ms += 86_400_000 * 13 + 3_600_000 * 7 + 61_001;
        }
    }
}
