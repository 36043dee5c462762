use crate::diagnostics::{Applicability, Diagnostic, Fix};
use crate::rules::dockerfile::stage_rename::rename_stage;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a stage name (`FROM image AS Name`) that is not all lowercase.
    ///
    /// ## Why is this bad?
    /// BuildKit lowercases stage names, so `AS Build` defines the stage `build`. `COPY
    /// --from=Build` still finds it, but `FROM Build` does not: it is read as an image name,
    /// and image names cannot hold capitals. Writing names in lowercase everywhere keeps what
    /// you read and what the builder uses the same.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 AS Build
    /// RUN npm ci && npm run build
    /// FROM nginx:1.27-alpine
    /// COPY --from=Build /app/dist /usr/share/nginx/html
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22 AS build
    /// RUN npm ci && npm run build
    /// FROM nginx:1.27-alpine
    /// COPY --from=build /app/dist /usr/share/nginx/html
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix lowercases the name and the references to it by name (`FROM`,
    /// `COPY --from=`, `RUN --mount=...,from=`), which is the name BuildKit already uses.
    /// References it cannot rewrite in place (quoted, built from variables) are left alone;
    /// `--from` finds the stage whatever their case.
    ///
    /// ## References
    /// - Docker build checks, StageNameCasing: <https://docs.docker.com/reference/build-checks/stage-name-casing/>
    pub const STAGE_NAME_CASING = {
        code: "DF005",
        name: "stage-name-casing",
        severity: Style,
        fixable: true,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for stage in &ctx.model.stages {
        let Some(name) = &stage.name else { continue };
        if name.text == name.lowercase {
            continue;
        }
        let message = format!(
            "the stage name `{}` is not lowercase: the builder knows it as `{}`",
            name.text, name.lowercase
        );
        let fix = rename_stage(ctx, stage.index, &name.lowercase, false).map(|edits| Fix {
            title: format!("Rename the stage to `{}`", name.lowercase),
            applicability: Applicability::Safe,
            edits,
        });
        out.push(match fix {
            Some(fix) => STAGE_NAME_CASING.diagnostic_with_fix(name.range, message, fix),
            None => STAGE_NAME_CASING.diagnostic(name.range, message),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::{Applicability, Diagnostic, Severity};
    use crate::rules::testing;
    use crate::rules::testing::fixed;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF005", src)
    }

    #[test]
    fn lowercases_the_name_and_its_references() {
        let src = "FROM golang AS Builder\nRUN make\nFROM Builder AS Test\n\
                   FROM scratch\nCOPY --from=BUILDER /out /\n\
                   RUN --mount=from=Test,target=/t true\nCOPY --from=0 /a /\n";
        let found = findings(src);
        let names: Vec<&str> = found.iter().map(|d| &src[d.range.as_usize()]).collect();
        assert_eq!(names, ["Builder", "Test"]);
        assert_eq!(found[0].severity, Severity::Style);
        assert_eq!(
            found[0].fix.as_ref().unwrap().applicability,
            Applicability::Safe
        );
        let after = fixed(src, &found[0]);
        assert_eq!(
            after,
            "FROM golang AS builder\nRUN make\nFROM builder AS Test\n\
             FROM scratch\nCOPY --from=builder /out /\n\
             RUN --mount=from=Test,target=/t true\nCOPY --from=0 /a /\n"
        );
        let after = fixed(&after, &findings(&after)[0]);
        assert!(findings(&after).is_empty(), "{after}");
    }

    #[test]
    fn quoted_references_are_left_alone() {
        let src = "FROM a AS Deps\nFROM b\nCOPY --from=\"Deps\" /a /b\n";
        let found = findings(src);
        assert_eq!(
            fixed(src, &found[0]),
            "FROM a AS deps\nFROM b\nCOPY --from=\"Deps\" /a /b\n"
        );
    }

    #[test]
    fn lowercase_and_unnamed_stages_pass() {
        let src = "FROM Alpine AS build-1.x\nFROM build-1.x\nfrom scratch as out\n";
        assert!(findings(src).is_empty());
    }
}
