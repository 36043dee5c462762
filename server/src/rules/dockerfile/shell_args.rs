//! Reading a shell command's arguments as options and operands, the way `getopt_long`
//! programs (apt-get, pip, npm, useradd, wget ...) read them: clustered short options
//! (`-qy`), short options with an attached or separate value (`-u1000`, `-u 1000`), long
//! options with `=value` or a separate value, and `--` ending the options.
//!
//! Each program's rules say which of its options take a value; without that, the word after
//! `-o` in `apt-get -o Dpkg::Options::=--force-confold install` would be read as the
//! subcommand.

use crate::syntax::shell::{ShellWord, SimpleCommand};

/// Which options of one program take a value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OptionSpec {
    /// Short options that take a value (`-o value` or `-ovalue`).
    pub short_values: &'static str,
    /// Long options (without `--`) that take the next word as value when written without `=`.
    pub long_values: &'static [&'static str],
}

impl OptionSpec {
    pub const NONE: OptionSpec = OptionSpec {
        short_values: "",
        long_values: &[],
    };
}

/// One argument, read as an option or an operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arg<'c> {
    /// `-x` (one letter of a cluster such as `-qy`), with its value if it takes one.
    Short {
        flag: char,
        value: Option<&'c str>,
        word: &'c ShellWord,
    },
    /// `--name` or `--name=value` (or `--name value` for options that take one).
    Long {
        name: &'c str,
        value: Option<&'c str>,
        word: &'c ShellWord,
        /// The separate word that holds the value (`--only prod`), if any.
        value_word: Option<&'c ShellWord>,
    },
    Operand(&'c ShellWord),
}

/// A command's arguments, read with an [`OptionSpec`].
#[derive(Clone, Debug)]
pub(crate) struct Args<'c> {
    pub items: Vec<Arg<'c>>,
}

impl<'c> Args<'c> {
    pub fn parse(command: &'c SimpleCommand, spec: &OptionSpec) -> Self {
        Self::parse_words(&command.args, spec)
    }

    pub fn parse_words(words: &'c [ShellWord], spec: &OptionSpec) -> Self {
        let mut items = Vec::with_capacity(words.len());
        let mut rest = words.iter();
        let mut options_done = false;
        while let Some(word) = rest.next() {
            let text = word.text.as_str();
            // A word with an expansion (`$FLAGS`) is kept as an operand: rules skip
            // operands whose value is unknown.
            if options_done || !word.literal || !text.starts_with('-') || text == "-" {
                items.push(Arg::Operand(word));
                continue;
            }
            if text == "--" {
                options_done = true;
                continue;
            }
            if let Some(long) = text.strip_prefix("--") {
                let (name, value, value_word) = match long.split_once('=') {
                    Some((name, value)) => (name, Some(value), None),
                    None if spec.long_values.contains(&long) => {
                        let next = rest.next();
                        (long, next.map(|w| w.text.as_str()), next)
                    }
                    None => (long, None, None),
                };
                items.push(Arg::Long {
                    name,
                    value,
                    word,
                    value_word,
                });
                continue;
            }
            let cluster = &text[1..];
            for (i, flag) in cluster.char_indices() {
                if spec.short_values.contains(flag) {
                    let attached = &cluster[i + flag.len_utf8()..];
                    let value = if attached.is_empty() {
                        rest.next().map(|w| w.text.as_str())
                    } else {
                        Some(attached)
                    };
                    items.push(Arg::Short { flag, value, word });
                    break;
                }
                items.push(Arg::Short {
                    flag,
                    value: None,
                    word,
                });
            }
        }
        Args { items }
    }

    /// Whether `-flag` is given (alone or in a cluster).
    pub fn has_short(&self, flag: char) -> bool {
        self.count_short(flag) > 0
    }

    /// How many times `-flag` is given (`-qq` counts two).
    pub fn count_short(&self, flag: char) -> usize {
        self.items
            .iter()
            .filter(|a| matches!(a, Arg::Short { flag: f, .. } if *f == flag))
            .count()
    }

    /// Whether `--name` (with or without a value) is given.
    pub fn has_long(&self, name: &str) -> bool {
        self.long_value(name).is_some()
    }

    /// `Some(value)` for the last `--name[=value]` given (`Some(None)` without a value).
    pub fn long_value(&self, name: &str) -> Option<Option<&'c str>> {
        self.items.iter().rev().find_map(|a| match a {
            Arg::Long { name: n, value, .. } if *n == name => Some(*value),
            _ => None,
        })
    }

    /// The value of the last `-short value` or `--long value` given.
    pub fn value_of(&self, short: Option<char>, long: &str) -> Option<&'c str> {
        self.items.iter().rev().find_map(|a| match a {
            Arg::Short { flag, value, .. } if Some(*flag) == short => *value,
            Arg::Long { name, value, .. } if *name == long => *value,
            _ => None,
        })
    }

    /// Every value given to `-short` or `--long`.
    pub fn values_of<'a>(
        &'a self,
        short: Option<char>,
        long: &'a str,
    ) -> impl Iterator<Item = &'c str> + 'a {
        self.items.iter().filter_map(move |a| match a {
            Arg::Short { flag, value, .. } if Some(*flag) == short => *value,
            Arg::Long { name, value, .. } if *name == long => *value,
            _ => None,
        })
    }

    /// The operands, in order.
    pub fn operands(&self) -> impl Iterator<Item = &'c ShellWord> + '_ {
        self.items.iter().filter_map(|a| match a {
            Arg::Operand(word) => Some(*word),
            _ => None,
        })
    }

    /// The first operand: the subcommand of programs such as `apt-get` or `npm`.
    pub fn subcommand(&self) -> Option<&'c ShellWord> {
        self.operands().next()
    }

    /// The operands after the subcommand.
    pub fn operands_after_subcommand(&self) -> impl Iterator<Item = &'c ShellWord> + '_ {
        self.operands().skip(1)
    }
}

/// Whether a literal word is a path or glob that names `path` or a directory above it
/// (`/var/lib/apt/lists/*`, `/var/lib/apt/lists`, `/var/lib/apt`), so that removing it
/// removes `path`'s contents.
pub(crate) fn removes_path(word: &str, path: &str) -> bool {
    let word = word.trim_end_matches('*').trim_end_matches('/');
    let path = path.trim_end_matches('/');
    if word.is_empty() {
        return false;
    }
    // `/var/lib/apt/lists/partial` alone does not clean the lists; `/var/lib/apt/lists*`
    // (trimmed to the list directory itself) does.
    path == word
        || path
            .strip_prefix(word)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether `target` (a cache mount target or a configured directory) holds `path`.
pub(crate) fn path_within(path: &str, target: &str) -> bool {
    let target = target.trim_end_matches('/');
    let path = path.trim_end_matches('/');
    !target.is_empty()
        && (path == target
            || path
                .strip_prefix(target)
                .is_some_and(|r| r.starts_with('/')))
}

/// Whether the command is `rm` removing `path` (or a directory above it) recursively or not.
pub(crate) fn is_rm_of(command: &SimpleCommand, path: &str) -> bool {
    command.base_name() == "rm"
        && command
            .args
            .iter()
            .any(|a| a.literal && !a.text.starts_with('-') && removes_path(&a.text, path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::TextRange;

    fn words(args: &[&str]) -> Vec<ShellWord> {
        args.iter()
            .map(|a| ShellWord {
                text: (*a).to_owned(),
                range: TextRange::default(),
                literal: !a.starts_with('$'),
            })
            .collect()
    }

    const APT: OptionSpec = OptionSpec {
        short_values: "otc",
        long_values: &["option", "target-release", "config-file"],
    };

    #[test]
    fn clusters_values_and_operands() {
        let w = words(&[
            "-qqy",
            "-o",
            "Dpkg::Options::=--force-confold",
            "-oAPT::X=1",
            "--target-release",
            "bookworm-backports",
            "install",
            "--no-install-recommends",
            "curl",
            "$PKGS",
            "--",
            "-weird",
        ]);
        let args = Args::parse_words(&w, &APT);
        assert_eq!(args.count_short('q'), 2);
        assert!(args.has_short('y'));
        assert_eq!(
            args.values_of(Some('o'), "option").collect::<Vec<_>>(),
            ["Dpkg::Options::=--force-confold", "APT::X=1"]
        );
        assert_eq!(
            args.value_of(Some('t'), "target-release"),
            Some("bookworm-backports")
        );
        assert!(args.has_long("no-install-recommends"));
        assert_eq!(args.subcommand().unwrap().text, "install");
        let rest: Vec<&str> = args
            .operands_after_subcommand()
            .map(|w| w.text.as_str())
            .collect();
        assert_eq!(rest, ["curl", "$PKGS", "-weird"]);
    }

    #[test]
    fn long_values_with_equals_and_missing_values() {
        let w = words(&["--uid=123456", "-u"]);
        let spec = OptionSpec {
            short_values: "u",
            long_values: &["uid"],
        };
        let args = Args::parse_words(&w, &spec);
        assert_eq!(args.long_value("uid"), Some(Some("123456")));
        assert_eq!(args.values_of(Some('u'), "uid").count(), 1);
        assert!(
            Args::parse_words(&words(&["-"]), &OptionSpec::NONE)
                .subcommand()
                .is_some()
        );
    }

    #[test]
    fn paths_removed_and_within() {
        for word in [
            "/var/lib/apt/lists/*",
            "/var/lib/apt/lists",
            "/var/lib/apt/lists/",
            "/var/lib/apt/*",
        ] {
            assert!(removes_path(word, "/var/lib/apt/lists"), "{word}");
        }
        for word in [
            "/var/lib/apt/lists/partial",
            "/var/lib/ap",
            "/tmp/*",
            "*",
            "",
        ] {
            assert!(!removes_path(word, "/var/lib/apt/lists"), "{word}");
        }
        assert!(path_within("/root/.cache/pip", "/root/.cache"));
        assert!(path_within("/root/.npm", "/root/.npm/"));
        assert!(!path_within("/root/.npmrc", "/root/.npm"));
    }
}
