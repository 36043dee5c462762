//! What dockwise knows about well-known base images: which userland an image has (Alpine,
//! Debian or Ubuntu, distroless, scratch), which language runtime it ships, whether it runs as
//! a non-root user by default, and whether it has a shell, `curl` or `wget`.
//!
//! Only facts that hold for the images themselves live here (official Docker Hub images,
//! `gcr.io/distroless/*`, `cgr.dev/chainguard/*`, and what tags such as `-alpine` or `-slim`
//! mean). Whether a Dockerfile installs a tool on top is for the rules to find out. Every
//! answer may be "not known" (`None`): rules must stay quiet then.
//!
//! Sources: the Dockerfiles of the official images (docker-library), whose full tags are
//! built on `buildpack-deps` (curl, wget, git) and whose `-slim` tags have neither curl nor
//! wget; the distroless README (no shell, no package manager; `:debug` tags add busybox); and
//! Chainguard's image docs (non-root by default; `-dev` tags add a shell and apk).

use crate::semantic::{BaseKind, StageBase};
use crate::syntax::dockerfile::split_image_ref;

/// An image reference split into the parts rules look at, with Docker Hub's defaults made
/// explicit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ImageName<'a> {
    /// The registry as written, or `docker.io` for bare names (Docker Hub's other host names
    /// are reported as `docker.io` too).
    pub registry: &'a str,
    /// The repository path without Docker Hub's `library/` prefix: `node`, `bitnami/redis`,
    /// `distroless/static`.
    pub repository: &'a str,
    /// The tag, without `:`.
    pub tag: Option<&'a str>,
    /// The digest, without `@`.
    pub digest: Option<&'a str>,
}

/// The registry of names without a registry part.
pub(crate) const DOCKER_HUB: &str = "docker.io";

impl<'a> ImageName<'a> {
    /// Splits a complete image reference (no unexpanded variables).
    pub fn parse(text: &'a str) -> ImageName<'a> {
        let parts = split_image_ref(text);
        let registry = parts
            .registry
            .and_then(|r| text.get(r))
            .map_or(DOCKER_HUB, |r| {
                if is_docker_hub_host(r) { DOCKER_HUB } else { r }
            });
        let mut repository = text.get(parts.name).unwrap_or("");
        if registry == DOCKER_HUB {
            repository = repository.strip_prefix("library/").unwrap_or(repository);
        }
        ImageName {
            registry,
            repository,
            tag: parts.tag.and_then(|r| text.get(r)),
            digest: parts.digest.and_then(|r| text.get(r)),
        }
    }

    /// The image a stage's `FROM` names, when it is an image whose name is fully known (no
    /// variable without a value, none undefined). `None` for stages, `scratch` and partly
    /// known names.
    pub fn of_base(base: &'a StageBase) -> Option<ImageName<'a>> {
        match &base.kind {
            BaseKind::Image(_) if base.expanded.undefined.is_empty() => {
                base.expanded.exact_text().map(ImageName::parse)
            }
            _ => None,
        }
    }

    /// A Docker Hub image.
    pub fn is_docker_hub(&self) -> bool {
        self.registry == DOCKER_HUB
    }

    /// A Docker official image (`node`, `python`, `alpine`): on Docker Hub, no namespace.
    pub fn is_official(&self) -> bool {
        self.is_docker_hub() && !self.repository.contains('/')
    }

    /// The official image's name (`node` for `node`, `library/node`, `docker.io/node`).
    pub fn official(&self) -> Option<&'a str> {
        self.is_official().then_some(self.repository)
    }
}

fn is_docker_hub_host(host: &str) -> bool {
    ["docker.io", "index.docker.io", "registry-1.docker.io"]
        .iter()
        .any(|h| host.eq_ignore_ascii_case(h))
}

/// The userland an image is built on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// An empty filesystem.
    Scratch,
    /// Alpine Linux: busybox (`sh`, `wget`, `adduser`), no `curl`.
    Alpine,
    /// Debian or Ubuntu (`useradd`, `groupadd`).
    Debian,
    /// Distroless-style images (`gcr.io/distroless/*`, `cgr.dev/chainguard/*`): no package
    /// manager, and no shell unless a debug or dev tag.
    Distroless,
    /// Anything else.
    Unknown,
}

/// A language runtime an image ships.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Runtime {
    Node,
    Python,
}

/// A program a rule may want to run in the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tool {
    /// `/bin/sh`, which shell-form `RUN`, `CMD`, `ENTRYPOINT` and `HEALTHCHECK` need.
    Shell,
    Curl,
    Wget,
}

/// What is known about a base image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ImageFacts {
    pub family: Family,
    /// The runtime and the command that starts it (`node`, `/nodejs/bin/node`).
    pub runtime: Option<(Runtime, &'static str)>,
    /// Runs as a non-root user unless told otherwise.
    pub nonroot: bool,
    /// Has the official `node` image's `node` user (uid 1000).
    pub node_user: bool,
    shell: Option<bool>,
    curl: Option<bool>,
    wget: Option<bool>,
}

impl ImageFacts {
    fn unknown() -> Self {
        ImageFacts {
            family: Family::Unknown,
            runtime: None,
            nonroot: false,
            node_user: false,
            shell: None,
            curl: None,
            wget: None,
        }
    }

    /// `FROM scratch`: nothing at all.
    pub fn scratch() -> Self {
        ImageFacts {
            family: Family::Scratch,
            shell: Some(false),
            curl: Some(false),
            wget: Some(false),
            ..ImageFacts::unknown()
        }
    }

    /// Whether the image itself ships `tool` (`None`: not known).
    pub fn ships(&self, tool: Tool) -> Option<bool> {
        match tool {
            Tool::Shell => self.shell,
            Tool::Curl => self.curl,
            Tool::Wget => self.wget,
        }
    }

    /// What is known about the image `name`.
    pub fn of(name: &ImageName<'_>) -> Self {
        let repository = name.repository.to_ascii_lowercase();
        let tag = name.tag.unwrap_or("latest").to_ascii_lowercase();
        let registry = name.registry.to_ascii_lowercase();
        let mut facts = if registry == "gcr.io" && repository.starts_with("distroless/") {
            distroless(&repository["distroless/".len()..], &tag)
        } else if registry == "cgr.dev" && repository.starts_with("chainguard/") {
            chainguard(&repository["chainguard/".len()..], &tag)
        } else if let Some(official) = name.official() {
            official_image(&official.to_ascii_lowercase(), &tag)
        } else {
            from_tag(&tag)
        };
        facts.nonroot |= tag_says_nonroot(&tag) || repository_says_nonroot(&repository);
        facts
    }

    /// What is known about the image a stage's root base names; `None` when the name is not
    /// fully known.
    pub fn of_base(base: &StageBase) -> Option<Self> {
        match &base.kind {
            BaseKind::Scratch => Some(ImageFacts::scratch()),
            BaseKind::Image(_) => ImageName::of_base(base).map(|n| ImageFacts::of(&n)),
            BaseKind::Stage(_) => None,
        }
    }
}

/// `gcr.io/distroless/<image>:<tag>`.
fn distroless(image: &str, tag: &str) -> ImageFacts {
    let debug = tag.contains("debug");
    let runtime = if image.starts_with("nodejs") {
        Some((Runtime::Node, "/nodejs/bin/node"))
    } else if image.starts_with("python") {
        Some((Runtime::Python, "python3"))
    } else {
        None
    };
    ImageFacts {
        family: Family::Distroless,
        runtime,
        shell: Some(debug),
        curl: Some(false),
        // The debug tags' busybox has `wget`.
        wget: Some(debug),
        ..ImageFacts::unknown()
    }
}

/// `cgr.dev/chainguard/<image>:<tag>`: non-root by default; `-dev` tags add a shell.
fn chainguard(image: &str, tag: &str) -> ImageFacts {
    let dev = tag == "dev" || tag.ends_with("-dev") || tag.contains("-dev-");
    let runtime = match image {
        "node" => Some((Runtime::Node, "node")),
        "python" => Some((Runtime::Python, "python")),
        _ => None,
    };
    ImageFacts {
        family: Family::Distroless,
        runtime,
        nonroot: true,
        shell: Some(dev),
        curl: if dev { None } else { Some(false) },
        wget: if dev { None } else { Some(false) },
        ..ImageFacts::unknown()
    }
}

/// Docker official images.
fn official_image(name: &str, tag: &str) -> ImageFacts {
    match name {
        "alpine" => alpine(Some(false)),
        // The plain distribution images have neither curl nor wget.
        "debian" | "ubuntu" => debian(Some(false), Some(false)),
        // What the full language images are built on: curl and wget in every variant.
        "buildpack-deps" => debian(Some(true), Some(true)),
        "busybox" => ImageFacts {
            shell: Some(true),
            wget: Some(true),
            curl: Some(false),
            ..ImageFacts::unknown()
        },
        "node" | "python" | "ruby" | "golang" => {
            let mut facts = if is_windows_tag(tag) {
                ImageFacts::unknown()
            } else if has_token(tag, "alpine") {
                alpine(Some(false))
            } else if has_token(tag, "slim") {
                debian(Some(false), Some(false))
            } else {
                // Full tags are built on buildpack-deps, which has curl and wget.
                debian(Some(true), Some(true))
            };
            match name {
                "node" => {
                    facts.runtime = Some((Runtime::Node, "node"));
                    facts.node_user = !is_windows_tag(tag);
                }
                "python" => facts.runtime = Some((Runtime::Python, "python")),
                _ => {}
            }
            facts
        }
        _ => from_tag(tag),
    }
}

/// What a tag alone says about an image of unknown make: `-alpine` is Alpine (busybox has
/// `wget`), `-slim` or a Debian or Ubuntu release name is Debian; which other tools are there
/// is not known.
fn from_tag(tag: &str) -> ImageFacts {
    if is_windows_tag(tag) {
        ImageFacts::unknown()
    } else if has_token(tag, "alpine") {
        alpine(None)
    } else if DEBIAN_TAG_WORDS.iter().any(|w| has_token(tag, w)) {
        debian(None, None)
    } else {
        ImageFacts::unknown()
    }
}

fn alpine(curl: Option<bool>) -> ImageFacts {
    ImageFacts {
        family: Family::Alpine,
        shell: Some(true),
        wget: Some(true),
        curl,
        ..ImageFacts::unknown()
    }
}

fn debian(curl: Option<bool>, wget: Option<bool>) -> ImageFacts {
    ImageFacts {
        family: Family::Debian,
        shell: Some(true),
        curl,
        wget,
        ..ImageFacts::unknown()
    }
}

/// Tag words that mean a Debian or Ubuntu userland.
const DEBIAN_TAG_WORDS: &[&str] = &[
    "slim", "debian", "ubuntu", "trixie", "bookworm", "bullseye", "buster", "stretch", "noble",
    "jammy", "focal", "bionic",
];

/// Whether `tag` has `word` as one of its `-`/`.`/`_`-separated parts, or as the start of
/// one followed by a version (`alpine3.20`).
fn has_token(tag: &str, word: &str) -> bool {
    tag.split(['-', '_']).any(|part| {
        part.strip_prefix(word)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit()))
    })
}

fn is_windows_tag(tag: &str) -> bool {
    tag.contains("windowsservercore") || tag.contains("nanoserver")
}

fn tag_says_nonroot(tag: &str) -> bool {
    has_token(tag, "nonroot") || has_token(tag, "rootless") || has_token(tag, "unprivileged")
}

fn repository_says_nonroot(repository: &str) -> bool {
    let last = repository.rsplit('/').next().unwrap_or(repository);
    last.ends_with("-unprivileged") || last.ends_with("-rootless") || last.ends_with("-nonroot")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(reference: &str) -> ImageFacts {
        ImageFacts::of(&ImageName::parse(reference))
    }

    #[test]
    fn names_get_docker_hub_defaults() {
        let n = ImageName::parse("node:20-alpine");
        assert_eq!(
            (n.registry, n.repository, n.tag, n.digest),
            ("docker.io", "node", Some("20-alpine"), None)
        );
        assert!(n.is_official());
        let n = ImageName::parse("docker.io/library/python:3.12@sha256:abc");
        assert_eq!(n.official(), Some("python"));
        assert_eq!(n.digest, Some("sha256:abc"));
        let n = ImageName::parse("index.docker.io/bitnami/redis");
        assert_eq!((n.registry, n.repository), ("docker.io", "bitnami/redis"));
        assert!(!n.is_official());
        let n = ImageName::parse("ghcr.io/library/node:20");
        assert_eq!((n.registry, n.repository), ("ghcr.io", "library/node"));
        let n = ImageName::parse("localhost:5000/app");
        assert_eq!(
            (n.registry, n.repository, n.tag),
            ("localhost:5000", "app", None)
        );
    }

    #[test]
    fn official_language_images() {
        let full = facts("node:20");
        assert_eq!(full.family, Family::Debian);
        assert_eq!(full.runtime, Some((Runtime::Node, "node")));
        assert!(full.node_user && !full.nonroot);
        assert_eq!(full.ships(Tool::Curl), Some(true));
        assert_eq!(full.ships(Tool::Wget), Some(true));

        let alpine = facts("node:20-alpine3.20");
        assert_eq!(alpine.family, Family::Alpine);
        assert_eq!(alpine.ships(Tool::Curl), Some(false));
        assert_eq!(alpine.ships(Tool::Wget), Some(true));
        assert_eq!(alpine.ships(Tool::Shell), Some(true));

        let slim = facts("python:3.12-slim-bookworm");
        assert_eq!(slim.family, Family::Debian);
        assert_eq!(slim.runtime, Some((Runtime::Python, "python")));
        assert_eq!(slim.ships(Tool::Curl), Some(false));
        assert_eq!(slim.ships(Tool::Wget), Some(false));

        assert_eq!(facts("golang:1.23").ships(Tool::Curl), Some(true));
        assert_eq!(facts("golang:1.23").runtime, None);
        assert_eq!(facts("python").family, Family::Debian);
        let windows = facts("python:3.12-windowsservercore");
        assert_eq!(windows.family, Family::Unknown);
        assert_eq!(windows.ships(Tool::Shell), None);
    }

    #[test]
    fn distribution_images() {
        let alpine = facts("alpine:3.20");
        assert_eq!(alpine.family, Family::Alpine);
        assert_eq!(alpine.ships(Tool::Curl), Some(false));
        let debian = facts("debian:bookworm-slim");
        assert_eq!(debian.family, Family::Debian);
        assert_eq!(debian.ships(Tool::Wget), Some(false));
        assert_eq!(facts("ubuntu:24.04").family, Family::Debian);
        assert_eq!(facts("busybox").ships(Tool::Wget), Some(true));
        let bp = facts("buildpack-deps:bookworm-scm");
        assert_eq!(
            (bp.family, bp.ships(Tool::Curl)),
            (Family::Debian, Some(true))
        );
    }

    #[test]
    fn distroless_and_chainguard() {
        let static_ = facts("gcr.io/distroless/static-debian12");
        assert_eq!(static_.family, Family::Distroless);
        assert_eq!(static_.ships(Tool::Shell), Some(false));
        assert_eq!(static_.ships(Tool::Curl), Some(false));
        assert!(!static_.nonroot);
        assert!(facts("gcr.io/distroless/static-debian12:nonroot").nonroot);
        let debug = facts("gcr.io/distroless/base:debug-nonroot");
        assert_eq!(debug.ships(Tool::Shell), Some(true));
        assert!(debug.nonroot);
        let node = facts("gcr.io/distroless/nodejs20-debian12");
        assert_eq!(node.runtime, Some((Runtime::Node, "/nodejs/bin/node")));
        assert_eq!(
            facts("gcr.io/distroless/python3").runtime.map(|r| r.0),
            Some(Runtime::Python)
        );

        let cg = facts("cgr.dev/chainguard/node:latest");
        assert_eq!(cg.family, Family::Distroless);
        assert!(cg.nonroot);
        assert_eq!(cg.ships(Tool::Shell), Some(false));
        assert_eq!(
            facts("cgr.dev/chainguard/python:latest-dev").ships(Tool::Shell),
            Some(true)
        );
    }

    #[test]
    fn other_images_by_tag() {
        let custom = facts("registry.example.com/team/base:1.4-alpine");
        assert_eq!(custom.family, Family::Alpine);
        assert_eq!(custom.ships(Tool::Curl), None);
        let custom = facts("ghcr.io/org/app:2.0-bookworm");
        assert_eq!(custom.family, Family::Debian);
        assert_eq!(custom.ships(Tool::Wget), None);
        let unknown = facts("mycompany/base:1.0");
        assert_eq!(unknown.family, Family::Unknown);
        assert_eq!(unknown.ships(Tool::Shell), None);
        // `alpine` must be a word of the tag, not any substring.
        assert_eq!(facts("org/app:notalpine").family, Family::Unknown);
        assert!(facts("nginxinc/nginx-unprivileged:1.27").nonroot);
        assert!(facts("org/app:1.0-nonroot").nonroot);
        assert!(!facts("org/app:1.0").nonroot);
    }

    #[test]
    fn scratch_has_nothing() {
        let s = ImageFacts::scratch();
        assert_eq!(s.family, Family::Scratch);
        for tool in [Tool::Shell, Tool::Curl, Tool::Wget] {
            assert_eq!(s.ships(tool), Some(false));
        }
    }
}
