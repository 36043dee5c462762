//! "Did you mean ...?": the closest known word to a mistyped one.

/// Levenshtein distance between two short strings (bytes compared; longer than 64 bytes
/// counts as too far).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
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
        let distance = if lower.starts_with(&word) {
            1
        } else {
            edit_distance(&word, &lower)
        };
        let limit = if candidate.len() <= 4 { 1 } else { 2 };
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
    }
}
