//! What the shell rules need to know about a stage's image: which distribution it is built
//! on (so a fix does not suggest `bash` on Alpine or distroless), and whether the stage's
//! layers end up in an image someone ships.
//!
//! Deliberately small: a name-and-tag heuristic over well-known images. Anything else is
//! [`ImageFamily::Unknown`], and callers must treat that as "could be anything".

use crate::rules::DockerfileContext;
use crate::semantic::{BaseKind, DockerfileModel, ReferenceTarget, RunScript};
use crate::syntax::dockerfile::InstructionKind;

/// The distribution an image is built on, as far as its name and tag tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ImageFamily {
    /// Alpine: busybox `ash` as `/bin/sh`, no `bash` unless installed.
    Alpine,
    /// The `busybox` image: busybox `ash`, nothing else.
    Busybox,
    /// Debian, Ubuntu, and the official language images built on them (`node:22`,
    /// `python:3.12-slim`): `bash` is there.
    Debian,
    /// Fedora, CentOS, RHEL/UBI, Rocky, Alma, Oracle Linux, Amazon Linux: `bash` is there.
    RedHat,
    /// openSUSE and SLE: `bash` is there.
    Suse,
    /// Distroless, chiseled and similar images: no shell at all.
    NoShell,
    /// `FROM scratch`: an empty filesystem.
    Scratch,
    Unknown,
}

impl ImageFamily {
    /// Whether `/bin/bash` exists: `Some(true)` or `Some(false)` when known.
    pub fn has_bash(self) -> Option<bool> {
        match self {
            ImageFamily::Debian | ImageFamily::RedHat | ImageFamily::Suse => Some(true),
            ImageFamily::Alpine
            | ImageFamily::Busybox
            | ImageFamily::NoShell
            | ImageFamily::Scratch => Some(false),
            ImageFamily::Unknown => None,
        }
    }
}

/// Official images whose default variants are built on Debian or Ubuntu.
const DEBIAN_BASED: &[&str] = &[
    "buildpack-deps",
    "clojure",
    "debian",
    "eclipse-temurin",
    "elixir",
    "erlang",
    "gcc",
    "golang",
    "gradle",
    "haskell",
    "httpd",
    "julia",
    "maven",
    "mariadb",
    "mongo",
    "nginx",
    "node",
    "openjdk",
    "perl",
    "php",
    "postgres",
    "python",
    "r-base",
    "rabbitmq",
    "redis",
    "ruby",
    "rust",
    "swift",
    "ubuntu",
];

const REDHAT_BASED: &[&str] = &[
    "almalinux",
    "amazonlinux",
    "centos",
    "fedora",
    "oraclelinux",
    "rockylinux",
    "ubi",
    "ubi8",
    "ubi9",
    "ubi10",
    "ubi-minimal",
    "ubi8-minimal",
    "ubi9-minimal",
];

/// Debian and Ubuntu release names that appear in tags (`3.12-slim-bookworm`, `22-jammy`).
const DEBIAN_TAG_WORDS: &[&str] = &[
    "slim", "bookworm", "bullseye", "buster", "trixie", "jammy", "focal", "noble",
];

/// The family of an image, from its repository path (`library/node`, `gcr.io/distroless/static`
/// without the registry is fine) and tag.
pub(crate) fn image_family(name: &str, tag: Option<&str>) -> ImageFamily {
    let name = name.to_ascii_lowercase();
    let tag = tag.unwrap_or("").to_ascii_lowercase();
    let last = name.rsplit('/').next().unwrap_or(&name);
    let tag_words = || tag.split(['-', '.', '_']);
    if name.contains("distroless") || tag.contains("chiseled") || tag.contains("distroless") {
        return ImageFamily::NoShell;
    }
    if name.starts_with("chainguard/") || name.contains("/chainguard/") {
        // Chainguard images have a shell only in their `-dev` variants.
        return if tag_words().any(|w| w == "dev") {
            ImageFamily::Unknown
        } else {
            ImageFamily::NoShell
        };
    }
    if last == "alpine" || tag_words().any(|w| w.starts_with("alpine")) {
        return ImageFamily::Alpine;
    }
    if last == "busybox" {
        return ImageFamily::Busybox;
    }
    if REDHAT_BASED.contains(&last) || name.starts_with("redhat/") {
        return ImageFamily::RedHat;
    }
    if name.starts_with("opensuse/") || name.starts_with("suse/") || name.starts_with("bci/") {
        return ImageFamily::Suse;
    }
    let official = name.strip_prefix("library/").unwrap_or(&name);
    if DEBIAN_BASED.contains(&official) || tag_words().any(|w| DEBIAN_TAG_WORDS.contains(&w)) {
        return ImageFamily::Debian;
    }
    ImageFamily::Unknown
}

/// The family of a stage's image, following `FROM <stage>` to the image it starts from.
pub(crate) fn stage_family(model: &DockerfileModel, stage: usize) -> ImageFamily {
    let Some(root) = stage_chain(model, stage).last() else {
        return ImageFamily::Unknown;
    };
    let Some(base) = model.stage(root).and_then(|s| s.base.as_ref()) else {
        return ImageFamily::Unknown;
    };
    match &base.kind {
        BaseKind::Scratch => ImageFamily::Scratch,
        BaseKind::Image(_) => base
            .image_name()
            .map_or(ImageFamily::Unknown, |name| image_family(name, base.tag())),
        // A stage built from itself or a later stage (an error BuildKit reports).
        BaseKind::Stage(_) => ImageFamily::Unknown,
    }
}

/// Which stages' layers can end up in a shipped image, by stage index: the final stage, any
/// stage no other stage refers to (another `--target`), and the stages those are built
/// `FROM`. A stage only copied from (`COPY --from=build`) does not ship: what it leaves in
/// its own layers (package caches, apt lists) stays in the builder.
pub(crate) fn shipping_stages(model: &DockerfileModel) -> ShippingStages {
    let count = model.stages.len();
    let mut referenced = vec![false; count];
    for reference in &model.references {
        if let ReferenceTarget::Stage(index) = reference.target
            && let Some(slot) = referenced.get_mut(index)
        {
            *slot = true;
        }
    }
    let mut ships = vec![false; count];
    for target in (0..count).filter(|&i| i + 1 == count || !referenced[i]) {
        let mut index = target;
        // Each step goes to an earlier stage; a stage already marked has its chain marked.
        while !ships[index] {
            ships[index] = true;
            match model
                .stage(index)
                .and_then(|s| s.base.as_ref())
                .and_then(|b| b.stage())
            {
                Some(parent) if parent < index => index = parent,
                _ => break,
            }
        }
    }
    ShippingStages(ships)
}

/// A stage and the stages it is built from (`FROM <stage>`), nearest first.
pub(crate) fn stage_chain(
    model: &DockerfileModel,
    stage: usize,
) -> impl Iterator<Item = usize> + '_ {
    let mut next = model.stage(stage).map(|s| s.index);
    std::iter::from_fn(move || {
        let current = next?;
        // Each step goes to an earlier stage, so the chain ends.
        next = model
            .stage(current)
            .and_then(|s| s.base.as_ref())
            .and_then(|b| b.stage())
            .filter(|&parent| parent < current);
        Some(current)
    })
}

/// Where a tool gets configured for whole stages: per stage, the first RUN that writes
/// `setting` (a key as it appears in the tool's configuration files, such as
/// `APT::Install-Recommends`) or COPY/ADD that puts a file under `config_dir`. Settings are
/// compared without case.
///
/// The RUN's text is searched rather than its commands: a setting is data, written by
/// `echo '...' >` or in a heredoc body, not a command or an option.
pub(crate) struct ToolConfig {
    /// Per stage, the offset of the first instruction that configures the tool.
    first: Vec<Option<u32>>,
    setting: &'static str,
}

impl ToolConfig {
    pub fn new(ctx: &DockerfileContext<'_>, setting: &'static str, config_dir: &str) -> ToolConfig {
        let mut first: Vec<Option<u32>> = vec![None; ctx.model.stages.len()];
        // Only the stages the checked RUNs run in, and those they are built from, matter.
        let mut relevant = vec![false; ctx.model.stages.len()];
        for stage in ctx.checked_runs().filter_map(|r| r.stage) {
            for s in stage_chain(ctx.model, stage) {
                if let Some(slot) = relevant.get_mut(s) {
                    *slot = true;
                }
            }
        }
        let relevant = |stage: usize| relevant.get(stage).copied().unwrap_or(false);
        let mut note = |stage: usize, at: u32| {
            if let Some(slot) = first.get_mut(stage) {
                *slot = Some(slot.map_or(at, |known| known.min(at)));
            }
        };
        for stage in (0..ctx.model.stages.len()).filter(|&s| relevant(s)) {
            if let Some(run) = ctx.stage_runs(stage).find(|run| writes(ctx, run, setting)) {
                note(stage, run.instruction.start);
            }
        }
        for stage in ctx.model.stages.iter().filter(|s| relevant(s.index)) {
            let copied = ctx
                .stage_instructions(stage.index)
                .iter()
                .filter(|i| matches!(i.kind(), InstructionKind::Copy | InstructionKind::Add))
                .find(|i| {
                    i.as_copy()
                        .and_then(|c| c.destination())
                        .is_some_and(|dest| dest.text.starts_with(config_dir))
                });
            if let Some(copy) = copied {
                note(stage.index, copy.range().start);
            }
        }
        ToolConfig { first, setting }
    }

    /// Whether the tool is configured when `run` runs: by the RUN itself, or earlier in its
    /// stage or a stage it is built from.
    pub fn applies_to(&self, ctx: &DockerfileContext<'_>, run: &RunScript) -> bool {
        writes(ctx, run, self.setting)
            || run.stage.is_some_and(|stage| {
                stage_chain(ctx.model, stage).any(|s| {
                    self.first
                        .get(s)
                        .copied()
                        .flatten()
                        .is_some_and(|at| at <= run.instruction.start)
                })
            })
    }
}

fn writes(ctx: &DockerfileContext<'_>, run: &RunScript, setting: &str) -> bool {
    ctx.text
        .get(run.instruction.as_usize())
        .is_some_and(|text| contains_ignoring_case(text, setting))
}

fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    haystack.len() >= needle.len()
        && haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// See [`shipping_stages`].
pub(crate) struct ShippingStages(Vec<bool>);

impl ShippingStages {
    /// Whether the stage ships; instructions before the first `FROM` (`None`) count as
    /// shipped.
    pub fn contains(&self, stage: Option<usize>) -> bool {
        stage.is_none_or(|i| self.0.get(i).copied().unwrap_or(true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::analyze;
    use crate::syntax::dockerfile::parse;

    #[test]
    fn families_from_names_and_tags() {
        let cases = [
            ("library/node", Some("22-alpine"), ImageFamily::Alpine),
            ("node", Some("22-bookworm-slim"), ImageFamily::Debian),
            ("node", None, ImageFamily::Debian),
            ("alpine", Some("3.20"), ImageFamily::Alpine),
            ("python", Some("3.12-alpine3.20"), ImageFamily::Alpine),
            ("busybox", Some("1.36"), ImageFamily::Busybox),
            ("distroless/static-debian12", None, ImageFamily::NoShell),
            (
                "dotnet/runtime",
                Some("8.0-jammy-chiseled"),
                ImageFamily::NoShell,
            ),
            ("chainguard/node", Some("latest"), ImageFamily::NoShell),
            ("chainguard/node", Some("latest-dev"), ImageFamily::Unknown),
            ("ubi9/ubi-minimal", Some("9.4"), ImageFamily::RedHat),
            ("fedora", Some("40"), ImageFamily::RedHat),
            ("opensuse/leap", Some("15.6"), ImageFamily::Suse),
            ("acme/app", Some("1.0-bookworm"), ImageFamily::Debian),
            ("acme/app", Some("1.0"), ImageFamily::Unknown),
        ];
        for (name, tag, family) in cases {
            assert_eq!(image_family(name, tag), family, "{name}:{tag:?}");
        }
        assert_eq!(ImageFamily::Unknown.has_bash(), None);
        assert_eq!(ImageFamily::Alpine.has_bash(), Some(false));
    }

    #[test]
    fn stage_families_follow_from_chains() {
        let src = "ARG TAG=3.20\nFROM alpine:${TAG} AS a\nFROM a AS b\nFROM scratch\nFROM b\n";
        let model = analyze(&parse(src));
        assert_eq!(stage_family(&model, 1), ImageFamily::Alpine);
        assert_eq!(stage_family(&model, 2), ImageFamily::Scratch);
        assert_eq!(stage_family(&model, 3), ImageFamily::Alpine);
        assert_eq!(stage_family(&model, 9), ImageFamily::Unknown);
        assert_eq!(stage_chain(&model, 3).collect::<Vec<_>>(), [3, 1, 0]);
        assert_eq!(stage_chain(&model, 2).collect::<Vec<_>>(), [2]);
        assert_eq!(stage_chain(&model, 9).count(), 0);
    }

    #[test]
    fn builder_stages_do_not_ship() {
        let src = "FROM node:22 AS deps\nFROM deps AS build\nFROM node:22 AS base\n\
                   FROM base AS dev\nFROM base AS prod\nCOPY --from=build /app /app\n";
        let model = analyze(&parse(src));
        let shipping = shipping_stages(&model);
        let ships: Vec<bool> = (0..5).map(|i| shipping.contains(Some(i))).collect();
        // deps and build are only copied from; base is under both targets; dev is another
        // target; prod is the final stage.
        assert_eq!(ships, [false, false, true, true, true]);
        assert!(shipping.contains(None));
        let single = analyze(&parse("FROM alpine\nRUN true\n"));
        assert!(shipping_stages(&single).contains(Some(0)));
    }
}
