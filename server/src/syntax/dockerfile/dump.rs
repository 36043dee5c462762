//! Renders a tree in BuildKit's AST dump format (`(run "echo hi")`), so our parser can be
//! compared line for line with BuildKit's own test expectations and with other parsers.
//!
//! The dump shows what BuildKit's parser hands to the build: keywords in lower case, flags with
//! quotes removed, and arguments split per instruction the way BuildKit splits them.

use std::fmt::Write as _;

use super::ast::{Dockerfile, Instruction};
use super::kind::{InstructionKind, SyntaxKind};
use super::lexing::{is_ws, plain_words};
use super::tree::SyntaxTree;

/// The dump of a whole file: one `(...)` line per instruction, ending with a newline.
pub fn buildkit_dump(tree: &SyntaxTree) -> String {
    let mut out = String::new();
    for instruction in Dockerfile::new(tree).instructions() {
        out.push('(');
        let start = out.len();
        dump_instruction(&mut out, instruction);
        // `Node.Dump` trims its text: an empty keyword (from a line holding only a line
        // continuation) leaves no space before the arguments.
        if out[start..].starts_with(' ') {
            out.remove(start);
        }
        out.push_str(")\n");
    }
    out
}

fn dump_instruction(out: &mut String, instr: Instruction<'_>) {
    out.push_str(&instr.keyword().text.to_lowercase());
    let flags: Vec<String> = instr.flags().map(|f| f.buildkit_text()).collect();
    if !flags.is_empty() {
        out.push_str(" [");
        for (i, flag) in flags.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            go_quote(out, flag);
        }
        out.push(']');
    }
    if let Some(trigger) = instr.trigger() {
        out.push_str(" (");
        dump_instruction(out, trigger);
        out.push(')');
        return;
    }
    for arg in buildkit_args(instr, true) {
        out.push(' ');
        go_quote(out, &arg);
    }
}

/// The arguments BuildKit's parser gives an instruction, split the way it splits them per
/// instruction: one string for a shell-form command, decoded strings for the exec form,
/// whitespace-separated words for COPY/ADD/VOLUME/EXPOSE/FROM, `key, value[, separator]` for
/// ENV and LABEL (the separator, `=` or empty for the legacy form, only when
/// `env_separators`), the whole rest for USER/WORKDIR/STOPSIGNAL/MAINTAINER, and one empty
/// string for an unknown instruction. ONBUILD's trigger is not included: see
/// [`Instruction::trigger`].
pub fn buildkit_args(instr: Instruction<'_>, env_separators: bool) -> Vec<String> {
    let mut args = Vec::new();
    use InstructionKind as K;
    match instr.kind() {
        K::Onbuild => {
            if instr.trigger().is_none() {
                args.extend(instr.words().map(|w| w.text().into_owned()));
            }
        }
        K::Env | K::Label => {
            for kv in instr.key_values() {
                args.push(kv.key().text.into_owned());
                args.push(kv.value().map(|v| v.text.into_owned()).unwrap_or_default());
                if env_separators {
                    args.push(if kv.has_equals() { "=" } else { "" }.to_owned());
                }
            }
        }
        K::Arg => {
            args.extend(
                instr
                    .key_values()
                    .map(|kv| kv.syntax().logical_text().into_owned()),
            );
        }
        K::Run | K::Cmd | K::Entrypoint | K::Shell => command_args(instr, &mut args),
        K::Healthcheck => {
            if let Some(typ) = instr.words().next() {
                args.push(typ.text().into_owned());
            }
            command_args(instr, &mut args);
        }
        K::From => {
            for child in instr.syntax().children() {
                match child.kind() {
                    // `AS` and the name, each joined: a line continuation can split either
                    // into several tokens (`AS build\` + `er` names the stage `builder`).
                    SyntaxKind::StageAlias => {
                        for kind in [SyntaxKind::AsKeyword, SyntaxKind::StageName] {
                            let text: String = child
                                .child_tokens()
                                .filter(|t| t.kind() == kind)
                                .map(|t| t.text())
                                .collect();
                            if !text.is_empty() {
                                args.push(text);
                            }
                        }
                    }
                    SyntaxKind::ImageRef | SyntaxKind::Word => {
                        args.push(child.logical_text().into_owned())
                    }
                    _ => {}
                }
            }
        }
        K::Copy | K::Add | K::Volume | K::Expose => match instr.json() {
            Some(json) => args.extend(json.strings().into_iter().map(|s| s.text.into_owned())),
            None => {
                let text = instr.args_text();
                args.extend(
                    plain_words(text.as_bytes(), 0, text.len()).map(|(s, e)| text[s..e].to_owned()),
                );
            }
        },
        K::Maintainer | K::User | K::Workdir | K::Stopsignal => {
            let text = instr.args_text();
            if !text.is_empty() {
                args.push(text.into_owned());
            }
        }
        // BuildKit keeps unknown instructions with one empty argument.
        K::Unknown => args.push(String::new()),
    }
    args
}

fn command_args(instr: Instruction<'_>, args: &mut Vec<String>) {
    if let Some(json) = instr.json() {
        args.extend(json.strings().into_iter().map(|s| s.text.into_owned()));
    } else if let Some(shell) = instr.shell() {
        let text = shell.text();
        let trimmed = text.trim_matches(|c: char| c.is_ascii() && is_ws(c as u8));
        args.push(trimmed.to_owned());
    }
}

/// Quotes a string the way Go's `strconv.Quote` does: `"` and `\` escaped, control characters
/// as `\n`, `\t`, `\x00`..., other non-printable characters as `\u....`, printable Unicode
/// kept.
pub fn go_quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\x7f' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() || (c.is_whitespace() && c != ' ') => {
                if (c as u32) < 0x10000 {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_quoting() {
        let mut s = String::new();
        go_quote(&mut s, "a\"b\\c\n\u{0}♥\u{a0}");
        assert_eq!(s, r#""a\"b\\c\n\x00♥\u00a0""#);
    }
}
