//! Property tests of the formatter: on every input (real Dockerfiles, our parser fixtures,
//! BuildKit's corpus and the benchmark inputs when present, and random edits of all of
//! them) formatting
//! - keeps the meaning: what BuildKit reads from every instruction (keyword, flags, exec or
//!   shell form, arguments, heredoc bodies, the ONBUILD trigger), the parser directives and
//!   the syntax errors are unchanged, up to keyword case and the blanks between the words
//!   of shell commands (see [`meaning`] and [`shell_readings`]);
//! - changes nothing but blanks and letter case, and no line break (one may be added at the
//!   end of the file);
//! - is idempotent;
//! - returns sorted, non-overlapping edits, for document, range and on-type formatting;
//! - never panics.
//!
//! 256 cases per property by default; `PROPTEST_CASES=10000 cargo test --test
//! formatting_props` runs more.

#[path = "support/edits.rs"]
mod edits;
mod support;

use std::path::Path;

use dockwise::ide::formatting::{format, format_on_type, format_text};
use dockwise::ide::{DockerfileAnalysis, FormatOptions, TextEdit};
use dockwise::syntax::TextRange;
use dockwise::syntax::dockerfile::ast::{Dockerfile, Instruction};
use dockwise::syntax::dockerfile::{InstructionKind, buildkit_args, parse};
use proptest::prelude::*;

const SERVICE: &str = r#"# syntax=docker/dockerfile:1.7
arg  NODE_VERSION=20
from --platform=$BUILDPLATFORM   node:${NODE_VERSION}-alpine   as   deps
WORKDIR   /app
copy  package.json   package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
  npm ci --omit=dev   
RUN set -eux; \
  if [ -f x ]; then \
      echo "a  \
   b" 'c  \
   d' && \
      echo $(printf "%s \
  x" y) "$(echo "q  \
  r")" ; \
  fi
   FROM deps AS build
LABEL org.opencontainers.image.title="api"   \
      org.opencontainers.image.source="https://example.com/api"
ENV PATH=/x:$PATH \
HOME=/root   A="x \
  y"
ENV LEGACY  value  with \
   spaces
CMD [ "node" ,"server.js" ]
ENTRYPOINT ["tini", \
"--"]
HEALTHCHECK --interval=30s   cmd ["node", "/app/dist/health.js"]
ONBUILD   copy   . /src
onbuild run echo  hi  \
   there
COPY <<EOF   /etc/x.conf
  keep   this   
EOF
RUN <<-'SCRIPT' bash
	echo   "tabs"  
	SCRIPT
EXPOSE 80   443/tcp
VOLUME ["/data",   "/logs"]
RUN echo don\'t \
   stop' && \
  echo "$HOME" \
    'it''s'
USER app  :  grp
"#;

const WINDOWS: &str = "# escape=`\r\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\r\nSHELL [\"powershell\", \"-Command\"]\r\nRUN Invoke-WebRequest -Uri https://example.com/a.zip `\r\n  -OutFile C:\\a.zip ; `\r\n      Write-Host \"a `\r\n  b\" ; `\r\n  Expand-Archive C:\\a.zip   \r\nWORKDIR C:\\app\r\nCOPY [\"app.config\", \"C:\\\\app\\\\\"]\r\nRUN cat <<E\\ \t\r\nRUN echo ${a `\r\n  b} \"`\"x `\r\n  y\"\r\nCMD [\"C:\\\\app\\\\app.exe\"]";

/// The documents the properties start from.
fn bases() -> Vec<String> {
    let mut docs = vec![SERVICE.to_owned(), WINDOWS.to_owned()];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    docs.extend(read_dir_files(
        &root.join("tests/fixtures/parser"),
        |name| name.ends_with(".Dockerfile"),
    ));
    let shared = root.join("../../shared");
    docs.extend(read_dir_files(&shared.join("tools/inputs"), |name| {
        name.starts_with("Dockerfile.")
    }));
    for corpus in ["buildkit-parser", "buildkit-parser-negative"] {
        if let Ok(cases) = std::fs::read_dir(shared.join("corpus").join(corpus)) {
            let mut cases: Vec<_> = cases.flatten().map(|e| e.path()).collect();
            cases.sort();
            for case in cases {
                if let Ok(bytes) = std::fs::read(case.join("Dockerfile")) {
                    docs.push(String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
    }
    docs
}

/// The files of `dir` whose name passes `wanted`, sorted; none when `dir` is missing.
fn read_dir_files(dir: &Path, wanted: impl Fn(&str) -> bool) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(&wanted))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| String::from_utf8_lossy(&std::fs::read(p).expect("readable")).into_owned())
        .collect()
}

/// What BuildKit reads from a file, as comparable text.
#[derive(Debug, PartialEq, Eq)]
struct Meaning {
    escape: char,
    directives: Vec<(String, String)>,
    instructions: Vec<String>,
    errors: Vec<String>,
}

fn meaning(text: &str) -> Meaning {
    let parsed = parse(text);
    let file = Dockerfile::new(&parsed.tree);
    let mut errors: Vec<String> = parsed.errors.iter().map(|e| e.message.clone()).collect();
    errors.sort();
    Meaning {
        escape: parsed.escape,
        directives: file
            .directives()
            .map(|d| (d.name().to_owned(), d.value().to_owned()))
            .collect(),
        instructions: file.instructions().map(describe).collect(),
        errors,
    }
}

/// One instruction as BuildKit reads it. Normalised: the keyword's case (BuildKit lower-cases
/// it), the case of `AS` and of HEALTHCHECK's type (compared without case), and a shell-form
/// command is compared as the shells read it (see [`shell_readings`]).
fn describe(instr: Instruction<'_>) -> String {
    let mut out = instr.keyword().text.to_lowercase();
    for flag in instr.flags() {
        out.push_str(&format!(" flag={:?}", flag.buildkit_text()));
    }
    let form = match (instr.json(), instr.shell()) {
        (Some(_), _) => "exec",
        (None, Some(_)) => "shell",
        (None, None) => "words",
    };
    out.push_str(&format!(" form={form}"));
    let mut args = buildkit_args(instr, true);
    match instr.kind() {
        InstructionKind::From if args.len() >= 2 && args[1].eq_ignore_ascii_case("as") => {
            args[1] = "as".to_owned();
        }
        InstructionKind::Healthcheck if !args.is_empty() => args[0].make_ascii_uppercase(),
        _ => {}
    }
    if form == "shell"
        && let Some(command) = args.pop()
    {
        out.push_str(&format!(" command={:?}", shell_readings(&command)));
    }
    out.push_str(&format!(" args={args:?}"));
    for heredoc in instr.heredocs() {
        out.push_str(&format!(
            " heredoc={:?}:{:?}:{:?}",
            heredoc.marker_text(),
            heredoc.body_text(),
            heredoc.terminator().map(|t| t.text())
        ));
    }
    if let Some(trigger) = instr.trigger() {
        out.push_str(&format!(" trigger=({})", describe(trigger)));
    }
    out
}

/// The command as each shell reads it, for comparison: blanks between words of code and in
/// comments collapse to one space, and everything quoted, escaped, or substituted in
/// backquotes or `${ }` is kept as written. Written apart from the formatter's own quote
/// tracking (recursive where it keeps a stack); the formatter may change blanks only where
/// all three shells ignore them, so all three readings must stay equal.
fn shell_readings(command: &str) -> [String; 3] {
    [
        ShellReader::read(command, Dialect::Posix),
        ShellReader::read(command, Dialect::PowerShell),
        ShellReader::read(command, Dialect::Cmd),
    ]
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Posix,
    PowerShell,
    Cmd,
}

struct ShellReader<'a> {
    chars: &'a [char],
    at: usize,
    dialect: Dialect,
    out: String,
}

impl ShellReader<'_> {
    fn read(command: &str, dialect: Dialect) -> String {
        let chars: Vec<char> = command.chars().collect();
        let mut reader = ShellReader {
            chars: &chars,
            at: 0,
            dialect,
            out: String::new(),
        };
        while reader.at < chars.len() {
            reader.code(true, false);
            // A stray `)` at the top level: keep it and go on.
            reader.copy(1);
        }
        reader.out
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn copy(&mut self, n: usize) {
        for _ in 0..n {
            if let Some(c) = self.peek(0) {
                self.out.push(c);
                self.at += 1;
            }
        }
    }

    fn escape_char(&self) -> char {
        match self.dialect {
            Dialect::Posix => '\\',
            Dialect::PowerShell => '`',
            Dialect::Cmd => '^',
        }
    }

    /// Shell code up to the end, or up to an unmatched `)` when `in_parens`. Blanks
    /// collapse when `collapse` (code nested in quotes is kept as written).
    fn code(&mut self, collapse: bool, in_parens: bool) {
        let mut word_start = true;
        while let Some(c) = self.peek(0) {
            let next = self.peek(1);
            if c == ' ' || c == '\t' {
                if collapse {
                    self.out.push(' ');
                    while matches!(self.peek(0), Some(' ' | '\t')) {
                        self.at += 1;
                    }
                } else {
                    self.copy(1);
                }
                word_start = true;
                continue;
            }
            // A comment starts at a token: after a blank or an operator.
            let starts_word = std::mem::replace(&mut word_start, ";&|()<>{}".contains(c));
            match (self.dialect, c) {
                (_, e) if e == self.escape_char() => self.copy(2),
                (Dialect::Cmd, '"') => self.until_closing('"', None),
                (Dialect::Cmd, _) => self.copy(1),
                (_, '\'') => self.until_closing('\'', None),
                (_, '"') => self.double_quoted(),
                (Dialect::Posix, '`') => self.until_closing('`', Some('\\')),
                (_, '#') if starts_word => self.comment(),
                (_, '$') if next == Some('{') => self.until_closing('}', None),
                (_, '$' | '@') if next == Some('(') => {
                    self.copy(2);
                    self.code(collapse, true);
                    self.copy(1);
                }
                (_, '(') => {
                    self.copy(1);
                    self.code(collapse, true);
                    self.copy(1);
                }
                (_, ')') if in_parens => return,
                _ => self.copy(1),
            }
        }
    }

    /// A comment to the end: its blanks do not matter either.
    fn comment(&mut self) {
        while let Some(c) = self.peek(0) {
            if c == ' ' || c == '\t' {
                self.out.push(' ');
                while matches!(self.peek(0), Some(' ' | '\t')) {
                    self.at += 1;
                }
            } else {
                self.copy(1);
            }
        }
    }

    /// From an opening character to the matching `close`, as written; `escape` skips a
    /// character.
    fn until_closing(&mut self, close: char, escape: Option<char>) {
        self.copy(1);
        while let Some(c) = self.peek(0) {
            if Some(c) == escape {
                self.copy(2);
                continue;
            }
            self.copy(1);
            if c == close {
                return;
            }
        }
    }

    /// `"..."`, as written, finding its end past nested substitutions.
    fn double_quoted(&mut self) {
        self.copy(1);
        while let Some(c) = self.peek(0) {
            match c {
                '"' => return self.copy(1),
                e if e == self.escape_char() => self.copy(2),
                '`' if self.dialect == Dialect::Posix => self.until_closing('`', Some('\\')),
                '$' if self.peek(1) == Some('(') => {
                    self.copy(2);
                    self.code(false, true);
                    self.copy(1);
                }
                '$' if self.peek(1) == Some('{') => self.until_closing('}', None),
                _ => self.copy(1),
            }
        }
    }
}

/// Asserts that `after` differs from `before` only by blanks and letter case, line by line,
/// with the same line breaks (a final one may be added, in the file's style).
fn assert_only_blanks_and_case_changed(before: &str, after: &str) {
    let squeeze = |line: &str| -> String {
        line.chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '\x0b' | '\x0c' | '\r'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let before_lines: Vec<&str> = before.split('\n').collect();
    let mut after_lines: Vec<&str> = after.split('\n').collect();
    let added_final_break = !before.ends_with('\n')
        && after_lines.len() == before_lines.len() + 1
        && after_lines.last() == Some(&"");
    if added_final_break {
        after_lines.pop();
    }
    assert_eq!(before_lines.len(), after_lines.len(), "line breaks changed");
    for (b, a) in before_lines.iter().zip(&after_lines) {
        assert_eq!(squeeze(b), squeeze(a), "more than blanks and case changed");
    }
    let crlf = |s: &str| s.matches("\r\n").count();
    let added_crlf = usize::from(added_final_break && after.ends_with("\r\n"));
    assert_eq!(
        crlf(before) + added_crlf,
        crlf(after),
        "CRLF line breaks changed"
    );
}

fn assert_sorted_and_disjoint(text: &str, edits: &[TextEdit]) {
    for pair in edits.windows(2) {
        assert!(
            pair[0].range.end <= pair[1].range.start,
            "edits overlap or are out of order: {pair:?}"
        );
    }
    for edit in edits {
        let r = edit.range;
        assert!(
            r.start <= r.end && r.end as usize <= text.len(),
            "{r:?} out of bounds"
        );
        assert!(text.is_char_boundary(r.start as usize) && text.is_char_boundary(r.end as usize));
        assert_ne!(&text[r.as_usize()], edit.new_text, "a no-op edit: {edit:?}");
    }
}

fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut out = text.to_owned();
    for edit in edits.iter().rev() {
        out.replace_range(edit.range.as_usize(), &edit.new_text);
    }
    out
}

/// Every property of document formatting, for one input.
fn check_document(text: &str) {
    let options = FormatOptions::default();
    let analysis = DockerfileAnalysis::new(text);
    let edits = format(&analysis, &options, None);
    assert_sorted_and_disjoint(text, &edits);
    let formatted = apply(text, &edits);
    assert_eq!(
        formatted,
        format_text(text, &options),
        "format_text applies the edits"
    );
    assert_eq!(
        meaning(&formatted),
        meaning(text),
        "meaning changed:\n{text:?}\n=>\n{formatted:?}"
    );
    assert_only_blanks_and_case_changed(text, &formatted);
    let again = format_text(&formatted, &options);
    assert_eq!(
        again, formatted,
        "not idempotent:\n{text:?}\n=>\n{formatted:?}"
    );
    support::check_all(&formatted);
    let tabs = FormatOptions {
        indent: "\t".to_owned(),
    };
    let with_tabs = format_text(text, &tabs);
    assert_eq!(
        meaning(&with_tabs),
        meaning(text),
        "meaning changed with tabs"
    );
    assert_eq!(
        format_text(&with_tabs, &tabs),
        with_tabs,
        "not idempotent with tabs"
    );
}

/// Range formatting of `range` keeps the meaning and touches nothing outside the lines
/// around it.
fn check_range(text: &str, range: TextRange) {
    let analysis = DockerfileAnalysis::new(text);
    let edits = format(&analysis, &FormatOptions::default(), Some(range));
    assert_sorted_and_disjoint(text, &edits);
    let formatted = apply(text, &edits);
    assert_eq!(
        meaning(&formatted),
        meaning(text),
        "range {range:?} changed the meaning"
    );
    assert_only_blanks_and_case_changed(text, &formatted);
}

/// Typing a line break at `at` then formatting on type keeps the meaning of the typed text.
fn check_on_type(text: &str, at: usize, auto_indent: &str) {
    let typed = format!("{}\n{auto_indent}{}", &text[..at], &text[at..]);
    let cursor = (at + 1 + auto_indent.len()) as u32;
    let analysis = DockerfileAnalysis::new(&typed);
    let edits = format_on_type(&analysis, cursor, '\n', &FormatOptions::default());
    assert_sorted_and_disjoint(&typed, &edits);
    let formatted = apply(&typed, &edits);
    assert_eq!(
        meaning(&formatted),
        meaning(&typed),
        "on-type formatting changed the meaning"
    );
    assert_only_blanks_and_case_changed(&typed, &formatted);
}

fn char_boundary_at(text: &str, seed: u32) -> usize {
    let mut at = seed as usize % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn edited_dockerfiles_format_safely(
        base in prop::sample::select(bases()),
        edits in prop::collection::vec(edits::edit(), 1..6),
    ) {
        check_document(&edits::apply(&base, &edits));
    }

    #[test]
    fn snippet_soup_formats_safely(pieces in prop::collection::vec(edits::snippet(), 0..48)) {
        check_document(&pieces.concat());
    }

    #[test]
    fn range_formatting_is_safe(
        base in prop::sample::select(bases()),
        edits in prop::collection::vec(edits::edit(), 0..3),
        a in any::<u32>(),
        b in any::<u32>(),
    ) {
        let text = edits::apply(&base, &edits);
        let (a, b) = (char_boundary_at(&text, a), char_boundary_at(&text, b));
        check_range(&text, TextRange::new(a.min(b) as u32, a.max(b) as u32));
        check_range(&text, TextRange::empty(a as u32));
    }

    #[test]
    fn on_type_formatting_is_safe(
        base in prop::sample::select(bases()),
        edits in prop::collection::vec(edits::edit(), 0..3),
        at in any::<u32>(),
        auto_indent in prop::sample::select(&["", "  ", "    ", "\t"][..]),
    ) {
        let text = edits::apply(&base, &edits);
        check_on_type(&text, char_boundary_at(&text, at), auto_indent);
    }

    #[test]
    fn on_type_never_panics(text in ".{0,200}", at in any::<u32>(), typed in any::<char>()) {
        let analysis = DockerfileAnalysis::new(&text);
        let edits = format_on_type(&analysis, at % (text.len() as u32 + 3), typed, &FormatOptions::default());
        assert_sorted_and_disjoint(&text, &edits);
    }
}

/// The unedited documents pass every property; on-type formatting is tried at (up to 40)
/// line ends of each.
#[test]
fn bases_format_safely() {
    for base in bases() {
        check_document(&base);
        let line_ends: Vec<usize> = base
            .match_indices('\n')
            .map(|(i, _)| i)
            .chain([base.len()])
            .collect();
        for &at in line_ends.iter().step_by(line_ends.len().div_ceil(40)) {
            check_on_type(&base, at, "");
            check_on_type(&base, at, "    ");
        }
    }
}

#[test]
fn shell_readings_keep_quoted_blanks() {
    let [sh, pwsh, cmd] =
        shell_readings(r#"a   b "c  $(d  "e  f"  g)  h"  $(i  'j  k')  `l  m`  #  n  o"#);
    assert_eq!(
        sh,
        r#"a b "c  $(d  "e  f"  g)  h" $(i 'j  k') `l  m` # n o"#
    );
    // The backtick escapes a character in PowerShell: here the space after `m`.
    assert_eq!(
        pwsh,
        r#"a b "c  $(d  "e  f"  g)  h" $(i 'j  k') `l m`  # n o"#
    );
    // cmd.exe has no nesting: `e  f` is between two quoted strings.
    assert_eq!(cmd, r#"a b "c  $(d  "e f"  g)  h" $(i 'j k') `l m` # n o"#);
    let [sh, ..] = shell_readings(r"a\  b  ${c:-d  e}");
    assert_eq!(sh, r"a\  b ${c:-d  e}");
}
