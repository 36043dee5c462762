use super::context_sources::context_sources;
use crate::diagnostics::{Diagnostic, Severity};
use crate::facts::DockerignoreFact;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `.dockerignore` that lets secrets or bulky folders through while the
    /// Dockerfile copies the whole build context.
    ///
    /// Only Dockerfiles that send the whole context (`COPY . .`, `ADD . /app`) are checked. A
    /// warning when `.env` itself would be sent; information when `.env.*` files
    /// (`.env.local`, `.env.production`), the `.git` folder, or `node_modules` (when the
    /// Dockerfile copies a `package.json`) would be.
    ///
    /// ## Why is this bad?
    /// `.env` files hold secrets: once copied they are in a layer for anyone who can pull the
    /// image. `.git` carries the whole history (and any secret ever committed), and
    /// `node_modules` built on the host is large, platform-specific and replaced by the
    /// install in the image anyway. Each also invalidates the `COPY . .` cache whenever it
    /// changes.
    ///
    /// ## Example
    /// With this `.dockerignore`:
    /// ```dockerignore
    /// node_modules
    /// dist
    /// ```
    /// `.env` and `.git` are sent:
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// RUN npm ci --omit=dev
    /// COPY . .
    /// ```
    ///
    /// Use instead:
    /// ```dockerignore
    /// node_modules
    /// dist
    /// .env*
    /// .git
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the lines belong in `.dockerignore`, and fixes can only edit the
    /// Dockerfile being checked. The message names what to add.
    ///
    /// ## References
    /// - practices.md §4.2 (.dockerignore), §3.3 (.env files)
    pub const DOCKERIGNORE_INCOMPLETE = {
        code: "DF054",
        name: "dockerignore-incomplete",
        severity: Warning,
        fixable: false,
        default_enabled: true,
    };
}

/// `.env` variants that projects commonly keep beside `.env`.
const ENV_VARIANTS: &[&str] = &[".env.local", ".env.production", ".env.development"];

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let DockerignoreFact::Present { path, ignore } = &ctx.facts.dockerignore else {
        return;
    };
    let sources = context_sources(ctx);
    let Some(whole) = sources.iter().find(|s| s.is_whole_context()) else {
        return;
    };
    let file_name = path
        .file_name()
        .map_or(".dockerignore".into(), |n| n.to_string_lossy());
    let sent = |p: &str| ignore.excluded_by(p).is_none();
    let keyword = whole.instruction.name().unwrap_or("COPY");
    let variants_sent = ENV_VARIANTS.iter().any(|v| sent(v));

    if sent(".env") {
        let also = if variants_sent { " (nor `.env.*`)" } else { "" };
        out.push(DOCKERIGNORE_INCOMPLETE.diagnostic(
            whole.range,
            format!(
                "{file_name} does not exclude `.env`{also}, so `{keyword} {}` copies its \
                 secrets into the image: add `.env*` to {file_name}",
                whole.path
            ),
        ));
    }

    let mut missing: Vec<(&str, &str)> = Vec::new();
    let mut plural = false;
    if variants_sent && !sent(".env") {
        missing.push(("`.env.*` files", ".env*"));
        plural = true;
    }
    if sent(".git") {
        missing.push(("`.git`", ".git"));
    }
    let copies_manifest = sources.iter().any(|s| {
        let name = s.path.rsplit('/').next().unwrap_or(&s.path);
        name == "package.json"
            || (s.is_pattern() && name.starts_with("package") && name.ends_with(".json"))
    });
    if copies_manifest && sent("node_modules") {
        missing.push(("`node_modules`", "node_modules"));
    }
    if missing.is_empty() {
        return;
    }
    let what: Vec<&str> = missing.iter().map(|(w, _)| *w).collect();
    let lines: Vec<String> = missing.iter().map(|(_, l)| format!("`{l}`")).collect();
    let mut d = DOCKERIGNORE_INCOMPLETE.diagnostic(
        whole.range,
        format!(
            "{file_name} does not exclude {}, so `{keyword} {}` sends {} into the image: add {} \
             to {file_name}",
            join(&what),
            whole.path,
            if missing.len() == 1 && !plural {
                "it"
            } else {
                "them"
            },
            join(&lines.iter().map(String::as_str).collect::<Vec<_>>()),
        ),
    );
    d.severity = Severity::Info;
    out.push(d);
}

/// `a`, `a and b`, `a, b and c`.
fn join(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile_with_facts;
    use crate::diagnostics::Severity;
    use crate::facts::{DockerIgnore, DockerfileFacts, DockerignoreFact};

    fn findings(src: &str, ignore: Option<&str>) -> Vec<(Severity, String)> {
        let dockerignore = match ignore {
            Some(text) => DockerignoreFact::Present {
                path: "/w/.dockerignore".into(),
                ignore: DockerIgnore::parse(text).into(),
            },
            None => DockerignoreFact::Missing,
        };
        let facts = DockerfileFacts {
            dockerignore,
            ..DockerfileFacts::default()
        };
        check_dockerfile_with_facts(src, &facts)
            .into_iter()
            .filter(|d| d.code == "DF054")
            .map(|d| (d.severity, d.message))
            .collect()
    }

    const NODE: &str =
        "FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n";

    /// practices.md §4.2: the guide's own file draws no warning; only `.env.*` variants are
    /// left, at information level.
    #[test]
    fn the_guides_dockerignore() {
        let guide = "node_modules\nnpm-debug.log\ndist\n.env\n.git\n.gitignore\nREADME.md\n.DS_Store\n.vscode\n";
        let found = findings(NODE, Some(guide));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Severity::Info);
        assert!(found[0].1.contains("`.env.*` files"), "{}", found[0].1);
    }

    #[test]
    fn env_sent_is_a_warning() {
        let found = findings(NODE, Some("node_modules\n.git\n"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Severity::Warning);
        assert!(
            found[0]
                .1
                .contains("does not exclude `.env` (nor `.env.*`)"),
            "{}",
            found[0].1
        );
        assert!(!found[0].1.contains("secret="));
    }

    #[test]
    fn git_and_node_modules() {
        let found = findings(NODE, Some(".env*\n"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Severity::Info);
        assert!(
            found[0].1.contains("`.git` and `node_modules`"),
            "{}",
            found[0].1
        );
        // Without a package.json, node_modules is not asked for.
        let src = "FROM python:3.12-slim\nCOPY . /app\n";
        let found = findings(src, Some(".env*\n"));
        assert!(found[0].1.contains("exclude `.git`, so"), "{}", found[0].1);
    }

    #[test]
    fn complete_files_partial_copies_and_unknown_facts_pass() {
        assert!(findings(NODE, Some(".env*\n.git\nnode_modules\n")).is_empty());
        assert!(findings(NODE, Some("**\n!src\n!package*.json\n")).is_empty());
        let src = "FROM node:20\nCOPY package.json ./\nCOPY src ./src\n";
        assert!(findings(src, Some("")).is_empty());
        assert!(findings(NODE, None).is_empty());
    }
}
