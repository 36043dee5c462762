//! The rule registry: every rule's code, name, default severity and documentation, and the
//! functions that check a document.
//!
//! One file per rule. A rule's documentation is its doc comment, written once: the
//! [`declare_rule!`] macro keeps it both for rustdoc and as `RuleMeta::docs`, which feeds
//! `dockwise explain`, hover and the README's rule table.

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Fix, Severity};
use crate::facts::DockerfileFacts;
use std::cell::{Cell, OnceCell};

use crate::semantic::{DockerfileModel, RunScript, ShellCache, ShellIndex};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::Parse;
use crate::syntax::dockerfile::ast::Instruction;

pub mod compose;
pub mod dockerfile;
pub mod equivalents;
pub mod suppression;

/// Static facts about a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// Whether the rule offers fixes.
    pub fixable: bool,
    /// On unless a configuration turns it off.
    pub default_enabled: bool,
    /// Markdown: *What it does*, *Why is this bad?*, *Example*, *Fix safety*, *References*.
    pub docs: &'static str,
    /// How editors should render the flagged code (struck through, faded), if specially.
    pub tag: Option<RuleTag>,
    /// What a finding of the rule depends on; decides what can be reused between edits.
    pub scope: RuleScope,
}

/// What a rule's findings depend on.
///
/// The language server re-checks a document on every keystroke. Findings of a
/// [`RuleScope::Segment`] rule are reused for the parts of the file an edit did not touch;
/// see [`crate::analysis`] for what a segment's fingerprint covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleScope {
    /// A finding in a segment (the lines before the first `FROM`, or one stage) depends only
    /// on that segment, the stages it reads (built from, copies or mounts from), the global
    /// `ARG`s, the file's stage graph (names, bases, references) and where the segment is
    /// (its stage number, whether it is the last stage, and where every segment starts when
    /// a message names a line of it or of a stage it reads). Such a rule skips the segments
    /// [`DockerfileContext::should_check`] says are unchanged. `tests/incremental.rs` checks
    /// the claim on random edits.
    Segment,
    /// A rule reported once per file, at the first place it applies: it runs as a
    /// [`RuleScope::Segment`] rule reporting every place in the checked segments, and the
    /// analysis keeps the first finding of the file. A segment's places are cached like any
    /// segment's findings, so the rule need not look at the whole file on each keystroke.
    FirstInFile,
    /// Anything in the file may matter: the rule runs on the whole file every time.
    File,
}

/// Editor rendering hints for a rule's diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleTag {
    /// The flagged code uses something deprecated (shown struck through).
    Deprecated,
    /// The flagged code has no effect (shown faded).
    Unnecessary,
}

impl RuleMeta {
    /// A diagnostic of this rule at its default severity.
    pub fn diagnostic(&self, range: TextRange, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: self.code,
            name: self.name,
            severity: self.severity,
            message: message.into(),
            range,
            fix: None,
            new_file: None,
        }
    }

    pub fn diagnostic_with_fix(
        &self,
        range: TextRange,
        message: impl Into<String>,
        fix: Fix,
    ) -> Diagnostic {
        Diagnostic {
            fix: Some(fix),
            ..self.diagnostic(range, message)
        }
    }

    /// The documentation with the one-space indent of `///` comments removed.
    pub fn docs_text(&self) -> String {
        self.docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The rule's documentation page (`server/docs/rules/<CODE>.md`).
    pub fn docs_page(&self) -> String {
        format!(
            "# {} {}\n\nDefault severity: {}. Fix available: {}. On by default: {}.\n\n{}",
            self.code,
            self.name,
            self.severity,
            if self.fixable { "yes" } else { "no" },
            if self.default_enabled { "yes" } else { "no" },
            self.docs_text().trim_end()
        ) + "\n"
    }

    /// The first sentence of the docs' *What it does* section: a one-line summary.
    pub fn summary(&self) -> String {
        let text = self.docs_text();
        let mut lines = text
            .lines()
            .skip_while(|l| !l.starts_with("## What it does"));
        lines.next();
        lines
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl RuleMeta {
    /// The first sentence of [`RuleMeta::summary`], for one-line listings.
    pub fn short_summary(&self) -> String {
        let summary = self.summary();
        // The first `. ` outside inline code (`COPY . .` is not the end of a sentence).
        let mut in_code = false;
        let bytes = summary.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'`' => in_code = !in_code,
                b'.' if !in_code && bytes.get(i + 1) == Some(&b' ') => {
                    return summary[..=i].to_owned();
                }
                _ => {}
            }
        }
        summary
    }
}

/// The rule table of the README (between its `rules:start` and `rules:end` markers),
/// generated from the registry so the two cannot drift apart.
pub fn readme_rule_table() -> String {
    let mut out = String::from(
        "| Code | Name | Severity | Fix | Default | What it finds |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for rule in all_rules() {
        out.push_str(&format!(
            "| [{code}](server/docs/rules/{code}.md) | {name} | {severity} | {fix} | {default} | {summary} |\n",
            code = rule.code,
            name = rule.name,
            severity = rule.severity,
            fix = if rule.fixable { "yes" } else { "–" },
            default = if rule.default_enabled { "on" } else { "off" },
            summary = rule.short_summary().replace('|', "\\|"),
        ));
    }
    out
}

/// Declares a rule's metadata with its doc comment as documentation.
macro_rules! declare_rule {
    (@tag) => { None };
    (@tag $tag:ident) => { Some($crate::rules::RuleTag::$tag) };
    (@scope) => { $crate::rules::RuleScope::File };
    (@scope $scope:ident) => { $crate::rules::RuleScope::$scope };
    (
        $(#[doc = $doc:expr])+
        pub const $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            severity: $severity:ident,
            fixable: $fixable:literal,
            default_enabled: $enabled:literal
            $(, tag: $tag:ident)?
            $(, scope: $scope:ident)? $(,)?
        };
    ) => {
        $(#[doc = $doc])+
        pub const $ident: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            code: $code,
            name: $name,
            severity: $crate::diagnostics::Severity::$severity,
            fixable: $fixable,
            default_enabled: $enabled,
            docs: concat!($($doc, "\n"),+),
            tag: $crate::rules::declare_rule!(@tag $($tag)?),
            scope: $crate::rules::declare_rule!(@scope $($scope)?),
        };
    };
}
pub(crate) use declare_rule;

/// What a Dockerfile rule gets to look at.
pub struct DockerfileContext<'a> {
    pub text: &'a str,
    pub parse: &'a Parse,
    pub model: &'a DockerfileModel,
    /// What other files say (the build context's `.dockerignore`).
    pub facts: &'a DockerfileFacts,
    /// Which rules run, and the options some rules read.
    pub config: &'a Config,
    shell: ShellIndex<'a>,
    line_starts: OnceCell<Vec<u32>>,
    /// One cell per stage: a keystroke's analysis needs the instructions of a few stages.
    stage_instructions: Vec<OnceCell<Vec<Instruction<'a>>>>,
    preamble_instructions: OnceCell<Vec<Instruction<'a>>>,
    /// The instructions of the segments to check, found on first use.
    checked_instructions: OnceCell<Vec<Instruction<'a>>>,
    /// Set by the incremental analysis: the segments (start offsets, in order) and whether
    /// each must be checked. `None`: check everything.
    segment_filter: Option<&'a [(u32, bool)]>,
    /// Whether a rule asked for a line number (its messages then depend on where lines are).
    used_line_numbers: Cell<bool>,
}

impl<'a> DockerfileContext<'a> {
    pub fn new(
        text: &'a str,
        parse: &'a Parse,
        model: &'a DockerfileModel,
        facts: &'a DockerfileFacts,
        config: &'a Config,
    ) -> Self {
        DockerfileContext {
            text,
            parse,
            model,
            facts,
            config,
            shell: ShellIndex::new(model, None),
            line_starts: OnceCell::new(),
            stage_instructions: std::iter::repeat_with(OnceCell::new)
                .take(model.stages.len())
                .collect(),
            preamble_instructions: OnceCell::new(),
            checked_instructions: OnceCell::new(),
            segment_filter: None,
            used_line_numbers: Cell::new(false),
        }
    }

    /// Limits [`RuleScope::Segment`] rules to some segments (see [`Self::should_check`]).
    pub(crate) fn set_segment_filter(&mut self, filter: Option<&'a [(u32, bool)]>) {
        self.segment_filter = filter;
        // Listed for another filter (or none) before.
        self.checked_instructions = OnceCell::new();
    }

    /// Whether findings at `offset` are wanted: false in a segment whose findings the
    /// incremental analysis already has. Segment-scoped rules call it before the work for a
    /// stage, an instruction or a RUN.
    pub fn should_check(&self, offset: u32) -> bool {
        let Some(filter) = self.segment_filter else {
            return true;
        };
        let after = filter.partition_point(|&(start, _)| start <= offset);
        after.checked_sub(1).is_none_or(|i| filter[i].1)
    }

    /// The segments to check: `None` for the preamble, else a stage index.
    fn checked_segments(&self) -> Vec<Option<usize>> {
        match self.segment_filter {
            None => std::iter::once(None)
                .chain((0..self.model.stages.len()).map(Some))
                .collect(),
            // One filter entry per segment: the preamble, then each stage.
            Some(filter) => filter
                .iter()
                .enumerate()
                .filter(|(_, (_, dirty))| *dirty)
                .map(|(i, _)| i.checked_sub(1))
                .collect(),
        }
    }

    /// The instructions of a segment: the preamble's for `None`, else a stage's after its
    /// `FROM`.
    fn segment_instructions(&self, segment: Option<usize>) -> &[Instruction<'a>] {
        match segment {
            None => self.preamble_instructions(),
            Some(index) => self.stage_instructions(index),
        }
    }

    /// The top-level instructions (ONBUILD triggers inside their ONBUILD) of the segments
    /// to check, in order, each stage's `FROM` included: what a segment-scoped rule looks
    /// at, without walking the rest.
    pub fn checked_instructions(&self) -> impl Iterator<Item = Instruction<'a>> + '_ {
        self.checked_instructions
            .get_or_init(|| {
                if self.segment_filter.is_none() {
                    // Everything: one walk of the file.
                    return crate::syntax::dockerfile::ast::Dockerfile::new(&self.parse.tree)
                        .instructions()
                        .collect();
                }
                let mut out = Vec::new();
                for segment in self.checked_segments() {
                    if let Some(index) = segment {
                        let from = self.model.stages[index].from_range.start;
                        out.extend(self.top_level_instruction(from));
                    }
                    out.extend_from_slice(self.segment_instructions(segment));
                }
                out
            })
            .iter()
            .copied()
    }

    /// [`Self::checked_instructions`], each ONBUILD followed by its trigger.
    pub fn checked_instructions_with_triggers(&self) -> impl Iterator<Item = Instruction<'a>> + '_ {
        self.checked_instructions()
            .flat_map(|i| std::iter::once(i).chain(i.trigger()))
    }

    /// The RUNs (read as shell) of the segments to check, in order.
    pub fn checked_runs(&self) -> impl Iterator<Item = &RunScript> + '_ {
        self.checked_segments()
            .into_iter()
            .flat_map(move |segment| self.runs_in(segment))
    }

    /// The RUNs of a segment read as shell (the preamble's for `None`), ONBUILD triggers
    /// included. Read on first use, with those of the stages it is built from.
    pub fn runs_in(&self, segment: Option<usize>) -> &[RunScript] {
        let read = self
            .shell
            .segment(segment, self.model, self.parse.escape, |s| {
                self.segment_instructions(s)
            });
        &read.runs
    }

    /// The RUNs of stage `index`, ONBUILD triggers excluded.
    pub fn stage_runs(&self, index: usize) -> impl Iterator<Item = &RunScript> + '_ {
        self.runs_in(Some(index)).iter().filter(|r| !r.in_onbuild)
    }

    /// Every RUN of the file, in order (ONBUILD triggers included).
    pub fn all_runs(&self) -> impl Iterator<Item = &RunScript> + '_ {
        std::iter::once(None)
            .chain((0..self.model.stages.len()).map(Some))
            .flat_map(move |segment| self.runs_in(segment))
    }

    /// The RUN (or ONBUILD trigger) with this instruction range.
    pub fn run_for(&self, instruction: TextRange) -> Option<&RunScript> {
        let stage = self.model.stage_at(instruction.start).map(|s| s.index);
        let runs = self.runs_in(stage);
        let i = runs.partition_point(|r| r.instruction.start < instruction.start);
        runs.get(i).filter(|r| r.instruction == instruction)
    }

    /// Whether a line number was asked for since the last call (and resets the mark).
    pub(crate) fn take_used_line_numbers(&self) -> bool {
        self.used_line_numbers.replace(false)
    }

    /// Reuses RUN parses from earlier analyses of the same document.
    pub fn with_shell_cache(mut self, cache: Option<&'a ShellCache>) -> Self {
        self.shell = ShellIndex::new(self.model, cache);
        self
    }

    /// The instruction (or ONBUILD trigger) with exactly this range, found by position.
    pub fn instruction(&self, range: TextRange) -> Option<Instruction<'a>> {
        let token = self.parse.tree.token_at_offset(range.start)?;
        token
            .ancestors()
            .filter_map(Instruction::cast)
            .find(|i| i.range() == range)
    }

    /// The instructions of stage `index` after its `FROM`, in order (ONBUILD triggers inside
    /// their ONBUILD). Found on first use, from where the model says they start.
    pub fn stage_instructions(&self, index: usize) -> &[Instruction<'a>] {
        let Some(cell) = self.stage_instructions.get(index) else {
            return &[];
        };
        cell.get_or_init(|| {
            self.model.stages[index]
                .instructions
                .iter()
                .filter_map(|info| self.top_level_instruction(info.range.start))
                .collect()
        })
    }

    /// The top-level instruction (not an `ONBUILD` trigger) that starts at `offset`, found
    /// through the token there rather than by walking the file.
    pub(crate) fn top_level_instruction(&self, offset: u32) -> Option<Instruction<'a>> {
        let token = self.parse.tree.token_at_offset(offset)?;
        let instruction = token.ancestors().filter_map(Instruction::cast).last()?;
        (instruction.range().start == offset).then_some(instruction)
    }

    /// The instructions before the first `FROM`, found on first use.
    fn preamble_instructions(&self) -> &[Instruction<'a>] {
        self.preamble_instructions.get_or_init(|| {
            crate::syntax::dockerfile::ast::Dockerfile::new(&self.parse.tree)
                .instructions()
                .take_while(|i| i.kind() != crate::syntax::dockerfile::InstructionKind::From)
                .collect()
        })
    }
}

impl DockerfileContext<'_> {
    /// The line ending inserted lines should use: the file's own (CRLF when its first line
    /// ends so, LF otherwise).
    pub fn line_ending(&self) -> &'static str {
        match self.text.find('\n') {
            Some(i) if i > 0 && self.text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        }
    }

    /// The offset where the line holding `offset` starts.
    pub fn line_start(&self, offset: u32) -> u32 {
        let end = (offset as usize).min(self.text.len());
        self.text[..end].rfind('\n').map_or(0, |i| i as u32 + 1)
    }

    /// 1-based line of a byte offset, for messages that point at another place.
    pub fn line_number(&self, offset: u32) -> usize {
        self.used_line_numbers.set(true);
        // Line starts are found once per analysis, on first use (most files need none).
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i as u32 + 1))
                .collect()
        });
        starts.partition_point(|&s| s <= offset)
    }
}

/// A Dockerfile rule: its metadata and its check.
pub struct DockerfileRule {
    pub meta: &'static RuleMeta,
    pub check: fn(&DockerfileContext<'_>, &mut Vec<Diagnostic>),
}

/// Where a rule's documentation page lives on the web (`server/docs/rules/<CODE>.md` in the
/// repository), for editors' diagnostic links and the machine-readable report formats.
pub fn docs_url(code: &str) -> String {
    format!(
        "{}/blob/main/server/docs/rules/{code}.md",
        env!("CARGO_PKG_REPOSITORY")
    )
}

/// Every rule, in code order.
pub fn all_rules() -> impl Iterator<Item = &'static RuleMeta> {
    let dockerfile = dockerfile::RULES.iter().map(|r| r.meta);
    dockerfile.chain(compose::RULES.iter().map(|r| r.meta))
}

/// Looks a rule up by code (`DF003`, any case) or name (`copy-from-unknown-stage`). A name
/// both families use (`healthcheck-missing`) finds the Dockerfile rule; see
/// [`find_compose_rule`].
pub fn find_rule(code_or_name: &str) -> Option<&'static RuleMeta> {
    all_rules().find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// [`find_rule`] for compose files: a name both families use finds the compose rule.
pub fn find_compose_rule(code_or_name: &str) -> Option<&'static RuleMeta> {
    compose::RULES
        .iter()
        .map(|r| r.meta)
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
        .or_else(|| find_rule(code_or_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        let rules: Vec<_> = all_rules().collect();
        for (i, a) in rules.iter().enumerate() {
            assert!(
                a.code.len() == 5 && (a.code.starts_with("DF") || a.code.starts_with("CP")),
                "{}",
                a.code
            );
            assert!(
                a.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                a.name
            );
            for section in ["## What it does", "## Why is this bad?", "## Example"] {
                assert!(a.docs.contains(section), "{} lacks {section}", a.code);
            }
            assert!(!a.summary().is_empty(), "{} has no summary", a.code);
            for b in &rules[i + 1..] {
                assert_ne!(a.code, b.code);
                // A name is unique within its family (DF080 and CP020 are both
                // `healthcheck-missing`: the same practice in two kinds of file).
                if a.code[..2] == b.code[..2] {
                    assert_ne!(a.name, b.name);
                }
            }
        }
        for family in [
            dockerfile::RULES
                .iter()
                .map(|r| r.meta.code)
                .collect::<Vec<_>>(),
            compose::RULES.iter().map(|r| r.meta.code).collect(),
        ] {
            assert!(!family.is_empty());
            let mut sorted = family.clone();
            sorted.sort_unstable();
            assert_eq!(family, sorted, "rules are registered in code order");
        }
    }

    /// Every code and name of the catalogue (`shared/docs/rules.md` §6.2, Dockerfile rules).
    const CATALOGUE: &[(&str, &str)] = &[
        ("DF001", "first-instruction-from"),
        ("DF002", "duplicate-stage-name"),
        ("DF003", "copy-from-unknown-stage"),
        ("DF004", "reserved-stage-name"),
        ("DF005", "stage-name-casing"),
        ("DF006", "instruction-casing"),
        ("DF007", "single-cmd-entrypoint-healthcheck"),
        ("DF008", "exec-form-cmd"),
        ("DF009", "json-single-quotes"),
        ("DF010", "maintainer-deprecated"),
        ("DF011", "workdir-absolute"),
        ("DF012", "copy-relative-without-workdir"),
        ("DF013", "copy-multi-src-dest-slash"),
        ("DF014", "legacy-key-value"),
        ("DF015", "empty-continuation"),
        ("DF016", "undefined-variable"),
        ("DF017", "env-self-reference"),
        ("DF018", "expose-format"),
        ("DF019", "onbuild-invalid"),
        ("DF020", "instruction-syntax"),
        ("DF021", "add-instead-of-copy"),
        ("DF022", "unused-stage"),
        ("DF030", "image-untagged"),
        ("DF031", "image-latest"),
        ("DF032", "image-not-digest-pinned"),
        ("DF033", "untrusted-registry"),
        ("DF034", "from-platform-constant"),
        ("DF035", "redundant-target-platform"),
        ("DF036", "non-minimal-final-base"),
        ("DF040", "single-stage-build"),
        ("DF041", "copy-all-before-deps"),
        ("DF042", "dev-deps-in-runtime"),
        ("DF043", "npm-only-production-deprecated"),
        ("DF044", "npm-install-not-ci"),
        ("DF045", "build-after-prod-install"),
        ("DF046", "package-cache-in-layer"),
        ("DF047", "apt-cleanup"),
        ("DF048", "apt-update-alone"),
        ("DF049", "pin-package-versions"),
        ("DF050", "rpm-family-hygiene"),
        ("DF051", "consecutive-run"),
        ("DF052", "copy-stage-root"),
        ("DF053", "dockerignore-missing"),
        ("DF054", "dockerignore-incomplete"),
        ("DF055", "copy-ignored-file"),
        ("DF056", "copy-secret-file"),
        ("DF060", "shell-pipefail"),
        ("DF061", "run-cd"),
        ("DF062", "run-sudo"),
        ("DF063", "pointless-command"),
        ("DF064", "curl-and-wget"),
        ("DF065", "shell-symlink"),
        ("DF066", "useradd-large-uid"),
        ("DF067", "shellcheck"),
        ("DF070", "no-user-final-stage"),
        ("DF071", "last-user-root"),
        ("DF072", "user-non-numeric"),
        ("DF073", "chown-recursive-layer"),
        ("DF074", "secret-in-arg-env"),
        ("DF080", "healthcheck-missing"),
        ("DF081", "healthcheck-tool-missing"),
        ("DF082", "shell-form-no-shell"),
        ("DF083", "healthcheck-timing"),
        ("DF090", "labels-schema"),
        ("DF091", "inline-ignore-policy"),
        // §6.3, compose rules.
        ("CP001", "schema"),
        ("CP002", "version-obsolete"),
        ("CP003", "undefined-reference"),
        ("CP010", "hardcoded-secret-env"),
        ("CP011", "credentials-in-url"),
        ("CP012", "env-file-exposed"),
        ("CP013", "env-file-path"),
        ("CP014", "secrets-usage"),
        ("CP015", "unbound-published-port"),
        ("CP016", "datastore-port-published"),
        ("CP017", "duplicate-published-port"),
        ("CP018", "ports-quoted"),
        ("CP020", "healthcheck-missing"),
        ("CP021", "depends-on-healthy-without-healthcheck"),
        ("CP022", "depends-on-start-order-only"),
        ("CP023", "healthcheck-fields"),
        ("CP024", "healthcheck-tool-missing"),
        ("CP025", "compose-interpolation-in-shell"),
        ("CP026", "undefined-interpolation"),
        ("CP030", "restart-policy-missing"),
        ("CP031", "restart-invalid"),
        ("CP032", "log-rotation-missing"),
        ("CP033", "bind-source-in-prod"),
        ("CP034", "dev-command-in-prod"),
        ("CP035", "config-mount-writable"),
        ("CP040", "image-tag"),
        ("CP041", "build-and-image"),
        ("CP042", "container-name"),
        ("CP043", "runs-as-root"),
        ("CP044", "dangerous-options"),
        ("CP045", "resource-limits-missing"),
        ("CP046", "project-name-missing"),
        ("CP050", "ordering"),
        ("CP051", "volume-quotes"),
    ];

    #[test]
    fn codes_and_names_come_from_the_catalogue() {
        for rule in all_rules() {
            assert!(
                CATALOGUE.contains(&(rule.code, rule.name)),
                "{} {} is not in the catalogue",
                rule.code,
                rule.name
            );
        }
    }

    /// The first fenced block of `language` in `text`.
    fn fenced<'t>(text: &'t str, language: &str) -> Option<&'t str> {
        let open = format!("```{language}\n");
        let start = text.find(&open)? + open.len();
        let len = text[start..].find("```")?;
        Some(&text[start..start + len])
    }

    /// Each rule's `## Example` Dockerfile draws the rule; its "Use instead" does not. A
    /// `dockerignore` block in a part is that build context's `.dockerignore` (none without
    /// one); a `toml` block is the part's `dockwise.toml` (its rule options); a part without
    /// its own Dockerfile reuses the example's.
    #[test]
    fn doc_examples_fire_and_use_instead_examples_pass() {
        use crate::facts::{DockerIgnore, DockerfileFacts, DockerignoreFact};
        for rule in dockerfile::RULES.iter().map(|r| r.meta) {
            if !dockerfile::rule_is_available(rule.code) {
                eprintln!(
                    "skipped {}: its external program is not installed",
                    rule.code
                );
                continue;
            }
            let docs = rule.docs_text();
            let example = docs
                .split("## Example")
                .nth(1)
                .and_then(|rest| rest.split("\n## ").next())
                .unwrap_or_else(|| panic!("{} has no example", rule.code));
            let (bad, good) = example
                .split_once("Use instead:")
                .unwrap_or_else(|| panic!("{} has no `Use instead:`", rule.code));
            let bad_file = fenced(bad, "dockerfile")
                .unwrap_or_else(|| panic!("{} example has no dockerfile block", rule.code));
            let good_file = fenced(good, "dockerfile").unwrap_or(bad_file);
            let findings = |part: &str, file: &str| {
                let dockerignore = match fenced(part, "dockerignore") {
                    Some(text) => DockerignoreFact::Present {
                        path: ".dockerignore".into(),
                        ignore: DockerIgnore::parse(text).into(),
                    },
                    None => DockerignoreFact::Missing,
                };
                let facts = DockerfileFacts {
                    dockerignore,
                    ..DockerfileFacts::default()
                };
                let mut config = Config::all_enabled();
                if let Some(toml) = fenced(part, "toml") {
                    let file = crate::config::ConfigFile::parse(toml)
                        .unwrap_or_else(|e| panic!("{}: bad toml block: {e}", rule.code));
                    config.options = file.options();
                }
                crate::analysis::check_dockerfile_with(file, &facts, &config)
                    .into_iter()
                    .filter(|d| d.code == rule.code)
                    .count()
            };
            assert!(
                findings(bad, bad_file) > 0,
                "{}'s example does not fire",
                rule.code
            );
            assert_eq!(
                findings(good, good_file),
                0,
                "{}'s `Use instead` example fires",
                rule.code
            );
        }
    }

    /// Each compose rule's `## Example` YAML draws the rule; its "Use instead" does not. A
    /// `toml` block is the part's `dockwise.toml`.
    #[test]
    fn compose_doc_examples_fire_and_use_instead_examples_pass() {
        for rule in compose::RULES.iter().map(|r| r.meta) {
            let docs = rule.docs_text();
            let example = docs
                .split("## Example")
                .nth(1)
                .and_then(|rest| rest.split("\n## ").next())
                .unwrap_or_else(|| panic!("{} has no example", rule.code));
            let (bad, good) = example
                .split_once("Use instead:")
                .unwrap_or_else(|| panic!("{} has no `Use instead:`", rule.code));
            let bad_file = fenced(bad, "yaml")
                .unwrap_or_else(|| panic!("{} example has no yaml block", rule.code));
            let good_file = fenced(good, "yaml").unwrap_or(bad_file);
            let findings = |part: &str, file: &str| {
                let mut config = Config::all_enabled();
                if let Some(toml) = fenced(part, "toml") {
                    let file = crate::config::ConfigFile::parse(toml)
                        .unwrap_or_else(|e| panic!("{}: bad toml block: {e}", rule.code));
                    config.options = file.options();
                }
                // Files beside the compose file: a `dotenv` block is its `.env`, and
                // `dockerfile`, `gitignore` and `dockerignore` blocks those files. Without
                // any, the file is checked as an unsaved buffer.
                let beside = [
                    ("dotenv", ".env"),
                    ("dockerfile", "Dockerfile"),
                    ("gitignore", ".gitignore"),
                    ("dockerignore", ".dockerignore"),
                ];
                let files: Vec<(&str, &str)> = beside
                    .iter()
                    .filter_map(|(lang, name)| fenced(part, lang).map(|text| (*name, text)))
                    .collect();
                let facts = if files.is_empty() {
                    crate::facts::ComposeFacts::default()
                } else {
                    let dir = std::env::temp_dir().join(format!(
                        "dockwise-doc-{}-{}-{}",
                        rule.code,
                        std::process::id(),
                        part.len()
                    ));
                    let _ = std::fs::remove_dir_all(&dir);
                    std::fs::create_dir_all(&dir).expect("temp dir");
                    for (name, text) in files {
                        std::fs::write(dir.join(name), text).expect("write example file");
                    }
                    let path = dir.join("compose.yaml");
                    let facts = crate::facts::FactsCache::new().compose_facts(&path, file);
                    let _ = std::fs::remove_dir_all(&dir);
                    facts
                };
                crate::analysis::check_compose_with(file, &facts, &config)
                    .into_iter()
                    .filter(|d| d.code == rule.code)
                    .count()
            };
            assert!(
                findings(bad, bad_file) > 0,
                "{}'s example does not fire",
                rule.code
            );
            assert_eq!(
                findings(good, good_file),
                0,
                "{}'s `Use instead` example fires",
                rule.code
            );
        }
    }

    /// The README's rule table is generated; `UPDATE_RULE_DOCS=1` rewrites it.
    #[test]
    fn readme_rule_table_is_current() {
        const START: &str = "<!-- rules:start -->\n";
        const END: &str = "<!-- rules:end -->";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
        let readme = std::fs::read_to_string(&path).expect("README.md");
        let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
            panic!("README.md lacks the rules:start / rules:end markers");
        };
        let current = &readme[start + START.len()..end];
        let table = readme_rule_table();
        if std::env::var_os("UPDATE_RULE_DOCS").is_some() && current != table {
            let updated = format!(
                "{}{table}{}",
                &readme[..start + START.len()],
                &readme[end..]
            );
            std::fs::write(&path, updated).expect("write README.md");
            return;
        }
        assert_eq!(
            current, table,
            "the README's rule table is out of date: run `UPDATE_RULE_DOCS=1 cargo test -p dockwise --lib rules`"
        );
    }

    /// Diagnostics link to `server/docs/rules/<CODE>.md`; those pages are generated from the
    /// rules' doc comments. Run with `UPDATE_RULE_DOCS=1` to rewrite them.
    #[test]
    fn rule_docs_pages_are_current() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
        let update = std::env::var_os("UPDATE_RULE_DOCS").is_some();
        if update {
            std::fs::create_dir_all(&dir).expect("create docs dir");
        }
        for rule in all_rules() {
            let path = dir.join(format!("{}.md", rule.code));
            let page = rule.docs_page();
            if update {
                std::fs::write(&path, &page).expect("write docs page");
            }
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(
                on_disk,
                page,
                "{} is out of date: run `UPDATE_RULE_DOCS=1 cargo test -p dockwise --lib rules`",
                path.display()
            );
        }
    }
}

/// Helpers for the rules' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use crate::analysis::check_dockerfile;
    use crate::diagnostics::Diagnostic;

    /// What rule `code` finds in `src` when every default rule runs, as `dockwise check` does.
    pub(crate) fn findings(code: &str, src: &str) -> Vec<Diagnostic> {
        check_dockerfile(src)
            .into_iter()
            .filter(|d| d.code == code)
            .collect()
    }

    /// `src` with the fix of `d` applied.
    pub(crate) fn fixed(src: &str, d: &Diagnostic) -> String {
        crate::fix::apply_fixes(src, &[d.fix.as_ref().expect("a fix")]).0
    }

    /// `src` with the fixes of all of `found` applied at once.
    pub(crate) fn fixed_all(src: &str, found: &[Diagnostic]) -> String {
        let fixes: Vec<_> = found.iter().filter_map(|d| d.fix.as_ref()).collect();
        crate::fix::apply_fixes(src, &fixes).0
    }
}
