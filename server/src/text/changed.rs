//! Where two versions of a text differ.

/// The lengths in bytes of the common prefix of `old` and `new`, and of their common suffix
/// after it (the two never overlap): `old[prefix..old.len() - suffix]` became
/// `new[prefix..new.len() - suffix]`.
pub fn changed_span(old: &str, new: &str) -> (usize, usize) {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    // Compare in blocks first: a keystroke's texts share tens of kilobytes.
    const BLOCK: usize = 64;
    let mut prefix = 0;
    while prefix + BLOCK <= a.len().min(b.len())
        && a[prefix..prefix + BLOCK] == b[prefix..prefix + BLOCK]
    {
        prefix += BLOCK;
    }
    prefix += a[prefix..]
        .iter()
        .zip(&b[prefix..])
        .take_while(|(x, y)| x == y)
        .count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    (prefix, suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_suffix_never_overlap() {
        assert_eq!(changed_span("abc", "abXc"), (2, 1));
        assert_eq!(changed_span("aaaa", "aaaaa"), (4, 0));
        assert_eq!(changed_span("same", "same"), (4, 0));
        let long = "x".repeat(200);
        assert_eq!(changed_span(&long, &format!("{long}y")), (200, 0));
    }
}
