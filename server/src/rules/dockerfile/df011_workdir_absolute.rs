use crate::diagnostics::Diagnostic;
use crate::rules::dockerfile::instructions::walk_stages;
use crate::rules::dockerfile::paths::is_absolute;
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::Instruction;

declare_rule! {
    /// ## What it does
    /// Reports the first `WORKDIR` of a stage when its path is relative and no `WORKDIR`
    /// came before it, in the stage or in the stages it is built from. Variables are expanded
    /// first (`WORKDIR $APP_HOME` is fine when `APP_HOME` is absolute), and Windows paths
    /// such as `C:\app` count as absolute. Later relative `WORKDIR`s build on the first one
    /// and are not reported.
    ///
    /// ## Why is this bad?
    /// A relative `WORKDIR` is resolved against the working directory of the base image,
    /// which the Dockerfile does not show and which may change with the next image update.
    /// An absolute path says where files go, whatever the base.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR app
    /// COPY package*.json ./
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY package*.json ./
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which absolute path was meant depends on the base image.
    ///
    /// ## References
    /// - practices.md §2 (writing the Dockerfile)
    /// - Docker build checks, WorkdirRelativePath: <https://docs.docker.com/reference/build-checks/workdir-relative-path/>
    pub const WORKDIR_ABSOLUTE = {
        code: "DF011",
        name: "workdir-absolute",
        severity: Warning,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    // The state: whether the stage (or a stage it is built from) has set WORKDIR so far.
    walk_stages(
        ctx,
        |_| false,
        |parent_set| *parent_set,
        |workdir_set, _, instruction| {
            if instruction.kind() != InstructionKind::Workdir || *workdir_set {
                return;
            }
            *workdir_set = true;
            check_workdir(ctx, out, &instruction);
        },
    );
}

fn check_workdir(
    ctx: &DockerfileContext<'_>,
    out: &mut Vec<Diagnostic>,
    instruction: &Instruction<'_>,
) {
    let Some(word) = instruction.words().next() else {
        return;
    };
    let written = word.text();
    let expanded = ctx.model.expand(&written, word.range().start);
    let Some(path) = expanded.exact_text() else {
        return;
    };
    if path.is_empty() || is_absolute(path) {
        return;
    }
    let shown = if path == written.as_ref() {
        format!("`{path}`")
    } else {
        format!("`{written}` (`{path}`)")
    };
    out.push(WORKDIR_ABSOLUTE.diagnostic(
        word.range(),
        format!(
            "the working directory {shown} is relative, so it depends on the base image's \
             working directory; use an absolute path"
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn flagged(src: &str) -> Vec<String> {
        testing::findings("DF011", src)
            .into_iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn first_relative_workdir_of_a_stage() {
        let src = "FROM a\nWORKDIR app\nWORKDIR sub\nFROM b\nworkdir ./srv\n";
        assert_eq!(flagged(src), ["app", "./srv"]);
    }

    #[test]
    fn an_earlier_workdir_here_or_in_a_parent_stage_counts() {
        let src = "FROM a AS base\nWORKDIR /app\nWORKDIR src\n\
                   FROM base AS child\nWORKDIR lib\n\
                   FROM a\nWORKDIR rel\n";
        assert_eq!(flagged(src), ["rel"]);
    }

    #[test]
    fn variables_are_expanded() {
        let src = "FROM a\nARG HOME_DIR=/home/app\nWORKDIR $HOME_DIR\n\
                   FROM a\nARG SUB=app\nWORKDIR ${SUB}\n\
                   FROM a\nARG UNKNOWN\nWORKDIR $UNKNOWN\n\
                   FROM a\nWORKDIR $HOME/app\n";
        let found: Vec<_> = testing::findings("DF011", src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.as_usize()], "${SUB}");
        assert!(found[0].message.contains("`${SUB}` (`app`)"));
    }

    #[test]
    fn windows_paths_are_absolute() {
        let src = "# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n\
                   WORKDIR C:\\app\nFROM a\nWORKDIR C:/app\nFROM a\nWORKDIR \"C:\\\\app\"\n";
        assert!(flagged(src).is_empty(), "{:?}", flagged(src));
    }
}
