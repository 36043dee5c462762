//! Checks shared by the robustness tests: where to cut a fixture, whether a range lies on
//! character boundaries, and a fix applied to a text.

use dockwise::diagnostics::Diagnostic;
use dockwise::syntax::TextRange;

/// Where to cut `text`: each line end, one byte into each line, and each line's middle
/// (moved back to a character boundary).
pub fn cut_points(text: &str) -> Vec<usize> {
    let mut points = vec![text.len()];
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        for mut at in [
            start + 1,
            start + line.len() / 2,
            end.saturating_sub(1),
            end,
        ] {
            at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            points.push(at);
        }
        start = end;
    }
    points.sort_unstable();
    points.dedup();
    points
}

pub fn assert_range(text: &str, range: TextRange, what: &str, d: &Diagnostic) {
    let (s, e) = (range.start as usize, range.end as usize);
    assert!(
        s <= e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e),
        "{} {what} range {s}..{e} is not on character boundaries in {text:?}",
        d.code
    );
}

pub fn apply(text: &str, d: &Diagnostic) -> Option<String> {
    let fix = d.fix.as_ref()?;
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_owned();
    for edit in edits {
        out.replace_range(edit.range.as_usize(), &edit.new_text);
    }
    Some(out)
}
