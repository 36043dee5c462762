//! Applying fixes: the edits of several findings at once, repeated until the file is stable.
//!
//! Used by `dockwise check --fix` and the editor's "fix all" action, so both change a file
//! the same way. A round applies every wanted fix whose edits do not overlap an earlier
//! one's; the file is then checked again, since a fix can make or clear other findings. A
//! round that would add a syntax error is redone one fix at a time, keeping only the fixes
//! that do not. Rounds stop when nothing is left to fix, nothing changes, a text repeats or
//! [`MAX_ROUNDS`] is reached.

use std::collections::HashSet;

use crate::analysis::{check_compose_with, check_dockerfile_with};
use crate::config::Config;
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::facts::{ComposeFacts, DockerfileFacts};
use crate::syntax::dockerfile::parse;

/// The most rounds of fixing for one file.
pub const MAX_ROUNDS: usize = 16;

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixMode {
    /// Only fixes that keep the file's meaning.
    Safe,
    /// Safe and unsafe fixes (never display-only ones).
    Unsafe,
}

impl FixMode {
    pub fn wants(self, fix: &Fix) -> bool {
        match fix.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => self == FixMode::Unsafe,
            Applicability::DisplayOnly => false,
        }
    }
}

/// What fixing a file did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixOutcome {
    /// The fixed text (the input when nothing was applied).
    pub text: String,
    /// How many fixes were applied, over all rounds.
    pub applied: usize,
    /// The findings left in the fixed text.
    pub remaining: Vec<Diagnostic>,
}

/// Applies the wanted fixes of a Dockerfile until it is stable.
pub fn fix_dockerfile(
    text: &str,
    facts: &DockerfileFacts,
    config: &Config,
    mode: FixMode,
) -> FixOutcome {
    fix_until_stable(
        text,
        mode,
        |text| check_dockerfile_with(text, facts, config),
        |text| parse(text).errors.len(),
    )
}

/// Applies the wanted fixes of a compose file until it is stable.
pub fn fix_compose(text: &str, facts: &ComposeFacts, config: &Config, mode: FixMode) -> FixOutcome {
    fix_until_stable(
        text,
        mode,
        |text| check_compose_with(text, facts, config),
        |text| crate::syntax::compose::parse(text).errors.len(),
    )
}

/// The fixing loop: `check` finds a text's findings, `syntax_errors` counts its syntax
/// errors (a round may not add any).
fn fix_until_stable(
    text: &str,
    mode: FixMode,
    check: impl Fn(&str) -> Vec<Diagnostic>,
    syntax_errors: impl Fn(&str) -> usize,
) -> FixOutcome {
    let mut current = text.to_owned();
    let mut applied = 0;
    let mut seen: HashSet<String> = HashSet::new();
    let mut findings = check(&current);
    for _ in 0..MAX_ROUNDS {
        let fixes: Vec<&Fix> = findings
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| mode.wants(f))
            .collect();
        if fixes.is_empty() {
            break;
        }
        let Some((next, count)) = apply_round(&current, &fixes, &syntax_errors) else {
            break;
        };
        if next == current || !seen.insert(next.clone()) {
            break;
        }
        applied += count;
        current = next;
        findings = check(&current);
    }
    FixOutcome {
        text: current,
        applied,
        remaining: findings,
    }
}

/// One round: every fix that does not overlap an earlier one. When that batch adds a
/// syntax error, the first single fix that does not is applied instead (the next round
/// carries on from there). `None` when no fix can be applied.
fn apply_round(
    text: &str,
    fixes: &[&Fix],
    syntax_errors: &impl Fn(&str) -> usize,
) -> Option<(String, usize)> {
    let errors_before = syntax_errors(text);
    let chosen = non_overlapping(fixes);
    let (all, count) = apply_fixes(text, &chosen);
    if count > 0 && syntax_errors(&all) <= errors_before {
        return Some((all, count));
    }
    chosen.into_iter().find_map(|fix| {
        let (next, n) = apply_fixes(text, &[fix]);
        (n > 0 && syntax_errors(&next) <= errors_before).then_some((next, 1))
    })
}

/// The fixes whose edits do not overlap (or insert at the same place as) an earlier
/// chosen fix's edits, in the order given.
fn non_overlapping<'f>(fixes: &[&'f Fix]) -> Vec<&'f Fix> {
    let mut taken: Vec<(u32, u32)> = Vec::new();
    let mut chosen = Vec::new();
    for fix in fixes {
        let clashes = fix.edits.iter().any(|e| {
            taken
                .iter()
                .any(|&(start, end)| clash((e.range.start, e.range.end), (start, end)))
        });
        let inside_text = fix.edits.iter().all(|e| e.range.start <= e.range.end);
        if clashes || !inside_text || fix.edits.is_empty() {
            continue;
        }
        taken.extend(fix.edits.iter().map(|e| (e.range.start, e.range.end)));
        chosen.push(*fix);
    }
    chosen
}

/// Whether two edits' ranges overlap, or touch where one of them inserts (the order of the
/// two texts at that point would be arbitrary).
fn clash(a: (u32, u32), b: (u32, u32)) -> bool {
    let overlap = a.0 < b.1 && b.0 < a.1;
    let a_inserts_at_b = a.0 == a.1 && (a.0 == b.0 || a.0 == b.1);
    let b_inserts_at_a = b.0 == b.1 && (b.0 == a.0 || b.0 == a.1);
    overlap || a_inserts_at_b || b_inserts_at_a || a.0 == b.0
}

/// Applies the edits of non-overlapping fixes. Returns the text and how many fixes applied
/// (a fix with an edit outside the text or off a character boundary is skipped).
pub fn apply_fixes(text: &str, fixes: &[&Fix]) -> (String, usize) {
    let mut edits: Vec<&Edit> = Vec::new();
    let mut count = 0;
    for fix in fixes {
        let valid = fix.edits.iter().all(|e| {
            let (s, t) = (e.range.start as usize, e.range.end as usize);
            s <= t && t <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(t)
        });
        if valid {
            edits.extend(&fix.edits);
            count += 1;
        }
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for edit in edits {
        let (s, t) = (edit.range.start as usize, edit.range.end as usize);
        if s < at {
            // Overlapping edits within one fix: keep the first.
            continue;
        }
        out.push_str(&text[at..s]);
        out.push_str(&edit.new_text);
        at = t;
    }
    out.push_str(&text[at..]);
    (out, count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::TextRange;

    fn fix(applicability: Applicability, edits: &[(u32, u32, &str)]) -> Fix {
        Fix {
            title: "t".to_owned(),
            applicability,
            edits: edits
                .iter()
                .map(|&(s, e, t)| Edit {
                    range: TextRange::new(s, e),
                    new_text: t.to_owned(),
                })
                .collect(),
        }
    }

    #[test]
    fn applies_disjoint_edits_and_skips_clashes() {
        let a = fix(Applicability::Safe, &[(0, 1, "X")]);
        let b = fix(Applicability::Safe, &[(0, 2, "Y")]);
        let c = fix(Applicability::Safe, &[(3, 3, "!")]);
        let chosen = non_overlapping(&[&a, &b, &c]);
        assert_eq!(chosen.len(), 2);
        assert_eq!(apply_fixes("abcd", &chosen), ("Xbc!d".to_owned(), 2));
        // Edits off the text are not applied.
        let bad = fix(Applicability::Safe, &[(10, 12, "z")]);
        assert_eq!(apply_fixes("abcd", &[&bad]), ("abcd".to_owned(), 0));
        // Two insertions at one point: only the first.
        let d = fix(Applicability::Safe, &[(3, 3, "?")]);
        assert_eq!(non_overlapping(&[&c, &d]).len(), 1);
    }

    #[test]
    fn modes() {
        assert!(FixMode::Safe.wants(&fix(Applicability::Safe, &[])));
        assert!(!FixMode::Safe.wants(&fix(Applicability::Unsafe, &[])));
        assert!(FixMode::Unsafe.wants(&fix(Applicability::Unsafe, &[])));
        assert!(!FixMode::Unsafe.wants(&fix(Applicability::DisplayOnly, &[])));
    }

    #[test]
    fn fixes_until_stable() {
        let src = "FROM alpine:3.20\nMAINTAINER Jane\nMAINTAINER Joe\n";
        let out = fix_dockerfile(
            src,
            &DockerfileFacts::default(),
            &Config::default(),
            FixMode::Safe,
        );
        assert_eq!(
            out.text,
            "FROM alpine:3.20\nLABEL org.opencontainers.image.authors=\"Jane\"\nLABEL org.opencontainers.image.authors=\"Joe\"\n"
        );
        assert_eq!(out.applied, 2);
        assert!(out.remaining.iter().all(|d| d.code != "DF010"));
        // Idempotent.
        let again = fix_dockerfile(
            &out.text,
            &DockerfileFacts::default(),
            &Config::default(),
            FixMode::Safe,
        );
        assert_eq!(again.text, out.text);
        assert_eq!(again.applied, 0);
    }
}
