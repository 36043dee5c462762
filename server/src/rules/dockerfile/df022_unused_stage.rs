use super::stages::from_instructions;
use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::{ReferenceTarget, Stage};
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::Dockerfile;
use crate::text::similar::closest;

declare_rule! {
    /// ## What it does
    /// Reports a build stage that nothing uses: it is not the last stage, and no `FROM`,
    /// `COPY --from` or `RUN --mount=from=` names it. Stages whose name marks them as a
    /// `--target` of their own (`dev`, `test`, `debug`, `lint`, `ci`, `prod`, ...) are left
    /// alone, and so are stages with their own `CMD` or `ENTRYPOINT` (images meant to run,
    /// as in a file with one image per service), and a stage that a misspelt `--from`
    /// probably meant (DF003 reports that).
    ///
    /// ## Why is this bad?
    /// A plain `docker build` builds the last stage and only what it needs; BuildKit skips
    /// every other stage without a word. An unused stage is usually a leftover, or a
    /// reference that was meant to point at it and names something else: its work never
    /// reaches the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 node:20-alpine AS builder-amd64
    /// RUN npm ci && npm run build
    /// FROM --platform=linux/arm64 node:20-alpine AS builder-arm64
    /// RUN npm ci && npm run build
    /// FROM node:20-alpine
    /// COPY --from=builder-amd64 /app/dist ./dist
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM node:20-alpine AS builder
    /// RUN npm ci && npm run build
    /// FROM node:20-alpine
    /// COPY --from=builder /app/dist ./dist
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the stage may be built on purpose with `--target`.
    ///
    /// ## References
    /// - practices.md §2.2 (multi-stage builds), §4.3 (multi-architecture builds)
    /// - Multi-stage builds: <https://docs.docker.com/build/building/multi-stage/>
    pub const UNUSED_STAGE = {
        code: "DF022",
        name: "unused-stage",
        severity: Info,
        fixable: false,
        default_enabled: true,
        tag: Unnecessary,
    };
}

/// Name parts that say a stage is built on its own with `--target`.
const TARGET_WORDS: &[&str] = &[
    "dev",
    "devel",
    "develop",
    "development",
    "debug",
    "test",
    "tests",
    "testing",
    "e2e",
    "lint",
    "ci",
    "prod",
    "production",
    "release",
    "local",
    "docs",
];

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let stages = &ctx.model.stages;
    if stages.len() < 2 {
        return;
    }
    let mut used = vec![false; stages.len()];
    used[stages.len() - 1] = true;
    let names: Vec<&str> = stages
        .iter()
        .filter_map(|s| s.name.as_ref().map(|n| n.text.as_str()))
        .collect();
    for reference in &ctx.model.references {
        match reference.target {
            ReferenceTarget::Stage(target) if reference.stage != Some(target) => {
                if let Some(slot) = used.get_mut(target) {
                    *slot = true;
                }
            }
            // A misspelt `--from=dep` meant the stage `deps`: DF003 reports the typo, and the
            // stage is not unused, only misnamed.
            ReferenceTarget::Unknown => {
                if let Some(meant) = closest(&reference.expanded.text, names.iter().copied())
                    && let Some(stage) = ctx.model.stage_by_name(meant)
                {
                    used[stage.index] = true;
                }
            }
            _ => {}
        }
    }
    let candidates: Vec<&Stage> = stages
        .iter()
        .map(|s| &**s)
        .filter(|s| !used[s.index] && !is_target_name(s) && !is_runnable(s))
        .collect();
    if candidates.is_empty() {
        return;
    }
    // ONBUILD triggers run in images built from this one; a stage they name counts as used.
    let onbuild_text: Vec<String> = Dockerfile::new(&ctx.parse.tree)
        .instructions()
        .filter(|i| i.kind() == InstructionKind::Onbuild)
        .map(|i| i.args_text().to_lowercase())
        .collect();
    let froms = from_instructions(ctx);
    for stage in candidates {
        if named_in(&onbuild_text, stage) {
            continue;
        }
        let (range, label) = match &stage.name {
            Some(name) => (name.range, format!("the stage `{}`", name.text)),
            None => (
                froms
                    .get(stage.index)
                    .map_or(stage.from_range, |f| f.keyword().range),
                format!("stage {}", stage.index),
            ),
        };
        out.push(UNUSED_STAGE.diagnostic(
            range,
            format!(
                "{label} is never used: it is not the last stage and nothing copies from or \
                 builds on it, so a build without `--target` skips it"
            ),
        ));
    }
}

fn is_target_name(stage: &Stage) -> bool {
    stage.name.as_ref().is_some_and(|name| {
        name.lowercase
            .split(['-', '_', '.'])
            .any(|part| TARGET_WORDS.contains(&part))
    })
}

/// A stage with its own `CMD` or `ENTRYPOINT` is an image meant to run: in a file with
/// several such stages (a monorepo, an image per service), each is built with `--target`.
fn is_runnable(stage: &Stage) -> bool {
    stage
        .instructions
        .iter()
        .any(|i| matches!(i.kind, InstructionKind::Cmd | InstructionKind::Entrypoint))
}

fn named_in(onbuild_text: &[String], stage: &Stage) -> bool {
    let Some(name) = &stage.name else {
        return false;
    };
    onbuild_text.iter().any(|t| {
        t.contains(&format!("--from={}", name.lowercase))
            || t.contains(&format!("from={}", name.lowercase))
    })
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile;
    use crate::rules::testing;

    fn flagged(src: &str) -> Vec<String> {
        testing::findings("DF022", src)
            .into_iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    /// practices.md §4.3: only the amd64 builder is copied from.
    #[test]
    fn guide_multi_arch_example() {
        let src = "# AMD64\nFROM --platform=linux/amd64 node:20-alpine AS builder-amd64\n\n\
                   # ARM64\nFROM --platform=linux/arm64 node:20-alpine AS builder-arm64\n\n\
                   FROM node:20-alpine\nCOPY --from=builder-amd64 /app/dist ./dist\n";
        assert_eq!(flagged(src), ["builder-arm64"]);
    }

    #[test]
    fn references_of_every_kind_count() {
        let src = "FROM alpine AS a\nFROM alpine AS b\nFROM alpine AS c\nFROM a AS d\n\
                   FROM scratch\nCOPY --from=B /x /x\nCOPY --from=3 /y /y\n\
                   RUN --mount=type=bind,from=c,target=/c true\n";
        assert!(flagged(src).is_empty(), "{:?}", flagged(src));
    }

    #[test]
    fn unnamed_and_self_referencing_stages() {
        let src = "FROM alpine\nRUN x\nFROM alpine AS loop\nCOPY --from=loop /a /b\nFROM scratch\n";
        let texts = flagged(src);
        assert_eq!(texts, ["FROM", "loop"]);
        let found = check_dockerfile(src);
        assert!(
            found
                .iter()
                .any(|d| d.code == "DF022" && d.message.starts_with("stage 0"))
        );
    }

    #[test]
    fn a_misspelt_reference_is_left_to_df003() {
        let src = "FROM node:22 AS deps\nFROM node:22-slim\nCOPY --from=dep /a /b\n";
        assert!(flagged(src).is_empty());
    }

    #[test]
    fn target_stages_and_single_stage_files_pass() {
        let src = "FROM node:22 AS base\nFROM base AS dev\nFROM base AS test-unit\n\
                   FROM base AS production\nFROM base\n";
        assert!(flagged(src).is_empty());
        assert!(flagged("FROM alpine\n").is_empty());
        let src = "FROM alpine AS assets\nFROM alpine\nONBUILD COPY --from=assets /a /a\n";
        assert!(flagged(src).is_empty());
        // One image per service, each built with `--target`.
        let src = "FROM node:22 AS api\nCMD [\"node\", \"api.js\"]\n\
                   FROM python:3.12 AS worker\nENTRYPOINT [\"python\", \"-m\", \"worker\"]\n";
        assert!(flagged(src).is_empty());
    }
}
