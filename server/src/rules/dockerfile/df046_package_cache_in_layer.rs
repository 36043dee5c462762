use super::package_managers::{APK, NPM, PIP, YARN, is_npm_ci, is_npm_install, pip_args};
use super::run_edits::{after_run_keyword, append_command, insert_after};
use super::shell_args::{Arg, Args, is_rm_of, path_within, removes_path};
use super::shell_images::shipping_stages;
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::RunScript;
use crate::syntax::TextRange;
use crate::syntax::shell::{ShellWord, SimpleCommand};

declare_rule! {
    /// ## What it does
    /// Reports package installs that leave the package manager's download cache in the
    /// image layer: `npm ci`/`npm install` without `npm cache clean --force`, `pip install`
    /// without `--no-cache-dir`, `apk add` without `--no-cache`, and `yarn install` without
    /// `yarn cache clean`, each in the same RUN.
    ///
    /// A RUN that keeps the cache out of the layer another way passes: a
    /// `--mount=type=cache` on the cache directory, removing the directory later in the same
    /// RUN, or (for pip) `PIP_NO_CACHE_DIR` set by `ENV`, `ARG` or the command itself. Stages
    /// that are only copied from (`COPY --from=build`) are not checked: their layers do not
    /// ship. Triggers (`ONBUILD RUN`) are checked, since they run in the images built from
    /// this one.
    ///
    /// Severity: warning for pip (its cache is often as large as the packages), info for the
    /// others.
    ///
    /// ## Why is this bad?
    /// The cache is only useful while installing. Left in the layer, it can double the size
    /// of the dependencies in the image, and removing it in a later RUN does not help: the
    /// earlier layer still holds it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// WORKDIR /app
    /// COPY requirements.txt .
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// WORKDIR /app
    /// COPY requirements.txt .
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    ///
    /// ## Fix safety
    /// Safe for pip (`--no-cache-dir`), apk (`--no-cache`) and yarn (appending
    /// `yarn cache clean`): the same packages are installed. For npm the fix is a suggestion
    /// only: mounting a cache (`RUN --mount=type=cache,target=/root/.npm`) needs BuildKit and
    /// the right home directory for the build's user.
    ///
    /// ## References
    /// - practices.md §2.3 (`pip install --no-cache-dir`), §11 (cache mounts)
    /// - Cache mounts: <https://docs.docker.com/build/cache/optimize/#use-cache-mounts>
    pub const PACKAGE_CACHE_IN_LAYER = {
        code: "DF046",
        name: "package-cache-in-layer",
        severity: Info,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let shipping = shipping_stages(ctx.model);
    for run in ctx.checked_runs() {
        if !ctx.should_check(run.instruction.start) {
            continue;
        }
        if !run.in_onbuild && !shipping.contains(run.stage) {
            continue;
        }
        let commands = run.commands();
        for (i, command) in commands.iter().enumerate() {
            let (earlier, later) = (&commands[..i], &commands[i + 1..]);
            match command.base_name() {
                "npm" => check_npm(ctx, run, command, later, out),
                "apk" => check_apk(run, command, later, out),
                "yarn" => check_yarn(ctx, run, command, later, out),
                _ => {
                    if let Some(args) = pip_args(command) {
                        check_pip(ctx, run, command, args, earlier, later, out);
                    }
                }
            }
        }
    }
}

fn check_npm(
    ctx: &DockerfileContext<'_>,
    run: &RunScript,
    command: &SimpleCommand,
    later: &[SimpleCommand],
    out: &mut Vec<Diagnostic>,
) {
    let args = Args::parse(command, &NPM);
    let Some(subcommand) = args.subcommand() else {
        return;
    };
    if !(is_npm_install(&subcommand.text) || is_npm_ci(&subcommand.text)) {
        return;
    }
    // Where the cache goes: `--cache dir`, `npm_config_cache`, or `~/.npm`.
    let configured = args
        .value_of(None, "cache")
        .map(str::to_owned)
        .or_else(|| assigned(ctx, run, command, "npm_config_cache"))
        .or_else(|| assigned(ctx, run, command, "NPM_CONFIG_CACHE"));
    let cache = configured.as_deref().filter(|dir| dir.starts_with('/'));
    let mounted = run.cache_mounts.iter().any(|m| match cache {
        Some(dir) => path_within(dir, m),
        None => names_dir(m, ".npm") || path_within("/root/.npm", m),
    });
    let cleaned = later.iter().any(|c| {
        (c.base_name() == "npm" && {
            let a = Args::parse(c, &NPM);
            a.subcommand().is_some_and(|s| s.text == "cache")
                && a.operands_after_subcommand()
                    .next()
                    .is_some_and(|o| matches!(o.text.as_str(), "clean" | "clear" | "rm"))
        }) || (c.base_name() == "rm"
            && c.args.iter().any(|a| match cache {
                Some(dir) => a.literal && removes_path(&a.text, dir),
                None => names_dir(&a.text, ".npm") || a.text.contains("/.npm/"),
            }))
    });
    if mounted || cleaned {
        return;
    }
    let range = run
        .word_range(&command.name)
        .cover(run.word_range(subcommand));
    let shown = format!("npm {}", subcommand.text);
    let message = match &configured {
        Some(dir) => format!(
            "`{shown}` leaves its download cache in `{dir}`, inside the layer: clean it with \
             `npm cache clean --force` in this RUN, or mount a cache there"
        ),
        None => format!(
            "`{shown}` leaves its download cache (`~/.npm`) in the layer: clean it with \
             `npm cache clean --force` in this RUN, or mount a cache there"
        ),
    };
    let target = cache.unwrap_or("/root/.npm");
    let fix = after_run_keyword(ctx, run).map(|at| Fix {
        title: format!("Mount npm's cache: `RUN --mount=type=cache,target={target}`"),
        applicability: Applicability::DisplayOnly,
        edits: vec![Edit {
            range: TextRange::empty(at),
            new_text: format!(" --mount=type=cache,target={target}"),
        }],
    });
    push(out, range, message, Severity::Info, fix);
}

fn check_pip(
    ctx: &DockerfileContext<'_>,
    run: &RunScript,
    command: &SimpleCommand,
    words: &[ShellWord],
    earlier: &[SimpleCommand],
    later: &[SimpleCommand],
    out: &mut Vec<Diagnostic>,
) {
    let args = Args::parse_words(words, &PIP);
    let Some(subcommand) = args.subcommand().filter(|s| s.text == "install") else {
        return;
    };
    // optparse accepts any unambiguous prefix: `--no-cache` is `--no-cache-dir`.
    let no_cache = args.items.iter().any(|a| {
        matches!(a, Arg::Long { name, .. }
            if name.len() >= "no-cache".len() && "no-cache-dir".starts_with(name))
    });
    if no_cache {
        return;
    }
    // pip disables its cache for any boolean value of PIP_NO_CACHE_DIR, `0` included.
    let disabled_by_env = assigned(ctx, run, command, "PIP_NO_CACHE_DIR")
        .is_some_and(|v| !v.is_empty())
        || earlier.iter().any(|c| {
            c.base_name() == "export"
                && c.args.iter().any(|a| {
                    a.text
                        .strip_prefix("PIP_NO_CACHE_DIR=")
                        .is_some_and(|v| !v.is_empty())
                })
        });
    if disabled_by_env {
        return;
    }
    let configured = args
        .value_of(None, "cache-dir")
        .map(str::to_owned)
        .or_else(|| assigned(ctx, run, command, "PIP_CACHE_DIR"));
    let cache = configured.as_deref().filter(|dir| dir.starts_with('/'));
    let mounted = run.cache_mounts.iter().any(|m| match cache {
        Some(dir) => path_within(dir, m),
        None => {
            names_dir(m, ".cache")
                || m.ends_with("/.cache/pip")
                || path_within("/root/.cache/pip", m)
        }
    });
    let cleaned = later.iter().any(|c| {
        pip_args(c).is_some_and(|w| {
            let a = Args::parse_words(w, &PIP);
            a.subcommand().is_some_and(|s| s.text == "cache")
                && a.operands_after_subcommand()
                    .next()
                    .is_some_and(|o| o.text == "purge")
        }) || match cache {
            Some(dir) => is_rm_of(c, dir),
            None => {
                c.base_name() == "rm"
                    && c.args.iter().any(|a| {
                        names_dir(&a.text, ".cache")
                            || (names_dir(&a.text, "pip") && a.text.contains("/.cache/"))
                    })
            }
        }
    });
    if mounted || cleaned {
        return;
    }
    let range = run
        .word_range(&command.name)
        .cover(run.word_range(subcommand));
    let message = format!(
        "`{} install` keeps downloaded packages in pip's cache, inside the layer: add \
         `--no-cache-dir`",
        command.name.text
    );
    let fix = insert_after(run, subcommand, " --no-cache-dir").map(|edit| Fix {
        title: "Add `--no-cache-dir`".to_owned(),
        applicability: Applicability::Safe,
        edits: vec![edit],
    });
    push(out, range, message, Severity::Warning, fix);
}

fn check_apk(
    run: &RunScript,
    command: &SimpleCommand,
    later: &[SimpleCommand],
    out: &mut Vec<Diagnostic>,
) {
    let args = Args::parse(command, &APK);
    let Some(subcommand) = args.subcommand().filter(|s| s.text == "add") else {
        return;
    };
    if args.has_long("no-cache") {
        return;
    }
    let mounted = run
        .cache_mounts
        .iter()
        .any(|m| path_within("/var/cache/apk", m) || path_within("/etc/apk/cache", m));
    let cleaned = later.iter().any(|c| {
        is_rm_of(c, "/var/cache/apk")
            || (c.base_name() == "apk"
                && Args::parse(c, &APK)
                    .subcommand()
                    .is_some_and(|s| s.text == "cache")
                && c.args
                    .iter()
                    .any(|a| a.text == "clean" || a.text == "purge"))
    });
    if mounted || cleaned {
        return;
    }
    let range = run
        .word_range(&command.name)
        .cover(run.word_range(subcommand));
    let message = "`apk add` keeps the package index in `/var/cache/apk`, inside the layer: \
                   add `--no-cache`"
        .to_owned();
    let fix = insert_after(run, subcommand, " --no-cache").map(|edit| Fix {
        title: "Add `--no-cache`".to_owned(),
        applicability: Applicability::Safe,
        edits: vec![edit],
    });
    push(out, range, message, Severity::Info, fix);
}

fn check_yarn(
    ctx: &DockerfileContext<'_>,
    run: &RunScript,
    command: &SimpleCommand,
    later: &[SimpleCommand],
    out: &mut Vec<Diagnostic>,
) {
    let args = Args::parse(command, &YARN);
    // `yarn` alone installs too.
    let subcommand = args.subcommand();
    if subcommand.is_some_and(|s| s.text != "install")
        || args.has_long("version")
        || args.has_long("help")
        || args.has_short('v')
        || args.has_short('h')
    {
        return;
    }
    let configured = args
        .value_of(None, "cache-folder")
        .map(str::to_owned)
        .or_else(|| assigned(ctx, run, command, "YARN_CACHE_FOLDER"));
    let cache = configured.as_deref().filter(|dir| dir.starts_with('/'));
    let mounted = run.cache_mounts.iter().any(|m| match cache {
        Some(dir) => path_within(dir, m),
        None => m.contains("yarn"),
    });
    let cleaned = later.iter().any(|c| {
        (c.base_name() == "yarn"
            && c.args.first().is_some_and(|a| a.text == "cache")
            && c.args.get(1).is_some_and(|a| a.text == "clean"))
            || (c.base_name() == "rm"
                && c.args.iter().any(|a| match cache {
                    Some(dir) => a.literal && removes_path(&a.text, dir),
                    None => a.text.contains("yarn"),
                }))
    });
    if mounted || cleaned {
        return;
    }
    let mut range = run.word_range(&command.name);
    if let Some(subcommand) = subcommand {
        range = range.cover(run.word_range(subcommand));
    }
    let shown = if subcommand.is_some() {
        "yarn install"
    } else {
        "yarn"
    };
    let message = format!(
        "`{shown}` leaves yarn's download cache in the layer: run `yarn cache clean` in the \
         same RUN"
    );
    let fix = append_command(ctx, run, "yarn cache clean").map(|edit| Fix {
        title: "Append `yarn cache clean`".to_owned(),
        applicability: Applicability::Safe,
        edits: vec![edit],
    });
    push(out, range, message, Severity::Info, fix);
}

fn push(
    out: &mut Vec<Diagnostic>,
    range: TextRange,
    message: String,
    severity: Severity,
    fix: Option<Fix>,
) {
    let mut diagnostic = match fix {
        Some(fix) => PACKAGE_CACHE_IN_LAYER.diagnostic_with_fix(range, message, fix),
        None => PACKAGE_CACHE_IN_LAYER.diagnostic(range, message),
    };
    diagnostic.severity = severity;
    out.push(diagnostic);
}

/// The value of an environment variable for this command: an assignment before it
/// (`NAME=value cmd`), else an `ENV`/`ARG` visible at the RUN. `None` when unset or unknown.
fn assigned(
    ctx: &DockerfileContext<'_>,
    run: &RunScript,
    command: &SimpleCommand,
    name: &str,
) -> Option<String> {
    for assignment in &command.assignments {
        if let Some(value) = assignment
            .text
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('='))
        {
            return assignment.literal.then(|| value.to_owned());
        }
    }
    ctx.model.variable_at(name, run.instruction.start)?.value
}

/// Whether a path (or glob) names a directory called `name`: `/root/.npm`, `~/.npm/*`,
/// `$HOME/.npm/`.
fn names_dir(path: &str, name: &str) -> bool {
    let trimmed = path.trim_end_matches('*').trim_end_matches('/');
    trimmed.rsplit('/').next() == Some(name)
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile;
    use crate::diagnostics::{Applicability, Severity};
    use crate::rules::testing;

    type Finding = (String, Severity, Option<(Applicability, String)>);

    fn findings(src: &str) -> Vec<Finding> {
        testing::findings("DF046", src)
            .into_iter()
            .map(|d| {
                let fix = d
                    .fix
                    .map(|f| (f.applicability, f.edits[0].new_text.clone()));
                (src[d.range.as_usize()].to_owned(), d.severity, fix)
            })
            .collect()
    }

    #[test]
    fn each_manager_with_its_fix() {
        let src = "FROM python:3.12-alpine\nRUN apk add curl && pip install flask \\\n    && python3 -m pip install gunicorn\n\
                   RUN npm ci\nRUN yarn install --frozen-lockfile\nRUN yarn\n";
        let found = findings(src);
        let ranges: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            ranges,
            [
                "apk add",
                "pip install",
                "python3 -m pip install",
                "npm ci",
                "yarn install",
                "yarn"
            ]
        );
        assert_eq!(found[0].1, Severity::Info);
        assert_eq!(found[1].1, Severity::Warning);
        assert_eq!(
            found[0].2,
            Some((Applicability::Safe, " --no-cache".to_owned()))
        );
        assert_eq!(
            found[2].2,
            Some((Applicability::Safe, " --no-cache-dir".to_owned()))
        );
        assert_eq!(
            found[3].2,
            Some((
                Applicability::DisplayOnly,
                " --mount=type=cache,target=/root/.npm".to_owned()
            ))
        );
        assert_eq!(
            found[4].2,
            Some((Applicability::Safe, " && yarn cache clean".to_owned()))
        );
    }

    #[test]
    fn caches_kept_out_of_the_layer_pass() {
        for src in [
            "FROM python:3.12\nRUN pip install --no-cache-dir flask\n",
            "FROM python:3.12\nRUN pip install --no-cache flask\n",
            "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n",
            "FROM python:3.12\nARG PIP_NO_CACHE_DIR=off\nRUN pip install flask\n",
            "FROM python:3.12\nRUN PIP_NO_CACHE_DIR=1 pip install flask\n",
            "FROM python:3.12\nRUN export PIP_NO_CACHE_DIR=1 && pip install flask\n",
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache pip install flask\n",
            "FROM python:3.12\nRUN pip install flask && rm -rf /root/.cache/pip\n",
            "FROM python:3.12\nRUN pip install flask && pip cache purge\n",
            "FROM python:3.12\nRUN pip download flask && pip wheel flask\n",
            "FROM python:3.12\nRUN pip install --cache-dir /tmp/pip flask && rm -rf /tmp/pip\n",
            "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
            "FROM alpine:3.20\nRUN apk add curl && rm -rf /var/cache/apk/*\n",
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n",
            "FROM node:22\nRUN npm ci && npm cache clean --force\n",
            "FROM node:22\nRUN --mount=type=cache,target=/root/.npm npm ci\n",
            "FROM node:22\nRUN --mount=type=cache,target=/home/node/.npm npm ci\n",
            "FROM node:22\nRUN npm ci --cache /tmp/npm && rm -rf /tmp/npm\n",
            "FROM node:22\nRUN npm ci && rm -rf ~/.npm\n",
            "FROM node:22\nRUN npm run build && npm test\n",
            "FROM node:22\nRUN yarn install && yarn cache clean\n",
            "FROM node:22\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n",
            "FROM node:22\nRUN yarn build\n",
            "FROM node:22\nSHELL [\"pwsh\", \"-c\"]\nRUN npm ci\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }

    #[test]
    fn cleaning_before_the_install_does_not_count() {
        let src = "FROM node:22\nRUN npm cache clean --force && npm ci\n";
        assert_eq!(findings(src).len(), 1);
    }

    #[test]
    fn builder_stages_are_not_checked() {
        let src = "FROM node:22 AS build\nRUN npm ci && npm run build\n\
                   FROM node:22-alpine\nCOPY --from=build /app/dist /app\nRUN apk add curl\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "apk add");
    }

    #[test]
    fn npm_cache_inside_the_image_is_named() {
        let src = "FROM node:22\nRUN npm ci --only=production --cache /root/.npm\n";
        let d = check_dockerfile(src)
            .into_iter()
            .find(|d| d.code == "DF046")
            .expect("finding");
        assert!(d.message.contains("`/root/.npm`"), "{}", d.message);
    }

    #[test]
    fn onbuild_heredoc_and_exec_forms() {
        let src = "FROM python:3.12\nONBUILD RUN pip install -r requirements.txt\n\
                   RUN <<EOF\npip install flask\nEOF\nRUN [\"pip\", \"install\", \"flask\"]\n";
        let found = findings(src);
        assert_eq!(found.len(), 3);
        assert!(found[0].2.is_some() && found[1].2.is_some());
        // No plain-text edit inside a JSON array.
        assert!(found[2].2.is_none());
    }
}
