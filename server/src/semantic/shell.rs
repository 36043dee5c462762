//! Every RUN of a Dockerfile read as shell, with the shell it runs in.
//!
//! [`ShellIndex::build`] parses each RUN's command (shell form, heredoc script, or an exec
//! form's `sh -c` script) into a [`ShellScript`]. Parses are memoised in a [`ShellCache`]
//! keyed by the RUN's own text: the language server keeps one cache per document, so a
//! keystroke re-parses only the RUN it changed.
//!
//! Which shell a RUN runs in follows BuildKit: `/bin/sh -c` unless a `SHELL` instruction
//! earlier in the stage (or in the stage it is built from) says otherwise; Windows base
//! images default to `cmd`. Rules that read shell commands skip RUNs whose shell is not a
//! POSIX shell (PowerShell, cmd).

use std::cell::{Cell, OnceCell};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::dockerfile::{DockerfileModel, Stage};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::Instruction;
use crate::syntax::shell::{ShellScript, ShellSource, ShellWord, SimpleCommand};

/// The shell a RUN's command is handed to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellInfo {
    /// The program (`/bin/sh`, `/bin/bash`, `powershell`).
    pub program: Arc<str>,
    /// Whether it reads POSIX shell syntax (sh, bash, ash, dash, zsh, ksh).
    pub posix: bool,
    /// `-o pipefail` is among its options (`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`).
    pub pipefail: bool,
    /// Where the `SHELL` instruction that set it is, if one did.
    pub set_by: Option<TextRange>,
}

/// `/bin/sh`, shared: every RUN of a file without `SHELL` gets it, on every keystroke.
static DEFAULT_PROGRAM: std::sync::LazyLock<Arc<str>> =
    std::sync::LazyLock::new(|| Arc::from("/bin/sh"));

impl Default for ShellInfo {
    fn default() -> Self {
        ShellInfo {
            program: DEFAULT_PROGRAM.clone(),
            posix: true,
            pipefail: false,
            set_by: None,
        }
    }
}

impl ShellInfo {
    fn windows() -> Self {
        ShellInfo {
            program: Arc::from("cmd"),
            posix: false,
            pipefail: false,
            set_by: None,
        }
    }

    /// The shell a `SHELL ["prog", "opt", ...]` instruction sets.
    fn from_words(words: &[String], at: TextRange) -> Self {
        let program = words.first().cloned().unwrap_or_default();
        let name = program.rsplit(['/', '\\']).next().unwrap_or(&program);
        let name = name
            .strip_suffix(".exe")
            .unwrap_or(name)
            .to_ascii_lowercase();
        let posix = matches!(
            name.as_str(),
            "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "mksh" | "busybox"
        );
        // `-o pipefail`, a cluster ending in `o` (`-euo pipefail`), or the value attached
        // (`-opipefail`, `-eopipefail`).
        let short_cluster = |w: &str| w.starts_with('-') && !w.starts_with("--");
        let pipefail = words
            .windows(2)
            .any(|w| short_cluster(&w[0]) && w[0].ends_with('o') && w[1] == "pipefail")
            || words
                .iter()
                .any(|w| short_cluster(w) && w.ends_with("opipefail"));
        ShellInfo {
            program: Arc::from(program),
            posix,
            pipefail,
            set_by: Some(at),
        }
    }
}

/// How a RUN wrote its command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunForm {
    /// `RUN cmd ...` (heredoc data included).
    Shell,
    /// `RUN <<EOF` with the script in the heredoc.
    HeredocScript,
    /// `RUN ["prog", "arg"]`: one command, not parsed as shell (except a `sh -c` script).
    Exec,
}

/// One RUN's command, read as shell.
#[derive(Clone, Debug)]
pub struct RunScript {
    /// The RUN instruction (for a trigger, the ONBUILD instruction's trigger).
    pub instruction: TextRange,
    /// The stage the RUN is in; `None` before the first `FROM`.
    pub stage: Option<usize>,
    /// Inside `ONBUILD`: runs in images built from this one, not here.
    pub in_onbuild: bool,
    pub form: RunForm,
    pub shell: ShellInfo,
    /// Targets of `--mount=type=cache` flags.
    pub cache_mounts: Arc<[String]>,
    /// Absolute offset that the script's ranges are relative to.
    base: u32,
    pub script: Arc<ShellScript>,
}

impl RunScript {
    /// A range of the script as a range of the Dockerfile.
    pub fn abs(&self, range: TextRange) -> TextRange {
        TextRange::new(self.base + range.start, self.base + range.end)
    }

    /// The commands, when the RUN's shell reads POSIX syntax (nothing for PowerShell).
    pub fn commands(&self) -> &[SimpleCommand] {
        if self.shell.posix {
            &self.script.commands
        } else {
            &[]
        }
    }

    /// The commands with this base name (`apt-get`, `npm`).
    pub fn commands_named<'s>(
        &'s self,
        name: &'s str,
    ) -> impl Iterator<Item = &'s SimpleCommand> + 's {
        self.commands()
            .iter()
            .filter(move |c| c.base_name() == name)
    }

    /// The absolute range of a word.
    pub fn word_range(&self, word: &ShellWord) -> TextRange {
        self.abs(word.range)
    }
}

/// The RUNs of a Dockerfile read as shell, segment by segment (the preamble before the first
/// `FROM`, then each stage), each read on first use: a keystroke's analysis reads the stages
/// it checks and the stages those are built from, not the whole file.
#[derive(Debug)]
pub struct ShellIndex<'c> {
    /// Slot 0 is the preamble, slot `i + 1` stage `i`.
    segments: Vec<OnceCell<SegmentShell>>,
    cache: Option<&'c ShellCache>,
    /// Whether this analysis has told the cache it started (see [`ShellCache::begin`]).
    began: Cell<bool>,
}

/// The RUNs of one segment, in order (ONBUILD triggers included), and the shell in effect
/// after it.
#[derive(Clone, Debug, Default)]
pub struct SegmentShell {
    pub runs: Vec<RunScript>,
    pub final_shell: ShellInfo,
}

impl<'c> ShellIndex<'c> {
    pub fn new(model: &DockerfileModel, cache: Option<&'c ShellCache>) -> Self {
        ShellIndex {
            segments: std::iter::repeat_with(OnceCell::new)
                .take(model.stages.len() + 1)
                .collect(),
            cache,
            began: Cell::new(false),
        }
    }

    /// The RUNs of stage `stage` (`None`: before the first `FROM`). `instructions` lists a
    /// segment's top-level instructions; it is asked for this segment's, and for those of
    /// the stages it is built from when their shells are not known yet.
    pub fn segment<'i>(
        &self,
        stage: Option<usize>,
        model: &DockerfileModel,
        escape: char,
        instructions: impl Fn(Option<usize>) -> &'i [Instruction<'i>],
    ) -> &SegmentShell {
        static EMPTY: std::sync::LazyLock<SegmentShell> =
            std::sync::LazyLock::new(SegmentShell::default);
        let slot = |stage: Option<usize>| self.segments.get(stage.map_or(0, |i| i + 1));
        let Some(cell) = slot(stage) else {
            return &EMPTY;
        };
        if let Some(done) = cell.get() {
            return done;
        }
        // A stage starts with the shell its parent stage ends with: read the stages it is
        // built from first, from the oldest (a loop, not recursion: chains can be long).
        let mut chain = Vec::new();
        let mut next = stage;
        while let Some(index) = next
            && slot(Some(index)).is_some_and(|c| c.get().is_none())
        {
            chain.push(index);
            next = model
                .stage(index)
                .and_then(|s| s.base.as_ref())
                .and_then(|b| b.stage())
                .filter(|&parent| parent < index);
        }
        let cache = self.cache.map(|c| {
            if self.began.replace(true) {
                c.maps()
            } else {
                c.begin(model)
            }
        });
        let mut memo = cache;
        match stage {
            None => {
                let built = read_segment(
                    instructions(None),
                    None,
                    ShellInfo::default(),
                    &mut memo,
                    escape,
                );
                let _ = cell.set(built);
            }
            Some(_) => {
                for &index in chain.iter().rev() {
                    let Some(s) = model.stage(index) else {
                        continue;
                    };
                    let initial = match s.base.as_ref().and_then(|b| b.stage()) {
                        Some(parent) if parent < index => slot(Some(parent))
                            .and_then(OnceCell::get)
                            .map(|p| p.final_shell.clone())
                            .unwrap_or_default(),
                        _ => initial_shell(s),
                    };
                    let built = read_segment(
                        instructions(Some(index)),
                        Some(index),
                        initial,
                        &mut memo,
                        escape,
                    );
                    if let Some(c) = slot(Some(index)) {
                        let _ = c.set(built);
                    }
                }
            }
        }
        cell.get().unwrap_or(&EMPTY)
    }
}

/// Reads the RUNs of one segment's instructions, starting with `shell`.
fn read_segment(
    instructions: &[Instruction<'_>],
    stage: Option<usize>,
    mut shell: ShellInfo,
    memo: &mut Option<std::sync::MutexGuard<'_, CacheMaps>>,
    escape: char,
) -> SegmentShell {
    let mut runs = Vec::new();
    for &instruction in instructions {
        let (run, in_onbuild) = match instruction.kind() {
            InstructionKind::Run => (instruction, false),
            InstructionKind::Shell => {
                let words: Vec<String> = instruction
                    .arguments()
                    .into_iter()
                    .map(|s| s.text.into_owned())
                    .collect();
                shell = ShellInfo::from_words(&words, instruction.range());
                continue;
            }
            InstructionKind::Onbuild => match instruction.trigger() {
                Some(trigger) if trigger.kind() == InstructionKind::Run => (trigger, true),
                _ => continue,
            },
            _ => continue,
        };
        if let Some(script) = read_run(run, memo, escape) {
            runs.push(RunScript {
                instruction: run.range(),
                stage,
                in_onbuild,
                shell: shell.clone(),
                ..script
            });
        }
    }
    SegmentShell {
        runs,
        final_shell: shell,
    }
}

/// The shell a stage built from an image starts with: the default for its base image.
fn initial_shell(stage: &Stage) -> ShellInfo {
    let Some(base) = &stage.base else {
        return ShellInfo::default();
    };
    let image = base.expanded.text.to_ascii_lowercase();
    if image.contains("windows/servercore")
        || image.contains("windows/nanoserver")
        || image.contains("mcr.microsoft.com/windows")
        || image.contains("powershell:")
    {
        ShellInfo::windows()
    } else {
        ShellInfo::default()
    }
}

/// Parses one RUN (through the cache when there is one). The stage and shell are filled in
/// by the caller.
fn read_run(
    run: Instruction<'_>,
    memo: &mut Option<std::sync::MutexGuard<'_, CacheMaps>>,
    escape: char,
) -> Option<RunScript> {
    let start = run.range().start;
    let parse_now = || -> Option<Parsed> {
        let (form, base, script) = if let Some(shell) = run.shell() {
            let source = ShellSource::from_instruction(run);
            let form = match &source {
                Some(s) if s.heredoc_script => RunForm::HeredocScript,
                _ => RunForm::Shell,
            };
            let script = source.map(|s| ShellScript::parse(&s)).unwrap_or_default();
            (form, shell.range().start - start, script)
        } else {
            // Exec form: the script's ranges are absolute, made relative below.
            let strings = run.json()?.strings();
            let mut script = exec_script(&strings);
            script.shift_back(start);
            (RunForm::Exec, 0, script)
        };
        Some(Parsed {
            form,
            base,
            script: Arc::new(script),
            cache_mounts: cache_mounts(run).into(),
        })
    };
    let parsed = match memo {
        // The whole instruction is the key: flags (mounts) and command alike.
        Some(maps) => {
            let text = run.syntax().tree().text().get(run.range().as_usize())?;
            maps.get_or_insert(escape, text, parse_now)?
        }
        None => parse_now()?,
    };
    Some(RunScript {
        instruction: run.range(),
        stage: None,
        in_onbuild: false,
        form: parsed.form,
        shell: ShellInfo::default(),
        cache_mounts: parsed.cache_mounts,
        base: start + parsed.base,
        script: parsed.script,
    })
}

/// What is kept of a parsed RUN, positions relative to the instruction's start.
#[derive(Clone, Debug)]
struct Parsed {
    form: RunForm,
    /// Where the script's ranges start, from the instruction's start.
    base: u32,
    script: Arc<ShellScript>,
    cache_mounts: Arc<[String]>,
}

/// An exec-form command as a script: one command from the array's strings (ranges are
/// absolute; the base is 0), or the parsed script of `["sh", "-c", "script"]`.
fn exec_script(strings: &[crate::syntax::dockerfile::ast::Spanned<'_>]) -> ShellScript {
    let word = |s: &crate::syntax::dockerfile::ast::Spanned<'_>| ShellWord {
        text: s.text.to_string(),
        range: s.range,
        literal: true,
    };
    let Some((first, rest)) = strings.split_first() else {
        return ShellScript::default();
    };
    let program = first.text.rsplit('/').next().unwrap_or(&first.text);
    let is_shell = matches!(program, "sh" | "bash" | "ash" | "dash" | "zsh");
    if is_shell
        && let [flag, script, ..] = rest
        && flag.text.starts_with('-')
        && flag.text.contains('c')
    {
        // Ranges inside a JSON string map one to one only without escapes; otherwise the
        // whole string is the best place to point at.
        let mut parsed = ShellScript::parse(&ShellSource::plain(&script.text));
        let inner = TextRange::new(script.range.start + 1, script.range.end.saturating_sub(1));
        let exact = inner.len() as usize == script.text.len();
        let place = |r: TextRange| {
            if exact {
                TextRange::new(inner.start + r.start, inner.start + r.end)
            } else {
                script.range
            }
        };
        for command in &mut parsed.commands {
            command.range = place(command.range);
            command.name.range = place(command.name.range);
            for w in command
                .args
                .iter_mut()
                .chain(command.assignments.iter_mut())
            {
                w.range = place(w.range);
            }
        }
        for pipe in &mut parsed.pipes {
            *pipe = place(*pipe);
        }
        // Nothing can be appended inside a JSON string without escaping it.
        parsed.append_at = None;
        return parsed;
    }
    let last = strings.last().map_or(first.range, |s| s.range);
    ShellScript {
        commands: vec![SimpleCommand {
            name: word(first),
            args: rest.iter().map(word).collect(),
            range: first.range.cover(last),
            assignments: Vec::new(),
            pipeline: None,
            depth: 0,
        }],
        ..ShellScript::default()
    }
}

/// The targets of a RUN's `--mount=type=cache,...` flags.
fn cache_mounts(run: Instruction<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for flag in run.flags().filter(|f| f.name() == "mount") {
        let fields = flag.fields();
        let is_cache = fields
            .iter()
            .any(|f| f.key == "type" && f.value.as_deref() == Some("cache"));
        if !is_cache {
            continue;
        }
        if let Some(target) = fields.iter().find_map(|f| {
            matches!(f.key.as_ref(), "target" | "dst" | "destination")
                .then(|| f.value.clone())
                .flatten()
        }) {
            out.push(target);
        }
    }
    out
}

/// Parsed RUN scripts by their text, kept while they are in use.
///
/// Entries used by the latest analysis survive; those not used by the analysis before it
/// are dropped, so the cache holds at most two versions' worth of RUNs.
#[derive(Debug, Default)]
pub struct ShellCache {
    maps: Mutex<CacheMaps>,
}

#[derive(Debug, Default)]
struct CacheMaps {
    /// The escape character the entries were parsed with (another one empties the cache).
    escape: char,
    /// By the xxh3 hash of the RUN's text, with the text to confirm a hit (two texts with
    /// one hash just take turns).
    current: HashMap<u64, (Box<str>, Option<Parsed>), foldhash::fast::RandomState>,
    previous: HashMap<u64, (Box<str>, Option<Parsed>), foldhash::fast::RandomState>,
}

impl CacheMaps {
    /// The parse of a RUN with this text: reused (no allocation when found) or made.
    fn get_or_insert(
        &mut self,
        escape: char,
        text: &str,
        parse: impl FnOnce() -> Option<Parsed>,
    ) -> Option<Parsed> {
        if escape != self.escape {
            self.current.clear();
            self.previous.clear();
            self.escape = escape;
        }
        // One pass of xxh3 over the text, the only hashing it gets.
        let hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
        if let Some((key, found)) = self.current.get(&hash)
            && **key == *text
        {
            return found.clone();
        }
        let (key, value) = match self.previous.remove(&hash) {
            Some((key, found)) if *key == *text => (key, found),
            _ => (Box::from(text), parse()),
        };
        self.current.insert(hash, (key, value.clone()));
        value
    }
}

impl ShellCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Locks the cache at the start of an analysis of `model`. When it holds more than
    /// twice the file's RUNs (and some slack), a new generation starts: entries not used
    /// since the last one are dropped. An analysis reads only some stages, so entries are
    /// not dropped at every analysis: those of the stages it skips are still wanted.
    fn begin(&self, model: &DockerfileModel) -> std::sync::MutexGuard<'_, CacheMaps> {
        let mut maps = self.maps();
        let runs = model
            .stages
            .iter()
            .flat_map(|s| &s.instructions)
            .filter(|i| matches!(i.kind, InstructionKind::Run | InstructionKind::Onbuild))
            .count();
        if maps.current.len() + maps.previous.len() > 2 * runs + 64 {
            let current = std::mem::take(&mut maps.current);
            maps.previous = current;
        }
        maps
    }

    fn maps(&self) -> std::sync::MutexGuard<'_, CacheMaps> {
        self.maps.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many parsed RUNs are held.
    pub fn len(&self) -> usize {
        let maps = self.maps.lock().unwrap_or_else(|e| e.into_inner());
        maps.current.len() + maps.previous.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::analyze;
    use crate::syntax::dockerfile::parse;

    /// Every RUN of `src`, read segment by segment as the rules do.
    struct Runs {
        runs: Vec<RunScript>,
    }

    impl Runs {
        fn in_stage(&self, stage: usize) -> impl Iterator<Item = &RunScript> {
            self.runs
                .iter()
                .filter(move |r| r.stage == Some(stage) && !r.in_onbuild)
        }
    }

    fn index(src: &str, cache: Option<&ShellCache>) -> Runs {
        let parse = parse(src);
        let model = analyze(&parse);
        let instructions: Vec<Instruction<'_>> =
            crate::syntax::dockerfile::ast::Dockerfile::new(&parse.tree)
                .instructions()
                .collect();
        // A segment's instructions: the preamble's, or a stage's after its FROM.
        let segments: Vec<Vec<Instruction<'_>>> = std::iter::once(None)
            .chain((0..model.stages.len()).map(Some))
            .map(|segment| {
                instructions
                    .iter()
                    .copied()
                    .filter(|i| {
                        let at = i.range().start;
                        match segment {
                            None => model.stage_at(at).is_none(),
                            Some(s) => {
                                let stage = &model.stages[s];
                                model.stage_at(at).is_some_and(|x| x.index == s)
                                    && at > stage.from_range.start
                            }
                        }
                    })
                    .collect()
            })
            .collect();
        let index = ShellIndex::new(&model, cache);
        // Later stages first: their parents' shells are read on the way.
        let mut by_segment: Vec<Vec<RunScript>> = (0..segments.len())
            .rev()
            .map(|slot| {
                index
                    .segment(slot.checked_sub(1), &model, parse.escape, |s| {
                        &segments[s.map_or(0, |i| i + 1)]
                    })
                    .runs
                    .clone()
            })
            .collect();
        by_segment.reverse();
        Runs {
            runs: by_segment.into_iter().flatten().collect(),
        }
    }

    #[test]
    fn shells_per_stage_and_inheritance() {
        let src = "FROM debian AS a\nRUN echo 1\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN echo 2\n\
                   FROM a\nRUN echo 3\n\
                   FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir\n\
                   FROM alpine\nSHELL [\"pwsh\", \"-Command\"]\nRUN Get-ChildItem\n\
                   FROM debian\nSHELL [\"/bin/bash\", \"-euxo\", \"pipefail\", \"-c\"]\nRUN a\n\
                   SHELL [\"/bin/ash\", \"-eopipefail\", \"-c\"]\nRUN b\n\
                   SHELL [\"/bin/bash\", \"--posix\", \"-c\", \"pipefail\"]\nRUN c\n";
        let idx = index(src, None);
        let shells: Vec<(&str, bool, bool)> = idx
            .runs
            .iter()
            .map(|r| (&*r.shell.program, r.shell.posix, r.shell.pipefail))
            .collect();
        assert_eq!(
            shells,
            [
                ("/bin/sh", true, false),
                ("/bin/bash", true, true),
                ("/bin/bash", true, true),
                ("cmd", false, false),
                ("pwsh", false, false),
                ("/bin/bash", true, true),
                ("/bin/ash", true, true),
                ("/bin/bash", true, false),
            ]
        );
        assert!(idx.runs[4].commands().is_empty());
        assert_eq!(
            idx.runs.iter().map(|r| r.stage).collect::<Vec<_>>(),
            [
                Some(0),
                Some(0),
                Some(1),
                Some(2),
                Some(3),
                Some(4),
                Some(4),
                Some(4)
            ]
        );
    }

    #[test]
    fn absolute_ranges_forms_and_mounts() {
        let src = "FROM a\nRUN --mount=type=cache,target=/root/.npm npm ci\n\
                   RUN [\"sh\", \"-c\", \"apt-get update | tee log\"]\n\
                   RUN [\"apt-get\", \"install\", \"-y\", \"curl\"]\n\
                   ONBUILD RUN sudo make\n";
        let idx = index(src, None);
        let npm = &idx.runs[0];
        assert_eq!(&*npm.cache_mounts, ["/root/.npm".to_owned()]);
        let ci = &npm.commands()[0];
        assert_eq!(&src[npm.abs(ci.range).as_usize()], "npm ci");
        let sh = &idx.runs[1];
        assert_eq!(sh.form, RunForm::Exec);
        assert_eq!(sh.script.pipes.len(), 1);
        assert_eq!(&src[sh.abs(sh.commands()[1].range).as_usize()], "tee log");
        let exec = &idx.runs[2];
        assert_eq!(exec.commands()[0].base_name(), "apt-get");
        assert_eq!(
            &src[exec.abs(exec.commands()[0].args[2].range).as_usize()],
            "\"curl\""
        );
        assert!(idx.runs[3].in_onbuild);
        assert_eq!(idx.in_stage(0).count(), 3);
    }

    #[test]
    fn the_cache_reuses_parses_of_unchanged_runs() {
        let cache = ShellCache::new();
        let a = index("FROM a\nRUN npm ci\nRUN make\n", Some(&cache));
        let b = index("FROM a\n\nRUN npm ci\nRUN make all\n", Some(&cache));
        assert!(Arc::ptr_eq(&a.runs[0].script, &b.runs[0].script));
        assert!(!Arc::ptr_eq(&a.runs[1].script, &b.runs[1].script));
        // Moved by a line, the ranges still point at the right text.
        let src = "FROM a\n\nRUN npm ci\nRUN make all\n";
        assert_eq!(
            &src[b.runs[0].abs(b.runs[0].commands()[0].range).as_usize()],
            "npm ci"
        );
        // Typing in a RUN adds an entry per keystroke; old ones are dropped once the cache
        // holds more than twice the file's RUNs and some slack, so it stays bounded.
        for typed in 0..500 {
            index(&format!("FROM a\nRUN make {typed}\n"), Some(&cache));
            assert!(cache.len() <= 2 * (2 + 64) + 1, "{} entries", cache.len());
        }
        assert!(cache.len() > 2, "entries are kept between generations");
    }
}
