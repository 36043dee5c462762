//! Random edits of Dockerfiles for the property tests: snippets drawn from Dockerfile
//! syntax (continuations, heredocs, quotes, flags, keywords, multi-byte text) inserted,
//! deleted or replaced at random places. Kept apart from `mod.rs` because it needs proptest,
//! which the fuzz target (that includes `mod.rs`) does not have.

use proptest::prelude::*;

const SNIPPETS: &[&str] = &[
    "\\\n",
    "\\",
    "\\ \t\n",
    "`\n",
    "`",
    "<<EOF\n",
    "<<-EOF ",
    "<<'EOF'",
    "<<\"EOF\"",
    "3<<EOF ",
    "EOF\n",
    "\tEOF\n",
    "EOF",
    "\"",
    "'",
    "[",
    "]",
    "[\"a\", \"b\"]",
    ",",
    "--from=",
    "--mount=type=cache,target=/x ",
    "-- ",
    "=",
    "$",
    "${",
    "}",
    "# escape=`\n",
    "# escape=\\\n",
    "# syntax=docker/dockerfile:1\n",
    "#",
    "# comment\n",
    "\r\n",
    "\r",
    "\n",
    "\n\n",
    "\t",
    " ",
    "\u{feff}",
    "\u{0b}",
    "한",
    "😀",
    "é",
    "FROM ",
    "RUN ",
    "COPY ",
    "ADD ",
    "ENV ",
    "ARG ",
    "LABEL ",
    "ONBUILD ",
    "HEALTHCHECK ",
    "CMD ",
    "NONE",
    "ENTRYPOINT ",
    "SHELL ",
    "AS ",
    "run ",
    " \\\n  ",
    "\\\n\t",
    "--from=x ",
    "$(",
    ")",
    "\n  # c\n",
    "   ",
    "\u{0c}",
    "“",
    "^",
    "$'",
    "case ",
    "from ",
    "env ",
    "onbuild ",
    "cmd ",
    "as ",
    "WORKDIR ",
    "EXPOSE ",
    "VOLUME ",
    "USER ",
];

/// A short piece of Dockerfile-ish text.
pub fn snippet() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(SNIPPETS).prop_map(str::to_owned),
        2 => "[a-zA-Z0-9 =\"'\\\\`$#{}()\\[\\],:/@.\t\n-]{1,8}",
        1 => any::<char>().prop_map(String::from),
    ]
}

#[derive(Clone, Debug)]
pub enum Op {
    Insert,
    Delete,
    Replace,
}

/// An edit at a relative position (`at` scaled to the document), over `len` characters.
#[derive(Clone, Debug)]
pub struct Edit {
    op: Op,
    at: u32,
    len: usize,
    text: String,
}

pub fn edit() -> impl Strategy<Value = Edit> {
    let op = prop_oneof![Just(Op::Insert), Just(Op::Delete), Just(Op::Replace)];
    (
        op,
        any::<u32>(),
        0usize..24,
        prop::collection::vec(snippet(), 1..4),
    )
        .prop_map(|(op, at, len, pieces)| Edit {
            op,
            at,
            len,
            text: pieces.concat(),
        })
}

/// Applies the edits on characters, so the result stays valid UTF-8.
pub fn apply(base: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    for edit in edits {
        let at = (edit.at as usize) % (chars.len() + 1);
        let end = (at + edit.len).min(chars.len());
        match edit.op {
            Op::Insert => drop(chars.splice(at..at, edit.text.chars())),
            Op::Delete => drop(chars.drain(at..end)),
            Op::Replace => drop(chars.splice(at..end, edit.text.chars())),
        }
    }
    chars.into_iter().collect()
}
