//! Service `profiles`, shared by the rules that compare two services (CP017, CP042): Compose
//! creates only the services whose profiles are enabled, so two services clash only if one
//! `up` can start them both.

use crate::rules::compose::ComposeContext;
use crate::syntax::compose::NodeId;

/// The `profiles` of a service body as written; empty when it has none (always enabled).
pub(crate) fn profiles<'a>(ctx: &ComposeContext<'a>, body: NodeId) -> Vec<&'a str> {
    ctx.get(body, "profiles")
        .map(|p| {
            ctx.items(p)
                .into_iter()
                .filter_map(|i| ctx.scalar(i))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether two services with these profiles are enabled together by some `up`: a service
/// without profiles always is; two with profiles are when they share one. A profile with
/// `${VAR}` in it is compared as written: what it becomes is not known here, and the rules
/// that ask report errors, so they claim a clash only when it is certain.
pub(crate) fn may_run_together(a: &[&str], b: &[&str]) -> bool {
    a.is_empty() || b.is_empty() || a.iter().any(|p| b.contains(p))
}

#[cfg(test)]
mod tests {
    use super::may_run_together;

    #[test]
    fn together_or_not() {
        assert!(may_run_together(&[], &[]));
        assert!(may_run_together(&[], &["gpu"]));
        assert!(may_run_together(&["cpu"], &[]));
        assert!(may_run_together(&["cpu", "all"], &["gpu", "all"]));
        assert!(!may_run_together(&["cpu"], &["gpu"]));
        // An interpolated profile is compared as written: no certain clash.
        assert!(!may_run_together(&["${ACCEL}"], &["gpu"]));
        assert!(!may_run_together(&["cpu"], &["gpu-${N:-1}"]));
        assert!(may_run_together(&["${ACCEL}"], &["${ACCEL}"]));
    }
}
