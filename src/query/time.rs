//! A small RFC 3339 reader for comparing text with the `timestamp` built-in.

/// Nanoseconds in a second.
pub(crate) const NANOS_PER_SEC: i128 = 1_000_000_000;

/// Reads an RFC 3339 date-time (`2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.250+02:00`) into
/// nanoseconds since the Unix epoch.
///
/// Accepts `T`, `t` or a space between date and time, `Z`/`z` or a `±HH:MM` offset, any number
/// of fractional digits (digits after the ninth are ignored), and a leap second `:60`.
/// Returns `None` for anything else.
pub(crate) fn parse_rfc3339(text: &str) -> Option<i128> {
    let b = text.as_bytes();
    let mut r = Reader { b, i: 0 };
    let year = r.digits(4)?;
    r.expect(b'-')?;
    let month = r.digits(2)?;
    r.expect(b'-')?;
    let day = r.digits(2)?;
    if !matches!(r.next()?, b'T' | b't' | b' ') {
        return None;
    }
    let hour = r.digits(2)?;
    r.expect(b':')?;
    let minute = r.digits(2)?;
    r.expect(b':')?;
    let second = r.digits(2)?;
    let mut nanos: i128 = 0;
    if r.peek() == Some(b'.') {
        r.i += 1;
        let mut count = 0;
        while let Some(d) = r.peek().filter(u8::is_ascii_digit) {
            if count < 9 {
                nanos = nanos * 10 + i128::from(d - b'0');
            }
            count += 1;
            r.i += 1;
        }
        if count == 0 {
            return None;
        }
        for _ in count..9 {
            nanos *= 10;
        }
    }
    let offset_minutes = match r.next()? {
        b'Z' | b'z' => 0,
        sign @ (b'+' | b'-') => {
            let h = r.digits(2)?;
            r.expect(b':')?;
            let m = r.digits(2)?;
            if h > 23 || m > 59 {
                return None;
            }
            let total = i128::from(h * 60 + m);
            if sign == b'-' {
                -total
            } else {
                total
            }
        }
        _ => return None,
    };
    if r.i != b.len() {
        return None;
    }
    let valid = (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour <= 23
        && minute <= 59
        && second <= 60;
    if !valid {
        return None;
    }
    let days = days_from_civil(i128::from(year), i128::from(month), i128::from(day));
    let seconds =
        days * 86_400 + i128::from(hour * 3600 + minute * 60 + second) - offset_minutes * 60;
    Some(seconds * NANOS_PER_SEC + nanos)
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    fn digits(&mut self, n: usize) -> Option<u32> {
        let mut v = 0;
        for _ in 0..n {
            let d = self.next().filter(u8::is_ascii_digit)?;
            v = v * 10 + u32::from(d - b'0');
        }
        Some(v)
    }
}

fn is_leap(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i128, month: i128, day: i128) -> i128 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utc_offsets_and_fractions() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2024-05-01T12:00:00Z"),
            Some(1_714_564_800 * NANOS_PER_SEC)
        );
        assert_eq!(
            parse_rfc3339("2024-05-01T14:00:00+02:00"),
            Some(1_714_564_800 * NANOS_PER_SEC)
        );
        assert_eq!(
            parse_rfc3339("2024-05-01t12:00:00.25z"),
            Some(1_714_564_800 * NANOS_PER_SEC + 250_000_000)
        );
        assert_eq!(
            parse_rfc3339("1969-12-31T23:59:59.1234567891-00:00"),
            Some(-NANOS_PER_SEC + 123_456_789)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29 00:00:00Z").map(|n| n > 0),
            Some(true)
        );
    }

    #[test]
    fn rejects_malformed_dates() {
        for bad in [
            "",
            "2024-05-01",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:00:00",
            "2024-05-01T12:00:00.Z",
            "2024-05-01T12:00:00+2:00",
            "2024-05-01T12:00:00Zjunk",
            "２024-05-01T12:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
