use super::package_managers::{NPM, is_npm_install};
use super::run_edits::replace_word;
use super::shell_args::Args;
use super::shell_images::stage_chain;
use crate::diagnostics::{Applicability, Diagnostic, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::InstructionKind;

declare_rule! {
    /// ## What it does
    /// Reports `npm install` without package names in a stage that has copied an npm
    /// lockfile (`package-lock.json`, `npm-shrinkwrap.json`, or a pattern such as
    /// `package*.json` that takes it), where `npm ci` would install from the lockfile.
    ///
    /// ## Why is this bad?
    /// `npm install` treats the lockfile as a starting point: it may resolve newer versions
    /// within the ranges of `package.json` and rewrite the lockfile, so two builds of the same
    /// commit can ship different dependencies. `npm ci` installs exactly what the lockfile
    /// records, fails when it is out of date with `package.json`, and starts from an empty
    /// `node_modules`.
    ///
    /// A stage that copies its whole context (`COPY . .`) is not reported: whether the
    /// context has a lockfile is not known.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY package*.json ./
    /// RUN npm install
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY package*.json ./
    /// RUN npm ci
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: `npm ci` fails the build when the lockfile is missing or out of date with
    /// `package.json`, which `npm install` tolerated (that is the point, but it needs a
    /// person to regenerate the lockfile first).
    ///
    /// ## References
    /// - practices.md §2.1, §2.2 (`npm ci`)
    /// - `npm ci`: <https://docs.npmjs.com/cli/v10/commands/npm-ci>
    pub const NPM_INSTALL_NOT_CI = {
        code: "DF044",
        name: "npm-install-not-ci",
        severity: Info,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

const LOCKFILES: [&str; 2] = ["package-lock.json", "npm-shrinkwrap.json"];

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for run in ctx.checked_runs() {
        if !ctx.should_check(run.instruction.start) {
            continue;
        }
        // A trigger's files are the child image's; nothing here says what it copies.
        if run.in_onbuild {
            continue;
        }
        let Some(stage) = run.stage else { continue };
        // Computed on the first `npm install` of the RUN only.
        let mut lockfile: Option<Option<(String, u32)>> = None;
        for command in run.commands_named("npm") {
            let args = Args::parse(command, &NPM);
            let Some(subcommand) = args.subcommand() else {
                continue;
            };
            if !is_npm_install(&subcommand.text)
                || args.operands_after_subcommand().next().is_some()
                || args.has_short('g')
                || args.has_long("global")
                || args.has_long("no-package-lock")
                || args.long_value("package-lock") == Some(Some("false"))
                || args.has_long("package-lock-only")
            {
                continue;
            }
            let found = lockfile
                .get_or_insert_with(|| lockfile_copied_before(ctx, stage, run.instruction.start));
            let Some((name, at)) = found else { continue };
            let range = run
                .word_range(&command.name)
                .cover(run.word_range(subcommand));
            let fix = replace_word(run, subcommand, "ci").map(|edit| Fix {
                title: "Use `npm ci`".to_owned(),
                applicability: Applicability::Unsafe,
                edits: vec![edit],
            });
            let message = format!(
                "`npm install` may resolve other versions than the `{name}` copied on line {}: \
                 `npm ci` installs exactly what the lockfile records",
                ctx.line_number(*at)
            );
            out.push(match fix {
                Some(fix) => NPM_INSTALL_NOT_CI.diagnostic_with_fix(range, message, fix),
                None => NPM_INSTALL_NOT_CI.diagnostic(range, message),
            });
        }
    }
}

/// The lockfile a `COPY`/`ADD` in the stage (or a stage it is built from) put in place
/// before `offset`: the name it matched and where the source is written.
fn lockfile_copied_before(
    ctx: &DockerfileContext<'_>,
    stage: usize,
    offset: u32,
) -> Option<(String, u32)> {
    for index in stage_chain(ctx.model, stage) {
        let current = ctx.model.stage(index)?;
        let copies = ctx
            .stage_instructions(current.index)
            .iter()
            .filter(|i| matches!(i.kind(), InstructionKind::Copy | InstructionKind::Add))
            .filter(|i| i.range().end <= offset);
        let mut last = None;
        for copy in copies.filter_map(|i| i.as_copy()) {
            for source in copy.sources() {
                if let Some(name) = lockfile_named(ctx, &source.text, source.range) {
                    last = Some((name, source.range.start));
                }
            }
        }
        if last.is_some() {
            return last;
        }
    }
    None
}

/// The lockfile a COPY source names or matches (`package*.json` → `package-lock.json`).
fn lockfile_named(ctx: &DockerfileContext<'_>, written: &str, range: TextRange) -> Option<String> {
    if written.starts_with("<<") {
        return None;
    }
    let expanded = ctx.model.expand(written, range.start);
    let path = expanded.exact_text()?;
    let base = path.trim_end_matches('/').rsplit('/').next()?;
    LOCKFILES
        .iter()
        .find(|lockfile| glob_matches(base, lockfile))
        .map(|l| (*l).to_owned())
}

/// Whether `name` matches a file-name glob with `*`, `?` and `[...]` classes.
fn glob_matches(pattern: &str, name: &str) -> bool {
    let (pattern, name) = (pattern.as_bytes(), name.as_bytes());
    let (mut p, mut n) = (0, 0);
    // Where to resume after the last `*`: pattern position after it, name position.
    let mut backtrack: Option<(usize, usize)> = None;
    while n < name.len() {
        let step = match pattern.get(p) {
            Some(b'*') => {
                backtrack = Some((p + 1, n));
                p += 1;
                continue;
            }
            Some(b'?') => Some(p + 1),
            Some(b'[') => class_matches(pattern, p, name[n]),
            Some(&c) if c == name[n] => Some(p + 1),
            _ => None,
        };
        match (step, backtrack) {
            (Some(next), _) => {
                p = next;
                n += 1;
            }
            (None, Some((star_p, star_n))) => {
                p = star_p;
                n = star_n + 1;
                backtrack = Some((star_p, star_n + 1));
            }
            (None, None) => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Matches `c` against the class starting at `pattern[start] == b'['`; the position after
/// the class when it matches.
fn class_matches(pattern: &[u8], start: usize, c: u8) -> Option<usize> {
    let mut i = start + 1;
    let negated = matches!(pattern.get(i), Some(b'^' | b'!'));
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while let Some(&p) = pattern.get(i) {
        if p == b']' && !first {
            return (matched != negated).then_some(i + 1);
        }
        if pattern.get(i + 1) == Some(&b'-') && pattern.get(i + 2).is_some_and(|&e| e != b']') {
            matched |= (p..=pattern[i + 2]).contains(&c);
            i += 3;
        } else {
            matched |= p == c;
            i += 1;
        }
        first = false;
    }
    // An unclosed `[` is a literal.
    (c == b'[').then_some(start + 1)
}

#[cfg(test)]
mod tests {
    use super::glob_matches;
    use crate::diagnostics::Applicability;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<(String, String)> {
        testing::findings("DF044", src)
            .into_iter()
            .map(|d| {
                let fix = d.fix.expect("fix");
                assert_eq!(fix.applicability, Applicability::Unsafe);
                assert_eq!(fix.edits[0].new_text, "ci");
                (src[d.range.as_usize()].to_owned(), d.message)
            })
            .collect()
    }

    #[test]
    fn globs() {
        assert!(glob_matches("package*.json", "package-lock.json"));
        assert!(glob_matches("*.json", "npm-shrinkwrap.json"));
        assert!(glob_matches("package-lock.jso?", "package-lock.json"));
        assert!(glob_matches("[pn]*", "package-lock.json"));
        assert!(!glob_matches("[!p]*", "package-lock.json"));
        assert!(!glob_matches("package.json", "package-lock.json"));
        assert!(!glob_matches("*.yaml", "package-lock.json"));
        assert!(glob_matches("*", "x") && !glob_matches("[", "x"));
    }

    #[test]
    fn install_after_a_lockfile() {
        let src = "FROM node:22 AS base\nWORKDIR /app\nCOPY package.json package-lock.json ./\n\
                   FROM base\nRUN npm install && npm i --no-audit\n";
        let found = findings(src);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0, "npm install");
        assert_eq!(found[1].0, "npm i");
        assert!(
            found[0].1.contains("`package-lock.json` copied on line 3"),
            "{}",
            found[0].1
        );
        let globbed = "FROM node:22\nCOPY [\"package*.json\", \"./\"]\nRUN npm install\n";
        assert_eq!(findings(globbed).len(), 1);
    }

    #[test]
    fn passes_without_a_lockfile_or_with_packages() {
        for src in [
            "FROM node:22\nCOPY package.json ./\nRUN npm install\n",
            "FROM node:22\nCOPY . .\nRUN npm install\n",
            "FROM node:22\nRUN npm install\nCOPY package-lock.json ./\n",
            "FROM node:22\nCOPY package*.json ./\nRUN npm install express@4\n",
            "FROM node:22\nCOPY package*.json ./\nRUN npm install -g\n",
            "FROM node:22\nCOPY package*.json ./\nRUN npm install --no-package-lock\n",
            "FROM node:22\nCOPY package*.json ./\nRUN npm ci\n",
            "FROM node:22\nCOPY package*.json ./\nONBUILD RUN npm install\n",
            "FROM node:22\nCOPY package*.json ./\nRUN npm install $EXTRA\n",
            "FROM node:22 AS a\nCOPY package*.json ./\nFROM node:22\nRUN npm install\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
