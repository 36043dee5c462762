//! `${VAR}` interpolation as Compose does it when it loads a file: which variables a value
//! uses, whether each has a default, and where each is written.

use super::ComposeContext;
use crate::syntax::TextRange;
use crate::syntax::compose::{NodeId, NodeKind};

/// One use of a variable in a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariableUse<'a> {
    pub name: &'a str,
    /// Byte offsets of the whole `${...}` (or `$NAME`) within the value.
    pub start: usize,
    pub end: usize,
    /// `${VAR:-x}`, `${VAR-x}`, `${VAR:+x}`, `${VAR+x}`: the value never comes out empty
    /// by surprise. `${VAR:?err}` / `${VAR?err}` fail loudly instead, which counts too.
    pub handled: bool,
    /// `:-`, `-`, `:?`, `?`, `:+`, `+`, or empty.
    pub operator: &'a str,
    /// What follows the operator: a default, an error message or a replacement.
    pub argument: &'a str,
    /// Written with braces (`${VAR}`), so a fix can rewrite it in place.
    pub braced: bool,
}

/// The variables `value` uses, in order; `$$` is an escaped dollar, not a variable.
/// Defaults are searched too (`${A:-${B}}` uses `B`, handled by `A`'s default... and `B`
/// itself unhandled).
pub fn variables(value: &str) -> Vec<VariableUse<'_>> {
    let mut out = Vec::new();
    scan(value, 0, &mut out, 0);
    out
}

fn scan<'a>(value: &'a str, base: usize, out: &mut Vec<VariableUse<'a>>, depth: usize) {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'$') => i += 2,
            Some(b'{') => {
                // The matching brace, counting nested `${`.
                let mut level = 0;
                let mut end = None;
                for (j, &b) in bytes.iter().enumerate().skip(i + 1) {
                    match b {
                        b'{' => level += 1,
                        b'}' => {
                            level -= 1;
                            if level == 0 {
                                end = Some(j);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let Some(end) = end else {
                    return;
                };
                let inner = &value[i + 2..end];
                let name_len = inner
                    .bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                    .count();
                let name = &inner[..name_len];
                let rest = &inner[name_len..];
                let operator = [":-", ":?", ":+", "-", "?", "+"]
                    .into_iter()
                    .find(|op| rest.starts_with(op))
                    .unwrap_or("");
                let argument = &rest[operator.len()..];
                if !name.is_empty() {
                    out.push(VariableUse {
                        name,
                        start: base + i,
                        end: base + end + 1,
                        handled: !operator.is_empty(),
                        operator,
                        argument,
                        braced: true,
                    });
                }
                if depth < 8 {
                    let offset = base + i + 2 + name_len + operator.len();
                    scan(argument, offset, out, depth + 1);
                }
                i = end + 1;
            }
            Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {
                let len = bytes[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .count();
                out.push(VariableUse {
                    name: &value[i + 1..i + 1 + len],
                    start: base + i,
                    end: base + i + 1 + len,
                    handled: false,
                    operator: "",
                    argument: "",
                    braced: false,
                });
                i += 1 + len;
            }
            _ => i += 1,
        }
    }
}

/// A scalar value of the file with the node it is in: every value Compose interpolates
/// (mapping values and list items, not keys).
#[derive(Clone, Copy, Debug)]
pub struct ValueScalar<'a> {
    pub node: NodeId,
    pub value: &'a str,
}

impl<'a> ComposeContext<'a> {
    /// Every scalar that is a value (not a key) and contains a `$`.
    pub fn interpolated_values(&self) -> Vec<ValueScalar<'a>> {
        let tree = self.tree();
        let mut keys = vec![false; tree.nodes.len()];
        for node in &tree.nodes {
            if let NodeKind::Mapping(entries) = &node.kind {
                for (k, _) in entries {
                    if let Some(slot) = keys.get_mut(*k) {
                        *slot = true;
                    }
                }
            }
        }
        tree.nodes
            .iter()
            .enumerate()
            .filter(|(id, _)| !keys[*id])
            .filter_map(|(id, node)| match &node.kind {
                NodeKind::Scalar { value, .. } if value.contains('$') => {
                    Some(ValueScalar { node: id, value })
                }
                _ => None,
            })
            .collect()
    }

    /// The scalars of [`ComposeContext::interpolated_values`] within `node` (itself
    /// included, unless it is a key).
    pub fn interpolated_values_under(&self, node: NodeId) -> Vec<ValueScalar<'a>> {
        let mut out = Vec::new();
        self.collect_interpolated(node, false, &|_| false, &mut out);
        out
    }

    /// The scalars of [`ComposeContext::interpolated_values`] outside every service's value.
    pub fn interpolated_values_outside_services(&self) -> Vec<ValueScalar<'a>> {
        let services: std::collections::HashSet<NodeId> = self
            .every_service()
            .iter()
            .filter_map(|s| s.value)
            .collect();
        let mut out = Vec::new();
        if let Some(root) = self.tree().root {
            self.collect_interpolated(root, false, &|n| services.contains(&n), &mut out);
        }
        out
    }

    /// Walks the subtree at `node` (recursion is bounded by the parser's depth cap),
    /// skipping the subtrees `skip` names.
    fn collect_interpolated(
        &self,
        node: NodeId,
        is_key: bool,
        skip: &dyn Fn(NodeId) -> bool,
        out: &mut Vec<ValueScalar<'a>>,
    ) {
        if skip(node) {
            return;
        }
        let tree = self.tree();
        match tree.node(node).map(|n| &n.kind) {
            Some(NodeKind::Mapping(entries)) => {
                for &(k, v) in entries {
                    self.collect_interpolated(k, true, skip, out);
                    if let Some(v) = v {
                        self.collect_interpolated(v, false, skip, out);
                    }
                }
            }
            Some(NodeKind::Sequence(items)) => {
                for &item in items {
                    self.collect_interpolated(item, false, skip, out);
                }
            }
            Some(NodeKind::Scalar { value, .. }) if !is_key && value.contains('$') => {
                out.push(ValueScalar { node, value });
            }
            _ => {}
        }
    }

    /// Where a variable use is written: its exact span when it can be found in the source
    /// (`true`), else the whole scalar (`false`).
    pub fn use_range(&self, scalar: ValueScalar<'_>, used: &VariableUse<'_>) -> (TextRange, bool) {
        match self.inner_range(scalar.node, scalar.value) {
            Some(inner) => (
                TextRange::new(
                    inner.start + used.start as u32,
                    inner.start + used.end as u32,
                ),
                true,
            ),
            None => match self.use_in_source(scalar, used) {
                Some(range) => (range, true),
                None => (self.range(scalar.node), false),
            },
        }
    }

    /// A use's span in a scalar whose source is not its value: a block (`|`, `>`) or a
    /// plain or single-quoted scalar over several lines. Folding and indentation change
    /// only white space between words, so the `k`-th `${VAR}` of the value is the `k`-th of
    /// the source, provided both hold it equally often. Not for double quotes, whose
    /// escapes can write a `$` the source does not show.
    fn use_in_source(&self, scalar: ValueScalar<'_>, used: &VariableUse<'_>) -> Option<TextRange> {
        let range = self.range(scalar.node);
        let source = self.text.get(range.as_usize())?;
        let written = scalar.value.get(used.start..used.end)?;
        if source.starts_with('"')
            || written.is_empty()
            || source.matches(written).count() != scalar.value.matches(written).count()
        {
            return None;
        }
        let nth = scalar.value.get(..used.start)?.matches(written).count();
        let (at, _) = source.match_indices(written).nth(nth)?;
        Some(TextRange::new(
            range.start + at as u32,
            range.start + (at + written.len()) as u32,
        ))
    }

    /// Whether `name` has a value for interpolation: in the `.env` beside the file, an
    /// `env_file`, or (only when the user opted in) the process environment.
    pub fn interpolation_defines(&self, name: &str) -> bool {
        let Some(project) = &self.facts.project else {
            return false;
        };
        project
            .dotenv
            .as_ref()
            .is_some_and(|vars| vars.contains_key(name))
            || project.environment.contains_key(name)
            || project
                .env_files
                .values()
                .any(|f| f.vars.contains_key(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(value: &str) -> Vec<(&str, bool, &str)> {
        variables(value)
            .into_iter()
            .map(|u| (u.name, u.handled, &value[u.start..u.end]))
            .collect()
    }

    #[test]
    fn finds_variables_and_their_defaults() {
        assert_eq!(
            names("postgres://${USER}:${PASS:?set it}@db/$DB $$HOME ${A:-${B}}"),
            [
                ("USER", false, "${USER}"),
                ("PASS", true, "${PASS:?set it}"),
                ("DB", false, "$DB"),
                ("A", true, "${A:-${B}}"),
                ("B", false, "${B}"),
            ]
        );
        assert!(names("price: 5$ and ${unterminated").is_empty());
        assert!(names("$${ESCAPED}").is_empty());
    }
}
