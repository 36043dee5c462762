//! "Did you mean ...?": the closest known word to a mistyped one.

/// Levenshtein distance between two short strings (bytes compared; longer than 64 bytes
/// counts as too far).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    // Two rows on the stack: this runs for every candidate of every suggestion.
    let mut prev = [0usize; 65];
    let mut cur = [0usize; 65];
    for (j, slot) in prev.iter_mut().enumerate().take(b.len() + 1) {
        *slot = j;
    }
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// [`edit_distance`] when it is at most `limit`, else `None`; gives up as soon as every
/// alignment is past the limit, so comparing a word with many far-off candidates is cheap.
pub fn edit_distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 64 || b.len() > 64 || a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut prev = [0usize; 65];
    let mut cur = [0usize; 65];
    for (j, slot) in prev.iter_mut().enumerate().take(b.len() + 1) {
        *slot = j;
    }
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|&d| d <= limit)
}

/// The candidate closest to `word`, comparing without case, if it is close enough to be a
/// likely typo: a prefix of the candidate (a half-typed word) or within one edit for short
/// words and two for longer ones.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if word.is_empty() {
        return None;
    }
    let word = word.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let lower = candidate.to_lowercase();
        if lower == word {
            continue;
        }
        let limit = if candidate.len() <= 4 { 1 } else { 2 };
        let distance = if lower.starts_with(&word) {
            1
        } else {
            edit_distance_within(&word, &lower, limit).unwrap_or(usize::MAX)
        };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(closest("RUNN", ["RUN", "COPY"]), Some("RUN"));
        assert_eq!(
            closest("ENTRYPO", ["ENTRYPOINT", "ENV"]),
            Some("ENTRYPOINT")
        );
        assert_eq!(closest("dep", ["deps", "build"]), Some("deps"));
        assert_eq!(closest("biuld", ["deps", "build"]), Some("build"));
        assert_eq!(closest("zzz", ["deps", "build"]), None);
        assert_eq!(closest("", ["deps"]), None);
        for (a, b) in [
            ("kitten", "sitting"),
            ("PAHT", "PATH"),
            ("abc", "abd"),
            ("", "ab"),
        ] {
            let d = edit_distance(a, b);
            for limit in 0..4 {
                assert_eq!(edit_distance_within(a, b, limit), (d <= limit).then_some(d));
            }
        }
    }
}
