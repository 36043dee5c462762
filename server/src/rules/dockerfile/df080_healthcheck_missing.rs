use super::health::{health_url, probe};
use super::images::ImageFacts;
use super::stages::{Insertion, from_instructions, lineage_instructions, root_base, stage_anchor};
use crate::diagnostics::{Applicability, Diagnostic, Fix};
use crate::facts::ComposeHealthcheck;
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::Instruction;

declare_rule! {
    /// ## What it does
    /// Reports a final stage without `HEALTHCHECK`, neither its own nor one of the stage it
    /// is built from. `HEALTHCHECK NONE` is a deliberate choice and passes, and so does an
    /// image whose compose service defines `healthcheck:` (when the compose file is known).
    ///
    /// ## Why is this bad?
    /// Without a health check Docker only knows whether the process runs, not whether the
    /// service answers: a hung server stays "up", `depends_on: condition: service_healthy`
    /// cannot work, and orchestrators keep routing traffic to it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-alpine
    /// WORKDIR /app
    /// COPY . .
    /// EXPOSE 3000
    /// CMD ["node", "src/server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-alpine
    /// WORKDIR /app
    /// COPY . .
    /// EXPOSE 3000
    /// HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "-e", "require('http').get('http://127.0.0.1:3000/health', r => process.exit(r.statusCode < 400 ? 0 : 1)).on('error', () => process.exit(1))"]
    /// CMD ["node", "src/server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the probe asks for `/health` on the first `EXPOSE`d port, which the service
    /// must answer. The probe uses what the image has: the Node.js or Python runtime of their
    /// images, else `curl` or `wget` (busybox `wget` on Alpine) when the base ships it or the
    /// stage installs it, all in exec form. Without an `EXPOSE`d port, or without any of these
    /// tools (distroless and `scratch` images, Debian `-slim` images), the template is
    /// display-only.
    ///
    /// ## References
    /// - practices.md §7 (health checks)
    /// - HEALTHCHECK: <https://docs.docker.com/reference/dockerfile/#healthcheck>
    pub const HEALTHCHECK_MISSING = {
        code: "DF080",
        name: "healthcheck-missing",
        severity: Info,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

const TIMING: &str = "--interval=30s --timeout=5s --start-period=10s --retries=3";

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.facts.compose_healthcheck == ComposeHealthcheck::Defined {
        return;
    }
    let Some(last) = ctx.model.final_stage() else {
        return;
    };
    let instructions = lineage_instructions(ctx, last.index);
    if instructions
        .iter()
        .any(|(_, i)| i.kind() == InstructionKind::Healthcheck)
    {
        return;
    }
    let Some(base) = root_base(ctx.model, last.index) else {
        return;
    };
    // A base named through variables without values may bring its own health check.
    let Some(facts) = ImageFacts::of_base(base) else {
        return;
    };
    let port = first_port(ctx, &instructions);
    let (probe, known_port) = match port {
        Some(port) => (probe(ctx, last.index, &facts, &health_url(port)), true),
        None => (probe(ctx, last.index, &facts, &health_url(8080)), false),
    };
    let (command, tool_found) = match probe {
        Some(command) => (command, true),
        None => (r#"["/healthcheck"]"#.to_owned(), false),
    };
    let line = format!("HEALTHCHECK {TIMING} CMD {command}");
    let (applicability, title) = match (known_port, tool_found) {
        (true, true) => (
            Applicability::Unsafe,
            format!(
                "Add a HEALTHCHECK that probes `/health` on port {}",
                port.unwrap_or(8080)
            ),
        ),
        (false, true) => (
            Applicability::DisplayOnly,
            "Add a HEALTHCHECK that probes `/health` (no port is exposed: adjust 8080)".to_owned(),
        ),
        (_, false) => (
            Applicability::DisplayOnly,
            "Add a HEALTHCHECK: the image has no curl, wget or runtime to probe with, so ship \
             a small probe program (`/healthcheck` here)"
                .to_owned(),
        ),
    };
    let insertion = Insertion::for_runtime(ctx, last);
    let froms = from_instructions(ctx);
    let message = if ctx.facts.compose_healthcheck == ComposeHealthcheck::Missing {
        "the final stage has no `HEALTHCHECK` and no compose service defines one, so Docker \
         cannot tell when the service stops answering"
    } else {
        "the final stage has no `HEALTHCHECK`, so Docker cannot tell when the service stops \
         answering: add one here or as `healthcheck:` in compose"
    };
    let anchor = stage_anchor(froms.get(last.index), last);
    let Some(insertion) = insertion else {
        out.push(HEALTHCHECK_MISSING.diagnostic(anchor, message));
        return;
    };
    out.push(HEALTHCHECK_MISSING.diagnostic_with_fix(
        anchor,
        message,
        Fix {
            title,
            applicability,
            edits: vec![insertion.edit(&[&line], ctx.line_ending())],
        },
    ));
}

/// The first port the final stage (or else a stage it is built from) exposes.
fn first_port(
    ctx: &DockerfileContext<'_>,
    instructions: &[(usize, Instruction<'_>)],
) -> Option<u16> {
    let last = instructions.last()?.0;
    let exposes = |own: bool| {
        instructions.iter().filter(move |(stage, i)| {
            (*stage == last) == own && i.kind() == InstructionKind::Expose
        })
    };
    exposes(true).chain(exposes(false)).find_map(|(_, i)| {
        let word = i.words().next()?;
        let expanded = ctx.model.expand(&word.text(), word.range().start);
        let text = expanded.exact_text()?;
        let digits = text.split(['/', '-']).next()?;
        digits.parse::<u16>().ok().filter(|&p| p > 0)
    })
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile_with_facts;
    use crate::diagnostics::{Applicability, Diagnostic};
    use crate::facts::{ComposeHealthcheck, DockerfileFacts};
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF080", src)
    }

    fn inserted(src: &str) -> (String, Applicability) {
        let found = findings(src);
        assert_eq!(found.len(), 1, "{src}");
        let fix = found[0].fix.as_ref().unwrap();
        let out = testing::fixed(src, &found[0]);
        assert!(findings(&out).is_empty(), "{out}");
        // The inserted line parses: no syntax errors.
        assert!(
            crate::syntax::dockerfile::parse(&out).errors.is_empty(),
            "{out}"
        );
        (out, fix.applicability)
    }

    /// practices.md §2.1 and §2.2: node images, port 3000, probe with node.
    #[test]
    fn guide_node_images() {
        let src = "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nEXPOSE 3000\n\
                   ENV NODE_ENV=production\nCMD [\"node\", \"src/server.js\"]\n";
        let (out, applicability) = inserted(src);
        assert_eq!(applicability, Applicability::Unsafe);
        assert!(out.contains(
            "ENV NODE_ENV=production\nHEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD [\"node\", \"-e\", \"require('http').get('http://127.0.0.1:3000/health', r => process.exit(r.statusCode < 400 ? 0 : 1)).on('error', () => process.exit(1))\"]\nCMD"
        ), "{out}");
        let src = "FROM node:20-alpine AS builder\nRUN npm ci\nFROM node:20-alpine AS runner\n\
                   USER nextjs\nEXPOSE 3000\nCMD [\"node\", \"dist/server.js\"]\n";
        assert_eq!(findings(src).len(), 1);
    }

    /// practices.md §2.3: python image, probe with python.
    #[test]
    fn guide_python_image() {
        let src = "FROM python:3.11-slim\nEXPOSE 8000\nCMD [\"uvicorn\", \"main:app\"]\n";
        let (out, _) = inserted(src);
        assert!(out.contains("CMD [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)\"]"), "{out}");
    }

    #[test]
    fn tools_by_family() {
        let (out, _) = inserted("FROM alpine:3.20\nEXPOSE 80/tcp\nCMD [\"/srv\"]\n");
        assert!(
            out.contains("CMD [\"wget\", \"-q\", \"--spider\", \"http://127.0.0.1:80/health\"]"),
            "{out}"
        );
        let (out, _) = inserted("FROM golang:1.23\nEXPOSE 8080\nCMD [\"/srv\"]\n");
        assert!(
            out.contains(
                "[\"curl\", \"-fsS\", \"-o\", \"/dev/null\", \"http://127.0.0.1:8080/health\"]"
            ),
            "{out}"
        );
        let (out, _) = inserted(
            "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\nEXPOSE 9000\nCMD [\"/srv\"]\n",
        );
        assert!(out.contains("\"curl\""), "{out}");
        let (out, _) =
            inserted("FROM gcr.io/distroless/nodejs20-debian12\nEXPOSE 3000\nCMD [\"s.js\"]\n");
        assert!(out.contains("CMD [\"/nodejs/bin/node\", \"-e\""), "{out}");
        // Nothing to probe with: display-only.
        let (_, applicability) = inserted("FROM scratch\nEXPOSE 8080\nCMD [\"/srv\"]\n");
        assert_eq!(applicability, Applicability::DisplayOnly);
        let (_, applicability) = inserted("FROM debian:bookworm-slim\nEXPOSE 8080\n");
        assert_eq!(applicability, Applicability::DisplayOnly);
        // No port: display-only.
        let (out, applicability) = inserted("FROM node:22\nCMD [\"node\", \"w.js\"]\n");
        assert_eq!(applicability, Applicability::DisplayOnly);
        assert!(out.contains(":8080/health"));
    }

    #[test]
    fn healthchecks_inherited_none_and_compose_pass() {
        for src in [
            "FROM alpine\nHEALTHCHECK CMD wget -q --spider http://localhost/ || exit 1\n",
            "FROM alpine AS base\nHEALTHCHECK NONE\nFROM base\n",
            "FROM alpine\nhealthcheck none\n",
            "ARG BASE\nFROM $BASE\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
        let facts = DockerfileFacts {
            compose_healthcheck: ComposeHealthcheck::Defined,
            ..DockerfileFacts::default()
        };
        let found = check_dockerfile_with_facts("FROM alpine\n", &facts);
        assert!(found.iter().all(|d| d.code != "DF080"));
        let facts = DockerfileFacts {
            compose_healthcheck: ComposeHealthcheck::Missing,
            ..DockerfileFacts::default()
        };
        let found = check_dockerfile_with_facts("FROM alpine\n", &facts);
        assert!(
            found
                .iter()
                .any(|d| d.code == "DF080" && d.message.contains("no compose service"))
        );
    }

    #[test]
    fn only_the_final_stage_counts() {
        let src = "FROM alpine AS a\nHEALTHCHECK CMD true\nFROM alpine\nCOPY --from=a /x /x\n";
        assert_eq!(findings(src).len(), 1);
    }
}
