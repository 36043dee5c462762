use super::installs::{command_words, from_name, is_build_step, node_installs};
use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a Node.js build (`npm run build`, `yarn build`, `pnpm build`) in a stage
    /// whose only dependency installs left out development dependencies (`--omit=dev`,
    /// `--only=production`, `--production`, or `NODE_ENV=production` set before the install).
    ///
    /// ## Why is this bad?
    /// Build tools (TypeScript, bundlers, Babel, framework CLIs) are usually
    /// `devDependencies`. Without them the build fails, or it works only because a tool
    /// happens to be installed globally in the base image, which breaks on the next base
    /// update. Build with all dependencies in a builder stage, and install only production
    /// dependencies in the runtime stage.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY package*.json ./
    /// RUN npm ci --omit=dev
    /// COPY . .
    /// RUN npm run build
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
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which dependencies the build needs is up to the project.
    ///
    /// ## References
    /// - practices.md §2.1 (production install), §2.2 (builder stage)
    pub const BUILD_AFTER_PROD_INSTALL = {
        code: "DF045",
        name: "build-after-prod-install",
        severity: Info,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for stage in &ctx.model.stages {
        if !ctx.should_check(stage.from_range.start) {
            continue;
        }
        let builds: Vec<_> = ctx
            .stage_runs(stage.index)
            .flat_map(|run| {
                run.commands()
                    .iter()
                    .filter(|c| {
                        is_build_step(c) && matches!(c.base_name(), "npm" | "yarn" | "pnpm")
                    })
                    .map(move |c| (run.abs(from_name(c)), command_words(c)))
            })
            .collect();
        if builds.is_empty() {
            continue;
        }
        let installs = node_installs(ctx, stage.index);
        for (range, tool) in builds {
            let before: Vec<_> = installs
                .iter()
                .filter(|i| !i.is_prune && i.range.start < range.start)
                .collect();
            let Some(last) = before.last() else { continue };
            if before.iter().all(|i| i.omits_dev) {
                out.push(BUILD_AFTER_PROD_INSTALL.diagnostic(
                    range,
                    format!(
                        "`{tool}` runs after an install without development dependencies (line {}): build tools are usually devDependencies",
                        ctx.line_number(last.range.start)
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile;

    fn found(src: &str) -> usize {
        check_dockerfile(src)
            .iter()
            .filter(|d| d.code == "DF045")
            .count()
    }

    #[test]
    fn builds_after_production_installs() {
        assert_eq!(
            found(
                "FROM node:20-alpine\nRUN npm ci --only=production\nCOPY . .\nRUN npm run build\n"
            ),
            1
        );
        assert_eq!(
            found("FROM node:20\nENV NODE_ENV=production\nRUN npm ci\nRUN npm run build\n"),
            1
        );
        assert_eq!(
            found(
                "FROM node:20 AS deps\nRUN yarn install --production\nFROM deps\nRUN yarn build\n"
            ),
            1
        );
    }

    #[test]
    fn full_installs_and_later_env_pass() {
        assert_eq!(found("FROM node:20\nRUN npm ci\nRUN npm run build\n"), 0);
        assert_eq!(
            found("FROM node:20\nRUN npm ci\nENV NODE_ENV=production\nRUN npm run build\n"),
            0
        );
        assert_eq!(
            found("FROM node:20\nRUN npm ci --omit=dev\nRUN npm ci\nRUN npm run build\n"),
            0
        );
        assert_eq!(found("FROM node:20\nRUN npm run build\n"), 0);
    }
}
