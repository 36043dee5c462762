//! Which kind of file a document is: from its name, its language id, or its content.

use std::path::Path;

/// The kinds of file dockwise understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Dockerfile,
    Compose,
}

impl FileKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            FileKind::Dockerfile => "dockerfile",
            FileKind::Compose => "compose",
        }
    }

    /// From a file name: `Dockerfile`, `Containerfile`, `Dockerfile.*`, `*.Dockerfile`,
    /// `*.dockerfile`, `*.containerfile` (any case) are Dockerfiles; `compose.yaml`,
    /// `docker-compose.yml`, `compose.*.yaml`, `compose-dev.yml`, ... are compose files.
    pub fn from_path(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_str()?;
        Self::from_file_name(name)
    }

    pub fn from_file_name(name: &str) -> Option<FileKind> {
        let lower = name.to_ascii_lowercase();
        // `Dockerfile.dockerignore` is the per-Dockerfile ignore file, not a Dockerfile.
        if lower.ends_with(".dockerignore") {
            return None;
        }
        let dockerfile = ["dockerfile", "containerfile"].iter().any(|base| {
            lower == *base
                || lower.starts_with(&format!("{base}."))
                || lower.ends_with(&format!(".{base}"))
        });
        if dockerfile {
            return Some(FileKind::Dockerfile);
        }
        let stem = lower
            .strip_suffix(".yaml")
            .or_else(|| lower.strip_suffix(".yml"))?;
        let compose = ["docker-compose", "compose"].iter().any(|base| {
            stem.strip_prefix(base)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '-', '_']))
        });
        compose.then_some(FileKind::Compose)
    }

    /// From content, for a file whose name says nothing: YAML with a top-level `services:`
    /// (or `version:` / `name:` beside other top-level keys) is compose; anything else is
    /// treated as a Dockerfile.
    pub fn from_content(text: &str) -> FileKind {
        let compose_key = text.lines().any(|line| {
            ["services:", "version:", "volumes:", "networks:"]
                .iter()
                .any(|k| line.starts_with(k))
        });
        let dockerfile_start = text.lines().map(str::trim_start).any(|line| {
            let word = line.split_whitespace().next().unwrap_or("");
            word.eq_ignore_ascii_case("FROM")
        });
        if compose_key && !dockerfile_start {
            FileKind::Compose
        } else {
            FileKind::Dockerfile
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_names() {
        for name in [
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "Dockerfile.dev",
            "api.Dockerfile",
            "api.dockerfile",
            "web.containerfile",
        ] {
            assert_eq!(
                FileKind::from_file_name(name),
                Some(FileKind::Dockerfile),
                "{name}"
            );
        }
        for name in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yaml",
            "docker-compose.yml",
            "compose.prod.yaml",
            "docker-compose.override.yml",
            "compose-dev.yaml",
        ] {
            assert_eq!(
                FileKind::from_file_name(name),
                Some(FileKind::Compose),
                "{name}"
            );
        }
        for name in [
            "Dockerfile.dockerignore",
            ".dockerignore",
            "composer.yaml",
            "values.yaml",
            "README.md",
        ] {
            assert_eq!(FileKind::from_file_name(name), None, "{name}");
        }
    }

    #[test]
    fn kinds_from_content() {
        assert_eq!(
            FileKind::from_content("FROM alpine\nRUN true\n"),
            FileKind::Dockerfile
        );
        assert_eq!(
            FileKind::from_content("services:\n  web:\n    image: nginx\n"),
            FileKind::Compose
        );
        assert_eq!(FileKind::from_content(""), FileKind::Dockerfile);
    }
}
