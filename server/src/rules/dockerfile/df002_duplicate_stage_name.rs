use std::collections::HashMap;

use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a build stage whose name (`FROM image AS name`) is already used by an earlier
    /// stage. Names are compared without case, as BuildKit lowercases them.
    ///
    /// ## Why is this bad?
    /// `docker build` refuses the file. Before it does, a reader cannot tell which stage
    /// `COPY --from=name` or `--target name` means.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/api ./cmd/api
    /// FROM node:22 AS build
    /// RUN npm ci && npm run build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build-api
    /// RUN go build -o /out/api ./cmd/api
    /// FROM node:22 AS build-web
    /// RUN npm ci && npm run build
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which stage to rename, and what the `--from` references meant, is for
    /// a person to decide.
    ///
    /// ## References
    /// - practices.md §2.2 (multi-stage builds)
    pub const DUPLICATE_STAGE_NAME = {
        code: "DF002",
        name: "duplicate-stage-name",
        severity: Error,
        fixable: false,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut first_use: HashMap<&str, u32> = HashMap::new();
    for stage in &ctx.model.stages {
        let Some(name) = &stage.name else { continue };
        match first_use.get(name.lowercase.as_str()) {
            Some(&earlier) => out.push(DUPLICATE_STAGE_NAME.diagnostic(
                name.range,
                format!(
                    "the stage name `{}` is already used by the stage on line {}",
                    name.text,
                    ctx.line_number(earlier)
                ),
            )),
            None => {
                first_use.insert(&name.lowercase, name.range.start);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn codes(src: &str) -> Vec<(String, String)> {
        testing::findings("DF002", src)
            .into_iter()
            .map(|d| (src[d.range.as_usize()].to_owned(), d.message))
            .collect()
    }

    #[test]
    fn flags_later_duplicates_ignoring_case() {
        let src = "FROM a AS build\nFROM b AS Build\nFROM c AS other\nFROM d AS BUILD\n";
        assert_eq!(
            codes(src),
            [
                (
                    "Build".to_owned(),
                    "the stage name `Build` is already used by the stage on line 1".to_owned()
                ),
                (
                    "BUILD".to_owned(),
                    "the stage name `BUILD` is already used by the stage on line 1".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn distinct_and_unnamed_stages_pass() {
        assert!(codes("FROM a AS one\nFROM b AS two\nFROM c\nFROM d\n").is_empty());
    }
}
