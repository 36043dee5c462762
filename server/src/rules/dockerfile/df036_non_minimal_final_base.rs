use super::images::ImageName;
use super::stages::{from_instructions, lineage};
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::BaseKind;

declare_rule! {
    /// ## What it does
    /// Reports a final image built on the full tag of an official image that has smaller
    /// variants (`node:20`, `python:3.11`, `debian`, `ubuntu`).
    ///
    /// The images known are `node`, `python`, `ruby`, `golang`, `debian` and `ubuntu`; a tag
    /// with `-slim`, `-alpine` or another minimal variant passes. The final stage counts, or
    /// the stage it is built from; stages that only build are not reported, as a full image
    /// is fine there.
    ///
    /// ## Why is this bad?
    /// The full tags carry compilers, headers, source control and hundreds of packages that a
    /// running service never uses. The image is several times larger, slower to pull and
    /// start, and every extra package is one more thing for scanners to flag and attackers to
    /// use. `-slim` tags keep the same Debian base without the build tools; `-alpine` and
    /// distroless images are smaller still.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20 AS build
    /// RUN npm ci && npm run build
    /// FROM node:20
    /// COPY --from=build /app/dist /app
    /// CMD ["node", "/app/server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20 AS build
    /// RUN npm ci && npm run build
    /// FROM node:20-slim
    /// COPY --from=build /app/dist /app
    /// CMD ["node", "/app/server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// Display-only: the suggested tag is shown, never applied. A smaller image lacks tools
    /// the service may call at run time, and Alpine uses musl instead of glibc.
    ///
    /// ## References
    /// - practices.md §11 (minimal bases for the final stage), §2.2 (multi-stage builds)
    pub const NON_MINIMAL_FINAL_BASE = {
        code: "DF036",
        name: "non-minimal-final-base",
        severity: Info,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(last) = ctx.model.final_stage() else {
        return;
    };
    let Some(root) = lineage(ctx.model, last.index).last() else {
        return;
    };
    let Some(base) = root
        .base
        .as_ref()
        .filter(|b| matches!(b.kind, BaseKind::Image(_)))
    else {
        return;
    };
    let Some(image) = ImageName::of_base(base) else {
        return;
    };
    let Some(official) = image.official() else {
        return;
    };
    let tag = image.tag.unwrap_or("latest");
    let suggested = smaller_tag(official, tag);
    // Ubuntu has no slim tag: Debian's slim image is the nearest.
    let instead = match (&suggested, official) {
        (Some(tag), _) => format!("`{official}:{tag}`"),
        (None, "ubuntu") if is_full_tag(tag) => "`debian:stable-slim`".to_owned(),
        _ => return,
    };
    let anchor = last.base.as_ref().map_or(last.from_range, |b| b.range);
    let through = if root.index == last.index {
        String::new()
    } else {
        match &root.name {
            Some(name) => format!(" (through the stage `{}`)", name.text),
            None => format!(" (through stage {})", root.index),
        }
    };
    let message = format!(
        "the final image is built on `{}`{through}, a full image with build tools the service \
         does not need: {instead} is much smaller",
        base.expanded.text
    );
    let Some(suggested) = suggested else {
        out.push(NON_MINIMAL_FINAL_BASE.diagnostic(anchor, message));
        return;
    };
    // Show the tag swap where the tag is written, when it is written as it is read.
    let fix = from_instructions(ctx)
        .get(root.index)
        .and_then(|from| from.image())
        .filter(|i| ctx.text.get(i.range().as_usize()) == Some(base.expanded.text.as_str()))
        .filter(|_| image.digest.is_none())
        .map(|i| {
            let (range, new_text) = match i.tag() {
                Some(t) => (t.range, suggested.clone()),
                None => {
                    let end = i.range().end;
                    (
                        crate::syntax::TextRange::empty(end),
                        format!(":{suggested}"),
                    )
                }
            };
            Fix {
                title: format!("Use `{official}:{suggested}`"),
                applicability: Applicability::DisplayOnly,
                edits: vec![Edit { range, new_text }],
            }
        });
    out.push(match fix {
        Some(fix) => NON_MINIMAL_FINAL_BASE.diagnostic_with_fix(anchor, message, fix),
        None => NON_MINIMAL_FINAL_BASE.diagnostic(anchor, message),
    });
}

/// Whether a tag names a full image: no minimal (or Windows) variant in it.
fn is_full_tag(tag: &str) -> bool {
    let lower = tag.to_ascii_lowercase();
    !lower.split('-').any(|p| {
        [
            "slim",
            "alpine",
            "minimal",
            "distroless",
            "windowsservercore",
            "nanoserver",
        ]
        .iter()
        .any(|m| p.starts_with(m))
    })
}

/// Debian and Ubuntu release names that appear in tags.
const RELEASES: &[&str] = &[
    "trixie", "bookworm", "bullseye", "buster", "noble", "jammy", "focal",
];

/// The smaller tag to suggest for a full tag of an official image, or `None` when the tag
/// is already small (or not one this rule knows).
fn smaller_tag(image: &str, tag: &str) -> Option<String> {
    if !is_full_tag(tag) {
        return None;
    }
    let lower = tag.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('-').collect();
    let release = parts.last().filter(|p| RELEASES.contains(p));
    match image {
        // `node:20-bookworm-slim`
        "node" => Some(match release {
            Some(_) => format!("{tag}-slim"),
            None if lower == "latest" => "slim".to_owned(),
            None => format!("{tag}-slim"),
        }),
        // `python:3.12-slim-bookworm`
        "python" | "ruby" => Some(match release {
            Some(release) if parts.len() == 1 => format!("slim-{release}"),
            Some(release) => {
                let version = &tag[..tag.len() - release.len() - 1];
                format!("{version}-slim-{release}")
            }
            None if lower == "latest" => "slim".to_owned(),
            None => format!("{tag}-slim"),
        }),
        // No slim golang image: the toolchain belongs in a build stage.
        "golang" => Some(match release {
            Some(_) => "alpine".to_owned(),
            None if lower == "latest" => "alpine".to_owned(),
            None => format!("{tag}-alpine"),
        }),
        // `debian:bookworm-slim`; `debian:12` has `12-slim`.
        "debian" => Some(match lower.as_str() {
            "latest" | "stable" => "stable-slim".to_owned(),
            _ => format!("{tag}-slim"),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::smaller_tag;
    use crate::diagnostics::Applicability;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<crate::diagnostics::Diagnostic> {
        testing::findings("DF036", src)
    }

    #[test]
    fn suggested_tags() {
        assert_eq!(smaller_tag("node", "20").as_deref(), Some("20-slim"));
        assert_eq!(
            smaller_tag("node", "20-bookworm").as_deref(),
            Some("20-bookworm-slim")
        );
        assert_eq!(smaller_tag("node", "latest").as_deref(), Some("slim"));
        assert_eq!(smaller_tag("python", "3.11").as_deref(), Some("3.11-slim"));
        assert_eq!(
            smaller_tag("python", "3.12-bookworm").as_deref(),
            Some("3.12-slim-bookworm")
        );
        assert_eq!(
            smaller_tag("python", "bookworm").as_deref(),
            Some("slim-bookworm")
        );
        assert_eq!(
            smaller_tag("debian", "bookworm").as_deref(),
            Some("bookworm-slim")
        );
        assert_eq!(
            smaller_tag("debian", "latest").as_deref(),
            Some("stable-slim")
        );
        assert_eq!(
            smaller_tag("golang", "1.23").as_deref(),
            Some("1.23-alpine")
        );
        for small in [
            "20-alpine",
            "3.11-slim",
            "20-bookworm-slim",
            "alpine3.20",
            "slim",
        ] {
            assert_eq!(smaller_tag("node", small), None, "{small}");
        }
        assert_eq!(smaller_tag("nginx", "1.27"), None);
        assert_eq!(smaller_tag("ubuntu", "24.04"), None);
    }

    #[test]
    fn full_final_bases() {
        let src = "FROM node:20 AS build\nRUN npm ci\nFROM node:20\nCMD [\"node\", \"s.js\"]\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.as_usize()], "node:20");
        assert_eq!(
            src[..found[0].range.start as usize].matches('\n').count(),
            2
        );
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::DisplayOnly);
        assert_eq!(fix.edits[0].new_text, "20-slim");
        // Untagged: the tag is appended.
        let src = "FROM python\n";
        let found = findings(src);
        assert_eq!(found[0].fix.as_ref().unwrap().edits[0].new_text, ":slim");
        // Through a parent stage.
        let src = "FROM debian:bookworm AS base\nRUN x\nFROM base\n";
        let found = findings(src);
        assert_eq!(&src[found[0].range.as_usize()], "base");
        assert!(found[0].message.contains("through the stage `base`"));
        assert!(found[0].message.contains("`debian:bookworm-slim`"));
        // Ubuntu: a message, no tag to swap.
        let found = findings("FROM ubuntu:24.04\n");
        assert!(found[0].message.contains("`debian:stable-slim`"));
        assert!(found[0].fix.is_none());
    }

    #[test]
    fn small_final_bases_and_build_stages_pass() {
        for src in [
            "FROM node:20 AS build\nFROM node:20-alpine\n",
            "FROM python:3.11-slim\n",
            "FROM gcr.io/distroless/nodejs20-debian12\n",
            "FROM scratch\n",
            "FROM nginx:1.27\n",
            "ARG V\nFROM node:$V\n",
            "FROM ghcr.io/org/node:20\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
