//! Splitting an image reference (`registry/name:tag@digest`) into its parts.
//!
//! Works on the text as written, so `${VAR}` stays opaque: separators inside `${...}` are not
//! separators (`node:${VERSION:-20}` has the tag `${VERSION:-20}`).

use std::ops::Range;

/// Byte ranges of an image reference's parts, relative to the reference text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageRefParts {
    /// `ghcr.io`, `localhost:5000`; present only when the first path component looks like a
    /// host (has `.` or `:`, is `localhost`, or has upper-case letters), as Docker decides.
    pub registry: Option<Range<usize>>,
    /// The repository path: `library/node`, `node`.
    pub name: Range<usize>,
    /// The tag after `:`, without the colon.
    pub tag: Option<Range<usize>>,
    /// The digest after `@`, without the at sign: `sha256:...`.
    pub digest: Option<Range<usize>>,
}

/// Positions of `/`, `:` and `@` that are not inside `${...}`.
fn separators(s: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let at = i;
            let c = bytes[i];
            i += 1;
            match c {
                b'$' if bytes.get(at + 1) == Some(&b'{') => {
                    depth += 1;
                    i += 1;
                }
                b'}' if depth > 0 => depth -= 1,
                b'/' | b':' | b'@' if depth == 0 => return Some((at, c)),
                _ => {}
            }
        }
        None
    })
}

/// `text` with `$NAME` and `${...}` references removed.
fn without_variables(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            if bytes.get(i + 1) == Some(&b'{') {
                let mut depth = 0;
                while i < bytes.len() {
                    match bytes[i] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            } else {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
            }
            continue;
        }
        let len = super::lexing::utf8_len(bytes[i]).min(bytes.len() - i);
        out.push_str(&text[i..i + len]);
        i += len;
    }
    out
}

/// Splits `text` into its parts.
pub fn split_image_ref(text: &str) -> ImageRefParts {
    let seps: Vec<(usize, u8)> = separators(text).collect();
    let digest_at = seps.iter().find(|(_, c)| *c == b'@').map(|(i, _)| *i);
    let before_digest = digest_at.unwrap_or(text.len());
    let digest = digest_at.map(|at| at + 1..text.len());

    let first_slash = seps
        .iter()
        .find(|(i, c)| *c == b'/' && *i < before_digest)
        .map(|(i, _)| *i);
    let registry = first_slash.and_then(|slash| {
        // Judge the literal text only: `${REGISTRY}` says nothing about being a host.
        let host = without_variables(&text[..slash]);
        let looks_like_host = host.contains(['.', ':'])
            || host == "localhost"
            || host.bytes().any(|b| b.is_ascii_uppercase());
        looks_like_host.then_some(0..slash)
    });
    let name_start = registry.as_ref().map_or(0, |r| r.end + 1);

    let last_slash = seps
        .iter()
        .filter(|(i, c)| *c == b'/' && *i < before_digest)
        .map(|(i, _)| *i)
        .next_back();
    let tag_colon = seps
        .iter()
        .filter(|(i, c)| {
            *c == b':' && *i < before_digest && last_slash.is_none_or(|slash| *i > slash)
        })
        .map(|(i, _)| *i)
        .next_back();
    let name_end = tag_colon.unwrap_or(before_digest);
    let tag = tag_colon.map(|colon| colon + 1..before_digest);
    ImageRefParts {
        registry,
        name: name_start..name_end.max(name_start),
        tag,
        digest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> (Option<&str>, &str, Option<&str>, Option<&str>) {
        let p = split_image_ref(s);
        (
            p.registry.map(|r| &s[r]),
            &s[p.name],
            p.tag.map(|r| &s[r]),
            p.digest.map(|r| &s[r]),
        )
    }

    #[test]
    fn splits_references() {
        assert_eq!(parts("node"), (None, "node", None, None));
        assert_eq!(
            parts("node:20-alpine"),
            (None, "node", Some("20-alpine"), None)
        );
        assert_eq!(
            parts("library/node:20"),
            (None, "library/node", Some("20"), None)
        );
        assert_eq!(
            parts("localhost:5000/app:1.0"),
            (Some("localhost:5000"), "app", Some("1.0"), None)
        );
        assert_eq!(
            parts("ghcr.io/org/app@sha256:abc"),
            (Some("ghcr.io"), "org/app", None, Some("sha256:abc"))
        );
        assert_eq!(
            parts("gcr.io/distroless/static:nonroot@sha256:abc"),
            (
                Some("gcr.io"),
                "distroless/static",
                Some("nonroot"),
                Some("sha256:abc")
            )
        );
        assert_eq!(
            parts("node:${NODE_VERSION:-20}-slim"),
            (None, "node", Some("${NODE_VERSION:-20}-slim"), None)
        );
        assert_eq!(
            parts("${REGISTRY}/app"),
            (None, "${REGISTRY}/app", None, None)
        );
        assert_eq!(parts("$REGISTRY/app"), (None, "$REGISTRY/app", None, None));
        assert_eq!(
            parts("${REGISTRY}.example.com/app"),
            (Some("${REGISTRY}.example.com"), "app", None, None)
        );
        assert_eq!(parts("Registry/app"), (Some("Registry"), "app", None, None));
        assert_eq!(parts(""), (None, "", None, None));
        assert_eq!(parts(":tag"), (None, "", Some("tag"), None));
    }
}
