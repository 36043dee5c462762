use super::installs::{command_words, from_name, is_build_step, toolchain_packages};
use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a Dockerfile with a single stage that builds the application (`npm run
    /// build`, `go build`, `mvn package`, `tsc`, ...) or installs a compiler toolchain (`gcc`,
    /// `build-essential`, `python3-dev`, ...).
    ///
    /// ## Why is this bad?
    /// Everything a stage installs stays in the image it produces. Compilers, headers,
    /// development dependencies and build caches make the runtime image larger, slower to
    /// pull and richer in things an attacker can use. A multi-stage build compiles in a
    /// `builder` stage and copies only the result into a small runtime stage.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY package*.json ./
    /// RUN npm ci
    /// COPY . .
    /// RUN npm run build
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
    ///
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY --from=builder /app/dist ./dist
    /// CMD ["node", "dist/server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// No fix: splitting a build into stages needs to know what the runtime needs.
    ///
    /// ## References
    /// - practices.md §2.2 (multi-stage builds), §2.3 (gcc in a Python image), the checklist
    pub const SINGLE_STAGE_BUILD = {
        code: "DF040",
        name: "single-stage-build",
        severity: Info,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.model.stages.len() != 1 {
        return;
    }
    for run in ctx.stage_runs(0) {
        for command in run.commands() {
            if is_build_step(command) {
                let words = command_words(command);
                out.push(SINGLE_STAGE_BUILD.diagnostic(
                    run.abs(from_name(command)),
                    format!(
                        "`{words}` builds in the only stage, so the build tools stay in the image: build in a separate stage and copy the result"
                    ),
                ));
                return;
            }
            if let Some(package) = toolchain_packages(command).first() {
                let word = command.args.iter().find(|w| w.text == *package);
                let range = word.map_or(command.range, |w| w.range);
                out.push(SINGLE_STAGE_BUILD.diagnostic(
                    run.abs(range),
                    format!(
                        "`{package}` is a build toolchain installed in the only stage, so it ships in the image: compile in a separate stage"
                    ),
                ));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn found(src: &str) -> Vec<String> {
        testing::findings("DF040", src)
            .into_iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn single_stage_builds_and_toolchains() {
        assert_eq!(
            found("FROM node:20-alpine\nCOPY . .\nRUN npm ci && npm run build\n"),
            ["npm run build"]
        );
        assert_eq!(
            found(
                "FROM python:3.11-slim\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends \\\n    gcc \\\n    && rm -rf /var/lib/apt/lists/*\n"
            ),
            ["gcc"]
        );
        // One finding per file.
        assert_eq!(
            found("FROM golang:1.22\nRUN go build ./a\nRUN go build ./b\n").len(),
            1
        );
    }

    #[test]
    fn multi_stage_and_plain_installs_pass() {
        assert!(
            found("FROM node:20 AS b\nRUN npm run build\nFROM node:20-slim\nCOPY --from=b /a /a\n")
                .is_empty()
        );
        assert!(found("FROM node:20-alpine\nRUN npm ci --omit=dev\n").is_empty());
        assert!(
            found("FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN go build x\n")
                .is_empty()
        );
    }
}
