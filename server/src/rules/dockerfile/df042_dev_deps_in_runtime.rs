use super::installs::node_installs;
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::ReferenceKind;
use crate::syntax::TextRange;

declare_rule! {
    /// ## What it does
    /// Reports the final stage copying `node_modules` from a stage that installed all
    /// dependencies, development ones included (`npm ci` or `npm install` without
    /// `--omit=dev`, with no `npm prune --omit=dev` afterwards).
    ///
    /// ## Why is this bad?
    /// Development dependencies (compilers, test frameworks, bundlers, type checkers) are
    /// needed to build, not to run. Copied into the runtime image they make it much larger
    /// and bring code nobody meant to ship, with its vulnerabilities.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine AS builder
    /// WORKDIR /app
    /// COPY package*.json ./
    /// RUN npm ci
    /// COPY . .
    /// RUN npm run build
    ///
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY --from=builder /app/dist ./dist
    /// COPY --from=builder /app/node_modules ./node_modules
    /// CMD ["node", "dist/server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-alpine AS builder
    /// WORKDIR /app
    /// COPY package*.json ./
    /// RUN npm ci
    /// COPY . .
    /// RUN npm run build
    /// RUN npm prune --omit=dev
    ///
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY --from=builder /app/dist ./dist
    /// COPY --from=builder /app/node_modules ./node_modules
    /// CMD ["node", "dist/server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix adds `RUN npm prune --omit=dev` at the end of the stage the modules
    /// come from. A package listed under `devDependencies` that the application does load
    /// at run time would then be missing.
    ///
    /// ## References
    /// - practices.md §2.2 (multi-stage builds copy only what runs)
    pub const DEV_DEPS_IN_RUNTIME = {
        code: "DF042",
        name: "dev-deps-in-runtime",
        severity: Warning,
        fixable: true,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(last) = ctx.model.final_stage() else {
        return;
    };
    for reference in &ctx.model.references {
        if reference.kind != ReferenceKind::CopyFrom || reference.stage != Some(last.index) {
            continue;
        }
        let Some(source_stage) = reference.target_stage() else {
            continue;
        };
        let Some(source) = node_modules_source(ctx, reference.instruction) else {
            continue;
        };
        let installs = node_installs(ctx, source_stage);
        let Some(full) = installs.iter().rposition(|i| !i.omits_dev && !i.is_prune) else {
            continue;
        };
        if installs[full..].iter().any(|i| i.is_prune) {
            continue;
        }
        let Some(stage) = ctx.model.stage(source_stage) else {
            continue;
        };
        let name = stage
            .name
            .as_ref()
            .map_or_else(|| source_stage.to_string(), |n| n.text.clone());
        let message = format!(
            "`node_modules` from stage `{name}` still holds development dependencies (installed on line {}): prune them there before copying",
            ctx.line_number(installs[full].range.start)
        );
        let fix = Fix {
            title: format!("Add `RUN npm prune --omit=dev` at the end of stage `{name}`"),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                range: TextRange::empty(stage.range.end),
                new_text: format!("{}RUN npm prune --omit=dev", ctx.line_ending()),
            }],
        };
        out.push(DEV_DEPS_IN_RUNTIME.diagnostic_with_fix(source, message, fix));
    }
}

/// The source of a `COPY --from` that is a `node_modules` folder.
fn node_modules_source(ctx: &DockerfileContext<'_>, instruction: TextRange) -> Option<TextRange> {
    let copy = ctx.instruction(instruction)?.as_copy()?;
    copy.sources()
        .into_iter()
        .find(|s| {
            s.text
                .trim_matches('"')
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                == Some("node_modules")
        })
        .map(|s| s.range)
}

#[cfg(test)]
mod tests {
    use crate::fix::apply_fixes;
    use crate::rules::testing;

    const GUIDE: &str = "FROM node:20-alpine AS builder\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n\nFROM node:20-alpine AS runner\nWORKDIR /app\nCOPY --from=builder /app/dist ./dist\nCOPY --from=builder /app/node_modules ./node_modules\nCOPY --from=builder /app/package*.json ./\nUSER node\nCMD [\"node\", \"dist/server.js\"]\n";

    fn findings(src: &str) -> Vec<crate::diagnostics::Diagnostic> {
        testing::findings("DF042", src)
    }

    #[test]
    fn the_guides_multi_stage_build_fires_and_the_fix_prunes() {
        let found = findings(GUIDE);
        assert_eq!(found.len(), 1);
        assert_eq!(&GUIDE[found[0].range.as_usize()], "/app/node_modules");
        let fixed = apply_fixes(GUIDE, &[found[0].fix.as_ref().unwrap()]).0;
        assert!(
            fixed.contains("RUN npm run build\nRUN npm prune --omit=dev\n\nFROM"),
            "{fixed}"
        );
        assert!(findings(&fixed).is_empty());
    }

    #[test]
    fn production_installs_pass() {
        for src in [
            GUIDE.replace("RUN npm ci\n", "RUN npm ci --omit=dev\n"),
            GUIDE.replace("RUN npm ci\n", "ENV NODE_ENV=production\nRUN npm ci\n"),
            GUIDE.replace("RUN npm run build\n", "RUN npm run build && npm prune --production\n"),
            // Modules from a stage that never installed with npm: nothing known.
            "FROM node:20 AS deps\nCOPY node_modules /x/node_modules\nFROM node:20\nCOPY --from=deps /x/node_modules ./node_modules\n".to_owned(),
        ] {
            assert!(findings(&src).is_empty(), "{src}");
        }
    }

    #[test]
    fn installs_in_a_parent_stage_count() {
        let src = "FROM node:20 AS deps\nRUN npm ci\nFROM deps AS build\nRUN npm run build\nFROM node:20-slim\nCOPY --from=build /app/node_modules/ /app/node_modules/\n";
        assert_eq!(findings(src).len(), 1);
    }
}
