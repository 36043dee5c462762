use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::Dockerfile;

declare_rule! {
    /// ## What it does
    /// Reports an instruction other than `ARG` before the first `FROM`. Parser directives,
    /// comments and `ARG`s may come first; anything else needs a build stage.
    ///
    /// ## Why is this bad?
    /// Every instruction but `ARG` acts on a build stage, and stages start with `FROM`.
    /// `docker build` refuses a file whose first instruction is, say, `RUN` or `COPY`; often
    /// the `FROM` line was deleted or pasted below by mistake.
    ///
    /// ## Example
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1
    /// WORKDIR /app
    /// FROM python:3.12-slim
    /// COPY . .
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1
    /// ARG PYTHON_VERSION=3.12
    /// FROM python:${PYTHON_VERSION}-slim
    /// WORKDIR /app
    /// COPY . .
    /// ```
    ///
    /// ## Fix safety
    /// No fix: where the instruction belongs is for a person to decide.
    ///
    /// ## References
    /// - Dockerfile reference, FROM: <https://docs.docker.com/reference/dockerfile/#from>
    pub const FIRST_INSTRUCTION_FROM = {
        code: "DF001",
        name: "first-instruction-from",
        severity: Error,
        fixable: false,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut has_from = false;
    let mut first_misplaced = None;
    for instruction in Dockerfile::new(&ctx.parse.tree).instructions() {
        match instruction.kind() {
            InstructionKind::From => {
                has_from = true;
                break;
            }
            InstructionKind::Arg => {}
            // A misspelled keyword is a syntax error of its own (DF020); it may be the FROM,
            // so what follows it is not judged.
            InstructionKind::Unknown if first_misplaced.is_none() => return,
            InstructionKind::Unknown => break,
            _ => {
                if first_misplaced.is_none() {
                    first_misplaced = Some(instruction);
                }
            }
        }
    }
    let Some(instruction) = first_misplaced else {
        return;
    };
    let keyword = instruction.keyword();
    let name = instruction.name();
    let message = if has_from {
        format!(
            "{name} comes before the first FROM: only ARG may precede FROM, every other \
             instruction needs a build stage"
        )
    } else {
        format!("{name} has no build stage to act on: a Dockerfile must start with FROM")
    };
    out.push(FIRST_INSTRUCTION_FROM.diagnostic(keyword.range, message));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<(String, String)> {
        testing::findings("DF001", src)
            .into_iter()
            .map(|d| (src[d.range.as_usize()].to_owned(), d.message))
            .collect()
    }

    #[test]
    fn instruction_before_from() {
        let found = findings("# syntax=docker/dockerfile:1\n# note\nrun echo\nFROM alpine\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "run");
        assert!(found[0].1.starts_with("RUN comes before the first FROM"));
    }

    #[test]
    fn only_the_first_misplaced_one_and_args_are_fine() {
        let found = findings("ARG A=1\nENV B=2\nLABEL c=3\nFROM alpine\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "ENV");
    }

    #[test]
    fn a_misspelled_from_after_a_misplaced_instruction() {
        let found = findings("RUN x\nFORM alpine\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "RUN");
    }

    #[test]
    fn no_from_at_all() {
        let found = findings("COPY a /b\n");
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("must start with FROM"));
    }

    #[test]
    fn good_files_and_syntax_errors_pass() {
        for src in [
            "FROM alpine\nRUN x\n",
            "ARG V=1\n\n# c\nARG W\nfrom alpine:$V\n",
            "\u{feff}FROM alpine\n",
            "",
            "# only a comment\n",
            "FORM alpine\nRUN x\n",
            "ARG A\nRUNN x\nFROM a\n",
        ] {
            assert!(findings(src).is_empty(), "{src:?}: {:?}", findings(src));
        }
    }
}
