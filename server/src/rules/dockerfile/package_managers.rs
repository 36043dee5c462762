//! How package managers are called: which of their options take a value, their subcommand
//! aliases, and the spellings that run them (`pip3`, `python -m pip`).

use super::shell_args::OptionSpec;
use crate::syntax::shell::{ShellWord, SimpleCommand};

pub(crate) const APT_GET: OptionSpec = OptionSpec {
    short_values: "octa",
    long_values: &[
        "option",
        "config-file",
        "target-release",
        "default-release",
        "host-architecture",
    ],
};

pub(crate) const APK: OptionSpec = OptionSpec {
    short_values: "tXp",
    long_values: &[
        "virtual",
        "repository",
        "repositories-file",
        "root",
        "arch",
        "cache-dir",
        "keys-dir",
        "cache-max-age",
        "timeout",
    ],
};

pub(crate) const PIP: OptionSpec = OptionSpec {
    short_values: "rcefitC",
    long_values: &[
        "requirement",
        "constraint",
        "editable",
        "find-links",
        "index-url",
        "extra-index-url",
        "target",
        "prefix",
        "root",
        "src",
        "platform",
        "python-version",
        "implementation",
        "abi",
        "no-binary",
        "only-binary",
        "progress-bar",
        "proxy",
        "trusted-host",
        "upgrade-strategy",
        "cache-dir",
        "log",
        "timeout",
        "retries",
        "config-settings",
        "global-option",
        "install-option",
        "report",
        "cert",
        "client-cert",
        "exists-action",
        "python",
        "keyring-provider",
        "use-feature",
        "use-deprecated",
        "root-user-action",
        "group",
    ],
};

pub(crate) const NPM: OptionSpec = OptionSpec {
    short_values: "wC",
    long_values: &[
        "omit",
        "include",
        "only",
        "also",
        "prefix",
        "registry",
        "cache",
        "loglevel",
        "tag",
        "workspace",
        "userconfig",
        "globalconfig",
        "install-strategy",
        "before",
        "scope",
        "otp",
        "script-shell",
        "location",
        "os",
        "cpu",
        "libc",
        "fetch-retries",
        "fetch-timeout",
        "proxy",
        "https-proxy",
        "save-prefix",
        "cafile",
        "node-options",
    ],
};

pub(crate) const YARN: OptionSpec = OptionSpec {
    short_values: "",
    long_values: &[
        "cache-folder",
        "modules-folder",
        "mutex",
        "network-timeout",
        "registry",
        "cwd",
        "global-folder",
        "link-folder",
        "network-concurrency",
    ],
};

pub(crate) const GEM: OptionSpec = OptionSpec {
    short_values: "vinsPb",
    long_values: &[
        "version",
        "install-dir",
        "bindir",
        "source",
        "trust-policy",
        "platform",
        "build-root",
        "document",
        "file",
    ],
};

pub(crate) const YUM: OptionSpec = OptionSpec {
    short_values: "cdexR",
    long_values: &[
        "config",
        "releasever",
        "installroot",
        "exclude",
        "enablerepo",
        "disablerepo",
        "repo",
        "repoid",
        "setopt",
        "downloaddir",
        "destdir",
        "forcearch",
    ],
};

pub(crate) const ZYPPER: OptionSpec = OptionSpec {
    short_values: "trcDR",
    long_values: &["type", "repo", "from", "config", "root", "reposd-dir"],
};

/// `npm install` and its aliases.
pub(crate) fn is_npm_install(subcommand: &str) -> bool {
    matches!(
        subcommand,
        "install"
            | "i"
            | "in"
            | "ins"
            | "inst"
            | "insta"
            | "instal"
            | "isnt"
            | "isnta"
            | "isntal"
            | "isntall"
            | "add"
    )
}

/// `npm ci` and its aliases.
pub(crate) fn is_npm_ci(subcommand: &str) -> bool {
    matches!(
        subcommand,
        "ci" | "clean-install" | "ic" | "install-clean" | "isntall-clean"
    )
}

/// The arguments given to pip: `pip ...`, `pip3 ...`, `pip3.12 ...`, or the words after
/// `-m pip` in `python3 -m pip ...`. `None` when the command does not run pip.
pub(crate) fn pip_args(command: &SimpleCommand) -> Option<&[ShellWord]> {
    let name = command.base_name();
    if is_versioned(name, "pip") {
        return Some(&command.args);
    }
    if !is_versioned(name, "python") {
        return None;
    }
    // `python [options] -m pip args`: the interpreter's own options come first.
    let at = command
        .args
        .iter()
        .position(|a| a.text == "-m" || !a.text.starts_with('-'))?;
    if command.args[at].text != "-m" {
        return None;
    }
    let module = command.args.get(at + 1)?;
    is_versioned(&module.text, "pip").then(|| &command.args[at + 2..])
}

/// `base` followed by an optional version: `pip`, `pip3`, `pip3.12`, `python3.11`.
fn is_versioned(name: &str, base: &str) -> bool {
    name.strip_prefix(base)
        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::shell::{ShellScript, ShellSource};

    fn first_command(script: &str) -> SimpleCommand {
        ShellScript::parse(&ShellSource::plain(script)).commands[0].clone()
    }

    #[test]
    fn pip_spellings() {
        let texts = |c: &SimpleCommand| -> Option<Vec<String>> {
            pip_args(c).map(|a| a.iter().map(|w| w.text.clone()).collect())
        };
        for (script, args) in [
            ("pip install x", Some(vec!["install", "x"])),
            ("/usr/bin/pip3.12 install x", Some(vec!["install", "x"])),
            ("python3 -m pip install x", Some(vec!["install", "x"])),
            ("python -u -m pip3 install x", Some(vec!["install", "x"])),
            ("python -m venv /opt/venv", None),
            ("python setup.py install", None),
            ("pipx install x", None),
            ("pipenv install", None),
        ] {
            let expected = args.map(|a| a.into_iter().map(String::from).collect::<Vec<_>>());
            assert_eq!(texts(&first_command(script)), expected, "{script}");
        }
    }

    #[test]
    fn npm_aliases() {
        assert!(is_npm_install("i") && is_npm_install("add") && !is_npm_install("ci"));
        assert!(is_npm_ci("ci") && is_npm_ci("clean-install") && !is_npm_ci("install"));
    }
}
