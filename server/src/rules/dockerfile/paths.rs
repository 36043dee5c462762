//! Path tests for paths inside the image (WORKDIR, COPY destinations), after expansion.

/// True when `path` does not depend on the working directory: `/app`, or a Windows path
/// such as `C:\app`, `C:/app` or `\app` (Windows images are built on other platforms too,
/// so their paths are taken as absolute whatever the platform).
pub(crate) fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    match bytes {
        [b'/' | b'\\', ..] => true,
        [drive, b':', rest @ ..] if drive.is_ascii_alphabetic() => {
            matches!(rest, [] | [b'/' | b'\\', ..])
        }
        _ => false,
    }
}

/// `path` resolved against `dir`, with `.` and `..` segments and trailing slashes removed.
pub(crate) fn join(dir: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("{dir}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Whether `inner` is `outer` or inside it.
pub(crate) fn is_within(inner: &str, outer: &str) -> bool {
    inner == outer
        || outer == "/"
        || inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_and_relative_paths() {
        for path in ["/", "/app", "\\app", "C:\\app", "c:/app", "C:"] {
            assert!(is_absolute(path), "{path}");
        }
        for path in [
            "", ".", "./app", "app", "app/", "..", "C:app", "~/x", "1:/x",
        ] {
            assert!(!is_absolute(path), "{path}");
        }
    }
}
