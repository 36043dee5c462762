use super::stages::{effective_user, lineage_instructions};
use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a final stage whose last `USER` (its own, or else the one of the stage it is
    /// built from) is `root` or `0`.
    ///
    /// ## Why is this bad?
    /// Switching to root to install something is fine; staying root is not. The last `USER`
    /// is the user the container's process runs as, with every right inside the container.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// USER root
    /// RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// USER root
    /// RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
    /// USER node
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which user the service should run as is for a person to decide.
    ///
    /// ## References
    /// - practices.md §10.1 (run as a non-root user)
    pub const LAST_USER_ROOT = {
        code: "DF071",
        name: "last-user-root",
        severity: Warning,
        fixable: false,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(last) = ctx.model.final_stage() else {
        return;
    };
    let instructions = lineage_instructions(ctx, last.index);
    let Some((_, range, Some(value))) = effective_user(ctx, &instructions) else {
        return;
    };
    let user = value.split(':').next().unwrap_or("");
    if user == "root" || is_zero(user) {
        out.push(LAST_USER_ROOT.diagnostic(
            range,
            format!(
                "the final image runs as `{user}`: the last `USER` should name an unprivileged \
                 user once the steps that need root are done"
            ),
        ));
    }
}

fn is_zero(user: &str) -> bool {
    !user.is_empty() && user.bytes().all(|b| b == b'0')
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn flagged(src: &str) -> Vec<String> {
        testing::findings("DF071", src)
            .into_iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn root_last() {
        assert_eq!(flagged("FROM alpine\nUSER app\nUSER root\n"), ["root"]);
        assert_eq!(flagged("FROM alpine\nuser 0:0\n"), ["0:0"]);
        assert_eq!(
            flagged("FROM alpine AS b\nUSER root:root\nFROM b\nRUN x\n"),
            ["root:root"]
        );
        assert_eq!(flagged("FROM alpine\nARG U=root\nUSER $U\n"), ["$U"]);
    }

    #[test]
    fn other_users_pass() {
        for src in [
            "FROM alpine\nUSER root\nRUN apk add x\nUSER app\n",
            "FROM alpine\nUSER 1000:0\n",
            "FROM alpine\nARG U\nUSER $U\n",
            "FROM alpine AS a\nUSER root\nFROM alpine\n",
            "FROM alpine\n",
            "FROM alpine\nUSER rooty\n",
        ] {
            assert!(flagged(src).is_empty(), "{src}");
        }
    }
}
