//! "Did you mean ...?": the closest known word to a mistyped one.

/// Edit distance between two short strings, counting a swap of two neighbouring characters
/// as one edit (`hots` → `host`), as typos go (optimal string alignment distance; bytes
/// compared; longer than 64 bytes counts as too far).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    // Three rows: two back (for swaps), one back, and the current one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut best = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && ca == b[j - 1] && a[i - 1] == cb {
                best = best.min(before[j - 1] + 1);
            }
            cur[j + 1] = best;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `word`, comparing without case, if it is close enough to be a
/// likely typo: a prefix of the candidate (a half-typed word) or within one edit for short
/// words and two for longer ones.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    closest_and_unique(word, candidates).map(|(best, _)| best)
}

/// Like [`closest`], and whether no other candidate is as close: only then is replacing the
/// word with it a safe guess.
pub fn closest_and_unique<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<(&'a str, bool)> {
    if word.is_empty() {
        return None;
    }
    let word = word.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    let mut unique = true;
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
        if distance > limit {
            continue;
        }
        match best {
            Some((d, _)) if distance == d => unique = false,
            Some((d, _)) if distance > d => {}
            _ => {
                best = Some((distance, candidate));
                unique = true;
            }
        }
    }
    best.map(|(_, c)| (c, unique))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("hots", "host"), 1);
        assert_eq!(edit_distance("trem", "term"), 1);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("ca", "abc"), 3);
        assert_eq!(closest("RUNN", ["RUN", "COPY"]), Some("RUN"));
        assert_eq!(
            closest("ENTRYPO", ["ENTRYPOINT", "ENV"]),
            Some("ENTRYPOINT")
        );
        assert_eq!(closest("dep", ["deps", "build"]), Some("deps"));
        assert_eq!(closest("biuld", ["deps", "build"]), Some("build"));
        assert_eq!(closest("zzz", ["deps", "build"]), None);
        assert_eq!(closest("", ["deps"]), None);
        assert_eq!(
            closest_and_unique("fro", ["from", "chown"]),
            Some(("from", true))
        );
        assert_eq!(
            closest_and_unique("lin", ["link", "line"]),
            Some(("link", false))
        );
    }
}
