use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::TextRange;

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` with several sources whose destination does not end in
    /// `/`. A destination with variables is checked when their values are known.
    ///
    /// ## Why is this bad?
    /// Several sources can only go into a directory. The classic builder stops with an
    /// error when the destination does not end in `/`; BuildKit creates the directory
    /// silently, so the same file builds with one builder and not the other. The slash also
    /// tells a reader that the destination is a directory. A bare `.` (the working
    /// directory) is reported as a warning only, since BuildKit builds it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY package.json package-lock.json .
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix appends `/`, which is what BuildKit assumes anyway.
    ///
    /// ## References
    /// - Dockerfile reference, COPY: <https://docs.docker.com/reference/dockerfile/#copy>
    pub const COPY_MULTI_SRC_DEST_SLASH = {
        code: "DF013",
        name: "copy-multi-src-dest-slash",
        severity: Error,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for instruction in ctx.checked_instructions_with_triggers() {
        if !ctx.should_check(instruction.range().start) {
            continue;
        }
        let Some(copy) = instruction.as_copy() else {
            continue;
        };
        let sources = copy.sources();
        if sources.len() < 2 {
            continue;
        }
        // A heredoc cannot be a destination: that is a syntax error of its own.
        let Some(dest) = copy.destination().filter(|d| !d.text.starts_with("<<")) else {
            continue;
        };
        let expanded = ctx.model.expand(&dest.text, dest.range.start);
        let Some(path) = expanded.exact_text() else {
            continue;
        };
        if path.is_empty() || path.ends_with(['/', '\\']) {
            continue;
        }
        // In the JSON form the slash goes inside the closing quote.
        let at = if instruction.json().is_some() {
            dest.range.end.saturating_sub(1)
        } else {
            dest.range.end
        };
        let fix = Fix {
            title: "Append `/` to the destination".to_owned(),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                range: TextRange::empty(at),
                new_text: "/".to_owned(),
            }],
        };
        // BuildKit reads a bare `.` as the working directory itself and builds; only the
        // classic builder rejects it. Still worth the slash, but not an error.
        if path == "." {
            let mut d = COPY_MULTI_SRC_DEST_SLASH.diagnostic_with_fix(
                dest.range,
                format!(
                    "{} has {} sources into `.`: BuildKit accepts that, the classic builder does not; write `./`",
                    instruction.name(),
                    sources.len()
                ),
                fix,
            );
            d.severity = crate::diagnostics::Severity::Warning;
            out.push(d);
            continue;
        }
        out.push(COPY_MULTI_SRC_DEST_SLASH.diagnostic_with_fix(
            dest.range,
            format!(
                "{} has {} sources, so its destination `{}` must be a directory ending in `/`",
                instruction.name(),
                sources.len(),
                dest.text
            ),
            fix,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;
    #[test]
    fn a_bare_dot_is_only_a_warning() {
        let found: Vec<_> = crate::analysis::check_dockerfile(
            "FROM rust:1\nWORKDIR /src\nCOPY Cargo.toml Cargo.lock .\nCOPY a b /x\n",
        )
        .into_iter()
        .filter(|d| d.code == "DF013")
        .map(|d| d.severity)
        .collect();
        use crate::diagnostics::Severity::{Error, Warning};
        assert_eq!(found, [Warning, Error]);
    }

    use crate::diagnostics::Diagnostic;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF013", src)
    }

    fn fixed(src: &str) -> String {
        let found = findings(src);
        assert_eq!(found.len(), 1, "{src}");
        let out = testing::fixed(src, &found[0]);
        assert!(findings(&out).is_empty(), "{out}");
        out
    }

    #[test]
    fn several_sources_need_a_slash() {
        assert_eq!(fixed("FROM a\nCOPY a b /dst\n"), "FROM a\nCOPY a b /dst/\n");
        assert_eq!(fixed("FROM a\nADD a b .\n"), "FROM a\nADD a b ./\n");
        assert_eq!(
            fixed("FROM a\nCOPY [\"a\", \"b\", \"/dst\"]\n"),
            "FROM a\nCOPY [\"a\", \"b\", \"/dst/\"]\n"
        );
        assert_eq!(
            fixed("FROM a\nCOPY <<A <<B /etc/\nA\nB\nCOPY a b \"/x\"\n"),
            "FROM a\nCOPY <<A <<B /etc/\nA\nB\nCOPY a b \"/x\"/\n"
        );
        assert_eq!(
            fixed("FROM a\nARG D=/opt\nCOPY a b $D\n"),
            "FROM a\nARG D=/opt\nCOPY a b $D/\n"
        );
        assert_eq!(
            fixed("FROM a\nONBUILD COPY a b /x\n"),
            "FROM a\nONBUILD COPY a b /x/\n"
        );
    }

    #[test]
    fn single_sources_slashes_and_unknown_values_pass() {
        let src = "FROM a\nCOPY a /dst\nCOPY a b /dst/\nCOPY *.json ./\n\
                   ARG D=/opt/\nCOPY a b $D\nARG U\nCOPY a b $U\n\
                   COPY a b C:\\\\app\\\\\nCOPY --from=x a b /c/\n";
        assert!(findings(src).is_empty(), "{:?}", findings(src));
    }
}
