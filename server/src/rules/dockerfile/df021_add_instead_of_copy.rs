use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::dockerfile::context_sources::is_remote;
use crate::rules::dockerfile::instructions::{keyword_like, with_triggers};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;

declare_rule! {
    /// ## What it does
    /// Reports an `ADD` whose sources are all plain local files or directories: no URL, no
    /// Git repository, nothing named like a tar archive (`.tar`, `.tar.gz`, `.tgz`, ...).
    /// An `ADD --unpack` and sources whose value is only known at build time are left
    /// alone.
    ///
    /// ## Why is this bad?
    /// `ADD` does more than copy: it downloads URLs, clones Git repositories and unpacks
    /// local archives. For plain files `COPY` does the same job and says so, and a later
    /// file that happens to be an archive is not unpacked by surprise.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// WORKDIR /app
    /// ADD requirements.txt ./
    /// ADD src/ ./src/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// WORKDIR /app
    /// COPY requirements.txt ./
    /// COPY src/ ./src/
    /// ADD https://example.com/data.tar.gz /opt/data/
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix replaces `ADD` with `COPY`, which copies the same files. There is no
    /// fix when the `ADD` uses a flag `COPY` does not have (`--checksum`, `--keep-git-dir`).
    ///
    /// ## References
    /// - practices.md §2 (writing the Dockerfile)
    /// - Dockerfile reference, ADD or COPY: <https://docs.docker.com/build/building/best-practices/#add-or-copy>
    pub const ADD_INSTEAD_OF_COPY = {
        code: "DF021",
        name: "add-instead-of-copy",
        severity: Warning,
        fixable: true,
        default_enabled: true,
    };
}

/// Flags only `ADD` has.
const ADD_ONLY_FLAGS: [&str; 3] = ["checksum", "keep-git-dir", "unpack"];

/// Endings of files `ADD` may unpack (tar, possibly compressed).
const ARCHIVE_ENDINGS: [&str; 16] = [
    ".tar", ".gz", ".tgz", ".bz2", ".tbz", ".tbz2", ".tb2", ".xz", ".txz", ".zst", ".tzst", ".lz",
    ".lzma", ".tlz", ".lz4", ".z",
];

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for instruction in with_triggers(ctx.parse) {
        if instruction.kind() != InstructionKind::Add || instruction.flag("unpack").is_some() {
            continue;
        }
        let Some(add) = instruction.as_copy() else {
            continue;
        };
        let sources = add.sources();
        if sources.is_empty() || add.destination().is_none() {
            continue;
        }
        let all_plain = sources.iter().all(|source| {
            if source.text.starts_with("<<") {
                return true;
            }
            let expanded = ctx.model.expand(&source.text, source.range.start);
            expanded.exact_text().is_some_and(is_plain_local)
        });
        if !all_plain {
            continue;
        }
        let keyword = instruction.keyword();
        let message = "ADD of local files: use COPY, which only copies (ADD also downloads \
                       URLs and unpacks archives)";
        let add_only = instruction
            .flags()
            .any(|f| ADD_ONLY_FLAGS.contains(&f.name().as_ref()));
        let written_whole = ctx.text.get(keyword.range.as_usize()) == Some(keyword.text.as_ref());
        let fix = (!add_only && written_whole).then(|| {
            let copy = keyword_like("COPY", &keyword.text);
            Fix {
                title: format!("Replace `{}` with `{copy}`", keyword.text),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    range: keyword.range,
                    new_text: copy,
                }],
            }
        });
        out.push(match fix {
            Some(fix) => ADD_INSTEAD_OF_COPY.diagnostic_with_fix(keyword.range, message, fix),
            None => ADD_INSTEAD_OF_COPY.diagnostic(keyword.range, message),
        });
    }
}

/// A local path that is no archive and no pattern that could match one.
fn is_plain_local(path: &str) -> bool {
    if path.is_empty() || is_remote(path) || path.starts_with("github.com/") {
        return false;
    }
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if ARCHIVE_ENDINGS.iter().any(|ending| lower.ends_with(ending)) {
        return false;
    }
    // `files/*` may match archives; `*.json` cannot.
    !lower.ends_with(['*', '?', ']'])
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile;
    use crate::diagnostics::Diagnostic;

    fn findings(src: &str) -> Vec<Diagnostic> {
        check_dockerfile(src)
            .into_iter()
            .filter(|d| d.code == "DF021")
            .collect()
    }

    #[test]
    fn local_files_and_directories() {
        let src = "FROM a\nWORKDIR /app\nADD app.py ./\nadd --chown=1:1 src/ *.json /app/\n\
                   ADD <<EOF /etc/motd\nhi\nEOF\nONBUILD ADD . /app/\n";
        let found = findings(src);
        assert_eq!(found.len(), 4);
        let fix = found[1].fix.as_ref().unwrap();
        assert_eq!(fix.edits[0].new_text, "copy");
        assert_eq!(&src[fix.edits[0].range.as_usize()], "add");
    }

    #[test]
    fn add_only_flags_drop_the_fix() {
        let found = findings("FROM a\nADD --keep-git-dir=true src /app/\n");
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());
    }

    #[test]
    fn urls_git_archives_patterns_and_unknowns_pass() {
        let src = "FROM a\nADD https://example.com/x.txt /x\n\
                   ADD git@github.com:org/repo.git /src\n\
                   ADD https://github.com/org/repo.git#v1 /src\n\
                   ADD rootfs.tar.xz /\nADD vendor.TGZ /opt/\nADD dist/* /srv/\n\
                   ARG PKG\nADD $PKG /opt/\nADD --unpack=false a.txt /x\n\
                   ADD local.txt https://example.com/remote.txt /x/\n\
                   COPY app.py /app/\n";
        assert!(findings(src).is_empty(), "{:?}", findings(src));
    }
}
