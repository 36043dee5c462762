//! Edits that shell rules' fixes make inside a RUN: an option inserted after a word, a
//! command appended so that it runs after the whole script.
//!
//! Only shell-form RUNs and heredoc scripts are edited: an exec-form RUN's words are JSON
//! strings, where inserted text would need quoting and commas.

use crate::diagnostics::Edit;
use crate::rules::DockerfileContext;
use crate::semantic::{RunForm, RunScript};
use crate::syntax::TextRange;
use crate::syntax::shell::ShellWord;

/// Whether the RUN's text can take plain shell edits.
pub(crate) fn editable(run: &RunScript) -> bool {
    matches!(run.form, RunForm::Shell | RunForm::HeredocScript)
}

/// Inserts `text` right after `word` (e.g. ` -y` after `install`).
pub(crate) fn insert_after(run: &RunScript, word: &ShellWord, text: &str) -> Option<Edit> {
    editable(run).then(|| Edit {
        range: TextRange::empty(run.word_range(word).end),
        new_text: text.to_owned(),
    })
}

/// Replaces `word` with `text`.
pub(crate) fn replace_word(run: &RunScript, word: &ShellWord, text: &str) -> Option<Edit> {
    editable(run).then(|| Edit {
        range: run.word_range(word),
        new_text: text.to_owned(),
    })
}

/// Appends `command` so that it runs after everything else in the RUN: ` && command` after
/// the last statement of a command line, a new line at the end of a heredoc script. `None`
/// when the script has no such place (see `ShellScript::append_at`).
pub(crate) fn append_command(
    ctx: &DockerfileContext<'_>,
    run: &RunScript,
    command: &str,
) -> Option<Edit> {
    let at = run.script.append_at?;
    let at = run.abs(TextRange::empty(at)).start;
    let new_text = match run.form {
        RunForm::Shell => format!(" && {command}"),
        // At the start of a line (a last statement the shell parser read through its line
        // break, as after a syntax error), the new line goes before that line: written
        // after the break, it would end on the terminator's line and hide it.
        RunForm::HeredocScript
            if at > 0 && ctx.text.as_bytes().get(at as usize - 1) == Some(&b'\n') =>
        {
            format!("{command}{}", ctx.line_ending())
        }
        RunForm::HeredocScript => format!("{}{command}", ctx.line_ending()),
        RunForm::Exec => return None,
    };
    Some(Edit {
        range: TextRange::empty(at),
        new_text,
    })
}

/// Where a flag can be inserted after the `RUN` keyword (`RUN --mount=... cmd`).
pub(crate) fn after_run_keyword(ctx: &DockerfileContext<'_>, run: &RunScript) -> Option<u32> {
    let start = run.instruction.start as usize;
    let keyword = ctx.text.get(start..start + 3)?;
    keyword
        .eq_ignore_ascii_case("run")
        .then_some(run.instruction.start + 3)
}
