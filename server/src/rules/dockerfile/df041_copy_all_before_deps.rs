use super::installs::{DependencyInstall, Manager, command_words, dependency_install};
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::RunScript;
use crate::syntax::TextRange;
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::Instruction;
use crate::syntax::shell::SimpleCommand;

declare_rule! {
    /// ## What it does
    /// Reports `COPY . .` (or `ADD .`, any copy of the whole build context) that comes
    /// before a dependency install in the same stage: `npm ci`, `yarn install`, `pnpm
    /// install`, `pip install -r`, `poetry install`, `bundle install`, `go mod download`,
    /// `composer install`, `cargo fetch`.
    ///
    /// ## Why is this bad?
    /// The builder reuses a layer only while everything before it is unchanged. After
    /// `COPY . .`, every edit to any source file invalidates the cache, so the dependency
    /// install runs again on each build even when the dependencies did not change. Copying
    /// the manifests first and the rest after the install keeps the install cached until the
    /// manifests change.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY package*.json ./
    /// RUN npm ci
    /// COPY . .
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix copies the manifests the package manager reads (`package*.json`,
    /// `yarn.lock`, the `-r` requirements files, `go.mod` and `go.sum`, ...) before the
    /// install and moves the whole copy after it. It is offered only when the install's RUN
    /// does nothing else and nothing in between reads files, but an install script that
    /// reads other files of the project would then miss them.
    ///
    /// ## References
    /// - practices.md §4.1 (layer caching), §2.1 (manifests first)
    pub const COPY_ALL_BEFORE_DEPS = {
        code: "DF041",
        name: "copy-all-before-deps",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

/// A copy of the whole build context: the instruction and its `.` source.
struct WholeCopy<'t> {
    instruction: Instruction<'t>,
    index: usize,
    source: TextRange,
    only_source: bool,
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for stage in &ctx.model.stages {
        if !ctx.should_check(stage.from_range.start) {
            continue;
        }
        let instructions = ctx.stage_instructions(stage.index);
        let mut whole: Option<WholeCopy<'_>> = None;
        // Managers that installed dependencies before the whole copy: a second install
        // after it installs the project itself (`poetry install --no-root` then
        // `poetry install`, `uv sync --no-install-project` then `uv sync`).
        let mut installed_before: Vec<Manager> = Vec::new();
        for (index, instruction) in instructions.iter().enumerate() {
            match instruction.kind() {
                InstructionKind::Copy | InstructionKind::Add if whole.is_none() => {
                    whole = whole_copy(ctx, *instruction, index);
                }
                InstructionKind::Run => {
                    let Some(run) = ctx.run_for(instruction.range()) else {
                        continue;
                    };
                    let Some((command, install)) = run
                        .commands()
                        .iter()
                        .find_map(|c| dependency_install(c).map(|i| (c, i)))
                    else {
                        continue;
                    };
                    let Some(copy) = &whole else {
                        installed_before.push(install.manager);
                        continue;
                    };
                    if installed_before.contains(&install.manager) {
                        continue;
                    }
                    let message = format!(
                        "the whole build context is copied before `{}` (line {}): any source change reruns the install; copy the manifests first and the rest after it",
                        command_words(command),
                        ctx.line_number(run.abs(command.range).start)
                    );
                    let between = &instructions[copy.index + 1..index];
                    let fix = move_fix(ctx, copy, *instruction, between, run, &install);
                    out.push(match fix {
                        Some(fix) => {
                            COPY_ALL_BEFORE_DEPS.diagnostic_with_fix(copy.source, message, fix)
                        }
                        None => COPY_ALL_BEFORE_DEPS.diagnostic(copy.source, message),
                    });
                    break;
                }
                _ => {}
            }
        }
    }
}

/// The instruction as a [`WholeCopy`] when it copies the whole context (not `--from`).
fn whole_copy<'t>(
    ctx: &DockerfileContext<'_>,
    instruction: Instruction<'t>,
    index: usize,
) -> Option<WholeCopy<'t>> {
    let copy = instruction.as_copy()?;
    if copy.from().is_some() {
        return None;
    }
    let sources = copy.sources();
    let source = sources.iter().find(|s| {
        let expanded = ctx.model.expand(&s.text, s.range.start);
        expanded.exact_text().is_some_and(|p| {
            crate::facts::dockerignore::clean_path(p.trim_start_matches('/')) == "."
        })
    })?;
    Some(WholeCopy {
        instruction,
        index,
        source: source.range,
        only_source: sources.len() == 1,
    })
}

/// Commands that may share the install's RUN without reading the project's files.
fn is_install_housekeeping(command: &SimpleCommand) -> bool {
    let sub = command.subcommand().map(|w| w.text.as_str());
    match command.base_name() {
        "rm" | "set" | "true" | "echo" => true,
        "npm" | "yarn" | "pnpm" => sub == Some("cache") || sub == Some("config"),
        "pip" | "pip3" => {
            sub == Some("install")
                && command
                    .operands()
                    .skip(1)
                    .all(|w| matches!(w.text.as_str(), "pip" | "setuptools" | "wheel"))
        }
        _ => false,
    }
}

/// The fix: copy the manifests where the whole context was copied, and the whole context
/// right after the install.
fn move_fix(
    ctx: &DockerfileContext<'_>,
    copy: &WholeCopy<'_>,
    install_run: Instruction<'_>,
    between: &[Instruction<'_>],
    run: &RunScript,
    install: &DependencyInstall,
) -> Option<Fix> {
    if !copy.only_source || run.in_onbuild {
        return None;
    }
    let harmless = between.iter().all(|i| {
        matches!(
            i.kind(),
            InstructionKind::Env
                | InstructionKind::Arg
                | InstructionKind::Label
                | InstructionKind::Expose
        )
    });
    let alone = run
        .commands()
        .iter()
        .all(|c| dependency_install(c).is_some() || is_install_housekeeping(c));
    if !harmless || !alone || run.script.has_errors {
        return None;
    }
    let manifests: Vec<String> = match install.manager {
        Manager::Pip => install.requirement_files.clone(),
        other => other.manifests().iter().map(|m| (*m).to_owned()).collect(),
    };
    let relative = manifests
        .iter()
        .all(|m| !m.is_empty() && !m.starts_with('/') && !m.contains(['$', '"', '\'', ' ']));
    if manifests.is_empty() || !relative {
        return None;
    }
    let destination = copy.instruction.as_copy()?.destination()?;
    let mut edits = vec![Edit {
        range: copy.source,
        new_text: manifests.join(" "),
    }];
    // More than one source (or a pattern) needs a directory destination ending in `/`.
    if !destination.text.ends_with('/') && !destination.text.starts_with('[') {
        edits.push(Edit {
            range: TextRange::empty(destination.range.end),
            new_text: "/".to_owned(),
        });
    }
    let original = &ctx.text[copy.instruction.range().as_usize()];
    edits.push(Edit {
        range: TextRange::empty(install_run.range().end),
        new_text: format!("{}{original}", ctx.line_ending()),
    });
    Some(Fix {
        title: format!(
            "Copy {} before the install and the rest after it",
            manifests.join(" ")
        ),
        applicability: Applicability::Unsafe,
        edits,
    })
}

#[cfg(test)]
mod tests {
    use crate::fix::apply_fixes;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<crate::diagnostics::Diagnostic> {
        testing::findings("DF041", src)
    }

    fn fixed(src: &str) -> String {
        let found = findings(src);
        let fix = found[0].fix.as_ref().expect("a fix");
        apply_fixes(src, &[fix]).0
    }

    #[test]
    fn moves_the_whole_copy_after_the_install() {
        let src = "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nENV CI=1\nRUN npm ci && npm cache clean --force\nCMD [\"node\", \"server.js\"]\n";
        assert_eq!(
            fixed(src),
            "FROM node:22-alpine\nWORKDIR /app\nCOPY package*.json ./\nENV CI=1\nRUN npm ci && npm cache clean --force\nCOPY . .\nCMD [\"node\", \"server.js\"]\n"
        );
        let after = fixed(src);
        assert!(findings(&after).is_empty());
        let src = "FROM python:3.12-slim\r\nCOPY --chown=app . /srv/\r\nRUN pip install --no-cache-dir -r requirements/base.txt\r\n";
        assert_eq!(
            fixed(src),
            "FROM python:3.12-slim\r\nCOPY --chown=app requirements/base.txt /srv/\r\nRUN pip install --no-cache-dir -r requirements/base.txt\r\nCOPY --chown=app . /srv/\r\n"
        );
    }

    #[test]
    fn reports_without_a_fix_when_moving_is_not_safe_to_offer() {
        // The same RUN builds too: it needs the sources.
        let src = "FROM node:22\nCOPY . .\nRUN npm ci && npm run build\n";
        assert_eq!(findings(src).len(), 1);
        assert!(findings(src)[0].fix.is_none());
        // Something between reads files.
        let src = "FROM node:22\nCOPY . .\nRUN ./prepare.sh\nRUN npm ci\n";
        assert!(findings(src)[0].fix.is_none());
    }

    #[test]
    fn manifests_first_passes() {
        for src in [
            "FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --only=production\nCOPY . .\nRUN npm run build\n",
            "FROM node:20\nCOPY . .\nRUN npm run build\n",
            "FROM node:20 AS a\nCOPY . .\nFROM node:20\nRUN npm ci\n",
            "FROM python:3\nCOPY . .\nRUN pip install .\n",
            "FROM node:20\nCOPY --from=deps /app .\nRUN npm ci\n",
            // Dependencies first, then the project itself.
            "FROM python:3.12\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\nCOPY . .\nRUN poetry install\n",
            "FROM python:3.12\nRUN --mount=type=bind,source=uv.lock,target=uv.lock uv sync --no-install-project\nCOPY . /app\nRUN uv sync\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
