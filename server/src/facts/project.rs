//! Reading the files around a compose file: `.env`, `env_file`s, the Dockerfiles its
//! services build (summarised for the compose rules), and `.gitignore`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::compose::{
    BuildFact, BuiltImage, ComposeFacts, DockerfileSummary, EnvFileFact, EnvVars, ProjectFacts,
};
use super::{FactsCache, read_small};
use crate::semantic::BaseKind;
use crate::syntax::compose::{NodeId, NodeKind, YamlTree};
use crate::syntax::dockerfile::InstructionKind;

/// How many folders up a repository root (a folder with `.git`) is looked for.
const MAX_PARENTS: usize = 32;

impl FactsCache {
    /// The facts for the compose file at `path` with this text.
    pub fn compose_facts(&mut self, path: &Path, text: &str) -> ComposeFacts {
        let parse = crate::syntax::compose::parse(text);
        self.compose_facts_for(path, &parse.tree)
    }

    /// The facts for the compose file at `path` whose YAML tree is `tree`: its `.env`, the
    /// `env_file`s and Dockerfiles the tree names. Each file is read once until invalidated.
    pub fn compose_facts_for(&mut self, path: &Path, tree: &YamlTree) -> ComposeFacts {
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        let Some(dir) = path.parent() else {
            return ComposeFacts {
                file_name,
                path: Some(path.to_path_buf()),
                project: None,
            };
        };
        let gitignore = self.gitignore_for(dir);
        let dotenv_path = dir.join(".env");
        let dotenv = self.env_file(&dotenv_path);
        let dotenv_git_ignored = dotenv
            .as_ref()
            .map(|_| is_ignored(&gitignore, &dotenv_path));
        let mut project = ProjectFacts {
            dotenv,
            dotenv_git_ignored,
            ..ProjectFacts::default()
        };
        let services = tree
            .root
            .and_then(|root| tree.get(root, "services"))
            .map(|s| tree.entries(tree.resolve(s)))
            .unwrap_or_default();
        for (key, body) in services {
            let (Some(name), Some(body)) = (tree.scalar(key), body.map(|b| tree.resolve(b))) else {
                continue;
            };
            for written in env_file_paths(tree, body) {
                if project.env_files.contains_key(&written) {
                    continue;
                }
                let file = lexical(&dir.join(&written));
                let vars = self.env_file(&file);
                let fact = EnvFileFact {
                    exists: vars.is_some(),
                    vars: vars.unwrap_or_default(),
                    git_ignored: is_ignored(&gitignore, &file),
                    path: file,
                };
                project.env_files.insert(written, fact);
            }
            if let Some(build) = self.build_fact(dir, tree, body) {
                project.builds.insert(name.to_owned(), build);
            }
        }
        ComposeFacts {
            file_name,
            path: Some(path.to_path_buf()),
            project: Some(project),
        }
    }

    /// A service's `build:` (short string or long form) resolved to files.
    fn build_fact(&mut self, dir: &Path, tree: &YamlTree, body: NodeId) -> Option<BuildFact> {
        let build = tree.resolve(tree.get(body, "build")?);
        let (context, dockerfile) = match &tree.node(build)?.kind {
            NodeKind::Scalar { value, .. } => (&**value, None),
            NodeKind::Mapping(_) => {
                let scalar = |key: &str| {
                    tree.get(build, key)
                        .and_then(|v| tree.scalar(tree.resolve(v)))
                };
                // An inline Dockerfile has no file to read.
                if scalar("dockerfile_inline").is_some() {
                    return None;
                }
                (scalar("context").unwrap_or("."), scalar("dockerfile"))
            }
            _ => return None,
        };
        // A remote context (git URL) or one behind a variable is not on this disk.
        if context.contains("://") || context.starts_with("git@") || context.contains("${") {
            return None;
        }
        let context = lexical(&dir.join(context));
        let dockerfile_path = context.join(dockerfile.unwrap_or("Dockerfile"));
        let dockerfile = self.dockerfile_summary(&dockerfile_path);
        let dockerignore = self.ignore_file(&context.join(".dockerignore"));
        Some(BuildFact {
            context,
            dockerfile,
            dockerignore,
        })
    }

    fn env_file(&mut self, path: &Path) -> Option<Arc<EnvVars>> {
        self.env_files
            .entry(path.to_path_buf())
            .or_insert_with(|| read_small(path).map(|text| Arc::new(parse_env_file(&text))))
            .clone()
    }

    fn dockerfile_summary(&mut self, path: &Path) -> Option<Arc<DockerfileSummary>> {
        self.dockerfiles
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                read_small(path).map(|text| Arc::new(summarise_dockerfile(path, &text)))
            })
            .clone()
    }

    /// The ignore rules in force in `dir`, one set per `.gitignore` from the repository
    /// root (the nearest folder up with `.git`) down to `dir`, each rooted at its folder;
    /// outside a repository, `dir`'s own `.gitignore` (the project is meant to become one).
    fn gitignore_for(&mut self, dir: &Path) -> Arc<Vec<Gitignore>> {
        let key = dir.to_path_buf();
        if let Some(found) = self.gitignores.get(&key) {
            return found.clone();
        }
        let root = dir
            .ancestors()
            .take(MAX_PARENTS)
            .find(|d| d.join(".git").exists())
            .unwrap_or(dir);
        let mut folders: Vec<&Path> = dir
            .ancestors()
            .take_while(|d| d.starts_with(root))
            .collect();
        folders.reverse();
        let sets: Vec<Gitignore> = folders
            .into_iter()
            .filter_map(|folder| {
                let file = folder.join(".gitignore");
                if !file.is_file() {
                    return None;
                }
                let mut builder = GitignoreBuilder::new(folder);
                // A broken line is skipped; the rest of the file still counts.
                let _ = builder.add(file);
                builder.build().ok()
            })
            .collect();
        let sets = Arc::new(sets);
        self.gitignores.insert(key, sets.clone());
        sets
    }
}

/// `path` with `.` and `..` components worked out without asking the file system (a
/// symlinked folder may disagree; compose paths rarely climb through one).
fn lexical(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Whether git ignores `path`: the deepest `.gitignore` with a say decides (a `!pattern`
/// there un-ignores what a shallower one ignores).
fn is_ignored(sets: &[Gitignore], path: &Path) -> bool {
    for set in sets.iter().rev() {
        if !path.starts_with(set.path()) {
            continue;
        }
        match set.matched_path_or_any_parents(path, false) {
            ignore::Match::Ignore(_) => return true,
            ignore::Match::Whitelist(_) => return false,
            ignore::Match::None => {}
        }
    }
    false
}

/// The `env_file` paths of a service, as written (string, list of strings, or list of
/// `{path, required}` mappings).
pub(crate) fn env_file_paths(tree: &YamlTree, body: NodeId) -> Vec<String> {
    let Some(env_file) = tree.get(body, "env_file").map(|v| tree.resolve(v)) else {
        return Vec::new();
    };
    let one = |node: NodeId| -> Option<String> {
        let node = tree.resolve(node);
        match &tree.node(node)?.kind {
            NodeKind::Scalar { value, .. } => Some(value.to_string()),
            NodeKind::Mapping(_) => tree
                .get(node, "path")
                .and_then(|p| tree.scalar(tree.resolve(p)))
                .map(str::to_owned),
            _ => None,
        }
    };
    match tree.node(env_file).map(|n| &n.kind) {
        Some(NodeKind::Sequence(items)) => items.iter().filter_map(|&i| one(i)).collect(),
        Some(_) => one(env_file).into_iter().collect(),
        None => Vec::new(),
    }
    .into_iter()
    .filter(|p| !p.is_empty() && !p.contains("${"))
    .collect()
}

/// `KEY=value` lines as Compose reads an env file: `#` comments, blank lines, an optional
/// `export `, single- or double-quoted values, and `KEY` alone (no value).
pub fn parse_env_file(text: &str) -> EnvVars {
    let mut vars = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let (name, value) = match line.split_once('=') {
            Some((name, value)) => (name.trim(), value.trim()),
            None => (line, ""),
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            continue;
        }
        let value = match value.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) => {
                let inner = &value[1..];
                inner
                    .rfind(q as char)
                    .map_or(inner, |end| &inner[..end])
                    .to_owned()
            }
            // An unquoted value ends at ` #` (an inline comment).
            _ => value
                .split(" #")
                .next()
                .unwrap_or(value)
                .trim_end()
                .to_owned(),
        };
        vars.insert(name.to_owned(), value);
    }
    vars
}

/// What the compose rules need of a Dockerfile, per stage.
pub fn summarise_dockerfile(path: &Path, text: &str) -> DockerfileSummary {
    let parse = crate::syntax::dockerfile::parse(text);
    let model = crate::semantic::analyze(&parse);
    let file = crate::syntax::dockerfile::ast::Dockerfile::new(&parse.tree);
    let instructions: Vec<_> = file.instructions().collect();
    let mut stages = Vec::with_capacity(model.stages.len());
    let mut images: Vec<BuiltImage> = Vec::with_capacity(model.stages.len());
    for stage in &model.stages {
        stages.push(
            stage
                .name
                .as_ref()
                .map_or_else(String::new, |n| n.text.clone()),
        );
        let mut image = match stage.base.as_ref().map(|b| &b.kind) {
            Some(BaseKind::Stage(parent)) => images.get(*parent).cloned().unwrap_or_default(),
            Some(BaseKind::Image(_)) => BuiltImage {
                base_image: stage
                    .base
                    .as_ref()
                    .filter(|b| b.expanded.unknown.is_empty())
                    .map(|b| b.expanded.text.clone()),
                ..BuiltImage::default()
            },
            _ => BuiltImage::default(),
        };
        for info in &stage.instructions {
            let Some(instruction) = instructions.iter().find(|i| i.range() == info.range) else {
                continue;
            };
            let first_word = || instruction.words().next().map(|w| w.text().to_string());
            match info.kind {
                InstructionKind::User => image.user = first_word(),
                InstructionKind::Healthcheck => {
                    image.healthcheck =
                        Some(first_word().is_some_and(|w| !w.eq_ignore_ascii_case("none")));
                }
                InstructionKind::Expose => {
                    image
                        .exposes
                        .extend(instruction.words().map(|w| w.text().to_string()));
                }
                _ => {}
            }
        }
        images.push(image);
    }
    DockerfileSummary {
        path: path.to_path_buf(),
        stages,
        images,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_files_as_compose_reads_them() {
        let vars = parse_env_file(
            "# comment\nA=1\nexport B = two \nC=\"quoted # not a comment\"\nD='x'\nE=plain # comment\nF\n\nbad name=1\n",
        );
        let expected: Vec<(&str, &str)> = vec![
            ("A", "1"),
            ("B", "two"),
            ("C", "quoted # not a comment"),
            ("D", "x"),
            ("E", "plain"),
            ("F", ""),
        ];
        assert_eq!(
            vars.iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
            expected
        );
    }

    #[test]
    fn dockerfile_summary_follows_stages() {
        let text = "ARG BASE=node:22-slim\nFROM ${BASE} AS build\nUSER node\nEXPOSE 3000 9229/tcp\nFROM build AS dev\nHEALTHCHECK CMD curl -f http://localhost:3000/\nFROM gcr.io/distroless/nodejs22\nHEALTHCHECK NONE\n";
        let summary = summarise_dockerfile(Path::new("Dockerfile"), text);
        assert_eq!(summary.stages, ["build", "dev", ""]);
        let dev = summary.image(Some("DEV")).unwrap();
        assert_eq!(dev.base_image.as_deref(), Some("node:22-slim"));
        assert_eq!(dev.user.as_deref(), Some("node"));
        assert_eq!(dev.healthcheck, Some(true));
        assert_eq!(dev.exposes, ["3000", "9229/tcp"]);
        let last = summary.image(None).unwrap();
        assert_eq!(
            last.base_image.as_deref(),
            Some("gcr.io/distroless/nodejs22")
        );
        assert_eq!(last.user, None);
        assert_eq!(last.healthcheck, Some(false));
    }
}
