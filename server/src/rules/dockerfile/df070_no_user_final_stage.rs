use super::images::{Family, ImageFacts};
use super::stages::{Insertion, from_instructions, lineage_instructions, root_base, stage_anchor};
use crate::diagnostics::{Applicability, Diagnostic, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;

declare_rule! {
    /// ## What it does
    /// Reports a final stage that never sets `USER`, neither itself nor in a stage it is built
    /// from, on a base image not known to run as a non-root user. Known non-root bases
    /// (`gcr.io/distroless/*:nonroot`, `-nonroot` and `-unprivileged` images, Chainguard
    /// images) pass, and so do images whose commands drop privileges themselves (`gosu`,
    /// `su-exec`, `setpriv`), as several official images do. Bases named through a variable
    /// without a value are not judged.
    ///
    /// ## Why is this bad?
    /// Without `USER`, the container's process runs as root. A bug in the service or one of
    /// its dependencies then has root's rights inside the container, and with a container
    /// escape or a careless bind mount, on the host. Unlike hadolint's DL3002, this fires
    /// even when the file never mentions root: the default is the problem.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-alpine
    /// WORKDIR /app
    /// COPY . .
    /// CMD ["node", "src/server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-alpine
    /// WORKDIR /app
    /// COPY . .
    /// USER node
    /// CMD ["node", "src/server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the service may need to write files that root owns, or bind a port below 1024.
    /// The fix goes before the first `CMD`/`ENTRYPOINT` (or at the end of the stage) and
    /// depends on the base: `USER node` on node images; a system user made with
    /// `addgroup`/`adduser` on Alpine and `groupadd`/`useradd` on Debian and Ubuntu;
    /// `USER 65532:65532` on distroless and `scratch`. On other bases the suggestion
    /// `USER 10001` is display-only.
    ///
    /// ## References
    /// - practices.md §10.1 (run as a non-root user), §2.2 (multi-stage builds)
    pub const NO_USER_FINAL_STAGE = {
        code: "DF070",
        name: "no-user-final-stage",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

/// Commands that switch to another user when the container starts.
const PRIVILEGE_DROPPERS: &[&str] = &[
    "gosu",
    "su-exec",
    "setpriv",
    "s6-setuidgid",
    "chpst",
    "runuser",
];

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(last) = ctx.model.final_stage() else {
        return;
    };
    let instructions = lineage_instructions(ctx, last.index);
    if instructions
        .iter()
        .any(|(_, i)| i.kind() == InstructionKind::User)
    {
        return;
    }
    let drops_privileges = instructions.iter().any(|(_, i)| {
        matches!(
            i.kind(),
            InstructionKind::Run | InstructionKind::Cmd | InstructionKind::Entrypoint
        ) && {
            let text = i.args_text();
            text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .any(|w| PRIVILEGE_DROPPERS.contains(&w))
        }
    });
    if drops_privileges {
        return;
    }
    let Some(base) = root_base(ctx.model, last.index) else {
        return;
    };
    let Some(facts) = ImageFacts::of_base(base) else {
        return;
    };
    if facts.nonroot || is_windows(&base.expanded.text) {
        return;
    }
    let froms = from_instructions(ctx);
    let anchor = stage_anchor(froms.get(last.index), last);
    let (lines, applicability, title): (&[&str], _, _) = if facts.node_user {
        (
            &["USER node"],
            Applicability::Unsafe,
            "Run as the image's `node` user",
        )
    } else {
        match facts.family {
            Family::Alpine => (
                &["RUN addgroup -S app && adduser -S -G app app", "USER app"],
                Applicability::Unsafe,
                "Create a system user `app` and run as it",
            ),
            Family::Debian => (
                &[
                    "RUN groupadd --system app && useradd --system --gid app --no-create-home app",
                    "USER app",
                ],
                Applicability::Unsafe,
                "Create a system user `app` and run as it",
            ),
            Family::Distroless | Family::Scratch => (
                &["USER 65532:65532"],
                Applicability::Unsafe,
                "Run as the unprivileged user 65532",
            ),
            Family::Unknown => (
                &["USER 10001"],
                Applicability::DisplayOnly,
                "Run as an unprivileged user (create it in the image first)",
            ),
        }
    };
    let Some(insertion) = Insertion::for_runtime(ctx, last) else {
        out.push(NO_USER_FINAL_STAGE.diagnostic(anchor, MESSAGE));
        return;
    };
    let edit = insertion.edit(lines, ctx.line_ending());
    out.push(NO_USER_FINAL_STAGE.diagnostic_with_fix(
        anchor,
        MESSAGE,
        Fix {
            title: title.to_owned(),
            applicability,
            edits: vec![edit],
        },
    ));
}

const MESSAGE: &str = "the final stage never sets `USER`, so the container runs as root: add a \
                       `USER` with an unprivileged user";

/// Windows images have other users (`ContainerUser`) and are not judged.
fn is_windows(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    lower.contains("windowsservercore")
        || lower.contains("nanoserver")
        || lower.starts_with("mcr.microsoft.com/windows")
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::{Applicability, Diagnostic};
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF070", src)
    }

    fn fixed(src: &str) -> String {
        let found = findings(src);
        assert_eq!(found.len(), 1, "{src}");
        let out = testing::fixed(src, &found[0]);
        assert!(findings(&out).is_empty(), "{out}");
        out
    }

    /// practices.md §2.1: no USER at all.
    #[test]
    fn guide_basic_image() {
        let src = "# Node.js\nFROM node:20-alpine\n\nWORKDIR /app\nCOPY package*.json ./\n\
                   RUN npm ci --only=production\nCOPY . .\nRUN npm run build\nEXPOSE 3000\n\
                   ENV NODE_ENV=production\nCMD [\"node\", \"src/server.js\"]\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.as_usize()], "node:20-alpine");
        assert!(fixed(src).contains("ENV NODE_ENV=production\nUSER node\nCMD"));
    }

    /// practices.md §2.2: `USER nextjs` in the runner stage.
    #[test]
    fn guide_multi_stage_sets_user() {
        let src = "FROM node:20-alpine AS builder\nWORKDIR /app\nRUN npm ci\n\
                   FROM node:20-alpine AS runner\nWORKDIR /app\nRUN addgroup -g 1001 -S nodejs\n\
                   RUN adduser -S nextjs -u 1001\nUSER nextjs\nEXPOSE 3000\nCMD [\"node\", \"dist/server.js\"]\n";
        assert!(findings(src).is_empty());
    }

    /// practices.md §2.3: python slim, Debian user commands.
    #[test]
    fn guide_python_image() {
        let src = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nEXPOSE 8000\n\
                   CMD [\"uvicorn\", \"main:app\"]\n";
        let out = fixed(src);
        assert!(out.contains(
            "EXPOSE 8000\nRUN groupadd --system app && useradd --system --gid app --no-create-home app\nUSER app\nCMD"
        ), "{out}");
    }

    #[test]
    fn fixes_by_family() {
        let out = fixed("FROM alpine:3.20\nCOPY app /app\nENTRYPOINT [\"/app\"]\n");
        assert!(out.contains("RUN addgroup -S app && adduser -S -G app app\nUSER app\nENTRYPOINT"));
        let out = fixed("FROM golang:1.23 AS b\nFROM scratch\nCOPY --from=b /a /a\n");
        assert!(
            out.ends_with("COPY --from=b /a /a\nUSER 65532:65532\n"),
            "{out:?}"
        );
        let out = fixed("FROM gcr.io/distroless/static-debian12\r\nCMD [\"/a\"]\r\n");
        assert_eq!(
            out,
            "FROM gcr.io/distroless/static-debian12\r\nUSER 65532:65532\r\nCMD [\"/a\"]\r\n"
        );
        let found = findings("FROM mycompany/base:1.0\nCMD [\"/a\"]\n");
        assert_eq!(
            found[0].fix.as_ref().unwrap().applicability,
            Applicability::DisplayOnly
        );
        // A RUN after CMD: the USER goes at the end, after the build steps.
        let out = fixed("FROM debian:bookworm-slim\nCMD [\"/a\"]\nRUN make\n");
        assert!(out.ends_with("RUN make\nRUN groupadd --system app && useradd --system --gid app --no-create-home app\nUSER app\n"), "{out}");
    }

    #[test]
    fn inherited_user_nonroot_bases_and_privilege_drop_pass() {
        for src in [
            "FROM node:22 AS base\nUSER node\nFROM base\nCMD [\"node\"]\n",
            "FROM gcr.io/distroless/static-debian12:nonroot\nCMD [\"/a\"]\n",
            "FROM cgr.dev/chainguard/node\nCMD [\"a.js\"]\n",
            "FROM nginxinc/nginx-unprivileged:1.27-alpine\n",
            "FROM redis:7\nRUN apt-get install -y gosu\nENTRYPOINT [\"docker-entrypoint.sh\"]\n",
            "ARG BASE\nFROM ${BASE}\nCMD [\"/a\"]\n",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n",
            "FROM alpine AS build\nFROM alpine\nUSER 1000\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }

    #[test]
    fn only_the_final_stage_counts() {
        let src = "FROM alpine AS a\nUSER app\nFROM alpine\nCOPY --from=a /x /x\n";
        assert_eq!(findings(src).len(), 1);
    }
}
