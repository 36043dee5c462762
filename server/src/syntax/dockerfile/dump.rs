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
        dump_instruction(&mut out, instruction);
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
    let mut arg = |value: &str| {
        out.push(' ');
        go_quote(out, value);
    };
    use InstructionKind as K;
    match instr.kind() {
        K::Onbuild => {
            if let Some(trigger) = instr.trigger() {
                out.push_str(" (");
                dump_instruction(out, trigger);
                out.push(')');
            } else {
                for w in instr.words() {
                    arg(&w.text());
                }
            }
        }
        K::Env | K::Label => {
            for kv in instr.key_values() {
                arg(&kv.key().text);
                arg(&kv.value().map(|v| v.text).unwrap_or_default());
                arg(if kv.has_equals() { "=" } else { "" });
            }
        }
        K::Arg => {
            for kv in instr.key_values() {
                arg(&kv.syntax().logical_text());
            }
        }
        K::Run | K::Cmd | K::Entrypoint | K::Shell => dump_command(instr, &mut arg),
        K::Healthcheck => {
            if let Some(typ) = instr.words().next() {
                arg(&typ.text());
            }
            dump_command(instr, &mut arg);
        }
        K::From => {
            for child in instr.syntax().children() {
                match child.kind() {
                    SyntaxKind::StageAlias => {
                        for token in child.child_tokens() {
                            if matches!(token.kind(), SyntaxKind::AsKeyword | SyntaxKind::StageName) {
                                arg(token.text());
                            }
                        }
                    }
                    SyntaxKind::ImageRef | SyntaxKind::Word => arg(&child.logical_text()),
                    _ => {}
                }
            }
        }
        K::Copy | K::Add | K::Volume | K::Expose => match instr.json() {
            Some(json) => json.strings().iter().for_each(|s| arg(&s.text)),
            None => {
                let text = instr.args_text();
                for (s, e) in plain_words(text.as_bytes(), 0, text.len()) {
                    arg(&text[s..e]);
                }
            }
        },
        K::Maintainer | K::User | K::Workdir | K::Stopsignal => {
            let text = instr.args_text();
            if !text.is_empty() {
                arg(&text);
            }
        }
        // BuildKit keeps unknown instructions with one empty argument.
        K::Unknown => arg(""),
    }
}

fn dump_command(instr: Instruction<'_>, arg: &mut impl FnMut(&str)) {
    if let Some(json) = instr.json() {
        for s in json.strings() {
            arg(&s.text);
        }
    } else if let Some(shell) = instr.shell() {
        let text = shell.text();
        let trimmed = text.trim_matches(|c: char| c.is_ascii() && is_ws(c as u8));
        arg(trimmed);
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
