//! Document links: FROM images to their registry pages, COPY/ADD sources to files.
//!
//! Images link to the page of their repository on the registries that have public pages
//! (Docker Hub, GitHub, Quay, Google, Microsoft and Amazon ECR Public); images on other
//! registries, `scratch`, stages and references whose value still depends on an unknown
//! variable get no link. Besides `FROM`, images named by `COPY --from=` and a mount's `from=`
//! link too.
//!
//! `COPY`/`ADD` sources link to the file or directory in the build context, as a path the LSP
//! layer resolves against the Dockerfile's directory (the usual context). Sources that are not
//! plain context paths get no link: `--from` copies, URLs, heredocs, globs, variables, and
//! triggers of `ONBUILD` (which copy from another build's context).

use super::{DockerfileAnalysis, DocumentLink, LinkTarget};
use crate::semantic::{BaseKind, ReferenceTarget};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::ast::{Dockerfile, Instruction, Spanned};
use crate::syntax::dockerfile::{InstructionKind, split_image_ref};

pub fn document_links(analysis: &DockerfileAnalysis) -> Vec<DocumentLink> {
    let mut links = image_links(analysis);
    let file = Dockerfile::new(&analysis.parse.tree);
    for instruction in file.instructions() {
        if matches!(
            instruction.kind(),
            InstructionKind::Copy | InstructionKind::Add
        ) {
            links.extend(source_links(&instruction, analysis.model.escape));
        }
    }
    links.sort_by_key(|l| (l.range.start, l.range.end));
    links
}

// ---- Images ----

fn image_links(analysis: &DockerfileAnalysis) -> Vec<DocumentLink> {
    let model = &analysis.model;
    let from_images = model.stages.iter().filter_map(|stage| {
        let base = stage.base.as_ref()?;
        let BaseKind::Image(parts) = &base.kind else {
            return None;
        };
        let text = base.expanded.exact_text()?;
        let registry = parts.registry.clone().and_then(|r| text.get(r));
        let name = text.get(parts.name.clone())?;
        image_link(base.range, registry, name)
    });
    let flag_images = model
        .references
        .iter()
        .filter(|r| r.target == ReferenceTarget::Image)
        .filter_map(|reference| {
            let text = reference.expanded.exact_text()?;
            let parts = split_image_ref(text);
            let registry = parts.registry.and_then(|r| text.get(r));
            let name = text.get(parts.name)?;
            image_link(reference.range, registry, name)
        });
    from_images.chain(flag_images).collect()
}

fn image_link(range: TextRange, registry: Option<&str>, name: &str) -> Option<DocumentLink> {
    let (url, site) = registry_page(registry, name)?;
    Some(DocumentLink {
        range,
        target: LinkTarget::Url(url),
        tooltip: Some(format!("Open {name} on {site}")),
    })
}

/// The web page of repository `name` on `registry` (Docker Hub when absent), and the site's
/// name for the tooltip.
fn registry_page(registry: Option<&str>, name: &str) -> Option<(String, &'static str)> {
    if !is_plain_repository(name) {
        return None;
    }
    let registry = registry.map(str::to_ascii_lowercase);
    let page = match registry.as_deref() {
        None
        | Some(
            "docker.io" | "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com",
        ) => {
            let official = name.strip_prefix("library/").unwrap_or(name);
            if official.contains('/') {
                (format!("https://hub.docker.com/r/{name}"), "Docker Hub")
            } else {
                (format!("https://hub.docker.com/_/{official}"), "Docker Hub")
            }
        }
        Some("ghcr.io") => (
            format!("https://ghcr.io/{name}"),
            "GitHub Container Registry",
        ),
        Some("quay.io") => (format!("https://quay.io/repository/{name}"), "Quay"),
        Some(host) if host == "gcr.io" || host.ends_with(".gcr.io") => (
            format!("https://{host}/{name}"),
            "Google Container Registry",
        ),
        Some("mcr.microsoft.com") => (
            format!("https://mcr.microsoft.com/artifact/mar/{name}"),
            "Microsoft Artifact Registry",
        ),
        Some("public.ecr.aws") => (
            format!("https://gallery.ecr.aws/{name}"),
            "Amazon ECR Public Gallery",
        ),
        Some(_) => return None,
    };
    Some(page)
}

/// A repository path as registries accept it: lowercase components of letters, digits and
/// separators. Anything else (an unexpanded `${...}`, a typo) would make a broken URL.
fn is_plain_repository(name: &str) -> bool {
    !name.is_empty()
        && name.split('/').all(|component| {
            !component.is_empty()
                && component.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
        })
}

// ---- Sources in the build context ----

fn source_links(instruction: &Instruction<'_>, escape: char) -> Vec<DocumentLink> {
    let Some(copy) = instruction.as_copy() else {
        return Vec::new();
    };
    if copy.from().is_some() {
        return Vec::new();
    }
    let sources: Vec<(TextRange, String)> = match instruction.json() {
        Some(json) => {
            let mut strings = json.strings();
            strings.pop();
            strings
                .into_iter()
                .map(|s| (inside_json_quotes(s.range), s.text.into_owned()))
                .collect()
        }
        None => {
            let mut words: Vec<_> = instruction.words().collect();
            words.pop();
            words
                .into_iter()
                .filter(|w| !w.is_heredoc_marker())
                .filter_map(|w| Some((word_range(&w.spanned())?, w.unquoted(escape))))
                .collect()
        }
    };
    sources
        .into_iter()
        .filter_map(|(range, path)| source_link(range, &path))
        .collect()
}

fn source_link(range: TextRange, path: &str) -> Option<DocumentLink> {
    let is_url = path.contains("://") || path.starts_with("git@");
    if is_url || path.contains(['$', '*', '?', '[']) {
        return None;
    }
    // Sources are relative to the context root, even when written with a leading `/`.
    let relative = path.trim_start_matches('/');
    if matches!(relative, "" | "." | "./") {
        return None;
    }
    Some(DocumentLink {
        range,
        target: LinkTarget::RelativePath(relative.to_owned()),
        tooltip: Some(format!("Open {relative} in the build context")),
    })
}

/// The range of a word's path: inside its quotes when quoted whole. `None` for a word with
/// stray quotes: COPY splits its shell form at whitespace, quotes or not, so `"two words"`
/// is two broken words that name no file.
fn word_range(word: &Spanned<'_>) -> Option<TextRange> {
    let text = word.text.as_ref();
    let quoted_whole = text.len() >= 2
        && ((text.starts_with('"') && text.ends_with('"'))
            || (text.starts_with('\'') && text.ends_with('\'')));
    if quoted_whole && word.range.len() as usize == text.len() {
        return Some(TextRange::new(word.range.start + 1, word.range.end - 1));
    }
    (!text.contains(['"', '\''])).then_some(word.range)
}

/// A JSON string's range without its quotes.
fn inside_json_quotes(range: TextRange) -> TextRange {
    if range.len() >= 2 {
        TextRange::new(range.start + 1, range.end - 1)
    } else {
        range
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_util::slice;

    fn links(src: &str) -> Vec<(String, String)> {
        let analysis = DockerfileAnalysis::new(src);
        document_links(&analysis)
            .into_iter()
            .map(|l| {
                let target = match l.target {
                    LinkTarget::Url(url) => url,
                    LinkTarget::RelativePath(path) => path,
                };
                (slice(&analysis, l.range).to_owned(), target)
            })
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn images_link_to_their_registry_pages() {
        let src = "ARG V=3.20\n\
                   FROM alpine:${V} AS a\n\
                   FROM library/node:20\n\
                   FROM docker.io/bitnami/redis@sha256:abc\n\
                   FROM ghcr.io/org/tool:1\n\
                   FROM quay.io/prometheus/node-exporter\n\
                   FROM gcr.io/distroless/static\n\
                   FROM us.gcr.io/proj/img\n\
                   FROM mcr.microsoft.com/dotnet/sdk:8.0\n\
                   FROM public.ecr.aws/lambda/python:3.12\n\
                   FROM registry.example.com:5000/private/img\n\
                   FROM scratch\n\
                   FROM a\n\
                   FROM $UNKNOWN\n\
                   FROM alpine:$TARGETARCH\n\
                   COPY --from=busybox:1 /bin/sh /sh\n\
                   RUN --mount=from=nginx:1,target=/n true\n";
        assert_eq!(
            links(src),
            pairs(&[
                ("alpine:${V}", "https://hub.docker.com/_/alpine"),
                ("library/node:20", "https://hub.docker.com/_/node"),
                (
                    "docker.io/bitnami/redis@sha256:abc",
                    "https://hub.docker.com/r/bitnami/redis"
                ),
                ("ghcr.io/org/tool:1", "https://ghcr.io/org/tool"),
                (
                    "quay.io/prometheus/node-exporter",
                    "https://quay.io/repository/prometheus/node-exporter"
                ),
                (
                    "gcr.io/distroless/static",
                    "https://gcr.io/distroless/static"
                ),
                ("us.gcr.io/proj/img", "https://us.gcr.io/proj/img"),
                (
                    "mcr.microsoft.com/dotnet/sdk:8.0",
                    "https://mcr.microsoft.com/artifact/mar/dotnet/sdk"
                ),
                (
                    "public.ecr.aws/lambda/python:3.12",
                    "https://gallery.ecr.aws/lambda/python"
                ),
                ("busybox:1", "https://hub.docker.com/_/busybox"),
                ("nginx:1", "https://hub.docker.com/_/nginx"),
            ])
        );
        let analysis = DockerfileAnalysis::new("FROM alpine\n");
        assert_eq!(
            document_links(&analysis)[0].tooltip.as_deref(),
            Some("Open alpine on Docker Hub")
        );
    }

    #[test]
    fn copy_sources_link_to_the_context() {
        let src = "FROM scratch AS build\n\
                   COPY src/ package.json \"quoted.txt\" \"two words\" /app/\n\
                   ADD /abs/dir ./rel https://example.com/x.tgz git@github.com:o/r.git /d/\n\
                   COPY [\"json src\", \"other\", \"/dest\"]\n\
                   COPY *.txt $DIR/a ./ . /dest/\n\
                   COPY --from=build /out /out\n\
                   COPY <<EOF notes.md /dest/\nbody\nEOF\n\
                   COPY only-one\n\
                   ONBUILD COPY trigger.txt /x\n";
        assert_eq!(
            links(src),
            pairs(&[
                ("src/", "src/"),
                ("package.json", "package.json"),
                ("quoted.txt", "quoted.txt"),
                ("/abs/dir", "abs/dir"),
                ("./rel", "./rel"),
                ("json src", "json src"),
                ("other", "other"),
                ("notes.md", "notes.md"),
            ])
        );
    }

    #[test]
    fn broken_files_do_not_panic() {
        for src in [
            "",
            "FROM",
            "FROM :\nFROM @\nFROM /\nFROM a//b\nFROM A/B\n",
            "FROM a\nCOPY\nADD x\nCOPY [\nCOPY [\"a\"\n",
            "FROM a\nCOPY \"\" '' /d\nCOPY \" /d\n",
            "FROM ${X:-}\nCOPY --from= a b\n",
        ] {
            let analysis = DockerfileAnalysis::new(src);
            for link in document_links(&analysis) {
                assert!(link.range.end as usize <= src.len());
            }
        }
    }
}
