use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::dockerfile::context_sources::is_remote;
use crate::rules::dockerfile::instructions::keyword_like;
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;

declare_rule! {
    /// ## What it does
    /// Reports an `ADD` whose sources are all plain local files or directories: no URL, no
    /// Git repository, nothing named like a tar archive (`.tar`, `.tar.gz`, `.tgz`, ...).
    /// An `ADD --unpack` and sources whose value is only known at build time are left
    /// alone. The other way round, it also reports (as info) a local tar archive that is
    /// `COPY`ed and then unpacked with `tar -x` in a later `RUN` of the stage: `ADD` unpacks
    /// it in one step.
    ///
    /// ## Why is this bad?
    /// `ADD` does more than copy: it downloads URLs, clones Git repositories and unpacks
    /// local archives. For plain files `COPY` does the same job and says so, and a later
    /// file that happens to be an archive is not unpacked by surprise. Copying an archive
    /// only to unpack it keeps the packed copy in a layer of the image, beside what it
    /// unpacks to.
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
        scope: Segment,
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
    copied_then_unpacked(ctx, out);
    for instruction in ctx.checked_instructions_with_triggers() {
        if !ctx.should_check(instruction.range().start) {
            continue;
        }
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

/// A local tar archive copied into the image and unpacked by a later `RUN tar -x` of the
/// same stage: reported (info) at the archive's source.
fn copied_then_unpacked(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for stage in &ctx.model.stages {
        if !ctx.should_check(stage.from_range.start) {
            continue;
        }
        // Archives copied so far in the stage: where they landed, and the source word.
        let mut copied: Vec<(String, crate::syntax::TextRange, String)> = Vec::new();
        let mut workdir = String::from("/");
        for instruction in ctx.stage_instructions(stage.index) {
            match instruction.kind() {
                InstructionKind::Workdir => {
                    if let Some(dir) = instruction.arguments().first() {
                        workdir = crate::rules::dockerfile::paths::join(&workdir, &dir.text);
                    }
                }
                InstructionKind::Copy if instruction.flag("from").is_none() => {
                    let Some(copy) = instruction.as_copy() else {
                        continue;
                    };
                    let (sources, Some(dest)) = (copy.sources(), copy.destination()) else {
                        continue;
                    };
                    for source in &sources {
                        let name = source
                            .text
                            .trim_matches('"')
                            .rsplit('/')
                            .next()
                            .unwrap_or("");
                        if !is_tar_archive(name) {
                            continue;
                        }
                        let dest_text = dest.text.trim_matches('"');
                        let landed = if dest_text.ends_with('/') || sources.len() > 1 {
                            format!("{}/{name}", dest_text.trim_end_matches('/'))
                        } else {
                            dest_text.to_owned()
                        };
                        copied.push((
                            crate::rules::dockerfile::paths::join(&workdir, &landed),
                            source.range,
                            name.to_owned(),
                        ));
                    }
                }
                InstructionKind::Run if !copied.is_empty() => {
                    let Some(run) = ctx.run_for(instruction.range()) else {
                        continue;
                    };
                    for command in run.commands().iter().filter(|c| is_tar_extract(c)) {
                        for word in command.args.iter().filter(|w| w.literal) {
                            let path = crate::rules::dockerfile::paths::join(&workdir, &word.text);
                            if let Some(i) = copied.iter().position(|(p, _, _)| *p == path) {
                                let (_, range, name) = copied.remove(i);
                                let mut d = ADD_INSTEAD_OF_COPY.diagnostic(
                                    range,
                                    format!(
                                        "`{name}` is copied and then unpacked on line {}: `ADD` unpacks a local tar archive itself, without keeping the packed copy in a layer",
                                        ctx.line_number(run.abs(command.range).start)
                                    ),
                                );
                                d.severity = crate::diagnostics::Severity::Info;
                                out.push(d);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// A tar archive by its name (`ADD` unpacks tar files, compressed or not; not zip).
fn is_tar_archive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
    ]
    .iter()
    .any(|ending| lower.ends_with(ending))
}

/// `tar -xf x`, `tar xzf x`, `tar --extract -f x`.
fn is_tar_extract(command: &crate::syntax::shell::SimpleCommand) -> bool {
    command.base_name() == "tar"
        && command.args.first().is_some_and(|first| {
            let t = first.text.as_str();
            t == "--extract" || (!t.starts_with("--") && t.trim_start_matches('-').contains('x'))
        })
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
    use crate::diagnostics::Diagnostic;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF021", src)
    }

    #[test]
    fn copied_archives_unpacked_later() {
        let src = "FROM debian:bookworm-slim\nWORKDIR /opt\nCOPY vendor/tool-1.2.tar.gz ./\n\
                   RUN tar -xzf tool-1.2.tar.gz && rm tool-1.2.tar.gz\nCOPY data.tar /tmp/d.tar\n\
                   RUN tar xf /tmp/d.tar -C /srv\nCOPY other.tgz /tmp/\nRUN ls /tmp\n";
        let found: Vec<_> = findings(src)
            .into_iter()
            .map(|d| (src[d.range.as_usize()].to_owned(), d.severity))
            .collect();
        use crate::diagnostics::Severity::Info;
        assert_eq!(
            found,
            [
                ("vendor/tool-1.2.tar.gz".to_owned(), Info),
                ("data.tar".to_owned(), Info)
            ]
        );
        // A zip is not unpacked by ADD; a tar from another stage is not a context file.
        let src = "FROM a\nCOPY x.zip /x.zip\nRUN unzip /x.zip\nCOPY --from=b /a.tar /a.tar\nRUN tar xf /a.tar\n";
        assert!(findings(src).is_empty());
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
