//! `check --statistics`: how many findings each rule has, most frequent first, to see where
//! a large project's findings come from before reading them one by one. For people only.
//!
//! One line per rule: the count, the code, `[*]` when some of its findings have a fix, and
//! the rule's name.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::FileReport;

pub(crate) fn render(reports: &[FileReport]) -> String {
    // By code: (name, findings, findings with a fix).
    let mut by_rule: BTreeMap<&str, (&str, usize, usize)> = BTreeMap::new();
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        let entry = by_rule.entry(d.code).or_insert((d.name, 0, 0));
        entry.1 += 1;
        entry.2 += usize::from(d.fix.is_some());
    }
    if by_rule.is_empty() {
        return "No findings.\n".to_owned();
    }
    let mut rows: Vec<_> = by_rule.into_iter().collect();
    // Stable sort: equal counts stay in code order.
    rows.sort_by_key(|(_, (_, count, _))| std::cmp::Reverse(*count));
    let width = rows[0].1.1.to_string().len();
    let mut out = String::new();
    for (code, (name, count, fixable)) in &rows {
        let mark = if *fixable > 0 { "[*]" } else { "   " };
        let _ = writeln!(out, "{count:>width$}  {code}  {mark}  {name}");
    }
    if rows.iter().any(|(_, (_, _, fixable))| *fixable > 0) {
        out.push_str(
            "[*] some of the rule's findings have a fix (`--fix` applies the safe ones).\n",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::sample_reports;

    #[test]
    fn statistics() {
        insta::assert_snapshot!(super::render(&sample_reports()));
    }

    #[test]
    fn no_findings() {
        assert_eq!(super::render(&[]), "No findings.\n");
    }
}
