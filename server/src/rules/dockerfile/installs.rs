//! What RUN commands do, in the terms the guide's rules need: installing a project's
//! dependencies from its manifests, building it, installing a compiler toolchain.

use crate::rules::DockerfileContext;
use crate::semantic::DockerfileModel;
use crate::syntax::TextRange;
use crate::syntax::shell::SimpleCommand;

/// A package manager that installs a project's dependencies from manifest files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Manager {
    Npm,
    Yarn,
    Pnpm,
    Pip,
    Poetry,
    Pipenv,
    Uv,
    Bundler,
    GoModules,
    Composer,
    Cargo,
}

impl Manager {
    /// The manifest files a dependency install reads (as COPY sources).
    pub(crate) fn manifests(self) -> &'static [&'static str] {
        match self {
            Manager::Npm => &["package*.json"],
            Manager::Yarn => &["package.json", "yarn.lock"],
            Manager::Pnpm => &["package.json", "pnpm-lock.yaml"],
            Manager::Pip => &["requirements.txt"],
            Manager::Poetry => &["pyproject.toml", "poetry.lock"],
            Manager::Pipenv => &["Pipfile", "Pipfile.lock"],
            Manager::Uv => &["pyproject.toml", "uv.lock"],
            Manager::Bundler => &["Gemfile", "Gemfile.lock"],
            Manager::GoModules => &["go.mod", "go.sum"],
            Manager::Composer => &["composer.json", "composer.lock"],
            Manager::Cargo => &["Cargo.toml", "Cargo.lock"],
        }
    }
}

/// A command that installs a project's dependencies from its manifests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DependencyInstall {
    pub manager: Manager,
    /// The requirements files named with `-r` (pip).
    pub requirement_files: Vec<String>,
    /// Development dependencies are left out (`--omit=dev`, `--only=production`,
    /// `--production`, `--prod`, `--no-dev`, ...), as written on the command.
    pub omits_dev: bool,
}

/// Option words that leave out development dependencies, for any manager.
fn omits_dev(command: &SimpleCommand) -> bool {
    command.args.iter().any(|a| {
        let t = a.text.as_str();
        matches!(
            t,
            "--production" | "--prod" | "-P" | "--no-dev" | "--without-dev" | "--omit=dev"
        ) || t.starts_with("--only=prod")
            || t.starts_with("--production=true")
            || (t.starts_with("--without=") && t.contains("dev"))
    }) || command.args.windows(2).any(|w| {
        (w[0].text == "--omit" && w[1].text == "dev")
            || (w[0].text == "--without" && w[1].text.contains("dev"))
    })
}

/// npm's operands, without the values of options that take one as the next word
/// (`--omit dev`, `--cache /tmp/npm`).
fn npm_operands(command: &SimpleCommand) -> Vec<&str> {
    const TAKES_VALUE: &[&str] = &[
        "--omit",
        "--include",
        "--only",
        "--cache",
        "--prefix",
        "--registry",
        "--loglevel",
        "-w",
        "--workspace",
        "--userconfig",
    ];
    let mut out = Vec::new();
    let mut skip = false;
    for arg in &command.args {
        let t = arg.text.as_str();
        if skip {
            skip = false;
        } else if TAKES_VALUE.contains(&t) {
            skip = true;
        } else if !t.starts_with('-') {
            out.push(t);
        }
    }
    out
}

/// The first operand after skipping options (and the values of options that take one).
fn subcommand(command: &SimpleCommand) -> Option<&str> {
    command.subcommand().map(|w| w.text.as_str())
}

/// Whether the command installs dependencies from manifests (not named packages).
pub(crate) fn dependency_install(command: &SimpleCommand) -> Option<DependencyInstall> {
    let install = |manager| {
        Some(DependencyInstall {
            manager,
            requirement_files: Vec::new(),
            omits_dev: omits_dev(command),
        })
    };
    let operands: Vec<&str> = command.operands().map(|w| w.text.as_str()).collect();
    match command.base_name() {
        "npm" => match npm_operands(command).as_slice() {
            ["ci" | "clean-install" | "install-clean" | "isntall-clean" | "ic"] => {
                install(Manager::Npm)
            }
            // `npm install` without package names installs the manifest's dependencies.
            [
                "install" | "i" | "add" | "in" | "ins" | "inst" | "insta" | "instal" | "isnt"
                | "isnta" | "isntal" | "isntall",
            ] => install(Manager::Npm),
            _ => None,
        },
        "yarn" => match operands.as_slice() {
            [] | ["install"] => install(Manager::Yarn),
            _ => None,
        },
        "pnpm" => match operands.as_slice() {
            ["install" | "i"] => install(Manager::Pnpm),
            _ => None,
        },
        "pip" | "pip3" => pip_install(command, 0),
        "python" | "python3" => {
            // `python -m pip install -r ...`
            let m = command.args.iter().position(|a| a.text == "-m")?;
            (command.args.get(m + 1)?.text == "pip")
                .then(|| pip_install(command, m + 2))
                .flatten()
        }
        "poetry" if subcommand(command) == Some("install") => install(Manager::Poetry),
        "pipenv" if subcommand(command) == Some("install") && operands.len() == 1 => {
            install(Manager::Pipenv)
        }
        "uv" if subcommand(command) == Some("sync") => install(Manager::Uv),
        "bundle" | "bundler" if matches!(subcommand(command), None | Some("install")) => {
            install(Manager::Bundler)
        }
        "go" if operands == ["mod", "download"] => install(Manager::GoModules),
        "composer" if subcommand(command) == Some("install") => install(Manager::Composer),
        "cargo" if subcommand(command) == Some("fetch") => install(Manager::Cargo),
        _ => None,
    }
}

/// `pip install -r requirements.txt` (from argument `from` on): only requirements files
/// count; `pip install .` installs the project itself and needs its source.
fn pip_install(command: &SimpleCommand, from: usize) -> Option<DependencyInstall> {
    let args = command.args.get(from..)?;
    let sub = args.iter().find(|a| !a.text.starts_with('-'))?;
    if sub.text != "install" {
        return None;
    }
    let mut files = Vec::new();
    let mut iter = args.iter().peekable();
    while let Some(arg) = iter.next() {
        let t = arg.text.as_str();
        if t == "-r" || t == "--requirement" {
            if let Some(file) = iter.next() {
                files.push(file.text.clone());
            }
        } else if let Some(file) = t
            .strip_prefix("--requirement=")
            .or_else(|| t.strip_prefix("-r").filter(|f| !f.is_empty()))
        {
            files.push(file.to_owned());
        }
    }
    (!files.is_empty()).then_some(DependencyInstall {
        manager: Manager::Pip,
        requirement_files: files,
        omits_dev: false,
    })
}

/// The command's name and its first two operands, to name it in a message (`go build`,
/// `npm run build`).
pub(crate) fn command_words(command: &SimpleCommand) -> String {
    // Subcommands are plain words; paths and option values are not.
    command
        .operands()
        .take(2)
        .take_while(|w| {
            w.text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .fold(command.name.text.clone(), |acc, w| acc + " " + &w.text)
}

/// The command from its name on (assignments before it left out).
pub(crate) fn from_name(command: &SimpleCommand) -> TextRange {
    TextRange::new(command.name.range.start, command.range.end)
}

/// A stage and the stages it is built from, oldest first (`FROM deps AS build`: deps,
/// build). Bounded by the number of stages, so a cycle cannot loop.
pub(crate) fn stage_chain(model: &DockerfileModel, stage: usize) -> Vec<usize> {
    let mut chain = vec![stage];
    let mut at = stage;
    while let Some(parent) = model
        .stage(at)
        .and_then(|s| s.base.as_ref())
        .and_then(|b| b.stage())
    {
        if chain.contains(&parent) || chain.len() > model.stages.len() {
            break;
        }
        chain.push(parent);
        at = parent;
    }
    chain.reverse();
    chain
}

/// A Node.js dependency install (npm, yarn, pnpm) found in a stage.
#[derive(Clone, Debug)]
pub(crate) struct NodeInstall {
    /// Where the command is in the Dockerfile.
    pub range: TextRange,
    /// Development dependencies are left out, by an option or `NODE_ENV=production`.
    pub omits_dev: bool,
    /// `npm prune --omit=dev` and the like: removes development dependencies afterwards.
    pub is_prune: bool,
}

/// The Node.js installs and prunes of a stage and the stages it is built from, in order.
pub(crate) fn node_installs(ctx: &DockerfileContext<'_>, stage: usize) -> Vec<NodeInstall> {
    let mut out = Vec::new();
    // Building a scope is not free: skip it in files that never name the variable.
    let may_set_node_env = ctx.text.contains("NODE_ENV");
    for index in stage_chain(ctx.model, stage) {
        for run in ctx.stage_runs(index) {
            for command in run.commands() {
                let range = run.abs(command.range);
                if is_node_prune(command) {
                    out.push(NodeInstall {
                        range,
                        omits_dev: true,
                        is_prune: true,
                    });
                    continue;
                }
                let Some(install) = dependency_install(command) else {
                    continue;
                };
                if !matches!(
                    install.manager,
                    Manager::Npm | Manager::Yarn | Manager::Pnpm
                ) {
                    continue;
                }
                // The scope is built only when the command itself does not say.
                let omits_dev = install.omits_dev
                    || command
                        .assignments
                        .iter()
                        .any(|a| a.text == "NODE_ENV=production")
                    || (may_set_node_env
                        && ctx
                            .model
                            .scope_at(run.instruction.start)
                            .value("NODE_ENV")
                            .is_some_and(|v| v == "production"));
                out.push(NodeInstall {
                    range,
                    omits_dev,
                    is_prune: false,
                });
            }
        }
    }
    out
}

/// `npm prune --omit=dev` / `--production`, `pnpm prune --prod`, `yarn install --production`
/// after a full install.
fn is_node_prune(command: &SimpleCommand) -> bool {
    let sub = command.subcommand().map(|w| w.text.as_str());
    matches!(command.base_name(), "npm" | "pnpm") && sub == Some("prune") && omits_dev(command)
}

/// Whether the command builds the project (compiles, bundles, packages).
pub(crate) fn is_build_step(command: &SimpleCommand) -> bool {
    let operands: Vec<&str> = command.operands().map(|w| w.text.as_str()).collect();
    let runs_script = |names: &[&str]| match operands.as_slice() {
        ["run" | "run-script", script, ..] => names.contains(script),
        [script, ..] => names.contains(script),
        [] => false,
    };
    match command.base_name() {
        "npm" => matches!(operands.as_slice(), ["run" | "run-script", "build", ..]),
        "yarn" | "pnpm" | "bun" => runs_script(&["build"]),
        "npx" => operands
            .first()
            .is_some_and(|t| matches!(*t, "tsc" | "vite" | "webpack" | "next")),
        "tsc" | "webpack" => true,
        "go" => operands.first() == Some(&"build"),
        "cargo" => matches!(operands.first(), Some(&("build" | "install"))),
        "mvn" | "mvnw" => operands
            .iter()
            .any(|o| matches!(*o, "package" | "install" | "verify")),
        "gradle" | "gradlew" => operands.iter().any(|o| {
            matches!(
                *o,
                "build" | "assemble" | "bootJar" | "shadowJar" | "installDist"
            )
        }),
        "dotnet" => matches!(operands.first(), Some(&("build" | "publish"))),
        _ => false,
    }
}

/// Packages that are compilers or headers for building native code.
const TOOLCHAIN_PACKAGES: &[&str] = &[
    "gcc",
    "g++",
    "build-essential",
    "build-base",
    "clang",
    "make",
    "cmake",
    "musl-dev",
    "libc-dev",
    "libc6-dev",
    "python3-dev",
    "python-dev",
    "gcc-c++",
    "golang",
    "rustc",
    "cargo",
];

/// The toolchain packages a command installs (`apt-get install gcc`, `apk add build-base`).
pub(crate) fn toolchain_packages(command: &SimpleCommand) -> Vec<&str> {
    let installs = match command.base_name() {
        "apt-get" | "apt" | "yum" | "dnf" | "microdnf" | "zypper" => {
            subcommand(command) == Some("install")
        }
        "apk" => subcommand(command) == Some("add"),
        _ => false,
    };
    if !installs {
        return Vec::new();
    }
    command
        .operands()
        .skip(1)
        .map(|w| w.text.as_str())
        .filter(|name| {
            // `gcc=12.2.0-14` and `gcc-12` are gcc too.
            let base = name.split(['=', ':']).next().unwrap_or(name);
            TOOLCHAIN_PACKAGES.contains(&base)
                || TOOLCHAIN_PACKAGES.iter().any(|t| {
                    base.strip_prefix(t).is_some_and(|v| {
                        v.starts_with('-') && v[1..].chars().all(|c| c.is_ascii_digit() || c == '.')
                    })
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::shell::{ShellScript, ShellSource};

    fn first(script: &str) -> SimpleCommand {
        ShellScript::parse(&ShellSource::plain(script))
            .commands
            .into_iter()
            .next()
            .expect("a command")
    }

    #[test]
    fn dependency_installs() {
        let npm = dependency_install(&first("npm ci --only=production")).unwrap();
        assert_eq!(npm.manager, Manager::Npm);
        assert!(npm.omits_dev);
        assert!(!dependency_install(&first("npm ci")).unwrap().omits_dev);
        assert!(
            dependency_install(&first("npm install --omit dev"))
                .unwrap()
                .omits_dev
        );
        assert!(dependency_install(&first("npm install express")).is_none());
        assert!(dependency_install(&first("npm run build")).is_none());
        let pip = dependency_install(&first(
            "pip install --no-cache-dir -r requirements/prod.txt",
        ))
        .unwrap();
        assert_eq!(pip.requirement_files, ["requirements/prod.txt"]);
        assert!(dependency_install(&first("python -m pip install -rreq.txt")).is_some());
        assert!(dependency_install(&first("pip install .")).is_none());
        assert!(dependency_install(&first("pip install flask")).is_none());
        assert_eq!(
            dependency_install(&first("go mod download"))
                .unwrap()
                .manager,
            Manager::GoModules
        );
        assert_eq!(
            dependency_install(&first("yarn --frozen-lockfile"))
                .unwrap()
                .manager,
            Manager::Yarn
        );
        assert!(dependency_install(&first("yarn add react")).is_none());
        assert!(
            dependency_install(&first("bundle install --without development"))
                .unwrap()
                .omits_dev
        );
    }

    #[test]
    fn build_steps_and_toolchains() {
        assert!(is_build_step(&first("npm run build")));
        assert!(!is_build_step(&first("npm run test")));
        assert!(is_build_step(&first("yarn build")));
        assert!(is_build_step(&first("go build -o /app ./cmd/server")));
        assert!(is_build_step(&first("mvn -B package -DskipTests")));
        assert!(!is_build_step(&first("go test ./...")));
        assert_eq!(
            toolchain_packages(&first(
                "apt-get install -y --no-install-recommends gcc libpq-dev python3-dev"
            )),
            ["gcc", "python3-dev"]
        );
        assert_eq!(
            toolchain_packages(&first("apk add --no-cache build-base gcc-12")),
            ["build-base", "gcc-12"]
        );
        assert!(toolchain_packages(&first("apt-get install -y curl")).is_empty());
        assert!(toolchain_packages(&first("apt-get remove gcc")).is_empty());
    }
}
