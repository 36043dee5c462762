//! `.dockerignore` files: which paths of the build context are left out of the build.
//!
//! The rules follow BuildKit's reader and matcher (moby/patternmatcher):
//! - A line starting with `#` is a comment; other lines are trimmed, and blank ones skipped.
//! - `!` in front makes an exception: the path is sent after all.
//! - Each pattern is cleaned like a path (`./a//b/` is `a/b`) and a leading `/` dropped: all
//!   patterns are relative to the context root. `*` and `?` stay inside one path segment; `**`
//!   crosses segments; `[a-z]` classes and `\` escapes work.
//! - A path is excluded when it or one of its parent folders matches; the *last* matching
//!   pattern decides, so an exception after an exclusion brings a path back.

use globset::{GlobBuilder, GlobMatcher};

/// One pattern line.
#[derive(Clone, Debug)]
pub struct IgnorePattern {
    /// The cleaned pattern without `!`.
    pub pattern: String,
    /// True for `!pattern`.
    pub exception: bool,
    /// 0-based line in the file.
    pub line: u32,
    /// How many `/`-separated segments the pattern has: a path's parent folder is tried with
    /// as many segments.
    segments: usize,
    /// `None` when the pattern is not a valid glob (BuildKit rejects the build then).
    matcher: Option<GlobMatcher>,
}

/// What a pattern says (its matcher is made from it), for fingerprints of the facts an
/// analysis ran with.
impl std::hash::Hash for IgnorePattern {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (&self.pattern, self.exception, self.line).hash(state);
    }
}

/// A parsed `.dockerignore`.
#[derive(Clone, Debug, Default, Hash)]
pub struct DockerIgnore {
    pub patterns: Vec<IgnorePattern>,
}

impl DockerIgnore {
    pub fn parse(text: &str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut patterns = Vec::new();
        for (line, raw) in text.lines().enumerate() {
            if raw.starts_with('#') {
                continue;
            }
            let mut pattern = raw.trim();
            if pattern.is_empty() {
                continue;
            }
            let exception = pattern.starts_with('!');
            if exception {
                pattern = pattern[1..].trim();
            }
            let mut cleaned = clean_path(pattern);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            let matcher = GlobBuilder::new(&cleaned)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .ok()
                .map(|g| g.compile_matcher());
            patterns.push(IgnorePattern {
                segments: cleaned.split('/').count(),
                pattern: cleaned,
                exception,
                line: u32::try_from(line).unwrap_or(u32::MAX),
                matcher,
            });
        }
        DockerIgnore { patterns }
    }

    /// The pattern that leaves `path` (relative to the context root) out of the build, or
    /// `None` when the path is sent.
    pub fn excluded_by(&self, path: &str) -> Option<&IgnorePattern> {
        let path = clean_path(path.trim_start_matches('/'));
        let parents: Vec<&str> = match path.rsplit_once('/') {
            Some((parent, _)) => parent.split('/').collect(),
            None => Vec::new(),
        };
        let mut decided: Option<&IgnorePattern> = None;
        for pattern in &self.patterns {
            // An exception only matters once something is excluded.
            if pattern.exception && decided.is_none() {
                continue;
            }
            let Some(matcher) = &pattern.matcher else {
                continue;
            };
            let mut matched = matcher.is_match(&path);
            if !matched && !parents.is_empty() && pattern.segments <= parents.len() {
                matched = matcher.is_match(parents[..pattern.segments].join("/"));
            }
            if matched {
                decided = (!pattern.exception).then_some(pattern);
            }
        }
        decided
    }

    /// Whether some exception pattern may bring back a path inside `folder` (so excluding the
    /// folder itself does not mean that nothing of it is sent).
    pub fn has_exception_inside(&self, folder: &str) -> bool {
        let folder = clean_path(folder.trim_start_matches('/'));
        self.patterns.iter().any(|p| {
            p.exception
                && (folder == "." || p.pattern.starts_with(&format!("{folder}/")) || {
                    // A pattern starting with a wildcard may match anywhere.
                    p.pattern.starts_with(['*', '?', '['])
                })
        })
    }
}

/// Cleans a slash-separated path as Go's `path.Clean` does: no empty or `.` segments, `..`
/// resolved where it can be, no trailing slash; `.` for nothing.
pub fn clean_path(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(ignore: &str, path: &str) -> bool {
        DockerIgnore::parse(ignore).excluded_by(path).is_some()
    }

    #[test]
    fn cleans_like_go() {
        assert_eq!(clean_path("./a//b/"), "a/b");
        assert_eq!(clean_path("a/../../b"), "../b");
        assert_eq!(clean_path("/../a"), "/a");
        assert_eq!(clean_path(""), ".");
        assert_eq!(clean_path("./"), ".");
    }

    #[test]
    fn comments_blank_lines_and_trimming() {
        let ignore = DockerIgnore::parse("\u{feff}# c\n\n  node_modules  \n !keep \n#x\n");
        let patterns: Vec<(&str, bool, u32)> = ignore
            .patterns
            .iter()
            .map(|p| (p.pattern.as_str(), p.exception, p.line))
            .collect();
        assert_eq!(patterns, [("node_modules", false, 2), ("keep", true, 3)]);
    }

    #[test]
    fn patterns_are_anchored_at_the_context_root() {
        assert!(excluded("secret.txt", "secret.txt"));
        assert!(!excluded("secret.txt", "sub/secret.txt"));
        assert!(excluded("/secret.txt", "secret.txt"));
        assert!(excluded("./build/", "build"));
        assert!(excluded("**/secret.txt", "a/b/secret.txt"));
        assert!(excluded("**/secret.txt", "secret.txt"));
    }

    #[test]
    fn single_star_stays_in_one_segment() {
        assert!(excluded("*.log", "app.log"));
        assert!(!excluded("*.log", "logs/app.log"));
        assert!(excluded("*/*.log", "logs/app.log"));
        assert!(excluded("?.txt", "a.txt"));
        assert!(excluded("[a-c].txt", "b.txt"));
        assert!(!excluded("[a-c].txt", "d.txt"));
    }

    #[test]
    fn a_matching_folder_excludes_what_is_inside() {
        assert!(excluded("node_modules", "node_modules/x/index.js"));
        assert!(excluded("docs/*", "docs/a/b.md"));
        assert!(!excluded("node_modules", "src/node_modules"));
    }

    #[test]
    fn the_last_matching_pattern_decides() {
        let ignore = "*.md\n!README.md\n";
        assert!(excluded(ignore, "CHANGES.md"));
        assert!(!excluded(ignore, "README.md"));
        assert!(excluded("!README.md\n*.md\n", "README.md"));
        assert!(!excluded("!x", "x"));
        assert!(excluded("**\n!src\n", "Dockerfile"));
        assert!(!excluded("**\n!src\n", "src"));
    }

    #[test]
    fn reports_the_deciding_line() {
        let ignore = DockerIgnore::parse("# header\n.env\n*.log\n");
        assert_eq!(ignore.excluded_by("./.env").map(|p| p.line), Some(1));
        assert_eq!(ignore.excluded_by("app.log").map(|p| p.line), Some(2));
    }

    #[test]
    fn exceptions_inside_a_folder() {
        let ignore = DockerIgnore::parse("src\n!src/main.py\n");
        assert!(ignore.has_exception_inside("src"));
        assert!(!ignore.has_exception_inside("docs"));
    }

    #[test]
    fn invalid_globs_are_skipped() {
        assert!(!excluded("[z-a\n", "b"));
        assert!(excluded("[z-a\nb\n", "b"));
    }
}
