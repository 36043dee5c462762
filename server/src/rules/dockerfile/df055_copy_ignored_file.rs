use super::context_sources::context_sources;
use crate::diagnostics::Diagnostic;
use crate::facts::DockerignoreFact;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` source from the build context that the context's
    /// `.dockerignore` leaves out. Sources copied from another stage or image (`--from`),
    /// heredocs, URLs, wildcard sources and paths built from unknown variables are not
    /// checked.
    ///
    /// ## Why is this bad?
    /// The builder never receives an ignored file, so the build fails with "not found" at
    /// this instruction, usually far from the `.dockerignore` line that causes it.
    ///
    /// ## Example
    /// With this `.dockerignore`:
    /// ```dockerignore
    /// config/
    /// ```
    /// the `COPY` fails:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY config/settings.toml /etc/app/
    /// ```
    ///
    /// Use instead: stop ignoring the file, or copy it from somewhere the build can see.
    /// ```dockerignore
    /// config/
    /// !config/settings.toml
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: whether the ignore line or the `COPY` is wrong is for a person to
    /// decide.
    ///
    /// ## References
    /// - practices.md §4.2 (.dockerignore)
    pub const COPY_IGNORED_FILE = {
        code: "DF055",
        name: "copy-ignored-file",
        severity: Error,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let DockerignoreFact::Present { path, ignore } = &ctx.facts.dockerignore else {
        return;
    };
    let file_name = path
        .file_name()
        .map_or(".dockerignore".into(), |n| n.to_string_lossy());
    for source in context_sources(ctx) {
        if !ctx.should_check(source.range.start) {
            continue;
        }
        if source.is_whole_context() || source.is_pattern() {
            continue;
        }
        let Some(pattern) = ignore.excluded_by(&source.path) else {
            continue;
        };
        // A folder that is excluded but has exceptions inside still sends something.
        if ignore.has_exception_inside(&source.path) {
            continue;
        }
        out.push(COPY_IGNORED_FILE.diagnostic(
            source.range,
            format!(
                "`{}` is excluded by {file_name} (line {}: `{}{}`), so the build will not find it",
                source.path,
                pattern.line + 1,
                if pattern.exception { "!" } else { "" },
                pattern.pattern,
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile_with_facts;
    use crate::facts::{DockerIgnore, DockerfileFacts, DockerignoreFact};

    fn findings(src: &str, ignore: &str) -> Vec<(String, String)> {
        let facts = DockerfileFacts {
            dockerignore: DockerignoreFact::Present {
                path: "/w/.dockerignore".into(),
                ignore: DockerIgnore::parse(ignore).into(),
            },
            ..DockerfileFacts::default()
        };
        check_dockerfile_with_facts(src, &facts)
            .into_iter()
            .filter(|d| d.code == "DF055")
            .map(|d| (src[d.range.as_usize()].to_owned(), d.message))
            .collect()
    }

    #[test]
    fn ignored_sources_are_errors() {
        let src = "FROM a\nCOPY config/settings.toml README.md /etc/app/\n";
        assert_eq!(
            findings(src, "# build\nconfig/\n*.md\n!CHANGES.md\n"),
            [
                (
                    "config/settings.toml".to_owned(),
                    "`config/settings.toml` is excluded by .dockerignore (line 2: `config`), \
                     so the build will not find it"
                        .to_owned()
                ),
                (
                    "README.md".to_owned(),
                    "`README.md` is excluded by .dockerignore (line 3: `*.md`), so the build \
                     will not find it"
                        .to_owned()
                ),
            ]
        );
    }

    #[test]
    fn exceptions_other_stages_and_patterns_pass() {
        let src = "FROM a AS b\nCOPY --from=b config/x /x\nCOPY config/keep.toml *.md . /app/\n\
                   COPY docs /docs\n";
        assert!(
            findings(
                src,
                "config\n!config/keep.toml\n*.md\ndocs\n!docs/index.md\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn expanded_paths_are_checked() {
        let src = "FROM a\nARG DIR=secrets\nCOPY ${DIR}/key.pem /k\n";
        assert_eq!(findings(src, "secrets\n").len(), 1);
    }
}
