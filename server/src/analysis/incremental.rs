//! Reusing rule findings between versions of one document.
//!
//! A Dockerfile is cut into *segments*: the lines before the first `FROM`, then one segment
//! per stage (from its `FROM` to the next). A [`RuleScope::Segment`] rule's findings in a
//! segment depend only on what the segment's *fingerprint* covers:
//! - the segment's own text, and the texts of the stages it reads: those it is built from
//!   (`FROM <stage>`) and copies or mounts from (`COPY --from`), and theirs in turn;
//! - the text before the first `FROM` (global `ARG`s, parser directives) and the file's
//!   line ending;
//! - the file's stage graph: every stage's name and base, every stage reference;
//! - file-wide facts the model counts for such rules (the case most keywords are written in);
//! - where the segment is: its stage number and whether it is the last stage;
//! - the configuration and the facts from other files;
//! - when a message named a line, the first line of every segment of the file.
//!
//! What it does not cover is the text of the stages that read a segment: a rule whose finding
//! in one stage can change when a *later* stage's text changes (DF071 reports an inherited
//! `USER root` until the final stage sets another user; DF081 an inherited probe until the
//! final stage has its own) must be a file rule.
//!
//! [`RuleCache`] keeps the findings of each segment by fingerprint, with offsets relative to
//! the segment's start. On the next version, segments with a known fingerprint reuse their
//! findings and the rules skip them; only the edited segment is checked again. A segment
//! whose findings carry a fix that edits outside it is never stored, so it is recomputed.
//! `tests/incremental.rs` checks on random edits that this gives exactly the findings of a
//! full analysis.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

// xxh3: fingerprints hash the whole text on every keystroke, ~10x faster than SipHash, and
// as good at telling texts apart (a collision would reuse wrong findings).
use std::sync::Mutex;
use xxhash_rust::xxh3::Xxh3Default as DefaultHasher;

use crate::diagnostics::Diagnostic;
use crate::semantic::DockerfileModel;
use crate::syntax::TextRange;

/// A part of the file whose findings can be reused.
#[derive(Clone, Debug)]
pub(crate) struct Segment {
    pub range: TextRange,
    /// Covers what a segment rule may read (see the module docs), except the line.
    pub fingerprint: u64,
    /// Where every segment of the file starts, by line: findings whose messages name lines
    /// (of this segment or of another one, like DF002's "the stage on line 12") are stored
    /// under it too.
    pub layout: u64,
}

/// The file's segments, in order: the preamble (possibly empty), then each stage.
pub(crate) fn segments(text: &str, model: &DockerfileModel, context_key: u64) -> Vec<Segment> {
    let starts: Vec<u32> = std::iter::once(0)
        .chain(model.stages.iter().map(|s| s.from_range.start))
        .collect();
    let end_of = |i: usize| starts.get(i + 1).copied().unwrap_or(text.len() as u32);
    let slice = |i: usize| {
        text.get(starts[i] as usize..end_of(i) as usize)
            .unwrap_or("")
    };

    // Each segment's text is hashed once (one pass of xxh3), then combined by hash.
    let text_hashes: Vec<u64> = (0..starts.len())
        .map(|i| xxhash_rust::xxh3::xxh3_64(slice(i).as_bytes()))
        .collect();

    let mut shared = DefaultHasher::new();
    context_key.hash(&mut shared);
    model.escape.hash(&mut shared);
    // Inserted lines take the file's line ending, found on its first line.
    let crlf = text
        .find('\n')
        .is_some_and(|i| i > 0 && text.as_bytes()[i - 1] == b'\r');
    crlf.hash(&mut shared);
    text_hashes[0].hash(&mut shared);
    graph_signature(model).hash(&mut shared);
    // File-wide facts that stage-by-stage rules compare against (DF006: the keyword case).
    model.keyword_case.mostly_lower().hash(&mut shared);
    let shared = shared.finish();

    let last = model.stages.len().checked_sub(1);
    let graph = StageGraph::new(model);
    let mut line = 0u32;
    let mut at = 0usize;
    let mut out = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let start = start as usize;
        line += memchr::memchr_iter(b'\n', &text.as_bytes()[at.min(start)..start]).count() as u32;
        at = start;
        let mut h = DefaultHasher::new();
        shared.hash(&mut h);
        i.hash(&mut h);
        text_hashes[i].hash(&mut h);
        if i > 0 {
            let stage = i - 1;
            (Some(stage) == last).hash(&mut h);
            // The stages this one reads: those it is built from and those it copies or
            // mounts from, and theirs in turn.
            for dependency in graph.dependencies(stage) {
                text_hashes[dependency + 1].hash(&mut h);
            }
        }
        out.push(Segment {
            range: TextRange::new(starts[i], end_of(i)),
            fingerprint: h.finish(),
            layout: u64::from(line),
        });
    }
    // Every segment's key for line-naming findings covers all the start lines.
    let mut layout = DefaultHasher::new();
    for segment in &out {
        segment.layout.hash(&mut layout);
    }
    let layout = layout.finish();
    for segment in &mut out {
        segment.layout = layout;
    }
    out
}

/// Which stages each stage reads directly: its base stage and the stages its references
/// (`COPY --from`, `RUN --mount=from=`) name.
struct StageGraph {
    reads: Vec<Vec<usize>>,
}

impl StageGraph {
    fn new(model: &DockerfileModel) -> Self {
        let mut reads: Vec<Vec<usize>> = model
            .stages
            .iter()
            .map(|s| {
                s.base
                    .as_ref()
                    .and_then(|b| b.stage())
                    .into_iter()
                    .collect()
            })
            .collect();
        for reference in &model.references {
            if let (Some(from), Some(to)) = (reference.stage, reference.target_stage())
                && let Some(list) = reads.get_mut(from)
            {
                list.push(to);
            }
        }
        StageGraph { reads }
    }

    /// The stages `stage` reads, besides itself, and theirs in turn; in a fixed order.
    fn dependencies(&self, stage: usize) -> Vec<usize> {
        let mut seen = vec![false; self.reads.len()];
        let mut order = Vec::new();
        let mut stack = vec![stage];
        if let Some(slot) = seen.get_mut(stage) {
            *slot = true;
        }
        while let Some(at) = stack.pop() {
            for &next in self.reads.get(at).map_or(&[][..], Vec::as_slice) {
                if let Some(slot) = seen.get_mut(next)
                    && !*slot
                {
                    *slot = true;
                    order.push(next);
                    stack.push(next);
                }
            }
        }
        order
    }
}

/// Every stage's name and base, and every reference between stages.
fn graph_signature(model: &DockerfileModel) -> u64 {
    let mut h = DefaultHasher::new();
    for stage in &model.stages {
        stage.name.as_ref().map(|n| n.text.as_str()).hash(&mut h);
        stage
            .base
            .as_ref()
            .map(|b| b.expanded.text.as_str())
            .hash(&mut h);
        stage.base.as_ref().map(|b| b.written.as_str()).hash(&mut h);
    }
    for reference in &model.references {
        (reference.kind as u8, reference.stage, &reference.written).hash(&mut h);
        reference.target.hash(&mut h);
    }
    h.finish()
}

/// One segment's findings, with ranges relative to the segment's start, except fix edits
/// in the preamble (listed in `fixed_edits`): the preamble is part of every fingerprint, so
/// those offsets cannot have moved.
#[derive(Clone, Debug)]
struct Entry {
    diagnostics: Vec<Diagnostic>,
    /// `(diagnostic, edit)` indexes of edits kept at their absolute place.
    fixed_edits: Vec<(usize, usize)>,
}

#[derive(Debug, Default)]
struct Maps {
    /// Used by the latest analysis.
    current: HashMap<u64, Entry>,
    /// Used by the one before: kept one more round, then dropped.
    previous: HashMap<u64, Entry>,
}

/// Findings of segment rules by segment fingerprint, kept between versions of one document.
#[derive(Debug, Default)]
pub struct RuleCache {
    maps: Mutex<Maps>,
}

/// Keys of an entry: by fingerprint, or by fingerprint and line layout for findings that
/// name lines.
fn key(fingerprint: u64, layout: Option<u64>) -> u64 {
    match layout {
        None => fingerprint,
        Some(layout) => {
            let mut h = DefaultHasher::new();
            (fingerprint, layout).hash(&mut h);
            h.finish()
        }
    }
}

impl RuleCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The findings stored for a segment, moved to its current place.
    pub(crate) fn lookup(&self, segment: &Segment) -> Option<Vec<Diagnostic>> {
        let mut maps = self.maps.lock().unwrap_or_else(|e| e.into_inner());
        for k in [
            key(segment.fingerprint, None),
            key(segment.fingerprint, Some(segment.layout)),
        ] {
            let found = match maps.current.get(&k) {
                Some(entry) => Some(entry.clone()),
                None => maps.previous.remove(&k).inspect(|e| {
                    maps.current.insert(k, e.clone());
                }),
            };
            if let Some(entry) = found {
                let Entry {
                    diagnostics,
                    fixed_edits,
                } = entry;
                return Some(
                    diagnostics
                        .into_iter()
                        .enumerate()
                        .map(|(i, d)| shift(d, segment.range.start, true, i, &fixed_edits))
                        .collect(),
                );
            }
        }
        None
    }

    /// Stores a segment's findings (absolute ranges), unless a fix edits outside both the
    /// segment and the preamble (which ends at `preamble_end`).
    pub(crate) fn store(
        &self,
        segment: &Segment,
        preamble_end: u32,
        diagnostics: &[Diagnostic],
        names_lines: bool,
    ) {
        let inside = |r: TextRange| segment.range.start <= r.start && r.end <= segment.range.end;
        let in_preamble =
            |r: TextRange| r.end <= preamble_end && segment.range.start >= preamble_end;
        let mut fixed_edits = Vec::new();
        for (i, d) in diagnostics.iter().enumerate() {
            if !inside(d.range) {
                return;
            }
            for (j, edit) in d.fix.iter().flat_map(|f| f.edits.iter()).enumerate() {
                if in_preamble(edit.range) {
                    fixed_edits.push((i, j));
                } else if !inside(edit.range) {
                    return;
                }
            }
        }
        let relative = diagnostics
            .iter()
            .enumerate()
            .map(|(i, d)| shift(d.clone(), segment.range.start, false, i, &fixed_edits))
            .collect();
        let k = key(segment.fingerprint, names_lines.then_some(segment.layout));
        let mut maps = self.maps.lock().unwrap_or_else(|e| e.into_inner());
        maps.current.insert(
            k,
            Entry {
                diagnostics: relative,
                fixed_edits,
            },
        );
    }

    /// Starts a new round: entries not used since the last round are dropped.
    pub(crate) fn new_round(&self) {
        let mut maps = self.maps.lock().unwrap_or_else(|e| e.into_inner());
        let current = std::mem::take(&mut maps.current);
        maps.previous = current;
    }

    /// How many segments' findings are held.
    pub fn len(&self) -> usize {
        let maps = self.maps.lock().unwrap_or_else(|e| e.into_inner());
        maps.current.len() + maps.previous.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A diagnostic with its ranges moved by `by` (added, or subtracted), except the edits
/// `fixed` lists for diagnostic `index`.
fn shift(
    mut d: Diagnostic,
    by: u32,
    add: bool,
    index: usize,
    fixed: &[(usize, usize)],
) -> Diagnostic {
    let move_range = |r: TextRange| {
        if add {
            TextRange::new(r.start + by, r.end + by)
        } else {
            TextRange::new(r.start - by, r.end - by)
        }
    };
    d.range = move_range(d.range);
    if let Some(fix) = &mut d.fix {
        for (j, edit) in fix.edits.iter_mut().enumerate() {
            if !fixed.contains(&(index, j)) {
                edit.range = move_range(edit.range);
            }
        }
    }
    d
}
