//! "Did you mean ...?": the closest known word to a mistyped one.

/// Edit distance between two short strings, counting a swap of two neighbouring characters
/// as one edit (`hots` → `host`), as typos go (optimal string alignment distance; bytes
/// compared; longer than 64 bytes counts as too far).
pub fn edit_distance(a: &str, b: &str) -> usize {
    edit_distance_within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// [`edit_distance`] when it is at most `limit`, else `None`; gives up as soon as every
/// alignment is past the limit, so comparing a word with many far-off candidates is cheap.
pub fn edit_distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 64 || b.len() > 64 || a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // Three rows on the stack (two back, for swaps; one back; the current one): this runs
    // for every candidate of every suggestion.
    let mut before = [0usize; 65];
    let mut prev = [0usize; 65];
    let mut cur = [0usize; 65];
    for (j, slot) in prev.iter_mut().enumerate().take(b.len() + 1) {
        *slot = j;
    }
    let mut prev_min = 0;
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut best = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && ca == b[j - 1] && a[i - 1] == cb {
                best = best.min(before[j - 1] + 1);
            }
            cur[j + 1] = best;
            row_min = row_min.min(best);
        }
        // Later rows only grow from here (a swap reaches back one more row, hence both).
        if row_min > limit && prev_min >= limit {
            return None;
        }
        prev_min = row_min;
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|&d| d <= limit)
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
        let limit = if candidate.len() <= 4 { 1 } else { 2 };
        let distance = if lower.starts_with(&word) {
            1
        } else {
            edit_distance_within(&word, &lower, limit).unwrap_or(usize::MAX)
        };
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
        assert_eq!(edit_distance("hots", "host"), 1);
        assert_eq!(edit_distance_within("hots", "host", 1), Some(1));
    }
}
