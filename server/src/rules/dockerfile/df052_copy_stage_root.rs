use std::collections::HashMap;

use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::{BaseKind, ReferenceKind};

declare_rule! {
    /// ## What it does
    /// Reports `COPY --from=<stage> / /`: copying the whole filesystem of another stage of
    /// the file onto the root of this one. Stages built from `scratch` (which hold only what
    /// was copied into them) and stages that only name an image (`FROM tonistiigi/xx AS
    /// xx`, a common way to bring in helper files) are left alone.
    ///
    /// ## Why is this bad?
    /// Everything of the other stage comes along: its base image, compilers, package caches
    /// and build leftovers, which multi-stage builds exist to leave behind. Copy the paths
    /// the final image needs, or build the final stage `FROM` that stage if all of it is
    /// really wanted.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// WORKDIR /src
    /// RUN go build -o /out/app ./cmd/app
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build / /
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// WORKDIR /src
    /// RUN go build -o /out/app ./cmd/app
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which paths the image needs is for a person to decide.
    ///
    /// ## References
    /// - practices.md §2.2 (multi-stage builds)
    pub const COPY_STAGE_ROOT = {
        code: "DF052",
        name: "copy-stage-root",
        severity: Warning,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    // The stage each `COPY --from` names, by the instruction's start.
    let targets: HashMap<u32, usize> = ctx
        .model
        .references
        .iter()
        .filter(|r| r.kind == ReferenceKind::CopyFrom)
        .filter_map(|r| Some((r.instruction.start, r.target_stage()?)))
        .collect();
    if targets.is_empty() {
        return;
    }
    for instruction in ctx.checked_instructions() {
        if !ctx.should_check(instruction.range().start) {
            continue;
        }
        let Some(copy) = instruction.as_copy() else {
            continue;
        };
        let Some(dest) = copy.destination() else {
            continue;
        };
        if !is_root(&dest.text, true) {
            continue;
        }
        let Some(&target) = targets.get(&instruction.range().start) else {
            continue;
        };
        if !holds_a_full_filesystem(ctx, target) {
            continue;
        }
        let Some(source) = copy.sources().into_iter().find(|s| is_root(&s.text, false)) else {
            continue;
        };
        let name = ctx
            .model
            .stage(target)
            .and_then(|s| s.name.as_ref())
            .map_or_else(|| target.to_string(), |n| n.text.clone());
        out.push(COPY_STAGE_ROOT.diagnostic(
            source.range,
            format!(
                "this copies the whole filesystem of stage `{name}` onto `/`: its base \
                 image, tools and build leftovers all land in this image; copy only the \
                 paths it needs"
            ),
        ));
    }
}

/// `/`, `/.`, `.`, `./` (a source of another stage is relative to its root); a destination
/// must start with `/`.
fn is_root(path: &str, absolute: bool) -> bool {
    !path.is_empty()
        && (!absolute || path.starts_with('/'))
        && path
            .split('/')
            .all(|segment| segment.is_empty() || segment == ".")
}

/// A stage that is more than an alias of an image and not built up from `scratch`.
fn holds_a_full_filesystem(ctx: &DockerfileContext<'_>, index: usize) -> bool {
    let mut current = index;
    let mut has_instructions = false;
    // Each step goes to an earlier stage, so this ends.
    loop {
        let Some(stage) = ctx.model.stage(current) else {
            return false;
        };
        has_instructions |= !stage.instructions.is_empty();
        match stage.base.as_ref().map(|b| &b.kind) {
            Some(BaseKind::Stage(parent)) if *parent < current => current = *parent,
            Some(BaseKind::Image(_)) => return has_instructions,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn flagged(src: &str) -> Vec<String> {
        testing::findings("DF052", src)
            .into_iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn whole_stage_copied_onto_root() {
        let src = "FROM node:22 AS build\nRUN npm ci\nFROM build AS more\n\
                   FROM alpine\nCOPY --from=build / /\nCOPY --from=more ./ /.\nCOPY --from=0 . /\n";
        assert_eq!(flagged(src), ["/", "./", "."]);
    }

    #[test]
    fn scratch_stages_image_aliases_and_subdirectories_pass() {
        let src = "FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx\n\
                   FROM golang AS build\nRUN go build -o /out/app\n\
                   FROM scratch AS export\nCOPY --from=build /out/app /\n\
                   FROM alpine\nCOPY --from=xx / /\nCOPY --from=export / /\n\
                   COPY --from=build / /rootfs/\nCOPY --from=build /out /\n\
                   COPY --from=busybox:musl / /\nCOPY / /\n";
        assert!(flagged(src).is_empty(), "{:?}", flagged(src));
    }
}
