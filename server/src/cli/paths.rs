//! Showing paths the way the user would type them.

use std::path::{Component, Path, PathBuf};

/// `path` relative to `cwd` when it lies under it, without a leading `./`; otherwise as
/// given. Separators are `/` on every platform so output is the same everywhere.
pub(crate) fn display_path(path: &Path, cwd: Option<&Path>) -> String {
    let shown: PathBuf = match cwd {
        Some(cwd) if path.is_absolute() => match path.strip_prefix(cwd) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
            _ => path.to_path_buf(),
        },
        _ => path
            .components()
            .skip_while(|c| matches!(c, Component::CurDir))
            .collect(),
    };
    let text = shown.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        path.to_string_lossy().into_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_display() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            display_path(Path::new("/work/repo/app/Dockerfile"), Some(cwd)),
            "app/Dockerfile"
        );
        assert_eq!(
            display_path(Path::new("./app/Dockerfile"), Some(cwd)),
            "app/Dockerfile"
        );
        assert_eq!(
            display_path(Path::new("/elsewhere/Dockerfile"), Some(cwd)),
            "/elsewhere/Dockerfile"
        );
        assert_eq!(
            display_path(Path::new("../x/Dockerfile"), Some(cwd)),
            "../x/Dockerfile"
        );
    }
}
