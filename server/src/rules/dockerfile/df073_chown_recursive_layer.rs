use super::paths::{is_within, join};
use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::shell::SimpleCommand;

declare_rule! {
    /// ## What it does
    /// Reports `RUN chown -R` over files that an earlier `COPY` or `ADD` of the same stage
    /// put there, and `RUN chown -R` of a directory that a later `WORKDIR` creates (so it
    /// does not exist yet when the chown runs).
    ///
    /// ## Why is this bad?
    /// Changing the owner of copied files rewrites every one of them into a new layer: the
    /// image carries the files twice. `COPY --chown=user:group` sets the owner as the files
    /// are copied, in the same layer. A chown of a directory that is only created later fails
    /// the build (or, if the base image happens to have it, changes the wrong thing).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY . .
    /// RUN chown -R node:node /app
    /// USER node
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY --chown=node:node . .
    /// USER node
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: move the owner to the `COPY` instructions by hand.
    ///
    /// ## References
    /// - practices.md §10.1 (files owned with `COPY --chown`, the chown before `WORKDIR`)
    pub const CHOWN_RECURSIVE_LAYER = {
        code: "DF073",
        name: "chown-recursive-layer",
        severity: Info,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

/// What the stage did to a path before the chown.
struct Placed {
    path: String,
    /// Where the instruction starts (its line is only computed for a message).
    at: u32,
    /// Put there by COPY/ADD (true) or only created (WORKDIR, mkdir).
    copied: bool,
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for stage in &ctx.model.stages {
        if !ctx.should_check(stage.from_range.start) {
            continue;
        }
        let instructions = ctx.stage_instructions(stage.index);
        let mut workdir = String::from("/");
        let mut placed: Vec<Placed> = Vec::new();
        for (index, instruction) in instructions.iter().enumerate() {
            let at = instruction.range().start;
            match instruction.kind() {
                InstructionKind::Workdir => {
                    let Some(dir) = known_path(ctx, instruction.arguments().first()) else {
                        continue;
                    };
                    workdir = join(&workdir, &dir);
                    placed.push(Placed {
                        path: workdir.clone(),
                        at,
                        copied: false,
                    });
                }
                InstructionKind::Copy | InstructionKind::Add => {
                    let copy = instruction.as_copy();
                    let dest = copy.and_then(|c| c.destination());
                    if let Some(dest) = known_path(ctx, dest.as_ref()) {
                        placed.push(Placed {
                            path: join(&workdir, &dest),
                            at,
                            copied: true,
                        });
                    }
                }
                InstructionKind::Run => {
                    let Some(run) = ctx.run_for(instruction.range()) else {
                        continue;
                    };
                    for command in run.commands() {
                        if command.base_name() == "mkdir" {
                            for dir in command.operands().filter(|w| w.literal) {
                                placed.push(Placed {
                                    path: join(&workdir, &dir.text),
                                    at,
                                    copied: false,
                                });
                            }
                            continue;
                        }
                        let Some(paths) = recursive_chown_paths(command) else {
                            continue;
                        };
                        for word in paths.iter().filter(|w| w.literal) {
                            let path = join(&workdir, &word.text);
                            let range = run.abs(word.range);
                            if let Some(copy) = placed
                                .iter()
                                .find(|p| p.copied && is_within(&p.path, &path))
                            {
                                out.push(CHOWN_RECURSIVE_LAYER.diagnostic(
                                    range,
                                    format!(
                                        "`chown -R {}` rewrites files copied on line {} into another layer: set the owner with `COPY --chown=` instead",
                                        word.text,
                                        ctx.line_number(copy.at)
                                    ),
                                ));
                            } else if !placed
                                .iter()
                                .any(|p| is_within(&p.path, &path) || is_within(&path, &p.path))
                                && let Some(later) =
                                    later_workdir(ctx, &instructions[index + 1..], &workdir, &path)
                            {
                                out.push(CHOWN_RECURSIVE_LAYER.diagnostic(
                                    range,
                                    format!(
                                        "`{}` does not exist yet: `WORKDIR` creates it on line {later}; create the directory first, or copy files into it with `COPY --chown=`",
                                        word.text
                                    ),
                                ));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// The line of a later `WORKDIR` that creates `path`, if one does.
fn later_workdir(
    ctx: &DockerfileContext<'_>,
    rest: &[crate::syntax::dockerfile::ast::Instruction<'_>],
    workdir: &str,
    path: &str,
) -> Option<usize> {
    let mut dir = workdir.to_owned();
    for instruction in rest {
        if instruction.kind() != InstructionKind::Workdir {
            continue;
        }
        let arg = known_path(ctx, instruction.arguments().first())?;
        dir = join(&dir, &arg);
        if is_within(path, &dir) {
            return Some(ctx.line_number(instruction.range().start));
        }
    }
    None
}

/// The paths a `chown -R owner path...` changes, or `None` for another command.
fn recursive_chown_paths(command: &SimpleCommand) -> Option<Vec<&crate::syntax::shell::ShellWord>> {
    if command.base_name() != "chown" {
        return None;
    }
    let recursive = command.args.iter().any(|a| {
        a.text == "--recursive"
            || (a.text.starts_with('-') && !a.text.starts_with("--") && a.text.contains('R'))
    });
    if !recursive {
        return None;
    }
    let operands: Vec<_> = command
        .operands()
        .filter(|w| !w.text.starts_with("--reference"))
        .collect();
    // The first operand is the owner.
    Some(operands.into_iter().skip(1).collect())
}

/// A path argument's value when it is known (variables expanded).
fn known_path(
    ctx: &DockerfileContext<'_>,
    word: Option<&crate::syntax::dockerfile::ast::Spanned<'_>>,
) -> Option<String> {
    let word = word?;
    let expanded = ctx.model.expand(&word.text, word.range.start);
    let text = expanded.exact_text()?.trim_matches('"');
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile;
    use crate::rules::dockerfile::paths::{is_within, join};
    use crate::rules::testing;

    fn found(src: &str) -> Vec<String> {
        testing::findings("DF073", src)
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn paths() {
        assert_eq!(join("/app", "./dist/"), "/app/dist");
        assert_eq!(join("/app", "/srv/../opt"), "/opt");
        assert!(is_within("/app/dist", "/app") && !is_within("/application", "/app"));
    }

    #[test]
    fn chown_of_copied_files() {
        let found =
            found("FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci && chown -R node:node /app\n");
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("line 3"), "{found:?}");
        assert_eq!(
            check_dockerfile("FROM a\nCOPY x /srv/x\nRUN chown -Rh a:a /srv\n")
                .iter()
                .filter(|d| d.code == "DF073")
                .count(),
            1
        );
    }

    #[test]
    fn the_guides_chown_before_workdir() {
        let src = "FROM node:20-alpine\nRUN addgroup -g 1001 -S nodejs\nRUN adduser -S nodejs -u 1001\nRUN chown -R nodejs:nodejs /app\nUSER nodejs\nWORKDIR /app\n";
        let found = found(src);
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("line 6"), "{found:?}");
    }

    #[test]
    fn other_chowns_pass() {
        for src in [
            "FROM a\nRUN mkdir -p /data && chown -R app:app /data\n",
            "FROM a\nRUN chown app:app /data\nCOPY x /data/x\n",
            "FROM a\nCOPY x /srv/x\nRUN chown -R app /var/log\n",
            "FROM a\nRUN chown -R app:app /var/lib/app\n",
            "FROM a\nWORKDIR /app\nRUN chown -R app:app /app\n",
        ] {
            assert!(found(src).is_empty(), "{src}");
        }
    }
}
