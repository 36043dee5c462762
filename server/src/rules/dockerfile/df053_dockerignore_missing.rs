use super::context_sources::context_sources;
use crate::diagnostics::{Applicability, Diagnostic, Fix, NewFile};
use crate::facts::DockerignoreFact;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `COPY .` or `ADD .` (the whole build context) when the context has no
    /// `.dockerignore` (nor a `<Dockerfile name>.dockerignore` beside the Dockerfile). Only the
    /// first such source of a file is reported.
    ///
    /// ## Why is this bad?
    /// Without an ignore file everything in the folder goes into the image: the `.git`
    /// history, `node_modules` built for another platform, local `.env` files with secrets,
    /// build output and editor folders. The image grows, secrets leak, and any change to
    /// those files invalidates the layer cache of `COPY . .` and everything after it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY . .
    /// ```
    ///
    /// Use instead: keep the `COPY`, and add a `.dockerignore` beside the Dockerfile:
    /// ```dockerignore
    /// .git
    /// node_modules
    /// .env*
    /// dist
    /// *.log
    /// .vscode
    /// .DS_Store
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix creates a `.dockerignore` beside the Dockerfile that leaves out
    /// `.git`, `node_modules`, `.env*` files, `dist`, logs and editor folders. A build that
    /// needs one of those from the context (a `dist` built outside Docker, say) must take it
    /// out of the file again. An existing file is never replaced.
    ///
    /// ## References
    /// - practices.md §4.2 (.dockerignore), §3.3 (secrets)
    pub const DOCKERIGNORE_MISSING = {
        code: "DF053",
        name: "dockerignore-missing",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        scope: FirstInFile,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    // Only when the context is known to have no ignore file.
    if !matches!(ctx.facts.dockerignore, DockerignoreFact::Missing) {
        return;
    }
    // Every whole-context source of the checked segments: the analysis keeps the first.
    for source in context_sources(ctx)
        .into_iter()
        .filter(|s| s.is_whole_context())
    {
        let mut diagnostic = DOCKERIGNORE_MISSING.diagnostic_with_fix(
            source.range,
            format!(
                "{} `{}` sends the whole build context, and it has no .dockerignore: \
                 .git, node_modules and .env files would go into the image",
                source.instruction.name().unwrap_or("COPY"),
                source.path
            ),
            Fix {
                title: "Create a .dockerignore beside the Dockerfile".to_owned(),
                applicability: Applicability::Unsafe,
                edits: Vec::new(),
            },
        );
        diagnostic.new_file = Some(NewFile {
            path: ".dockerignore".to_owned(),
            content: TEMPLATE.replace('\n', ctx.line_ending()),
            append: false,
        });
        out.push(diagnostic);
    }
}

/// What the created `.dockerignore` leaves out of the build context: version control,
/// dependencies installed on the host, local secrets, build output, logs and editor files
/// (the guide's list, §4.2, with `.env*` for every variant of the secrets file).
const TEMPLATE: &str = "# Kept out of the build context (and so out of the image).
.git
.gitignore
node_modules
npm-debug.log
*.log
.env*
!.env.example
dist
.vscode
.idea
.DS_Store
";

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile_with_facts;
    use crate::facts::{DockerIgnore, DockerfileFacts, DockerignoreFact};

    fn findings(src: &str, fact: DockerignoreFact) -> Vec<(String, String)> {
        let facts = DockerfileFacts {
            dockerignore: fact,
            ..DockerfileFacts::default()
        };
        check_dockerfile_with_facts(src, &facts)
            .into_iter()
            .filter(|d| d.code == "DF053")
            .map(|d| (src[d.range.as_usize()].to_owned(), d.message))
            .collect()
    }

    const SRC: &str = "FROM node:22\nCOPY package.json ./\nCOPY ./ /app\nCOPY . .\n";

    #[test]
    fn whole_context_copy_without_an_ignore_file() {
        assert_eq!(
            findings(SRC, DockerignoreFact::Missing),
            [(
                "./".to_owned(),
                "COPY `./` sends the whole build context, and it has no .dockerignore: .git, \
                 node_modules and .env files would go into the image"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn quiet_with_an_ignore_file_or_without_facts() {
        let present = DockerignoreFact::Present {
            path: "/w/.dockerignore".into(),
            ignore: DockerIgnore::parse(".git\n").into(),
        };
        assert!(findings(SRC, present).is_empty());
        assert!(findings(SRC, DockerignoreFact::Unknown).is_empty());
    }

    #[test]
    fn other_sources_pass() {
        let src = "FROM a AS b\nCOPY --from=b . .\nCOPY src/ ./src/\nADD https://x.org/a.tgz .\n";
        assert!(findings(src, DockerignoreFact::Missing).is_empty());
    }
}
