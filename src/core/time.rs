//! Timestamps as the API writes them, turned into milliseconds since the Unix
//! epoch so that the session can compare them with the clock it is given.
//!
//! Only parsing lives here; the core never reads a clock itself.

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = u64;

/// Parses an RFC 3339 timestamp such as `2024-07-30T10:05:00.000Z` or
/// `2024-07-30T12:05:00+02:00`. Returns `None` for anything else, so a
/// malformed `expiresAt` degrades to "no server deadline" instead of failing.
pub fn parse_rfc3339(text: &str) -> Option<Millis> {
    let b = text.trim().as_bytes();
    if b.len() < 19 {
        return None;
    }
    let year = digits(b, 0, 4)?;
    expect(b, 4, b'-')?;
    let month = digits(b, 5, 2)?;
    expect(b, 7, b'-')?;
    let day = digits(b, 8, 2)?;
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = digits(b, 11, 2)?;
    expect(b, 13, b':')?;
    let minute = digits(b, 14, 2)?;
    expect(b, 16, b':')?;
    let second = digits(b, 17, 2)?;
    let mut i = 19;
    let mut millis = 0u64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if i - start < 3 {
                millis = millis * 10 + u64::from(d - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..3 {
            millis *= 10;
        }
    }
    let offset_minutes: i64 = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() => {
            let h = digits(b, i + 1, 2)? as i64;
            expect(b, i + 3, b':')?;
            let m = digits(b, i + 4, 2)? as i64;
            let total = h * 60 + m;
            if *sign == b'+' {
                total
            } else {
                -total
            }
        }
        _ => return None,
    };
    let seconds = civil_seconds(year, month, day, hour, minute, second)? - offset_minutes * 60;
    u64::try_from(seconds).ok().map(|s| s * 1000 + millis)
}

/// Parses an HTTP `Date` header (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`),
/// used to correct for a browser clock that disagrees with the server's.
pub fn parse_http_date(text: &str) -> Option<Millis> {
    let mut parts = text.split_ascii_whitespace();
    let _weekday = parts.next()?;
    let day = uint(parts.next()?)?;
    let month = parts.next()?.as_bytes();
    let month = MONTHS.chunks(3).position(|m| m == month)? as u64 + 1;
    let year = uint(parts.next()?)?;
    let mut hms = parts.next()?.split(':');
    let mut next = || hms.next().and_then(uint);
    let (hour, minute, second) = (next()?, next()?, next()?);
    if parts.next()? != "GMT" || next().is_some() {
        return None;
    }
    let seconds = civil_seconds(year, month, day, hour, minute, second)?;
    u64::try_from(seconds).ok().map(|s| s * 1000)
}

const MONTHS: &[u8] = b"JanFebMarAprMayJunJulAugSepOctNovDec";

/// A non-negative decimal integer (`1*DIGIT`), without `str::parse` (its
/// generic code costs the wasm more than this loop).
pub fn uint(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0u64, |acc, c| {
        let d = c.checked_sub(b'0').filter(|d| *d < 10)?;
        acc.checked_mul(10)?.checked_add(u64::from(d))
    })
}

fn digits(b: &[u8], at: usize, len: usize) -> Option<u64> {
    let slice = b.get(at..at + len)?;
    slice.iter().try_fold(0u64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u64::from(c - b'0'))
    })
}

fn expect(b: &[u8], at: usize, c: u8) -> Option<()> {
    (b.get(at) == Some(&c)).then_some(())
}

/// Seconds since the epoch of a UTC civil time (Howard Hinnant's
/// days-from-civil), after range checks.
fn civil_seconds(year: u64, month: u64, day: u64, h: u64, m: u64, s: u64) -> Option<i64> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let (y, mo, d) = (year as i64, month as i64, day as i64);
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + (h * 3600 + m * 60 + s) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_guides_expires_at() {
        assert_eq!(
            parse_rfc3339("2024-07-30T10:05:00.000Z"),
            Some(1_722_333_900_000)
        );
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:01.5Z"), Some(1_500));
        assert_eq!(
            parse_rfc3339("2024-07-30T12:05:00+02:00"),
            parse_rfc3339("2024-07-30T10:05:00Z")
        );
    }

    #[test]
    fn rejects_what_is_not_a_timestamp() {
        for bad in [
            "",
            "tomorrow",
            "2024-07-30",
            "2024-13-30T10:05:00Z",
            "2024-07-30T10:05:00",
            "2024-07-30T10:05:00.Z",
            "2024-07-30T10:05:00Zjunk",
            "1960-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn parses_http_dates() {
        assert_eq!(
            parse_http_date("Tue, 30 Jul 2024 10:05:00 GMT"),
            Some(1_722_333_900_000)
        );
        assert_eq!(parse_http_date("Tue, 30 Jul 2024 10:05:00 PST"), None);
        assert_eq!(parse_http_date("yesterday"), None);
        assert_eq!(parse_http_date("Tue, 30 Foo 2024 10:05:00 GMT"), None);
        assert_eq!(parse_http_date("Tue, 30 Jul 2024 10:05:00:01 GMT"), None);
        assert_eq!(parse_http_date("Tue, 30 Jul 2024 10:05 GMT"), None);
    }

    #[test]
    fn reads_unsigned_integers() {
        assert_eq!(uint("120"), Some(120));
        assert_eq!(uint("007"), Some(7));
        assert_eq!(uint("18446744073709551615"), Some(u64::MAX));
        for bad in ["", "-1", "+1", "1.5", " 1", "18446744073709551616", "x"] {
            assert_eq!(uint(bad), None, "{bad}");
        }
    }
}
