//! Differential test against the `parse-dockerfile` crate (an independent Dockerfile parser).
//!
//! For every input that `parse-dockerfile` accepts, both parsers must agree on the number of
//! instructions and, per instruction, on the keyword, the first and last physical line (the
//! BuildKit convention: the last line includes continuation lines, comment lines inside them
//! and heredoc bodies with their terminator) and the number of heredocs.
//!
//! Inputs: our fixtures, BuildKit's parser cases and the shared benchmark inputs (from
//! `../shared`, skipped with a message when absent), Dockerfiles generated here, and
//! mutations of all of those.
//!
//! `parse-dockerfile` rejects much that BuildKit's parser accepts (instructions before FROM,
//! unknown instructions, ...); such inputs are skipped. The differences that remain are
//! known and justified, each one classified by [`known_difference`] with the reason, so a
//! new kind of difference fails the test instead of hiding among them.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dockwise::syntax::dockerfile::ast::Dockerfile;
use dockwise::syntax::dockerfile::parse;
use parse_dockerfile as pd;

/// One instruction as both parsers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Summary {
    keyword: String,
    start_line: usize,
    end_line: usize,
    heredocs: usize,
}

/// Our instructions, and the escape character in effect.
fn ours(text: &str, lines: &support::Lines) -> (Vec<Summary>, char) {
    let parsed = parse(text);
    support::check_parse(text, &parsed);
    let summaries = Dockerfile::new(&parsed.tree)
        .instructions()
        .map(|i| {
            let r = i.range();
            Summary {
                keyword: i.name().to_ascii_uppercase(),
                start_line: lines.line_of(r.start as usize),
                // Our node ends where the last line's content ends (its line break is outside).
                end_line: lines.line_of(r.end as usize),
                heredocs: i.heredocs().len(),
            }
        })
        .collect();
    (summaries, parsed.escape)
}

/// `parse-dockerfile`'s view, or `None` when it rejects the input.
fn theirs(text: &str, lines: &support::Lines) -> Option<Vec<Summary>> {
    let dockerfile = pd::parse(text).ok()?;
    // Its offsets are relative to the text after a UTF-8 BOM.
    let shift = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let line = |offset: usize| lines.line_of(offset + shift);
    let mut out = Vec::new();
    for instruction in &dockerfile.instructions {
        let mut spans = Spans::default();
        let keyword = collect(instruction, &mut spans)?;
        out.push(Summary {
            keyword: keyword.to_owned(),
            start_line: line(spans.start),
            end_line: line(spans.end),
            heredocs: spans.heredocs,
        });
    }
    Some(out)
}

/// The extent of one instruction's spans and its heredoc count.
#[derive(Default)]
struct Spans {
    start: usize,
    end: usize,
    heredocs: usize,
    seen: bool,
}

impl Spans {
    fn add(&mut self, span: &pd::Span) {
        if !self.seen {
            self.start = span.start;
            self.seen = true;
        }
        self.start = self.start.min(span.start);
        self.end = self.end.max(span.end);
    }

    fn flags(&mut self, flags: &[pd::Flag<'_>]) {
        for flag in flags {
            self.add(&flag.span());
        }
    }

    fn command(&mut self, command: &pd::Command<'_>) {
        match command {
            pd::Command::Exec(array) => self.add(&array.span),
            pd::Command::Shell(shell) => self.add(&shell.span),
            _ => {}
        }
    }

    /// A heredoc's span covers its body and ends where the terminator line starts, so that
    /// offset is on the instruction's last line.
    fn heredoc(&mut self, heredoc: &pd::HereDoc<'_>) {
        self.heredocs += 1;
        self.add(&heredoc.span);
    }
}

/// Adds an instruction's spans; returns its keyword (`None` for a variant this test does not
/// know, which makes the input count as rejected).
fn collect(instruction: &pd::Instruction<'_>, s: &mut Spans) -> Option<&'static str> {
    use pd::Instruction as I;
    Some(match instruction {
        I::Add(i) => {
            s.add(&i.add.span);
            s.flags(&i.options);
            sources(&i.src, s);
            s.add(&i.dest.span);
            "ADD"
        }
        I::Copy(i) => {
            s.add(&i.copy.span);
            s.flags(&i.options);
            sources(&i.src, s);
            s.add(&i.dest.span);
            "COPY"
        }
        I::Arg(i) => {
            s.add(&i.arg.span);
            s.add(&i.arguments.span);
            "ARG"
        }
        I::Cmd(i) => {
            s.add(&i.cmd.span);
            s.command(&i.arguments);
            "CMD"
        }
        I::Entrypoint(i) => {
            s.add(&i.entrypoint.span);
            s.command(&i.arguments);
            "ENTRYPOINT"
        }
        I::Env(i) => {
            s.add(&i.env.span);
            s.add(&i.arguments.span);
            "ENV"
        }
        I::Expose(i) => {
            s.add(&i.expose.span);
            i.arguments.iter().for_each(|a| s.add(&a.span));
            "EXPOSE"
        }
        I::From(i) => {
            s.add(&i.from.span);
            s.flags(&i.options);
            s.add(&i.image.span);
            if let Some((as_, name)) = &i.as_ {
                s.add(&as_.span);
                s.add(&name.span);
            }
            "FROM"
        }
        I::Healthcheck(i) => {
            s.add(&i.healthcheck.span);
            s.flags(&i.options);
            match &i.arguments {
                pd::HealthcheckArguments::Cmd { cmd, arguments, .. } => {
                    s.add(&cmd.span);
                    s.command(arguments);
                }
                pd::HealthcheckArguments::None { none, .. } => s.add(&none.span),
                _ => return None,
            }
            "HEALTHCHECK"
        }
        I::Label(i) => {
            s.add(&i.label.span);
            s.add(&i.arguments.span);
            "LABEL"
        }
        I::Maintainer(i) => {
            s.add(&i.maintainer.span);
            s.add(&i.name.span);
            "MAINTAINER"
        }
        I::Onbuild(i) => {
            s.add(&i.onbuild.span);
            collect(&i.instruction, s)?;
            "ONBUILD"
        }
        I::Run(i) => {
            s.add(&i.run.span);
            s.flags(&i.options);
            s.command(&i.arguments);
            i.here_docs.iter().for_each(|h| s.heredoc(h));
            "RUN"
        }
        I::Shell(i) => {
            s.add(&i.shell.span);
            i.arguments.iter().for_each(|a| s.add(&a.span));
            "SHELL"
        }
        I::Stopsignal(i) => {
            s.add(&i.stopsignal.span);
            s.add(&i.arguments.span);
            "STOPSIGNAL"
        }
        I::User(i) => {
            s.add(&i.user.span);
            s.add(&i.arguments.span);
            "USER"
        }
        I::Volume(i) => {
            s.add(&i.volume.span);
            match &i.arguments {
                pd::JsonOrStringArray::Json(array) => s.add(&array.span),
                pd::JsonOrStringArray::String(words) => words.iter().for_each(|w| s.add(&w.span)),
            }
            "VOLUME"
        }
        I::Workdir(i) => {
            s.add(&i.workdir.span);
            s.add(&i.arguments.span);
            "WORKDIR"
        }
        _ => return None,
    })
}

fn sources(sources: &[pd::Source<'_>], s: &mut Spans) {
    for source in sources {
        match source {
            pd::Source::Path(path) => s.add(&path.span),
            pd::Source::HereDoc(heredoc) => s.heredoc(heredoc),
            _ => {}
        }
    }
}

/// Physical lines of the input (1-based access), without their line breaks.
struct Source<'a>(Vec<&'a str>);

impl<'a> Source<'a> {
    fn new(text: &'a str) -> Self {
        Source(text.split('\n').map(|l| l.trim_end_matches('\r')).collect())
    }
    /// The line with its carriage returns (only the `\n` removed).
    fn raw(text: &'a str, n: usize) -> &'a str {
        text.split('\n').nth(n.wrapping_sub(1)).unwrap_or("")
    }
    fn line(&self, n: usize) -> &'a str {
        self.0.get(n.wrapping_sub(1)).copied().unwrap_or("")
    }
    fn blank(&self, n: usize) -> bool {
        self.line(n)
            .trim_matches(|c: char| c.is_ascii_whitespace())
            .is_empty()
    }
    fn comment(&self, n: usize) -> bool {
        self.line(n).trim_start().starts_with('#')
    }
}

/// The known, justified differences between the two parsers. Both lists are aligned from
/// the first instruction on; at a difference, this recognises how many instructions of ours
/// (`.1`) and theirs (`.2`) it covers, with the reason (`.0`). `None` is a real disagreement.
fn known_difference(
    text: &str,
    src: &Source<'_>,
    escape: char,
    ours: &[Summary],
    theirs: &[Summary],
) -> Option<(&'static str, usize, usize)> {
    let (a, b) = (ours.first()?, theirs.first()?);
    // 1. An instruction whose first line holds only a line continuation: BuildKit starts the
    //    instruction on that line (its `startLine`), parse-dockerfile at the keyword. (Blank
    //    and comment lines inside the continuation are skipped by both.)
    if a.start_line < b.start_line
        && (a.start_line..b.start_line).all(|n| {
            let l = src.line(n).trim_start_matches('\u{feff}').trim();
            l.is_empty() || l == escape.to_string() || src.comment(n)
        })
        && (Summary {
            start_line: b.start_line,
            ..a.clone()
        }) == *b
    {
        return Some(("instruction starting with a continuation-only line", 1, 1));
    }
    // 2. Blank lines after a line continuation at the end of the file: BuildKit reads them
    //    into the instruction (its `currentLine` moves on); parse-dockerfile's spans stop at
    //    the last text.
    if ours.len() == 1
        && theirs.len() == 1
        && a.end_line > b.end_line
        && ((b.end_line + 1)..=a.end_line).all(|n| src.blank(n) || src.comment(n))
        && (Summary {
            end_line: b.end_line,
            ..a.clone()
        }) == *b
    {
        return Some((
            "blank lines after a continuation at the end of the file",
            1,
            1,
        ));
    }
    // 3. A line ending in a doubled escape character (`echo a\\`) does not continue for
    //    BuildKit (`([^\\])\\[ \t]*$`): the second escape is escaped. parse-dockerfile joins
    //    the next line. So one instruction of theirs is several of ours, split after such
    //    lines.
    let doubled = format!("{escape}{escape}");
    let ends_doubled = |n: usize| {
        src.line(n)
            .trim_end_matches([' ', '\t'])
            .ends_with(&doubled)
    };
    if b.start_line == a.start_line && b.end_line > a.end_line {
        let mut k = 0;
        while k < ours.len() && ours[k].end_line < b.end_line {
            // The next piece follows, after blank or comment lines only.
            let next_starts_right = ours.get(k + 1).is_some_and(|n| {
                ((ours[k].end_line + 1)..n.start_line).all(|l| src.blank(l) || src.comment(l))
            });
            if !ends_doubled(ours[k].end_line) || !next_starts_right {
                break;
            }
            k += 1;
        }
        // (The last piece may also end later, by rule 2, at the end of the file.)
        let ends_together = |k: usize| {
            let o = &ours[k];
            o.end_line == b.end_line
                || (k + 1 == ours.len()
                    && theirs.len() == 1
                    && ((b.end_line + 1)..=o.end_line).all(|n| src.blank(n) || src.comment(n)))
        };
        if k > 0 && k < ours.len() && ends_together(k) {
            return Some(("a doubled escape character ends the line", k + 1, 1));
        }
    }
    // 4. A marker BuildKit's shell lexer does not see: on a line where the lexer fails (an
    //    unterminated quote) BuildKit drops the error and, with it, every heredoc of the
    //    line; after an escaped space (`\ <<EOF`) the marker is part of the word before.
    //    The would-be body lines are instructions. parse-dockerfile reads the heredoc.
    if b.heredocs > a.heredocs
        && a.start_line == b.start_line
        && (a.start_line..=a.end_line).any(|n| {
            let l = src.line(n);
            has_unterminated_quote(l) || l.contains("\\ <<") || l.contains("\\\t<<")
        })
    {
        let k = ours
            .iter()
            .take_while(|o| o.start_line <= b.end_line)
            .count();
        return Some((
            "no heredoc where BuildKit's lexer sees no marker word",
            k,
            1,
        ));
    }
    // 5. parse-dockerfile reads at most one heredoc in RUN, and only as the first argument
    //    (its source: "TODO: multiple here-docs", "here-doc is not always start from
    //    first"), none in an ONBUILD trigger and never COPY's or ADD's last word (the
    //    destination); BuildKit reads every marker of the line (`RUN <<A cat - <<B`,
    //    `ONBUILD COPY <<EOF /x`). The bodies it skips become instructions of its own.
    if matches!(a.keyword.as_str(), "RUN" | "ONBUILD" | "COPY" | "ADD")
        && a.heredocs > b.heredocs
        && a.start_line == b.start_line
    {
        let k = theirs
            .iter()
            .take_while(|t| t.start_line <= a.end_line)
            .count();
        if theirs[k - 1].end_line <= a.end_line {
            return Some(("parse-dockerfile reads fewer heredocs", 1, k));
        }
    }
    // 6. A heredoc terminator followed by several carriage returns (`EOF\r\r\n`) ends the
    //    heredoc for BuildKit (it trims every trailing CR and LF); parse-dockerfile reads on
    //    to a later terminator, so its instruction covers several of ours.
    if a.heredocs > 0
        && a.start_line == b.start_line
        && a.end_line < b.end_line
        && Source::raw(text, a.end_line).ends_with("\r\r")
    {
        let k = ours
            .iter()
            .take_while(|o| o.start_line <= b.end_line)
            .count();
        if ours[k - 1].end_line == b.end_line {
            return Some(("a heredoc terminator followed by several CRs", k, 1));
        }
    }
    // 7. A continuation at the very end of the file: parse-dockerfile's span runs past the
    //    final line break, so it ends one line further, on the empty "line" after it.
    if ours.len() == 1
        && theirs.len() == 1
        && b.end_line == a.end_line + 1
        && b.end_line == src.0.len()
        && src.line(b.end_line).is_empty()
        && (Summary {
            end_line: b.end_line,
            ..a.clone()
        }) == *b
    {
        return Some(("a continuation at the very end of the file", 1, 1));
    }
    // 8. parse-dockerfile keeps no span for the `]` of SHELL's JSON array (only for its
    //    strings), so a `]` on a later continuation line is not counted.
    if a.keyword == "SHELL"
        && a.end_line > b.end_line
        && ((b.end_line + 1)..=a.end_line).all(|n| {
            let l = src.line(n).trim().trim_start_matches(['\\', '`']).trim();
            l.is_empty() || l.starts_with('#') || l == "]"
        })
    {
        return Some(("SHELL's closing bracket on a continuation line", 1, 1));
    }
    None
}

/// A line whose quotes do not close (backslash escapes outside single quotes), as BuildKit's
/// shell lexer sees it.
fn has_unterminated_quote(line: &str) -> bool {
    let mut quote = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None | Some('"'), '\\') => {
                chars.next();
            }
            _ => {}
        }
    }
    quote.is_some()
}

/// A repeated parser directive (`# escape=` twice): BuildKit rejects the file; parse-dockerfile
/// then drops every directive (so `\` is the escape), we keep the first value, as BuildKit
/// had when it stopped.
fn repeated_directive(src: &Source<'_>) -> bool {
    let mut seen = Vec::new();
    for line in &src.0 {
        let l = line.trim_start_matches('\u{feff}').trim_start();
        let Some((name, _)) = l.strip_prefix('#').and_then(|rest| rest.split_once('=')) else {
            return false;
        };
        let name = name.trim().to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            return false;
        }
        if seen.contains(&name) {
            return true;
        }
        seen.push(name);
    }
    false
}

/// The value of a leading `escape` directive when it has several words: BuildKit takes the
/// whole rest of the line (an invalid escape: an error, and `\` stays in effect);
/// parse-dockerfile takes the first word.
fn multi_word_escape_directive(src: &Source<'_>) -> bool {
    for line in &src.0 {
        let l = line.trim_start_matches('\u{feff}').trim_start();
        let Some(rest) = l.strip_prefix('#') else {
            return false;
        };
        let Some((name, value)) = rest.split_once('=') else {
            return false;
        };
        if name.trim().eq_ignore_ascii_case("escape") {
            return value.trim().contains(char::is_whitespace);
        }
    }
    false
}

/// The inputs from `../shared` (BuildKit's cases and the benchmark inputs), when present.
fn shared_inputs() -> Vec<PathBuf> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    if !shared.is_dir() {
        eprintln!(
            "skipping the shared inputs: {} not found (it is optional)",
            shared.display()
        );
        return Vec::new();
    }
    let mut paths = Vec::new();
    for dir in [
        "corpus/buildkit-parser",
        "corpus/buildkit-parser-negative",
        "corpus/buildkit-parser-extra",
    ] {
        let Ok(entries) = std::fs::read_dir(shared.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path().join("Dockerfile");
            if path.is_file() {
                paths.push(path);
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(shared.join("tools/inputs")) {
        for entry in entries.flatten() {
            let path = entry.path();
            let is_dockerfile = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("Dockerfile."));
            if is_dockerfile {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
}

/// A small deterministic PRNG (xorshift64*), so generated inputs are the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A valid multi-stage Dockerfile from instruction templates, with the layouts that stress
/// line handling: continuations with comment and blank lines inside, heredocs, JSON arrays
/// split across lines, lower-case keywords, CRLF line endings, the backtick escape.
fn generated(seed: u64) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let backtick = rng.below(6) == 0;
    let esc = if backtick { "`" } else { "\\" };
    let mut out = String::new();
    if backtick {
        out.push_str("# escape=`\n");
    } else if rng.below(3) == 0 {
        out.push_str("# syntax=docker/dockerfile:1\n");
    }
    out.push_str("ARG BASE=alpine:3.20\n");
    for stage in 0..1 + rng.below(3) {
        let from = rng.pick(&["FROM", "from", "From"]);
        out.push_str(&format!("{from} ${{BASE}} AS stage{stage}\n"));
        for _ in 0..3 + rng.below(10) {
            let instruction = match rng.below(16) {
                0 => format!(
                    "RUN apk add --no-cache {esc}\n    curl {esc}\n    # comment\n    git\n"
                ),
                1 => format!("RUN <<EOF\nset -e\necho {stage}\nEOF\n"),
                2 => "RUN <<-EOT bash\n\techo tabbed\n\tEOT\n".to_owned(),
                3 => "COPY --from=stage0 <<EOF /etc/app.conf\nkey = value\nEOF\n".to_owned(),
                4 => format!("COPY --chown=app:app [\"a b\", {esc}\n     \"/dest/\"]\n"),
                5 => format!("ENV A=1 {esc}\n\n    B=\"two words\"\n"),
                6 => "LABEL org.example.title=\"App\" org.example.version=1.0\n".to_owned(),
                7 => "EXPOSE 8080/tcp 9090\n".to_owned(),
                8 => format!("CMD [\"node\", {esc}\n  \"server.js\"]\n"),
                9 => "ENTRYPOINT [\"/entrypoint.sh\"]\n".to_owned(),
                10 => "HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1\n"
                    .to_owned(),
                11 => "WORKDIR /app\nUSER 1000:1000\n".to_owned(),
                12 => format!("ONBUILD RUN echo {esc}\n    triggered\n"),
                13 => "VOLUME [\"/data\"]\nSTOPSIGNAL SIGTERM\n".to_owned(),
                14 => "RUN cat <<A <<B\nfirst\nA\nsecond\nB\n".to_owned(),
                _ => format!("run echo 한국어 😀 {esc}\n  && true\n"),
            };
            out.push_str(&instruction);
            if rng.below(4) == 0 {
                out.push_str(rng.pick(&["\n", "# a comment\n", "  \n"]));
            }
        }
    }
    if rng.below(4) == 0 {
        out = out.replace('\n', "\r\n");
    }
    out
}

/// Deterministic edits of `text` (whole characters, so it stays UTF-8).
fn mutated(text: &str, seed: u64) -> String {
    const SNIPPETS: [&str; 16] = [
        "\\\n",
        "<<EOF\n",
        "EOF\n",
        "\"",
        "'",
        "[",
        "]",
        "--from=x ",
        "\r\n",
        "\t",
        "한",
        "😀",
        "RUN ",
        "\n",
        "# c\n",
        " \\",
    ];
    let mut rng = Rng(seed.wrapping_mul(0xD6E8_FEB8_6659_FD93) | 1);
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(chars.len() + 1);
        let len = rng.below(6).min(chars.len() - at);
        let snippet: Vec<char> = SNIPPETS[rng.below(SNIPPETS.len())].chars().collect();
        match rng.below(3) {
            0 => drop(chars.splice(at..at, snippet)),
            1 => drop(chars.splice(at..at + len, snippet)),
            _ => drop(chars.drain(at..at + len)),
        }
    }
    chars.into_iter().collect()
}

#[derive(Default)]
struct Tally {
    inputs: usize,
    rejected_by_them: usize,
    compared: usize,
    instructions: usize,
    known: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

impl Tally {
    fn check(&mut self, name: &str, text: &str) {
        self.inputs += 1;
        let lines = support::Lines::new(text);
        let (ours, escape) = ours(text, &lines);
        let Some(theirs) = theirs(text, &lines) else {
            self.rejected_by_them += 1;
            return;
        };
        self.compared += 1;
        self.instructions += theirs.len();
        let src = Source::new(text);
        if multi_word_escape_directive(&src) {
            *self
                .known
                .entry("escape directive with several words")
                .or_default() += 1;
            return;
        }
        if repeated_directive(&src) {
            *self.known.entry("a repeated directive").or_default() += 1;
            return;
        }
        let (mut i, mut j) = (0, 0);
        while i < ours.len() {
            // A line holding only a line continuation, with nothing after it: BuildKit makes
            // an instruction with an empty keyword of it (we do too, and report it), while
            // parse-dockerfile skips it.
            if ours[i].keyword.is_empty() {
                *self
                    .known
                    .entry("an instruction of nothing but a line continuation")
                    .or_default() += 1;
                i += 1;
                continue;
            }
            if j == theirs.len() {
                break;
            }
            if ours[i] == theirs[j] {
                i += 1;
                j += 1;
                continue;
            }
            match known_difference(text, &src, escape, &ours[i..], &theirs[j..]) {
                Some((reason, n_ours, n_theirs)) => {
                    *self.known.entry(reason).or_default() += 1;
                    i += n_ours;
                    j += n_theirs;
                }
                None => {
                    self.failures.push(format!(
                        "{name}: instruction {i} of ours, {j} of theirs differ\n  ours:   {:?}\n  theirs: {:?}\n--- input\n{text}",
                        &ours[i..],
                        &theirs[j..]
                    ));
                    return;
                }
            }
        }
        if i != ours.len() || j != theirs.len() {
            self.failures.push(format!(
                "{name}: {} instructions, parse-dockerfile has {}\n  ours:   {ours:?}\n  theirs: {theirs:?}\n--- input\n{text}",
                ours.len(),
                theirs.len()
            ));
        }
    }
}

fn read(path: &Path) -> Option<String> {
    String::from_utf8(std::fs::read(path).ok()?).ok()
}

#[test]
fn agrees_with_parse_dockerfile() {
    let mut tally = Tally::default();
    let mut bases = Vec::new();
    for path in support::parser_fixture_paths()
        .into_iter()
        .chain(shared_inputs())
    {
        let Some(text) = read(&path) else { continue };
        let name = path.display().to_string();
        tally.check(&name, &text);
        bases.push((name, text));
    }
    for seed in 0..200 {
        let text = generated(seed);
        tally.check(&format!("generated #{seed}"), &text);
        bases.push((format!("generated #{seed}"), text));
    }
    // `DIFFERENTIAL_ROUNDS=50 cargo test --test differential` runs a deeper comparison.
    let rounds: u64 = std::env::var("DIFFERENTIAL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    for (name, text) in &bases {
        // Seeded by the input's name, so adding an input does not change the others' edits.
        let name_hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        for round in 0..rounds {
            let seed = name_hash.wrapping_add(round);
            tally.check(&format!("{name} mutated #{round}"), &mutated(text, seed));
        }
    }
    // Printed so a run shows what was compared (`cargo test -- --nocapture`).
    eprintln!(
        "differential: {} inputs, {} rejected by parse-dockerfile, {} compared ({} instructions); known differences: {:?}",
        tally.inputs, tally.rejected_by_them, tally.compared, tally.instructions, tally.known
    );
    assert!(tally.compared > 200, "too few inputs were compared");
    assert!(
        tally.failures.is_empty(),
        "{} disagreements with parse-dockerfile:\n\n{}",
        tally.failures.len(),
        tally.failures.join("\n\n")
    );
}
