//! Document symbols: stages, then their instructions.
//!
//! The outline has parser directives and global `ARG`s at the top level, then one symbol per
//! stage (its name, or `stage N` as `COPY --from=N` would call it; the base image as detail)
//! whose children are the stage's instructions. `ARG` and `ENV` instructions show as one
//! variable per declared name, so the outline doubles as a list of the stage's variables.

use super::{DockerfileAnalysis, DocumentSymbol, SymbolKind};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::ast::{Directive, Dockerfile, Instruction, KeyValue};
use crate::syntax::dockerfile::{InstructionKind, SyntaxKind};

/// How many characters of an instruction's arguments the detail shows.
const DETAIL_CHARS: usize = 60;

pub fn document_symbols(analysis: &DockerfileAnalysis) -> Vec<DocumentSymbol> {
    let file = Dockerfile::new(&analysis.parse.tree);
    let mut symbols: Vec<DocumentSymbol> = file.directives().map(directive_symbol).collect();
    // Where the current stage's symbol is in `symbols`, once a FROM has been seen.
    let mut current_stage: Option<usize> = None;
    let mut stage_count = 0;
    for instruction in file.instructions() {
        if instruction.kind() == InstructionKind::From {
            symbols.push(stage_symbol(analysis, stage_count, &instruction));
            current_stage = Some(symbols.len() - 1);
            stage_count += 1;
            continue;
        }
        let children = instruction_symbols(&instruction);
        match current_stage.and_then(|at| symbols.get_mut(at)) {
            Some(stage) => stage.children.extend(children),
            None => symbols.extend(children),
        }
    }
    symbols
}

fn directive_symbol(directive: Directive<'_>) -> DocumentSymbol {
    let node = directive.syntax();
    let name_range = node
        .child_token(SyntaxKind::DirectiveName)
        .map_or(node.range(), |t| t.range());
    DocumentSymbol {
        name: directive.name().to_owned(),
        detail: non_empty(directive.value()),
        kind: SymbolKind::Directive,
        range: node.range(),
        selection_range: name_range,
        children: Vec::new(),
    }
}

/// The symbol of stage `index`, started by `from`; its children are added as they come.
fn stage_symbol(
    analysis: &DockerfileAnalysis,
    index: usize,
    from: &Instruction<'_>,
) -> DocumentSymbol {
    let stage = analysis.model.stage(index);
    let name = stage
        .and_then(|s| s.name.as_ref())
        .map_or_else(|| format!("stage {index}"), |n| n.text.clone());
    let base = stage.and_then(|s| s.base.as_ref());
    let range = stage.map_or(from.range(), |s| s.range);
    let selection_range = stage
        .and_then(|s| s.name.as_ref().map(|n| n.range))
        .or(base.map(|b| b.range))
        .unwrap_or_else(|| from.keyword().range);
    DocumentSymbol {
        name,
        detail: base.map(|b| summarize(&b.written)),
        kind: SymbolKind::Stage,
        range,
        selection_range,
        children: Vec::new(),
    }
}

/// One symbol per instruction, or one per declared name for `ARG` and `ENV`.
fn instruction_symbols(instruction: &Instruction<'_>) -> Vec<DocumentSymbol> {
    if matches!(
        instruction.kind(),
        InstructionKind::Arg | InstructionKind::Env
    ) {
        let pairs: Vec<KeyValue<'_>> = instruction
            .key_values()
            .filter(|p| !p.key().text.is_empty())
            .collect();
        if !pairs.is_empty() {
            let whole_instruction = pairs.len() == 1;
            return pairs
                .iter()
                .map(|pair| variable_symbol(instruction, pair, whole_instruction))
                .collect();
        }
    }
    let name = instruction.name();
    if name.is_empty() {
        return Vec::new();
    }
    vec![DocumentSymbol {
        name: name.into_owned(),
        detail: arguments_summary(instruction),
        kind: SymbolKind::Instruction,
        range: instruction.range(),
        selection_range: instruction.keyword().range,
        children: Vec::new(),
    }]
}

/// `ARG NAME=default` or `ENV NAME=value`: the name, and the value as detail. The range is
/// the instruction's when it declares one name, the pair's when it declares several.
fn variable_symbol(
    instruction: &Instruction<'_>,
    pair: &KeyValue<'_>,
    whole_instruction: bool,
) -> DocumentSymbol {
    let key = pair.key();
    let keyword = instruction.name();
    let detail = match pair.value() {
        Some(value) => format!("{keyword} = {}", summarize(&value.text)),
        None if pair.has_equals() => format!("{keyword} = \"\""),
        None => keyword.into_owned(),
    };
    let range: TextRange = if whole_instruction {
        instruction.range()
    } else {
        pair.range()
    };
    DocumentSymbol {
        name: key.text.into_owned(),
        detail: Some(detail),
        kind: SymbolKind::Variable,
        range,
        selection_range: key.range,
        children: Vec::new(),
    }
}

/// Everything after the keyword as BuildKit reads it (continuations joined, heredoc bodies
/// left out), on one line and cut short.
fn arguments_summary(instruction: &Instruction<'_>) -> Option<String> {
    let logical = instruction.syntax().logical_text();
    let keyword_len = instruction.keyword().text.len();
    let arguments = logical.get(keyword_len..).unwrap_or("");
    non_empty(&summarize(arguments))
}

/// `text` with whitespace runs collapsed to one space, cut to [`DETAIL_CHARS`] characters.
fn summarize(text: &str) -> String {
    let mut out = String::new();
    for (count, word) in text.split_whitespace().enumerate() {
        if count > 0 {
            out.push(' ');
        }
        out.push_str(word);
        if out.len() > DETAIL_CHARS * 4 {
            break;
        }
    }
    match out.char_indices().nth(DETAIL_CHARS) {
        Some((cut, _)) => {
            out.truncate(cut);
            out.push('…');
            out
        }
        None => out,
    }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_util::slice;

    /// An indented outline: `kind name (detail) [range text start]`.
    fn outline(src: &str) -> String {
        let analysis = DockerfileAnalysis::new(src);
        let mut out = String::new();
        fn walk(
            a: &DockerfileAnalysis,
            symbols: &[DocumentSymbol],
            depth: usize,
            out: &mut String,
        ) {
            for s in symbols {
                assert!(s.range.contains_range(s.selection_range), "{s:?}");
                let detail = s
                    .detail
                    .as_deref()
                    .map_or(String::new(), |d| format!(" ({d})"));
                out.push_str(&format!(
                    "{}{:?} {}{detail} @{}\n",
                    "  ".repeat(depth),
                    s.kind,
                    s.name,
                    slice(a, s.selection_range)
                ));
                for child in &s.children {
                    assert!(
                        s.range.contains_range(child.range),
                        "{child:?} outside {s:?}"
                    );
                }
                walk(a, &s.children, depth + 1, out);
            }
        }
        walk(&analysis, &document_symbols(&analysis), 0, &mut out);
        out
    }

    #[test]
    fn stages_with_their_instructions() {
        let src = "# syntax=docker/dockerfile:1\nARG VERSION=3.20 FLAVOR\nFROM alpine:${VERSION} AS build\n\
                   ENV A=1\nRUN --mount=type=cache,target=/c \\\n    make   all\nCOPY <<EOF /x\nbody\nEOF\n\
                   FROM scratch\nCOPY --from=build /a /a\nONBUILD RUN echo hi\nMAINTAINER me\n";
        assert_eq!(
            outline(src),
            "Directive syntax (docker/dockerfile:1) @syntax\n\
             Variable VERSION (ARG = 3.20) @VERSION\n\
             Variable FLAVOR (ARG) @FLAVOR\n\
             Stage build (alpine:${VERSION}) @build\n\
             \x20 Variable A (ENV = 1) @A\n\
             \x20 Instruction RUN (--mount=type=cache,target=/c make all) @RUN\n\
             \x20 Instruction COPY (<<EOF /x) @COPY\n\
             Stage stage 1 (scratch) @scratch\n\
             \x20 Instruction COPY (--from=build /a /a) @COPY\n\
             \x20 Instruction ONBUILD (RUN echo hi) @ONBUILD\n\
             \x20 Instruction MAINTAINER (me) @MAINTAINER\n"
        );
    }

    #[test]
    fn single_declarations_cover_their_instruction() {
        let analysis = DockerfileAnalysis::new("FROM a\nENV A=1\nARG B C=\n");
        let symbols = document_symbols(&analysis);
        let children = &symbols[0].children;
        assert_eq!(slice(&analysis, children[0].range), "ENV A=1");
        assert_eq!(slice(&analysis, children[1].range), "B");
        assert_eq!(children[2].detail.as_deref(), Some("ARG = \"\""));
    }

    #[test]
    fn long_arguments_are_cut() {
        let long = "x".repeat(200);
        let analysis = DockerfileAnalysis::new(&format!("FROM a\nRUN echo {long}\n"));
        let detail = document_symbols(&analysis)[0].children[0]
            .detail
            .clone()
            .unwrap();
        assert_eq!(detail.chars().count(), DETAIL_CHARS + 1);
        assert!(detail.ends_with('…'));
        assert_eq!(summarize("  a \t b\n"), "a b");
        assert_eq!(
            summarize(&"é".repeat(100)).chars().count(),
            DETAIL_CHARS + 1
        );
    }

    #[test]
    fn instructions_before_the_first_from_stay_at_the_top() {
        assert_eq!(
            outline("RUN x\nFROM\nWORKDIR /a\nBOGUS y\n"),
            "Instruction RUN (x) @RUN\nStage stage 0 @FROM\n  Instruction WORKDIR (/a) @WORKDIR\n  Instruction BOGUS (y) @BOGUS\n"
        );
    }

    #[test]
    fn broken_files_do_not_panic() {
        for src in [
            "",
            "\n",
            "FROM",
            "ARG\nENV\nFROM a AS\n",
            "ENV =x\nARG =\n",
            "# escape=`\nFROM a\nRUN a`\n b\n",
            "FROM a\nRUN <<EOF\nunterminated",
            "\u{feff}ONBUILD\nONBUILD ONBUILD x\n",
        ] {
            let _ = outline(src);
        }
    }
}
