//! The text a shell receives for one instruction, and the way back to the instruction's text.

use crate::syntax::TextRange;
use crate::syntax::dockerfile::ast::Instruction;

/// An instruction's shell script with a map back to the source.
///
/// Offsets in the source are relative to the start of the instruction's shell command (the
/// first byte after the keyword and flags), so the same text anywhere in a file gives the
/// same [`ShellSource`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellSource {
    text: String,
    /// `(offset in text, offset in source, length)` of each piece copied from the source,
    /// in order; text between pieces was added (line breaks before heredoc bodies).
    pieces: Vec<(u32, u32, u32)>,
    /// The script is a heredoc body (`RUN <<EOF`), not the command line.
    pub heredoc_script: bool,
}

impl ShellSource {
    /// The shell text of a shell-form instruction (RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD).
    /// `None` for exec form, for a heredoc script whose `#!` line names another interpreter,
    /// and for instructions without a command.
    pub fn from_instruction(instruction: Instruction<'_>) -> Option<ShellSource> {
        let shell = instruction.shell()?;
        let base = shell.range().start;
        let heredocs = instruction.heredocs();
        let words: Vec<_> = shell.words().collect();
        let marker_only = !words.is_empty() && words.iter().all(|w| w.is_heredoc_marker());
        let mut source = ShellSource {
            text: String::new(),
            pieces: Vec::new(),
            heredoc_script: false,
        };
        if marker_only {
            // BuildKit runs a lone heredoc as the script itself (honouring a `#!` line).
            let body = heredocs.first()?.body()?;
            let text = body.text();
            if let Some(first) = text.lines().next()
                && let Some(interpreter) = first.strip_prefix("#!")
                && !is_posix_shell(interpreter)
            {
                return None;
            }
            source.heredoc_script = true;
            source.push(text, body.range().start - base);
            return Some(source);
        }
        for token in shell.syntax().tokens() {
            if token.kind().is_line_trivia() {
                continue;
            }
            source.push(token.text(), token.range().start - base);
        }
        for heredoc in &heredocs {
            let Some(body) = heredoc.body() else { continue };
            source.text.push('\n');
            source.push(body.text(), body.range().start - base);
            if let Some(end) = heredoc.terminator() {
                source.push(end.text(), end.range().start - base);
                source.text.push('\n');
            }
        }
        Some(source)
    }

    /// A source that is the given text itself (for tests and nested scripts).
    pub fn plain(text: &str) -> ShellSource {
        let mut source = ShellSource {
            text: String::new(),
            pieces: Vec::new(),
            heredoc_script: false,
        };
        source.push(text, 0);
        source
    }

    pub(super) fn push(&mut self, piece: &str, source_offset: u32) {
        if piece.is_empty() {
            return;
        }
        let at = self.text.len() as u32;
        // Extend the previous piece when this one continues it in both texts.
        if let Some(last) = self.pieces.last_mut()
            && last.0 + last.2 == at
            && last.1 + last.2 == source_offset
        {
            last.2 += piece.len() as u32;
        } else {
            self.pieces.push((at, source_offset, piece.len() as u32));
        }
        self.text.push_str(piece);
    }

    /// The text the shell receives.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Maps a range of [`ShellSource::text`] back to the source (relative offsets).
    pub fn map_range(&self, start: usize, end: usize) -> TextRange {
        let start = self.map(start as u32, false);
        let end = self.map(end as u32, true).max(start);
        TextRange::new(start, end)
    }

    /// A text offset in the source. `as_end`: the offset ends a range, so an offset at the
    /// boundary of two pieces belongs to the earlier one.
    fn map(&self, offset: u32, as_end: bool) -> u32 {
        let index = self.pieces.partition_point(
            |&(at, _, _)| {
                if as_end { at < offset } else { at <= offset }
            },
        );
        match index.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some(&(at, source, len)) => source + (offset - at).min(len),
            None => self.pieces.first().map_or(0, |p| p.1),
        }
    }
}

/// Whether a `#!` line names a POSIX-style shell.
fn is_posix_shell(interpreter: &str) -> bool {
    let mut words = interpreter.split_whitespace();
    let mut program = words.next().unwrap_or("");
    if program.ends_with("/env") {
        program = words.find(|w| !w.starts_with('-')).unwrap_or("");
    }
    let name = program.rsplit('/').next().unwrap_or(program);
    matches!(
        name,
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "busybox"
    )
}
