use super::package_managers::{APK, APT_GET, GEM, NPM, PIP, YUM, ZYPPER, is_npm_install, pip_args};
use super::shell_args::{Args, OptionSpec};
use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::RunScript;
use crate::syntax::shell::{ShellWord, SimpleCommand};

declare_rule! {
    /// ## What it does
    /// Reports packages installed without a version: `apt-get install`, `apk add`,
    /// `pip install`, `npm install <pkg>`, `gem install`, `go install`, `yum`/`dnf`/`microdnf
    /// install` and `zypper install`. Off by default.
    ///
    /// What counts as pinned follows each tool: `pkg=1.2` (apt, apk, zypper; apk also
    /// `pkg~1.2`), `pkg==1.2` or any version specifier (pip), `pkg@1.2` (npm, go),
    /// `pkg:1.2` or `-v 1.2` (gem), `pkg-1.2` (yum, dnf). Local files, paths, URLs, VCS
    /// references with a revision, `pip install -r requirements.txt` and `-c constraints`
    /// are fine; words whose value is only known at build time (`$PACKAGES`) are skipped.
    ///
    /// ## Why is this bad?
    /// Without versions, the same Dockerfile builds different images on different days: a
    /// rebuild for an unrelated change can pull a new major version and break, and an image
    /// cannot be rebuilt as it was. The cost of pinning is keeping the versions current,
    /// which is why this rule is off unless a project asks for it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN pip install --no-cache-dir flask gunicorn
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN pip install --no-cache-dir flask==3.0.3 gunicorn==22.0.0
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the right version is for a person to choose.
    ///
    /// ## References
    /// - Dockerfile best practices, apt-get version pinning:
    ///   <https://docs.docker.com/build/building/best-practices/#apt-get>
    pub const PIN_PACKAGE_VERSIONS = {
        code: "DF049",
        name: "pin-package-versions",
        severity: Info,
        fixable: false,
        default_enabled: false,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for run in ctx.checked_runs() {
        if !ctx.should_check(run.instruction.start) {
            continue;
        }
        for command in run.commands() {
            if let Some(words) = pip_args(command) {
                pip(run, words, out);
                continue;
            }
            match command.base_name() {
                "apt-get" | "apt" => simple(run, command, &APT_GET, &["install"], apt, out),
                "apk" => simple(run, command, &APK, &["add"], apk, out),
                "zypper" => simple(run, command, &ZYPPER, &["install", "in"], zypper, out),
                "yum" | "dnf" | "microdnf" => rpm(run, command, out),
                "gem" => gem(run, command, out),
                "npm" => npm(run, command, out),
                "go" => go(run, command, out),
                _ => {}
            }
        }
    }
}

fn report(run: &RunScript, word: &ShellWord, example: String, out: &mut Vec<Diagnostic>) {
    out.push(PIN_PACKAGE_VERSIONS.diagnostic(
        run.word_range(word),
        format!(
            "`{}` is installed without a version, so rebuilds may get another one: pin it \
             (`{example}`)",
            word.text
        ),
    ));
}

/// Packages after an install subcommand, each judged by `pinned`.
fn simple(
    run: &RunScript,
    command: &SimpleCommand,
    spec: &OptionSpec,
    subcommands: &[&str],
    pinned: fn(&str) -> bool,
    out: &mut Vec<Diagnostic>,
) {
    let args = Args::parse(command, spec);
    if !args
        .subcommand()
        .is_some_and(|s| subcommands.contains(&s.text.as_str()))
    {
        return;
    }
    for word in args.operands_after_subcommand() {
        if word.literal && !pinned(&word.text) {
            report(run, word, format!("{}=<version>", word.text), out);
        }
    }
}

fn apt(package: &str) -> bool {
    package.contains(['=', '/']) || package.ends_with(".deb")
}

fn apk(package: &str) -> bool {
    package.contains(['=', '~', '<', '>']) || package.ends_with(".apk")
}

fn zypper(package: &str) -> bool {
    package.contains(['=', '<', '>']) || package.ends_with(".rpm") || package.contains('/')
}

fn rpm(run: &RunScript, command: &SimpleCommand, out: &mut Vec<Diagnostic>) {
    let args = Args::parse(command, &YUM);
    let mut operands = args.operands();
    let Some(subcommand) = operands.next() else {
        return;
    };
    let module = match subcommand.text.as_str() {
        "install" => false,
        // `dnf module install nodejs:20`: a module stream is pinned with `:`.
        "module" if operands.next().is_some_and(|w| w.text == "install") => true,
        _ => return,
    };
    for word in operands {
        let text = word.text.as_str();
        if !word.literal
            || text.starts_with('@')
            || text.contains(['/', '('])
            || text.ends_with(".rpm")
        {
            continue;
        }
        let pinned = if module {
            text.contains(':')
        } else {
            rpm_versioned(text)
        };
        if !pinned {
            let example = if module {
                format!("{text}:<stream>")
            } else {
                format!("{text}-<version>")
            };
            report(run, word, example, out);
        }
    }
}

/// `name-1.2.3` or `name-1.2-3.el9`: some part after a dash starts with a digit, and the
/// parts after the name are made of version characters.
fn rpm_versioned(package: &str) -> bool {
    let mut parts = package.split('-');
    parts.next();
    let rest: Vec<&str> = parts.collect();
    let version_char = |c: char| c.is_ascii_alphanumeric() || ".~^_:+*".contains(c);
    // The name itself may have dashes (`python3-devel-3.9.18`): find where the version starts.
    match rest
        .iter()
        .position(|p| p.starts_with(|c: char| c.is_ascii_digit()))
    {
        Some(at) => rest[at..]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(version_char)),
        None => false,
    }
}

fn pip(run: &RunScript, words: &[ShellWord], out: &mut Vec<Diagnostic>) {
    let args = Args::parse_words(words, &PIP);
    if args.subcommand().is_none_or(|s| s.text != "install")
        || args.has_short('c')
        || args.has_long("constraint")
    {
        return;
    }
    for word in args.operands_after_subcommand() {
        if word.literal && !pip_pinned(&word.text) {
            report(run, word, format!("{}==<version>", word.text), out);
        }
    }
}

fn pip_pinned(package: &str) -> bool {
    const VCS: [&str; 4] = ["git+", "hg+", "svn+", "bzr+"];
    if VCS.iter().any(|v| package.starts_with(v)) {
        // A revision after the repository: `git+https://host/x/y.git@v1.0`.
        return package
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('@'));
    }
    package.contains(['=', '<', '>', '@', '/'])
        || package.starts_with('.')
        || [".whl", ".tar.gz", ".zip", ".tgz"]
            .iter()
            .any(|ext| package.ends_with(ext))
}

fn npm(run: &RunScript, command: &SimpleCommand, out: &mut Vec<Diagnostic>) {
    let args = Args::parse(command, &NPM);
    if !args.subcommand().is_some_and(|s| is_npm_install(&s.text)) {
        return;
    }
    for word in args.operands_after_subcommand() {
        if word.literal && !npm_pinned(&word.text) {
            report(run, word, format!("{}@<version>", word.text), out);
        }
    }
}

fn npm_pinned(package: &str) -> bool {
    let is_git = ["git+", "git://", "github:", "gitlab:", "bitbucket:"]
        .iter()
        .any(|p| package.starts_with(p));
    if is_git {
        return package.contains('#');
    }
    if ["/", "./", "../", "~/", "file:", "http://", "https://"]
        .iter()
        .any(|p| package.starts_with(p))
        || package == "."
        || [".tgz", ".tar.gz", ".tar"]
            .iter()
            .any(|e| package.ends_with(e))
    {
        return true;
    }
    match package.strip_prefix('@') {
        // `@scope/name@version`
        Some(scoped) => scoped.contains('@'),
        // `user/repo` is a GitHub shorthand, pinned with `#ref`.
        None if package.contains('/') => package.contains('#'),
        None => package.contains('@'),
    }
}

fn gem(run: &RunScript, command: &SimpleCommand, out: &mut Vec<Diagnostic>) {
    let args = Args::parse(command, &GEM);
    if !args
        .subcommand()
        .is_some_and(|s| s.text == "install" || s.text == "i")
        || args.value_of(Some('v'), "version").is_some()
    {
        return;
    }
    for word in args.operands_after_subcommand() {
        if word.literal && !word.text.contains(':') && !word.text.ends_with(".gem") {
            report(run, word, format!("{}:<version>", word.text), out);
        }
    }
}

/// `go install` flags that take the next word as their value.
const GO_VALUE_FLAGS: &[&str] = &[
    "-C",
    "-p",
    "-tags",
    "-ldflags",
    "-gcflags",
    "-asmflags",
    "-gccgoflags",
    "-mod",
    "-modfile",
    "-overlay",
    "-pgo",
    "-pkgdir",
    "-toolexec",
    "-buildmode",
    "-compiler",
    "-installsuffix",
    "-coverpkg",
    "-covermode",
    "-o",
];

fn go(run: &RunScript, command: &SimpleCommand, out: &mut Vec<Diagnostic>) {
    let mut words = command.args.iter();
    if words.next().is_none_or(|w| w.text != "install") {
        return;
    }
    while let Some(word) = words.next() {
        let text = word.text.as_str();
        if text.starts_with('-') {
            // `-flag value` (Go also accepts `--flag`).
            let flag = text.trim_start_matches('-');
            if !text.contains('=') && GO_VALUE_FLAGS.contains(&format!("-{flag}").as_str()) {
                words.next();
            }
            continue;
        }
        // Only module paths that name a host (`github.com/...`): a local package or one of
        // the current module is pinned by its go.mod.
        let remote = text
            .split('/')
            .next()
            .is_some_and(|host| host.contains('.') && !host.starts_with('.'));
        if word.literal && remote && !text.contains('@') {
            report(run, word, format!("{text}@<version>"), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{npm_pinned, pip_pinned, rpm_versioned};
    use crate::analysis::check_dockerfile_with;
    use crate::config::Config;
    use crate::facts::DockerfileFacts;

    fn unpinned(src: &str) -> Vec<String> {
        check_dockerfile_with(src, &DockerfileFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "DF049")
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn off_by_default() {
        let src = "FROM debian\nRUN apt-get install -y curl\n";
        assert!(
            crate::analysis::check_dockerfile(src)
                .iter()
                .all(|d| d.code != "DF049")
        );
        assert_eq!(unpinned(src), ["curl"]);
    }

    #[test]
    fn each_manager() {
        let src = "FROM debian\n\
            RUN apt-get install -y -t bookworm-backports curl=8.5.0-2 wget ./x.deb $EXTRA\n\
            RUN apk add --no-cache --virtual .deps gcc musl-dev=1.2.5-r0 bash~5.2\n\
            RUN pip install -r requirements.txt flask==3.0 gunicorn 'uvicorn[standard]>=0.30' . \\\n  git+https://github.com/a/b.git@v1 git+https://github.com/a/c.git\n\
            RUN npm install -g typescript@5 @types/node eslint @scope/x@1 ./local user/repo#v1\n\
            RUN gem install bundler:2.5 rake && gem install -v 7.1 rails\n\
            RUN go install -ldflags '-s -w' golang.org/x/tools/gopls@v0.16.0 github.com/x/y ./cmd/z\n\
            RUN dnf install -y nginx-1.24.0 python3-devel @development && dnf module install -y nodejs:20\n\
            RUN zypper -n install curl=8.6 git\n";
        assert_eq!(
            unpinned(src),
            [
                "wget",
                "gcc",
                "gunicorn",
                "git+https://github.com/a/c.git",
                "@types/node",
                "eslint",
                "rake",
                "github.com/x/y",
                "python3-devel",
                "git",
            ]
        );
    }

    #[test]
    fn requirement_and_constraint_files() {
        assert!(unpinned("FROM python\nRUN pip install -c constraints.txt flask\n").is_empty());
        assert!(unpinned("FROM python\nRUN pip install --upgrade pip==24.0\n").is_empty());
        assert_eq!(
            unpinned("FROM python\nRUN python3 -m pip install --upgrade pip\n"),
            ["pip"]
        );
        assert!(unpinned("FROM node\nRUN npm install && npm ci\n").is_empty());
    }

    #[test]
    fn version_shapes() {
        assert!(rpm_versioned("nginx-1.24.0") && rpm_versioned("python3-devel-3.9.18-1.el9"));
        assert!(!rpm_versioned("python3-devel") && !rpm_versioned("nginx"));
        assert!(
            pip_pinned("flask~=3.0")
                && pip_pinned("pkg @ https://x")
                && !pip_pinned("flask[async]")
        );
        assert!(
            npm_pinned("@scope/pkg@^1")
                && !npm_pinned("@scope/pkg")
                && npm_pinned("git+ssh://x#abc")
        );
    }
}
