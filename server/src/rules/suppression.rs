//! Suppression comments: findings a file's author has chosen not to see.
//!
//! - `# dockwise: ignore=DF070,DF080` silences those rules on the next instruction; a reason
//!   may follow after ` -- `. Rules may be named by code or by name.
//! - `# dockwise: ignore-file=DF080` silences them in the whole file.
//! - hadolint's `# hadolint ignore=DL3008` (next instruction) and `# hadolint global
//!   ignore=DL3008` (whole file) work through the equivalence table.
//! - BuildKit's `# check=skip=JSONArgsRecommended,StageNameCasing` parser directive (or
//!   `skip=all`) silences the equivalent rules in the whole file.

use super::{equivalents, find_rule};
use crate::diagnostics::Diagnostic;
use crate::syntax::TextRange;
use crate::syntax::dockerfile::ast::Dockerfile;
use crate::syntax::dockerfile::{Parse, SyntaxKind, SyntaxToken};

/// What a file's comments silence.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Suppressions {
    /// Silenced everywhere.
    file: Vec<&'static str>,
    /// Silenced inside one instruction's range.
    instructions: Vec<(TextRange, Vec<&'static str>)>,
}

/// A parsed suppression comment.
enum Comment {
    NextInstruction(Vec<&'static str>),
    File(Vec<&'static str>),
}

impl Suppressions {
    pub fn collect(parse: &Parse) -> Self {
        let file = Dockerfile::new(&parse.tree);
        let mut out = Suppressions::default();
        if let Some(check) = file.directive("check") {
            out.file.extend(buildkit_skips(check.value()));
        }
        let mut next_instruction = Vec::new();
        for comment in candidate_comments(parse) {
            match parse_comment(comment.text()) {
                Some(Comment::File(codes)) => out.file.extend(codes),
                Some(Comment::NextInstruction(codes)) => {
                    next_instruction.push((comment.range().end, codes));
                }
                None => {}
            }
        }
        // Most files have no such comment: only then are the instructions listed.
        if !next_instruction.is_empty() {
            let instructions: Vec<TextRange> = file.instructions().map(|i| i.range()).collect();
            for (end, codes) in next_instruction {
                let next = instructions.partition_point(|r| r.start < end);
                if let Some(&range) = instructions.get(next) {
                    out.instructions.push((range, codes));
                }
            }
        }
        out
    }

    /// Whether `diagnostic` is silenced.
    pub fn silences(&self, diagnostic: &Diagnostic) -> bool {
        self.file.contains(&diagnostic.code)
            || self.instructions.iter().any(|(range, codes)| {
                codes.contains(&diagnostic.code)
                    && range.start <= diagnostic.range.start
                    && diagnostic.range.start < range.end.max(range.start + 1)
            })
    }

    pub fn is_empty(&self) -> bool {
        self.file.is_empty() && self.instructions.is_empty()
    }
}

/// What a suppression comment silences, for rules that report the comments themselves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SuppressionComment {
    /// The next instruction, for these rules.
    NextInstruction(Vec<&'static str>),
    /// The whole file, for these rules.
    File(Vec<&'static str>),
}

/// Reads a comment token (`# ...`) as a suppression comment, if it is one.
pub(crate) fn suppression_comment(text: &str) -> Option<SuppressionComment> {
    Some(match parse_comment(text)? {
        Comment::NextInstruction(codes) => SuppressionComment::NextInstruction(codes),
        Comment::File(codes) => SuppressionComment::File(codes),
    })
}

/// The rules a `# check=` directive value skips.
pub(crate) fn check_directive_skips(value: &str) -> Vec<&'static str> {
    buildkit_skips(value)
}

/// Reads one comment token (`# ...`).
fn parse_comment(text: &str) -> Option<Comment> {
    let body = text.trim_start_matches('#').trim();
    // `# dockwise: ...` and hadolint's `# hadolint ...` (no colon).
    let (tool, rest) = match body.get(..9) {
        Some(p) if p.eq_ignore_ascii_case("dockwise:") => ("dockwise", &body[9..]),
        Some(p) if p.eq_ignore_ascii_case("hadolint ") => ("hadolint", &body[9..]),
        _ => return None,
    };
    let rest = rest.trim();
    match tool {
        "dockwise" => {
            // A reason may follow ` -- `.
            let rest = rest.split(" --").next().unwrap_or(rest).trim();
            if let Some(list) = rest.strip_prefix("ignore-file=") {
                Some(Comment::File(own_codes(list)))
            } else {
                rest.strip_prefix("ignore=")
                    .map(|list| Comment::NextInstruction(own_codes(list)))
            }
        }
        "hadolint" => {
            if let Some(rest) = rest.strip_prefix("global") {
                let list = rest.trim().strip_prefix("ignore=")?;
                Some(Comment::File(hadolint_codes(list)))
            } else {
                let list = rest.strip_prefix("ignore=")?;
                Some(Comment::NextInstruction(hadolint_codes(list)))
            }
        }
        _ => None,
    }
}

/// The top-level comments that may be suppression comments, in order: every form has
/// `ignore` in it (`ignore=`, `ignore-file=`), so the text is searched for that rather
/// than the file walked.
fn candidate_comments(parse: &Parse) -> impl Iterator<Item = SyntaxToken<'_>> {
    let tree = &parse.tree;
    let mut last: Option<TextRange> = None;
    memchr::memmem::find_iter(tree.text().as_bytes(), b"ignore").filter_map(move |at| {
        let token = tree.token_at_offset(u32::try_from(at).ok()?)?;
        let fresh = last != Some(token.range());
        last = Some(token.range());
        (fresh && token.kind() == SyntaxKind::Comment && token.parent().parent().is_none())
            .then_some(token)
    })
}

/// The codes of a comma-separated list of our codes or names (unknown ones dropped).
fn own_codes(list: &str) -> Vec<&'static str> {
    words(list)
        .filter_map(|w| find_rule(w).map(|r| r.code))
        .collect()
}

fn hadolint_codes(list: &str) -> Vec<&'static str> {
    words(list).filter_map(equivalents::from_hadolint).collect()
}

fn words(list: &str) -> impl Iterator<Item = &str> {
    let list = list.split_whitespace().next().unwrap_or("");
    list.split(',').map(str::trim).filter(|w| !w.is_empty())
}

/// The rules a `# check=` directive skips: `skip=A,B` or `skip=all`, among `;`-separated
/// options.
fn buildkit_skips(value: &str) -> Vec<&'static str> {
    let Some(list) = value
        .split(';')
        .find_map(|option| option.trim().strip_prefix("skip="))
    else {
        return Vec::new();
    };
    if list.trim().eq_ignore_ascii_case("all") {
        return equivalents::BUILDKIT.iter().map(|(_, df)| *df).collect();
    }
    list.split(',')
        .filter_map(|name| equivalents::from_buildkit(name.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile;

    /// The DF010 findings (the rule these tests silence), by line.
    fn codes(src: &str) -> Vec<(usize, &'static str)> {
        check_dockerfile(src)
            .into_iter()
            .filter(|d| d.code == "DF010")
            .map(|d| {
                (
                    src[..d.range.start as usize].matches('\n').count() + 1,
                    d.code,
                )
            })
            .collect()
    }

    const TWO_MAINTAINERS: &str = "FROM a\nMAINTAINER x\nMAINTAINER y\n";

    #[test]
    fn next_instruction_only() {
        assert_eq!(codes(TWO_MAINTAINERS), [(2, "DF010"), (3, "DF010")]);
        let src = "FROM a\n# dockwise: ignore=DF010 -- kept for an old tool\nMAINTAINER x\nMAINTAINER y\n";
        assert_eq!(codes(src), [(4, "DF010")]);
        // By name, with other comments between.
        let src = "FROM a\n# dockwise: ignore=maintainer-deprecated\n# note\n\nMAINTAINER x\n";
        assert!(codes(src).is_empty());
        // Another rule's code silences nothing here.
        let src = "FROM a\n# dockwise: ignore=DF002\nMAINTAINER x\n";
        assert_eq!(codes(src), [(3, "DF010")]);
    }

    #[test]
    fn whole_file() {
        let src = "# dockwise: ignore-file=DF010\nFROM a\nMAINTAINER x\nMAINTAINER y\n";
        assert!(codes(src).is_empty());
        let src = "FROM a\n# hadolint global ignore=DL4000\nMAINTAINER x\nMAINTAINER y\n";
        assert!(codes(src).is_empty());
    }

    #[test]
    fn hadolint_comments_through_the_equivalence_table() {
        let src = "FROM a\n# hadolint ignore=DL3008,DL4000\nMAINTAINER x\nMAINTAINER y\n";
        assert_eq!(codes(src), [(4, "DF010")]);
        let src = "FROM a\n# hadolint ignore=DL4000 reason: legacy\nMAINTAINER x\n";
        assert!(codes(src).is_empty());
    }

    #[test]
    fn buildkit_check_skip_directive() {
        let src = "# check=skip=MaintainerDeprecated;error=true\nFROM a\nMAINTAINER x\n";
        assert!(codes(src).is_empty());
        let src = "# check=skip=all\nFROM a\nMAINTAINER x\n";
        assert!(codes(src).is_empty());
        let src = "# check=skip=JSONArgsRecommended\nFROM a\nMAINTAINER x\n";
        assert_eq!(codes(src), [(3, "DF010")]);
        // Not a directive after the first instruction: an ordinary comment.
        let src = "FROM a\n# check=skip=all\nMAINTAINER x\n";
        assert_eq!(codes(src), [(3, "DF010")]);
    }

    #[test]
    fn other_comments_are_not_suppressions() {
        for comment in [
            "# ignore=DF010",
            "# dockwise ignore DF010",
            "# hadolint",
            "#",
        ] {
            let src = format!("FROM a\n{comment}\nMAINTAINER x\n");
            assert_eq!(codes(&src), [(3, "DF010")], "{comment}");
        }
    }
}
