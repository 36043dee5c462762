//! Renaming a build stage: its name after `AS` and every reference to it by name.

use crate::diagnostics::Edit;
use crate::rules::DockerfileContext;
use crate::semantic::{ReferenceKind, StageOrder};

/// The edits that rename stage `index` to `new_name`: the name after `AS` and each
/// reference to the stage by name (`FROM`, `COPY --from=`, `RUN --mount=...,from=`).
/// References by number keep working and are left alone; so are `FROM` lines naming the
/// stage itself or a later one, which BuildKit reads as images.
///
/// A reference that cannot be rewritten in place (quoted, split by a line continuation,
/// built from variables) makes the result `None` when `every_reference` is set; otherwise it
/// is skipped.
pub(crate) fn rename_stage(
    ctx: &DockerfileContext<'_>,
    index: usize,
    new_name: &str,
    every_reference: bool,
) -> Option<Vec<Edit>> {
    let stage = ctx.model.stage(index)?;
    let name = stage.name.as_ref()?;
    if ctx.text.get(name.range.as_usize()) != Some(name.text.as_str()) {
        return None;
    }
    let mut edits = vec![Edit {
        range: name.range,
        new_text: new_name.to_owned(),
    }];
    for reference in ctx.model.references_to(index) {
        if reference.by_index {
            continue;
        }
        if reference.kind == ReferenceKind::From && reference.order != Some(StageOrder::Earlier) {
            continue;
        }
        let literal = !reference.uses_variables
            && ctx.text.get(reference.range.as_usize()) == Some(reference.written.as_str());
        if !literal {
            if every_reference {
                return None;
            }
            continue;
        }
        if reference.written != new_name {
            edits.push(Edit {
                range: reference.range,
                new_text: new_name.to_owned(),
            });
        }
    }
    Some(edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::facts::DockerfileFacts;
    use crate::semantic::analyze;
    use crate::syntax::dockerfile::parse;

    fn renamed(src: &str, index: usize, to: &str, every: bool) -> Option<String> {
        let parse = parse(src);
        let model = analyze(&parse);
        let facts = DockerfileFacts::default();
        let config = Config::default();
        let ctx = DockerfileContext::new(src, &parse, &model, &facts, &config);
        let mut edits = rename_stage(&ctx, index, to, every)?;
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        let mut out = src.to_owned();
        for e in edits {
            out.replace_range(e.range.as_usize(), &e.new_text);
        }
        Some(out)
    }

    #[test]
    fn renames_the_alias_and_named_references() {
        let src = "FROM a AS Build\nRUN x\nFROM Build AS child\n\
                   COPY --from=Build /a /b\nCOPY --from=0 /a /b\n\
                   RUN --mount=type=cache,from=BUILD,target=/x true\n";
        assert_eq!(
            renamed(src, 0, "build", true).unwrap(),
            "FROM a AS build\nRUN x\nFROM build AS child\n\
             COPY --from=build /a /b\nCOPY --from=0 /a /b\n\
             RUN --mount=type=cache,from=build,target=/x true\n"
        );
    }

    #[test]
    fn quoted_references_block_or_are_skipped() {
        let src = "FROM a AS Build\nFROM b\nCOPY --from=\"Build\" /a /b\n";
        assert_eq!(renamed(src, 0, "build", true), None);
        assert_eq!(
            renamed(src, 0, "build", false).unwrap(),
            "FROM a AS build\nFROM b\nCOPY --from=\"Build\" /a /b\n"
        );
    }

    #[test]
    fn a_from_naming_its_own_stage_is_an_image() {
        let src = "FROM scratch AS scratch\nFROM scratch\n";
        assert_eq!(
            renamed(src, 0, "scratch-stage", true).unwrap(),
            "FROM scratch AS scratch-stage\nFROM scratch-stage\n"
        );
    }
}
