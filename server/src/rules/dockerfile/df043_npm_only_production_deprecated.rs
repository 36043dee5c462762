use super::package_managers::{NPM, is_npm_ci, is_npm_install};
use super::run_edits::editable;
use super::shell_args::{Arg, Args};
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `npm ci`, `npm install` and `npm prune` given `--only=production` (or
    /// `--only=prod`) or `--production`, which npm has deprecated in favour of `--omit=dev`.
    ///
    /// ## Why is this bad?
    /// npm warns about these options on every build, and deprecated options are the ones a
    /// later npm stops honouring, at which point the image silently gains its
    /// devDependencies. `--omit=dev` says the same thing in the form npm supports.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// RUN npm ci --only=production
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// RUN npm ci --omit=dev
    /// ```
    ///
    /// ## Fix safety
    /// Safe: `--omit=dev` installs the same packages. Exec-form RUNs are reported without a
    /// fix.
    ///
    /// ## References
    /// - practices.md §2.1 (production dependencies), §4.1
    /// - npm config `omit`: <https://docs.npmjs.com/cli/v10/using-npm/config#omit>
    pub const NPM_ONLY_PRODUCTION_DEPRECATED = {
        code: "DF043",
        name: "npm-only-production-deprecated",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        tag: Deprecated,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for run in ctx.checked_runs() {
        if !ctx.should_check(run.instruction.start) {
            continue;
        }
        for command in run.commands_named("npm") {
            let args = Args::parse(command, &NPM);
            let Some(subcommand) = args.subcommand() else {
                continue;
            };
            let sub = subcommand.text.as_str();
            if !(is_npm_install(sub) || is_npm_ci(sub) || sub == "prune") {
                continue;
            }
            for arg in &args.items {
                let Arg::Long {
                    name,
                    value,
                    word,
                    value_word,
                } = *arg
                else {
                    continue;
                };
                let deprecated = match name {
                    "production" => value.is_none_or(|v| v == "true"),
                    "only" => matches!(value, Some("prod" | "production")),
                    _ => false,
                };
                if !deprecated {
                    continue;
                }
                let mut range = run.word_range(word);
                if let Some(value_word) = value_word {
                    range = range.cover(run.word_range(value_word));
                }
                let written = match value_word {
                    Some(value_word) => format!("{} {}", word.text, value_word.text),
                    None => word.text.clone(),
                };
                let message = format!(
                    "`{written}` is deprecated: npm spells it `--omit=dev`, and a later npm may \
                     stop honouring the old option"
                );
                let fix = editable(run).then(|| Fix {
                    title: "Replace with `--omit=dev`".to_owned(),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        range,
                        new_text: "--omit=dev".to_owned(),
                    }],
                });
                out.push(match fix {
                    Some(fix) => {
                        NPM_ONLY_PRODUCTION_DEPRECATED.diagnostic_with_fix(range, message, fix)
                    }
                    None => NPM_ONLY_PRODUCTION_DEPRECATED.diagnostic(range, message),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Applicability;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<(String, Option<String>)> {
        testing::findings("DF043", src)
            .into_iter()
            .map(|d| {
                let fix = d.fix.map(|f| {
                    assert_eq!(f.applicability, Applicability::Safe);
                    f.edits[0].new_text.clone()
                });
                (src[d.range.as_usize()].to_owned(), fix)
            })
            .collect()
    }

    #[test]
    fn deprecated_spellings() {
        let src = "FROM node:22\nRUN npm ci --only=production && npm install --production \\\n    && npm i --only prod && npm prune --production=true\n";
        let found = findings(src);
        let written: Vec<&str> = found.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(
            written,
            [
                "--only=production",
                "--production",
                "--only prod",
                "--production=true"
            ]
        );
        assert!(
            found
                .iter()
                .all(|(_, f)| f.as_deref() == Some("--omit=dev"))
        );
    }

    #[test]
    fn current_spellings_and_other_tools_pass() {
        for src in [
            "FROM node:22\nRUN npm ci --omit=dev\n",
            "FROM node:22\nRUN npm install --production=false\n",
            "FROM node:22\nRUN npm ci --only=dev\n",
            "FROM node:22\nRUN yarn install --production\n",
            "FROM node:22\nRUN npm run build -- --production\n",
            "FROM node:22\nRUN echo npm ci --production\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }

    #[test]
    fn heredocs_mounts_onbuild_and_exec_form() {
        let src = "FROM node:22\nRUN --mount=type=cache,target=/root/.npm <<EOF\nnpm ci --production\nEOF\n\
                   ONBUILD RUN npm ci --only=prod\nRUN [\"npm\", \"ci\", \"--production\"]\n";
        let found = findings(src);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0], ("--production".into(), Some("--omit=dev".into())));
        assert_eq!(found[1].0, "--only=prod");
        // Exec form: reported on the JSON string, no fix.
        assert_eq!(found[2], ("\"--production\"".into(), None));
        let msg = crate::analysis::check_dockerfile(src)
            .into_iter()
            .find(|d| d.code == "DF043")
            .unwrap()
            .message;
        assert!(msg.starts_with("`--production` is deprecated"), "{msg}");
    }

    #[test]
    fn powershell_stages_are_skipped() {
        let src = "FROM node:22\nSHELL [\"pwsh\", \"-Command\"]\nRUN npm ci --production\n";
        assert!(findings(src).is_empty());
    }
}
