//! The sources `COPY` and `ADD` take from the build context, shared by the rules about what
//! the context sends (`.dockerignore`, secrets).

use crate::rules::DockerfileContext;
use crate::syntax::TextRange;
use crate::syntax::dockerfile::InstructionKind;

/// One source path of a `COPY`/`ADD` that reads the build context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ContextSource {
    /// The path after variable expansion and quote removal, as the builder sees it.
    pub path: String,
    /// Where the source is written.
    pub range: TextRange,
    pub instruction: InstructionKind,
}

impl ContextSource {
    /// `.` or `./`: the whole context.
    pub fn is_whole_context(&self) -> bool {
        let path = self.path.trim_start_matches('/');
        // Only dots and slashes, or a `..` that may climb back: anything else names
        // something inside the context (checked first: cleaning allocates).
        let may_be_root = path.contains("..") || path.bytes().all(|b| b == b'.' || b == b'/');
        may_be_root && crate::facts::dockerignore::clean_path(path) == "."
    }

    /// Contains glob characters, so which files it names depends on the context's contents.
    pub fn is_pattern(&self) -> bool {
        self.path.contains(['*', '?', '['])
    }
}

/// Every context source of the file, in order. Left out: `--from` sources (another stage or
/// image), heredoc bodies, URLs and git repositories of `ADD`, and paths whose value is not
/// known before the build (they use an `ARG` without a default).
pub(crate) fn context_sources(ctx: &DockerfileContext<'_>) -> Vec<ContextSource> {
    let mut out = Vec::new();
    // For segment-scoped rules, only the segments being checked.
    for instruction in ctx.checked_instructions() {
        let kind = instruction.kind();
        if !matches!(kind, InstructionKind::Copy | InstructionKind::Add) {
            continue;
        }
        let Some(copy) = instruction.as_copy() else {
            continue;
        };
        if copy.from().is_some() {
            continue;
        }
        for source in copy.sources() {
            if source.text.starts_with("<<") {
                continue;
            }
            // Without `$`, quotes or the escape character, expanding changes nothing.
            let plain = !source.text.contains(['$', '"', '\'', ctx.model.escape]);
            let expanded;
            let path = if plain {
                source.text.as_ref()
            } else {
                expanded = ctx.model.expand(&source.text, source.range.start);
                let Some(path) = expanded.exact_text() else {
                    continue;
                };
                path
            };
            if path.is_empty() || is_remote(path) {
                continue;
            }
            out.push(ContextSource {
                path: path.to_owned(),
                range: source.range,
                instruction: kind,
            });
        }
    }
    out
}

/// A URL or git address, which `ADD` fetches instead of reading the context.
pub(crate) fn is_remote(path: &str) -> bool {
    path.contains("://") || path.starts_with("git@")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::DockerfileFacts;
    use crate::semantic::analyze;
    use crate::syntax::dockerfile::parse;

    fn sources(src: &str) -> Vec<String> {
        let parse = parse(src);
        let model = analyze(&parse);
        let facts = DockerfileFacts::default();
        let config = crate::config::Config::default();
        let ctx = DockerfileContext::new(src, &parse, &model, &facts, &config);
        context_sources(&ctx).into_iter().map(|s| s.path).collect()
    }

    #[test]
    fn only_context_paths() {
        let src = "FROM a AS b\nARG DIR=src\nARG LATER\n\
                   COPY package.json \"yarn.lock\" ./\nCOPY --from=b /x /y\n\
                   ADD https://example.com/a.tgz git@github.com:o/r.git /opt/\n\
                   COPY ${DIR}/main.py $LATER /app/\nCOPY <<EOF /etc/x\nbody\nEOF\n\
                   ADD [\"a b.txt\", \"/c/\"]\nCOPY . .\n";
        assert_eq!(
            sources(src),
            ["package.json", "yarn.lock", "src/main.py", "a b.txt", "."]
        );
    }

    /// The shortcut for words without `$`, quotes or the escape character gives what
    /// expanding them gives.
    #[test]
    fn plain_words_expand_to_themselves() {
        let model = analyze(&parse("FROM a\nARG X=1\n"));
        for word in [
            "a.txt",
            "dir/",
            "./",
            ".",
            "..",
            "*.json",
            "pack?ge[0-9].json",
            "{a,b}",
            "~/x",
            "a%b",
            "é/ü",
            "a`b",
            "C:/x",
            "-",
            "a=b",
            "#x",
            "a;b",
            "a|b",
            "a&b",
            "(x)",
        ] {
            let expanded = model.expand(word, 10);
            assert_eq!(expanded.exact_text(), Some(word), "{word}");
        }
    }
}
