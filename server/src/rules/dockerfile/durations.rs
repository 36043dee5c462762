//! Go durations (`30s`, `1m30s`, `1.5h`), as `HEALTHCHECK` flags take them: BuildKit reads
//! them with Go's `time.ParseDuration`.

/// Nanoseconds in a Go duration, or `None` when Go would reject the text: a number without
/// a unit (`30`, except `0`), an unknown unit (`30sec`), or a value out of range.
pub(crate) fn parse_go_duration(text: &str) -> Option<i64> {
    parse_duration(text, false)
}

/// Nanoseconds in a Compose duration: Go's syntax plus the units `d` (24h) and `w` (7d),
/// as Compose reads durations with `str2duration`.
pub(crate) fn parse_compose_duration(text: &str) -> Option<i64> {
    parse_duration(text, true)
}

fn parse_duration(text: &str, days: bool) -> Option<i64> {
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let number_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        let number = &rest[..number_len];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        rest = &rest[number_len..];
        let unit_len = rest
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(rest.len(), |(i, _)| i);
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "d" if days => 86400e9,
            "w" if days => 604800e9,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += value * scale;
        if total > i64::MAX as f64 {
            return None;
        }
    }
    let nanos = total as i64;
    Some(if negative { -nanos } else { nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("0"), Some(0));
        assert_eq!(parse_go_duration("-0"), Some(0));
        assert_eq!(parse_go_duration("30s"), Some(30_000_000_000));
        assert_eq!(parse_go_duration("1m30s"), Some(90_000_000_000));
        assert_eq!(parse_go_duration("1.5h"), Some(5_400_000_000_000));
        assert_eq!(parse_go_duration(".5s"), Some(500_000_000));
        assert_eq!(parse_go_duration("500ms"), Some(500_000_000));
        assert_eq!(parse_go_duration("10µs"), Some(10_000));
        assert_eq!(parse_go_duration("-1s"), Some(-1_000_000_000));
        assert_eq!(parse_go_duration("1d"), None);
        assert_eq!(parse_compose_duration("1d12h"), Some(129_600_000_000_000));
        assert_eq!(parse_compose_duration("2w"), Some(1_209_600_000_000_000));
        assert_eq!(parse_compose_duration("30"), None);
        for bad in [
            "",
            "30",
            "s",
            "30sec",
            "1.2.3s",
            "1d",
            "+",
            ".s",
            "30 s",
            "3000000000h",
        ] {
            assert_eq!(parse_go_duration(bad), None, "{bad}");
        }
    }
}
