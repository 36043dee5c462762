use super::images::ImageFacts;
use super::stages::{effective_user, lineage_instructions, root_base};
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a final image whose user (the last `USER` of the final stage or the stage it
    /// is built from) is a name rather than a numeric UID. `root` is left to DF071. Off by
    /// default.
    ///
    /// ## Why is this bad?
    /// Kubernetes' `runAsNonRoot` only trusts numeric users: with `USER app` it cannot tell
    /// that `app` is not root and refuses to start the pod. A name also depends on the image's
    /// `/etc/passwd`, which a later base image change can alter.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// USER node
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-alpine
    /// USER 1000:1000
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// Display-only, and only for users whose number is known: `node` in the official node
    /// images (1000), `nonroot` in distroless (65532), `nobody` (65534).
    ///
    /// ## References
    /// - practices.md §10.1 (non-root user with a fixed UID/GID)
    /// - Kubernetes `runAsNonRoot`: <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
    pub const USER_NON_NUMERIC = {
        code: "DF072",
        name: "user-non-numeric",
        severity: Info,
        fixable: false,
        default_enabled: false,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(last) = ctx.model.final_stage() else {
        return;
    };
    let instructions = lineage_instructions(ctx, last.index);
    let Some((written, range, Some(value))) = effective_user(ctx, &instructions) else {
        return;
    };
    let user = value.split(':').next().unwrap_or("");
    if user.is_empty() || user == "root" || user.bytes().all(|b| b.is_ascii_digit()) {
        return;
    }
    let facts = root_base(ctx.model, last.index).and_then(ImageFacts::of_base);
    let uid = match user {
        "node" if facts.is_some_and(|f| f.node_user) => Some(1000),
        "nonroot" => Some(65532),
        "nobody" => Some(65534),
        _ => None,
    };
    let message = format!(
        "`USER {written}` names the user: Kubernetes' `runAsNonRoot` cannot verify a name, use \
         the numeric UID"
    );
    let fix = uid.filter(|_| written == value).map(|uid| Fix {
        title: format!("Use `USER {uid}:{uid}`"),
        applicability: Applicability::DisplayOnly,
        edits: vec![Edit {
            range,
            new_text: format!("{uid}:{uid}"),
        }],
    });
    out.push(match fix {
        Some(fix) => USER_NON_NUMERIC.diagnostic_with_fix(range, message, fix),
        None => USER_NON_NUMERIC.diagnostic(range, message),
    });
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile_with;
    use crate::config::Config;
    use crate::diagnostics::Diagnostic;
    use crate::facts::DockerfileFacts;

    fn findings(src: &str) -> Vec<Diagnostic> {
        check_dockerfile_with(src, &DockerfileFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "DF072")
            .collect()
    }

    #[test]
    fn named_users() {
        let src = "FROM node:22\nUSER node\n";
        let found = findings(src);
        assert_eq!(&src[found[0].range.as_usize()], "node");
        assert_eq!(
            found[0].fix.as_ref().unwrap().edits[0].new_text,
            "1000:1000"
        );
        let found = findings("FROM alpine\nUSER app:app\n");
        assert!(found[0].fix.is_none());
        assert!(found[0].message.contains("`USER app:app`"));
    }

    #[test]
    fn numbers_root_and_unknowns_pass() {
        for src in [
            "FROM alpine\nUSER 1000:1000\n",
            "FROM alpine\nUSER root\n",
            "FROM alpine\nARG U\nUSER $U\n",
            "FROM alpine\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
