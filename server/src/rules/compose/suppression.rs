//! Suppression comments in compose files: findings a file's author has chosen not to see.
//!
//! - `# dockwise: ignore=CP010,CP016` on its own line silences those rules in the YAML entry
//!   that starts on the next line (a key with its whole value, or a list item); at the end
//!   of a line, in the entry starting on that line. A reason may follow after ` -- `.
//! - `# dockwise: ignore-file=CP020` silences them in the whole file.
//! - dclint's comments: `# dclint disable-file` and `# dclint disable [rule ...]` on the
//!   file's first line (or the first after `---`) silence the whole file (all rules, or the
//!   listed ones); `# dclint disable-line [rule ...]` at the end of a line or on the line
//!   before silences that line. dclint names map to ours through [`equivalents::DCLINT`];
//!   a name we have no rule for silences nothing.

use crate::diagnostics::Diagnostic;
use crate::rules::{equivalents, find_compose_rule};
use crate::syntax::TextRange;
use crate::syntax::compose::{NodeKind, YamlParse};

/// Which rules a comment names: all of them, or a list.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Codes {
    All,
    Some(Vec<&'static str>),
}

impl Codes {
    fn covers(&self, code: &str) -> bool {
        match self {
            Codes::All => true,
            Codes::Some(codes) => codes.contains(&code),
        }
    }
}

/// What a compose file's comments silence.
#[derive(Debug, Default)]
pub struct ComposeSuppressions {
    regions: Vec<(TextRange, Codes)>,
}

impl ComposeSuppressions {
    /// Reads the suppression comments of `text`. Cheap when there are none: the text is
    /// searched for the two tool names before any line is looked at.
    pub fn collect(text: &str, parse: &YamlParse) -> Self {
        let mut out = ComposeSuppressions::default();
        let bytes = text.as_bytes();
        if memchr::memmem::find(bytes, b"dockwise:").is_none()
            && memchr::memmem::find(bytes, b"dclint").is_none()
        {
            return out;
        }
        let file = TextRange::new(0, text.len() as u32);
        let mut first_content_line = true;
        let mut line_start = 0usize;
        for line in text.split_inclusive('\n') {
            let start = line_start;
            line_start += line.len();
            let trimmed = line.trim();
            let Some((comment_at, comment)) = comment_of(line, start, parse) else {
                if !trimmed.is_empty() && trimmed != "---" {
                    first_content_line = false;
                }
                continue;
            };
            let own_line = line[..comment_at - start].trim().is_empty();
            let at_top = first_content_line && own_line;
            if !own_line || !comment.is_empty() {
                // A comment line after the top one ends the "first applicable line".
                first_content_line &= own_line && at_top && !is_directive(comment);
            }
            let Some(directive) = read(comment) else {
                continue;
            };
            let line_range = TextRange::new(start as u32, line_start as u32);
            let target = if own_line {
                next_content_line(text, line_start)
            } else {
                Some(line_range)
            };
            match directive {
                Directive::File(codes) => out.regions.push((file, codes)),
                Directive::DclintFile(codes) => {
                    if at_top {
                        out.regions.push((file, codes));
                    }
                }
                Directive::Entry(codes) => {
                    if let Some(line) = target {
                        out.regions.push((entry_at(parse, line), codes));
                    }
                }
                Directive::Line(codes) => {
                    if let Some(line) = target {
                        out.regions.push((line, codes));
                    }
                }
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// Whether `diagnostic` is silenced.
    pub fn silences(&self, diagnostic: &Diagnostic) -> bool {
        let at = diagnostic.range.start;
        self.regions.iter().any(|(range, codes)| {
            codes.covers(diagnostic.code)
                && range.start <= at
                && at < range.end.max(range.start + 1)
        })
    }
}

enum Directive {
    /// `# dockwise: ignore-file=`
    File(Codes),
    /// `# dclint disable-file`, `# dclint disable ...`: only on the first line.
    DclintFile(Codes),
    /// `# dockwise: ignore=`: the YAML entry of the line.
    Entry(Codes),
    /// `# dclint disable-line ...`: the line.
    Line(Codes),
}

fn is_directive(comment: &str) -> bool {
    read(comment).is_some()
}

/// The comment on `line` (starting at byte `start` of the text), if any: a `#` at the line's
/// start or after a space, outside every scalar (a `#` inside a quoted value is text).
fn comment_of<'t>(line: &'t str, start: usize, parse: &YamlParse) -> Option<(usize, &'t str)> {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'#', &bytes[from..]).map(|i| i + from) {
        let after_space = i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t';
        let at = (start + i) as u32;
        let in_scalar = parse.tree.nodes.iter().any(|n| {
            matches!(n.kind, NodeKind::Scalar { .. }) && n.range.start <= at && at < n.range.end
        });
        if after_space && !in_scalar {
            return Some((start + i, line[i + 1..].trim()));
        }
        from = i + 1;
    }
    None
}

/// Reads a comment's text (after `#`) as a directive.
fn read(comment: &str) -> Option<Directive> {
    if let Some(rest) = strip_prefix_ignore_case(comment, "dockwise:") {
        let rest = rest.split(" --").next().unwrap_or(rest).trim();
        if let Some(list) = rest.strip_prefix("ignore-file=") {
            return Some(Directive::File(Codes::Some(own_codes(list))));
        }
        return rest
            .strip_prefix("ignore=")
            .map(|list| Directive::Entry(Codes::Some(own_codes(list))));
    }
    let rest = strip_prefix_ignore_case(comment, "dclint ")?.trim();
    let mut words = rest.split_whitespace();
    let command = words.next()?;
    let names: Vec<&str> = words.collect();
    let codes = if names.is_empty() {
        Codes::All
    } else {
        Codes::Some(names.iter().filter_map(|n| dclint_code(n)).collect())
    };
    match command {
        "disable-file" => Some(Directive::DclintFile(Codes::All)),
        "disable" => Some(Directive::DclintFile(codes)),
        "disable-line" => Some(Directive::Line(codes)),
        _ => None,
    }
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Our codes or names, comma-separated (`CP010,hardcoded-secret-env`).
fn own_codes(list: &str) -> Vec<&'static str> {
    let list = list.split_whitespace().next().unwrap_or("");
    list.split(',')
        .map(str::trim)
        .filter_map(|w| find_compose_rule(w).map(|r| r.code))
        .collect()
}

/// A dclint rule name as our code; our own codes and names work too.
fn dclint_code(name: &str) -> Option<&'static str> {
    equivalents::from_dclint(name).or_else(|| find_compose_rule(name).map(|r| r.code))
}

/// The first line after `from` that is neither blank nor a comment.
fn next_content_line(text: &str, from: usize) -> Option<TextRange> {
    let mut start = from;
    for line in text[from..].split_inclusive('\n') {
        let end = start + line.len();
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            return Some(TextRange::new(start as u32, end as u32));
        }
        start = end;
    }
    None
}

/// The YAML entry that starts on `line`: a mapping key with its value, else the largest node
/// starting there (a list item), else the line itself.
fn entry_at(parse: &YamlParse, line: TextRange) -> TextRange {
    let tree = &parse.tree;
    let on_line = |r: TextRange| line.start <= r.start && r.start < line.end;
    let mut best: Option<TextRange> = None;
    for node in &tree.nodes {
        if let NodeKind::Mapping(entries) = &node.kind {
            for (key, value) in entries {
                let Some(key_range) = tree.node(*key).map(|k| k.range) else {
                    continue;
                };
                if on_line(key_range) {
                    let end =
                        value.map_or(key_range.end, |v| tree.content_end(v).max(key_range.end));
                    let range = TextRange::new(key_range.start, end);
                    if best.is_none_or(|b| range.start < b.start) {
                        best = Some(range);
                    }
                }
            }
        }
    }
    if let Some(range) = best {
        return range;
    }
    tree.nodes
        .iter()
        .map(|n| n.range)
        .filter(|r| on_line(*r))
        .max_by_key(|r| (r.len(), std::cmp::Reverse(r.start)))
        .unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Severity;

    fn finding(code: &'static str, text: &str, at: &str) -> Diagnostic {
        let start = text.find(at).expect("marker") as u32;
        Diagnostic {
            code,
            name: "",
            severity: Severity::Warning,
            message: String::new(),
            range: TextRange::new(start, start + at.len() as u32),
            fix: None,
            new_file: None,
        }
    }

    fn silenced(text: &str, code: &'static str, at: &str) -> bool {
        let parse = crate::syntax::compose::parse(text);
        ComposeSuppressions::collect(text, &parse).silences(&finding(code, text, at))
    }

    #[test]
    fn dockwise_ignore_covers_the_next_entry() {
        let text = "services:\n  db:\n    # dockwise: ignore=CP001 -- test data\n    environment:\n      PASSWORD: hunter2\n    ports:\n      - 5432:5432\n";
        assert!(silenced(text, "CP001", "hunter2"));
        assert!(!silenced(text, "CP016", "hunter2"));
        assert!(!silenced(text, "CP001", "5432:5432"));
        // By name too, and at the end of the line.
        let text = "services:\n  db:\n    image: postgres # dockwise: ignore=schema\n";
        assert!(silenced(text, "CP001", "postgres"));
    }

    #[test]
    fn ignore_file_and_dclint_comments() {
        let text = "# dockwise: ignore-file=CP001\nservices:\n  db:\n    image: redis\n";
        assert!(silenced(text, "CP001", "db"));
        let text = "# dclint disable-file\nservices:\n  db:\n    image: redis\n";
        assert!(silenced(text, "CP040", "redis"));
        let text = "# dclint disable invalid-schema\nservices:\n  db:\n    image: redis\n";
        assert!(silenced(text, "CP001", "redis"));
        assert!(!silenced(text, "CP020", "db"));
        // Not on the first line: no effect.
        let text = "services:\n  # dclint disable-file\n  db:\n    image: redis\n";
        assert!(!silenced(text, "CP040", "redis"));
        let text =
            "services:\n  db:\n    image: redis # dclint disable-line\n    ports: ['80:80']\n";
        assert!(silenced(text, "CP040", "redis"));
        assert!(!silenced(text, "CP017", "'80:80'"));
        let text = "services:\n  db:\n    # dclint disable-line invalid-yaml\n    image: redis\n";
        assert!(silenced(text, "CP001", "redis"));
        assert!(!silenced(text, "CP040", "redis"));
    }

    #[test]
    fn a_hash_inside_a_value_is_no_comment() {
        let text = "services:\n  db:\n    image: \"redis # dclint disable-line\"\n";
        assert!(!silenced(text, "CP040", "redis"));
    }
}
