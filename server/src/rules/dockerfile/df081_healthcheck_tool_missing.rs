use super::health::probe;
use super::images::{ImageFacts, Tool};
use super::stages::{installs, lineage, lineage_instructions, root_base};
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::shell::{ShellScript, ShellSource, SimpleCommand};

declare_rule! {
    /// ## What it does
    /// Reports a `HEALTHCHECK` of the final image that runs `curl` or `wget` when the base
    /// image is known not to have that program and the Dockerfile does not install it
    /// (`apk add curl`, `apt-get install -y wget`). Distroless and scratch images have
    /// neither, Debian `-slim` images have neither, Alpine has busybox `wget` but no `curl`.
    ///
    /// ## Why is this bad?
    /// A probe whose program is missing fails every time, so the container is reported
    /// unhealthy however well the service runs: orchestrators restart it, `depends_on:
    /// condition: service_healthy` never lets its dependants start. Probe with what the image
    /// has: the language runtime (`node`, `python`), or busybox `wget` on Alpine.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY . .
    /// USER node
    /// HEALTHCHECK CMD curl -f http://localhost:3000/health || exit 1
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY . .
    /// USER node
    /// HEALTHCHECK CMD ["node", "-e", "require('http').get('http://localhost:3000/health', r => process.exit(r.statusCode < 400 ? 0 : 1)).on('error', () => process.exit(1))"]
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix rewrites the probe in exec form with the image's runtime (or the
    /// other of curl and wget, when the image has it) and the URL the probe fetched; a probe
    /// that checked more than the HTTP status (headers, a body) checks less afterwards.
    /// Shell-form probes on images without a shell are DF082's.
    ///
    /// ## References
    /// - practices.md §7 (health checks use a tool the image has), §11.3 (distroless)
    pub const HEALTHCHECK_TOOL_MISSING = {
        code: "DF081",
        name: "healthcheck-tool-missing",
        severity: Warning,
        fixable: true,
        default_enabled: true,
    };
}

/// The probe programs this rule knows images by.
const PROBES: [(&str, Tool); 2] = [("curl", Tool::Curl), ("wget", Tool::Wget)];

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    // A file rule: the HEALTHCHECK may be inherited from a stage the final one is built from,
    // so a finding there depends on a later stage (which a segment's fingerprint does not
    // cover). Most keystrokes leave without reading the tree.
    let Some(last) = ctx.model.final_stage() else {
        return;
    };
    let has_healthcheck = lineage(ctx.model, last.index).any(|stage| {
        stage
            .instructions
            .iter()
            .any(|i| i.kind == InstructionKind::Healthcheck)
    });
    if !has_healthcheck {
        return;
    }
    let instructions = lineage_instructions(ctx, last.index);
    // The HEALTHCHECK in force: the last one of the final stage's lineage.
    let Some((_, healthcheck)) = instructions
        .iter()
        .rev()
        .find(|(_, i)| i.kind() == InstructionKind::Healthcheck)
    else {
        return;
    };
    let Some(facts) = root_base(ctx.model, last.index).and_then(ImageFacts::of_base) else {
        return;
    };
    let Some(command) = healthcheck.command() else {
        return;
    };
    // The programs the probe runs: the first word of an exec form, every command of a
    // shell form.
    let (programs, exec): (Vec<SimpleCommand>, bool) = if command.is_exec() {
        let strings = healthcheck.arguments();
        let Some(first) = strings.first() else { return };
        let name = crate::syntax::shell::ShellWord {
            text: first.text.to_string(),
            range: first.range,
            literal: true,
        };
        let args = strings[1..]
            .iter()
            .map(|s| crate::syntax::shell::ShellWord {
                text: s.text.to_string(),
                range: s.range,
                literal: true,
            })
            .collect();
        let range = first
            .range
            .cover(strings.last().map_or(first.range, |s| s.range));
        let single = SimpleCommand {
            name,
            args,
            range,
            assignments: Vec::new(),
            pipeline: None,
            depth: 0,
        };
        (vec![single], true)
    } else {
        let Some(source) = ShellSource::from_instruction(*healthcheck) else {
            return;
        };
        let base = healthcheck.shell().map_or(0, |s| s.range().start);
        let mut script = ShellScript::parse(&source);
        for c in &mut script.commands {
            c.name.range =
                crate::syntax::TextRange::new(base + c.name.range.start, base + c.name.range.end);
            for w in &mut c.args {
                w.range = crate::syntax::TextRange::new(base + w.range.start, base + w.range.end);
            }
        }
        (script.commands, false)
    };
    for program in &programs {
        let name = program.base_name();
        let Some((tool_name, tool)) = PROBES.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        if facts.ships(*tool) != Some(false) || installs(ctx, last.index, tool_name) {
            continue;
        }
        let url = program
            .args
            .iter()
            .find(|a| a.literal && super::health::is_url(&a.text));
        let replacement = url.and_then(|url| probe(ctx, last.index, &facts, &url.text));
        let message = format!(
            "the final image has no `{tool_name}`, so this health check fails every time and the container is reported unhealthy"
        );
        let fix = replacement.map(|probe| Fix {
            title: format!("Probe with {}", probe_program(&probe)),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                range: command.range(),
                new_text: probe,
            }],
        });
        out.push(match fix {
            // Replacing a whole shell-form probe is only right when this was its only job.
            Some(fix) if exec || programs.len() <= 2 => {
                HEALTHCHECK_TOOL_MISSING.diagnostic_with_fix(program.name.range, message, fix)
            }
            _ => HEALTHCHECK_TOOL_MISSING.diagnostic(program.name.range, message),
        });
        return;
    }
}

/// The program of a JSON-array probe, for the fix's title.
fn probe_program(probe: &str) -> String {
    serde_json::from_str::<Vec<String>>(probe)
        .ok()
        .and_then(|v| v.into_iter().next())
        .map_or_else(|| "the image's own tools".to_owned(), |p| format!("`{p}`"))
}

#[cfg(test)]
mod tests {
    use crate::rules::dockerfile::health::json_array;
    use crate::rules::testing;

    fn expected(args: &[&str]) -> String {
        json_array(&args.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }
    use crate::fix::apply_fixes;

    fn findings(src: &str) -> Vec<crate::diagnostics::Diagnostic> {
        testing::findings("DF081", src)
    }

    #[test]
    fn curl_on_images_without_it() {
        let src = "FROM node:22-slim\nUSER node\nHEALTHCHECK CMD curl -f http://localhost:3000/health || exit 1\nCMD [\"node\", \"s.js\"]\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.as_usize()], "curl");
        let fixed = apply_fixes(src, &[found[0].fix.as_ref().unwrap()]).0;
        assert!(
            fixed.contains("HEALTHCHECK CMD [\"node\", \"-e\""),
            "{fixed}"
        );
        assert!(findings(&fixed).is_empty());
        // Exec form on distroless: the runtime's own path.
        let src = "FROM gcr.io/distroless/nodejs22-debian12\nHEALTHCHECK CMD [\"wget\", \"-q\", \"--spider\", \"http://127.0.0.1:8080/health\"]\nCMD [\"server.js\"]\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        let fixed = apply_fixes(src, &[found[0].fix.as_ref().unwrap()]).0;
        assert!(fixed.contains("/nodejs/bin/node"), "{fixed}");
        // Alpine has wget but no curl: the fix uses wget.
        let src =
            "FROM alpine:3.20\nHEALTHCHECK CMD [\"curl\", \"-f\", \"http://127.0.0.1/health\"]\n";
        let fixed = apply_fixes(src, &[findings(src)[0].fix.as_ref().unwrap()]).0;
        assert!(
            fixed.contains(&expected(&[
                "wget",
                "-q",
                "--spider",
                "http://127.0.0.1/health"
            ])),
            "{fixed}"
        );
    }

    #[test]
    fn tools_the_image_has_pass() {
        for src in [
            // busybox wget on Alpine.
            "FROM node:22-alpine\nHEALTHCHECK CMD wget -qO- http://localhost:3000/health || exit 1\n",
            // Installed by the Dockerfile, in a parent stage too.
            "FROM python:3.12-slim AS base\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nFROM base\nHEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1\n",
            // Unknown images are not judged.
            "FROM mycorp/api:1.2\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n",
            // The runtime itself.
            "FROM node:22-slim\nHEALTHCHECK CMD [\"node\", \"healthcheck.js\"]\n",
            "FROM node:22-slim\nHEALTHCHECK NONE\n",
            // Not the final image.
            "FROM node:22-slim AS a\nHEALTHCHECK CMD curl -f http://x/\nFROM nginx:1.27\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
