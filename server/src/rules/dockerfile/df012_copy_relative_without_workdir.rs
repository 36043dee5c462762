use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::dockerfile::instructions::{indentation_before, keyword_like, walk_stages};
use crate::rules::dockerfile::paths::is_absolute;
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::BaseKind;
use crate::syntax::TextRange;
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::Instruction;

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` to a relative destination (`.`, `./`, `src/`) in a stage
    /// that has not set `WORKDIR` yet (itself or through the stage it is built from).
    /// Destinations are expanded first; stages built from `scratch` start in `/` and are
    /// not reported.
    ///
    /// ## Why is this bad?
    /// A relative destination is resolved against the working directory of the base image,
    /// which the Dockerfile does not show: `COPY . .` puts the sources in `/` on one base and
    /// in `/go` or `/usr/src/app` on another, and the next base image update may move them.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY package*.json ./
    /// RUN npm ci --omit=dev
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY package*.json ./
    /// RUN npm ci --omit=dev
    /// ```
    ///
    /// ## Fix safety
    /// The fix inserts `WORKDIR /app` before the first such `COPY` of the stage. It is
    /// unsafe: the files and every later relative path of the stage move to `/app`, which
    /// may not be where the base image's tools expect them.
    ///
    /// ## References
    /// - practices.md §2 (writing the Dockerfile)
    pub const COPY_RELATIVE_WITHOUT_WORKDIR = {
        code: "DF012",
        name: "copy-relative-without-workdir",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

/// A stage's state while walking it.
struct WorkdirState {
    /// The working directory is known: set by WORKDIR (here or in a parent stage), or `/`
    /// of a scratch base.
    known: bool,
    /// The stage's first finding, which carries the fix, was reported.
    fixed: bool,
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    walk_stages(
        ctx,
        |stage| WorkdirState {
            known: matches!(
                stage.base.as_ref().map(|b| &b.kind),
                Some(BaseKind::Scratch)
            ),
            fixed: false,
        },
        |parent| WorkdirState {
            known: parent.known,
            fixed: false,
        },
        |state, _, instruction| match instruction.kind() {
            InstructionKind::Workdir => state.known = true,
            InstructionKind::Copy | InstructionKind::Add if !state.known => {
                check_copy(ctx, out, &instruction, &mut state.fixed);
            }
            _ => {}
        },
    );
}

fn check_copy(
    ctx: &DockerfileContext<'_>,
    out: &mut Vec<Diagnostic>,
    instruction: &Instruction<'_>,
    fixed: &mut bool,
) {
    let Some(dest) = instruction.as_copy().and_then(|c| c.destination()) else {
        return;
    };
    let expanded = ctx.model.expand(&dest.text, dest.range.start);
    let Some(path) = expanded.exact_text() else {
        return;
    };
    if path.is_empty() || is_absolute(path) {
        return;
    }
    let message = format!(
        "{} to the relative destination `{}` depends on the base image's working directory: \
         set WORKDIR first",
        instruction.name(),
        dest.text
    );
    if *fixed {
        out.push(COPY_RELATIVE_WITHOUT_WORKDIR.diagnostic(dest.range, message));
        return;
    }
    *fixed = true;
    let keyword = instruction.keyword();
    let fix = insert_workdir(ctx, keyword.range, &keyword.text);
    out.push(COPY_RELATIVE_WITHOUT_WORKDIR.diagnostic_with_fix(dest.range, message, fix));
}

/// `WORKDIR /app` on a line of its own before the instruction whose keyword is at `keyword`.
fn insert_workdir(ctx: &DockerfileContext<'_>, keyword: TextRange, written: &str) -> Fix {
    let at = ctx.line_start(keyword.start);
    let indent = indentation_before(ctx, keyword.start);
    let workdir = keyword_like("WORKDIR", written);
    Fix {
        title: format!("Insert `{workdir} /app` before it"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            range: TextRange::empty(at),
            new_text: format!("{indent}{workdir} /app{}", ctx.line_ending()),
        }],
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Diagnostic;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF012", src)
    }

    fn flagged(src: &str) -> Vec<String> {
        findings(src)
            .iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    fn apply_all(src: &str) -> String {
        testing::fixed_all(src, &findings(src))
    }

    #[test]
    fn relative_destinations_before_workdir() {
        let src = "FROM node:22\nCOPY package.json ./\nADD src src/\nWORKDIR /app\nCOPY . .\n";
        assert_eq!(flagged(src), ["./", "src/"]);
        let found = findings(src);
        assert!(found[0].fix.is_some() && found[1].fix.is_none());
        let after = apply_all(src);
        assert_eq!(
            after,
            "FROM node:22\nWORKDIR /app\nCOPY package.json ./\nADD src src/\nWORKDIR /app\nCOPY . .\n"
        );
        assert!(findings(&after).is_empty());
    }

    #[test]
    fn lower_case_indented_crlf() {
        let src = "from node:22\r\n  copy . .\r\n";
        assert_eq!(
            apply_all(src),
            "from node:22\r\n  workdir /app\r\n  copy . .\r\n"
        );
    }

    #[test]
    fn absolute_variables_scratch_and_parent_workdirs_pass() {
        let src = "FROM a AS base\nWORKDIR /srv\nFROM base\nCOPY . .\n\
                   FROM scratch\nCOPY app .\n\
                   FROM a\nARG DEST=/opt/app\nCOPY x $DEST\nCOPY y C:\\\\tools\\\\\n\
                   ARG LATER\nCOPY z $LATER\nCOPY --from=base /srv /srv\n";
        assert!(flagged(src).is_empty(), "{:?}", flagged(src));
    }

    #[test]
    fn variables_with_relative_values_are_reported() {
        let src = "FROM a\nARG DEST=app/\nCOPY x $DEST\n";
        assert_eq!(flagged(src), ["$DEST"]);
    }
}
