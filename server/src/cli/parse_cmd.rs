//! `dockwise parse FILE`: show the syntax, for debugging and for comparing with other parsers.

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::discover::describe_io_error;
use super::{MAX_FILE_SIZE, exit, print_stdout, tool_error};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::ast::{Dockerfile, Instruction};
use crate::syntax::dockerfile::{buildkit_args, buildkit_dump, parse};
use crate::text::LineIndex;

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// The Dockerfile (or compose file, by its name) to parse (`-` for standard input: a
    /// Dockerfile).
    pub file: PathBuf,

    /// What to print.
    #[arg(long, value_enum, default_value_t = ParseFormat::Tree)]
    pub format: ParseFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParseFormat {
    /// The lossless syntax tree, one element per line.
    Tree,
    /// Instructions with lines, flags, form, arguments and heredocs; and the errors.
    Json,
    /// BuildKit's AST dump format.
    Buildkit,
}

#[derive(Serialize)]
struct JsonParse {
    instructions: Vec<JsonInstruction>,
    errors: Vec<JsonError>,
}

#[derive(Serialize)]
struct JsonInstruction {
    keyword: String,
    start_line: usize,
    end_line: usize,
    flags: Vec<String>,
    form: &'static str,
    arguments: Vec<String>,
    heredocs: Vec<JsonHeredoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trigger: Option<Box<JsonInstruction>>,
}

#[derive(Serialize)]
struct JsonHeredoc {
    delimiter: String,
    body: String,
}

#[derive(Serialize)]
struct JsonError {
    line: usize,
    column: usize,
    message: String,
}

pub(super) fn run(args: &ParseArgs) -> u8 {
    let text = match read_input(args) {
        Ok(t) => t,
        Err(e) => return tool_error(format!("{}: {e}", args.file.display())),
    };
    if args.file.to_str() != Some("-")
        && crate::text::FileKind::from_path(&args.file) == Some(crate::text::FileKind::Compose)
    {
        return compose(&text, args.format);
    }
    let parsed = parse(&text);
    let output = match args.format {
        ParseFormat::Tree => {
            let mut out = parsed.tree.debug_dump();
            let index = LineIndex::new(&text);
            for e in &parsed.errors {
                let (line, col) = index.line_col_chars(&text, e.range.start);
                out.push_str(&format!("error {}:{}: {}\n", line + 1, col + 1, e.message));
            }
            out
        }
        ParseFormat::Buildkit => buildkit_dump(&parsed.tree),
        ParseFormat::Json => {
            let index = LineIndex::new(&text);
            let json = JsonParse {
                instructions: Dockerfile::new(&parsed.tree)
                    .instructions()
                    .map(|i| json_instruction(i, &index, &text))
                    .collect(),
                errors: parsed
                    .errors
                    .iter()
                    .map(|e| {
                        let (line, col) = index.line_col_chars(&text, e.range.start);
                        JsonError {
                            line: line + 1,
                            column: col + 1,
                            message: e.message.clone(),
                        }
                    })
                    .collect(),
            };
            let mut s = serde_json::to_string_pretty(&json).expect("plain data serialises");
            s.push('\n');
            s
        }
    };
    match print_stdout(&output) {
        Ok(()) => exit::OK,
        Err(e) => tool_error(format!("writing output: {e}")),
    }
}

/// A compose file: the YAML tree and its errors (the other formats are for Dockerfiles).
fn compose(text: &str, format: ParseFormat) -> u8 {
    if format != ParseFormat::Tree {
        return tool_error(
            "compose files are shown as a YAML tree only: leave out --format (or use --format tree)"
                .to_owned(),
        );
    }
    let parsed = crate::syntax::compose::parse(text);
    let mut out = parsed.tree.debug_dump();
    let index = LineIndex::new(text);
    for e in &parsed.errors {
        let (line, col) = index.line_col_chars(text, e.range.start);
        out.push_str(&format!("error {}:{}: {}\n", line + 1, col + 1, e.message));
    }
    match print_stdout(&out) {
        Ok(()) => exit::OK,
        Err(e) => tool_error(format!("writing output: {e}")),
    }
}

fn read_input(args: &ParseArgs) -> Result<String, String> {
    let mut bytes = Vec::new();
    if args.file.as_os_str() == "-" {
        std::io::stdin()
            .take(MAX_FILE_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| e.to_string())?;
    } else {
        let file = std::fs::File::open(&args.file).map_err(|e| describe_io_error(&e))?;
        file.take(MAX_FILE_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| describe_io_error(&e))?;
    }
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(format!(
            "file is larger than the {MAX_FILE_SIZE}-byte limit"
        ));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// 1-based first and last physical line of a range. A range that ends right after a line
/// break ends on the (empty) next line, as BuildKit counts a consumed blank line.
pub(crate) fn line_span(index: &LineIndex, text: &str, range: TextRange) -> (usize, usize) {
    let start = index.line_of(range.start);
    let end = if range.end > range.start && text.as_bytes()[range.end as usize - 1] != b'\n' {
        index.line_of(range.end - 1)
    } else {
        index.line_of(range.end)
    };
    (start + 1, end.max(start) + 1)
}

fn json_instruction(instr: Instruction<'_>, index: &LineIndex, text: &str) -> JsonInstruction {
    let (start_line, end_line) = line_span(index, text, instr.range());
    let keyword = match instr.kind().name() {
        Some(name) => name.to_owned(),
        None => instr.keyword().text.into_owned(),
    };
    JsonInstruction {
        keyword,
        start_line,
        end_line,
        flags: instr.flags().map(|f| f.buildkit_text()).collect(),
        // ONBUILD takes the form of the instruction it wraps, as BuildKit records it.
        form: if instr.trigger().unwrap_or(instr).json().is_some() {
            "exec"
        } else {
            "shell"
        },
        arguments: buildkit_args(instr, false),
        heredocs: instr
            .heredocs()
            .iter()
            .map(|h| JsonHeredoc {
                delimiter: h.delimiter(),
                // As BuildKit reports it: each body line followed by `\n`.
                body: h.body_text().replace("\r\n", "\n"),
            })
            .collect(),
        trigger: instr
            .trigger()
            .map(|t| Box::new(json_instruction(t, index, text))),
    }
}
