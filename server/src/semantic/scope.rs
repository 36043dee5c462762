//! `ARG` and `ENV` scopes, with BuildKit's scoping rules.
//!
//! - The **global scope** holds the automatic platform arguments ([`PLATFORM_ARGS`]), the
//!   predefined proxy arguments ([`PROXY_ARGS`]) and the `ARG`s before the first `FROM`. It is
//!   what `FROM` lines (image and `--platform`) are expanded with.
//! - A **stage scope** starts without the global `ARG`s: a global `ARG` (or platform argument)
//!   becomes visible in a stage only when re-declared there. A bare `ARG NAME` takes the global
//!   value; `ARG NAME=other` sets its own.
//! - Declarations are visible *after* themselves: an `ENV` from the next instruction on (every
//!   value of one `ENV` line is expanded with the variables from before the line), an `ARG`
//!   from its next name on (`ARG A=1 B=$A` gives `B=1`, as BuildKit declares them one by one).
//! - `ARG` and `ENV` share one namespace in which the latest declaration wins: an `ENV` after an
//!   `ARG` of the same name overrides it, and so does an `ARG` with a value after an `ENV`.
//! - A stage built `FROM` an earlier stage starts with that stage's final scope, `ENV` *and*
//!   `ARG` (BuildKit inherits both; the classic builder only kept `ENV`).
//! - `PATH` is always set inside a stage: from the base image (unknown value), or BuildKit's
//!   default ([`DEFAULT_PATH`]) in a `scratch` stage.
//! - A stage whose base is an external image may see more `ENV` variables than the Dockerfile
//!   shows; [`Scope::env_from_image`] says so, and lookups of undeclared names then answer
//!   [`Lookup::Undeclared`] rather than [`Lookup::Unset`].

use std::borrow::Cow;
use std::collections::HashMap;

/// Names are hashed for every declaration and lookup of every keystroke's analysis: foldhash
/// is several times faster than the default SipHash on short keys.
type FastHash = foldhash::fast::RandomState;
use std::sync::Arc;

use super::expand::{ExpandOptions, Expanded, Lookup, expand};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::ast::{ArgInstr, EnvInstr};

/// The platform arguments BuildKit defines in the global scope (usable in `FROM` lines without
/// declaration, and inside a stage after `ARG NAME`).
pub const PLATFORM_ARGS: [&str; 8] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// The predefined proxy arguments, usable without an `ARG` declaration.
pub const PROXY_ARGS: [&str; 10] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The `PATH` BuildKit sets in a Linux stage whose base image has none (`FROM scratch`).
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// How a variable came to be visible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VariableKind {
    /// Declared by an `ARG` instruction.
    Arg,
    /// Declared by an `ENV` instruction.
    Env,
    /// A platform argument in the global scope ([`PLATFORM_ARGS`]); its value depends on the
    /// build, so it is unknown.
    Platform,
    /// A predefined proxy argument ([`PROXY_ARGS`]); unknown unless passed to the build.
    Proxy,
    /// Set by BuildKit or the base image without any instruction: `PATH`.
    Builtin,
}

/// A variable visible at some point of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    /// The value, when it is known before the build: `None` for an `ARG` without a default,
    /// the platform and proxy arguments, and anything whose value depends on those.
    /// (An `ARG` default can still be overridden with `--build-arg`; this is the default.)
    pub value: Option<String>,
    /// The value or default as written (quotes kept), for `ARG` and `ENV` declarations.
    pub written: Option<String>,
    pub kind: VariableKind,
    /// The range of the name in its declaration (`None` for automatic variables).
    pub declared_at: Option<TextRange>,
    /// For variables a stage inherits through `FROM <stage>`: the stage that declared them.
    pub inherited_from: Option<usize>,
}

impl Variable {
    fn moved(&self, delta: i64) -> Variable {
        Variable {
            declared_at: self.declared_at.map(|r| r.moved(delta)),
            ..self.clone()
        }
    }

    fn automatic(name: &str, kind: VariableKind, value: Option<&str>) -> Self {
        Variable {
            name: name.to_owned(),
            value: value.map(str::to_owned),
            written: None,
            kind,
            declared_at: None,
            inherited_from: None,
        }
    }
}

/// How many `FROM <stage>` links a scope follows. Real files chain a handful of stages; past
/// this depth a stage starts afresh as if built from an image (its inherited variables become
/// unknown), which keeps lookups and memory linear on hostile input.
pub const MAX_INHERITANCE_DEPTH: usize = 64;

/// The variables visible at one point, by name. Names are case-sensitive (as on Linux).
///
/// A stage built from another stage shares that stage's final scope (behind an [`Arc`])
/// instead of copying it, so a long chain of stages costs memory in proportion to its
/// declarations.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    base: Option<BaseScope>,
    variables: Vec<Variable>,
    by_name: HashMap<String, usize, FastHash>,
    env_from_image: bool,
}

/// The scope a scope builds on: the final scope of the stage it was built `FROM`, or one of
/// the shared scopes of automatic variables.
#[derive(Clone, Debug)]
struct BaseScope {
    scope: Arc<Scope>,
    /// The stage inherited from; `None` for the shared automatic variables, which are
    /// nobody's inheritance.
    stage: Option<usize>,
    depth: usize,
}

/// The automatic variables, built once and shared by every scope (a 150-stage file would
/// otherwise allocate thousands of identical variables per keystroke).
mod automatic {
    use std::sync::{Arc, LazyLock};

    use super::{DEFAULT_PATH, PLATFORM_ARGS, Scope, Variable, VariableKind};

    /// Platform and proxy arguments, visible in FROM lines.
    pub(super) static GLOBAL: LazyLock<Arc<Scope>> = LazyLock::new(|| {
        let mut scope = Scope::new();
        for name in PLATFORM_ARGS {
            scope.declare(Variable::automatic(name, VariableKind::Platform, None));
        }
        scope.declare_proxies();
        Arc::new(scope)
    });

    /// Proxy arguments and `PATH` (value unknown: it comes from the base image).
    pub(super) static IMAGE_STAGE: LazyLock<Arc<Scope>> = LazyLock::new(|| stage(true));

    /// Proxy arguments and BuildKit's default `PATH`, for stages `FROM scratch`.
    pub(super) static SCRATCH_STAGE: LazyLock<Arc<Scope>> = LazyLock::new(|| stage(false));

    fn stage(env_from_image: bool) -> Arc<Scope> {
        let mut scope = Scope::new();
        scope.declare_proxies();
        let path = (!env_from_image).then_some(DEFAULT_PATH);
        scope.declare(Variable::automatic("PATH", VariableKind::Builtin, path));
        scope.env_from_image = env_from_image;
        Arc::new(scope)
    }
}

impl Scope {
    /// An empty scope (no automatic variables).
    pub fn new() -> Self {
        Scope::default()
    }

    /// The global scope before any `ARG`: the platform and proxy arguments.
    pub fn global() -> Self {
        Scope::on_automatic(&automatic::GLOBAL, false)
    }

    /// The scope a stage starts with when its base is `scratch` (`env_from_image` false) or an
    /// external image (`env_from_image` true).
    pub fn stage_start(env_from_image: bool) -> Self {
        let base = if env_from_image {
            &automatic::IMAGE_STAGE
        } else {
            &automatic::SCRATCH_STAGE
        };
        Scope::on_automatic(base, env_from_image)
    }

    /// An empty scope on top of shared automatic variables.
    fn on_automatic(base: &Arc<Scope>, env_from_image: bool) -> Self {
        Scope {
            base: Some(BaseScope {
                scope: Arc::clone(base),
                stage: None,
                depth: 0,
            }),
            variables: Vec::new(),
            by_name: HashMap::default(),
            env_from_image,
        }
    }

    /// The scope a stage built `FROM` stage `parent` starts with: the parent's final scope.
    /// Past [`MAX_INHERITANCE_DEPTH`] links, a stage starts as if from an image instead.
    pub fn inherited(parent_scope: &Arc<Scope>, parent: usize) -> Self {
        let depth = parent_scope.depth() + 1;
        if depth > MAX_INHERITANCE_DEPTH {
            return Scope::stage_start(true);
        }
        Scope {
            base: Some(BaseScope {
                scope: Arc::clone(parent_scope),
                stage: Some(parent),
                depth,
            }),
            variables: Vec::new(),
            by_name: HashMap::default(),
            env_from_image: parent_scope.env_from_image,
        }
    }

    /// This scope for a stage whose text moved by `delta` bytes: its own variables' places
    /// moved, and built on `parent` (the moved parent stage's final scope) when it was built
    /// on a stage.
    pub(crate) fn moved(&self, parent: Option<&Arc<Scope>>, delta: i64) -> Scope {
        let base = self.base.as_ref().map(|b| BaseScope {
            scope: match (b.stage, parent) {
                (Some(_), Some(parent)) => Arc::clone(parent),
                _ => Arc::clone(&b.scope),
            },
            ..b.clone()
        });
        Scope {
            base,
            variables: self.variables.iter().map(|v| v.moved(delta)).collect(),
            by_name: self.by_name.clone(),
            env_from_image: self.env_from_image,
        }
    }

    fn depth(&self) -> usize {
        self.base.as_ref().map_or(0, |b| b.depth)
    }

    fn declare_proxies(&mut self) {
        for name in PROXY_ARGS {
            self.declare(Variable::automatic(name, VariableKind::Proxy, None));
        }
    }

    /// The variable as stored, without marking where it was inherited from.
    fn find(&self, name: &str) -> Option<&Variable> {
        let mut scope = self;
        loop {
            if let Some(variable) = scope
                .by_name
                .get(name)
                .and_then(|&i| scope.variables.get(i))
            {
                return Some(variable);
            }
            scope = &scope.base.as_ref()?.scope;
        }
    }

    /// The visible variable with this name.
    pub fn get(&self, name: &str) -> Option<Variable> {
        if let Some(variable) = self.by_name.get(name).and_then(|&i| self.variables.get(i)) {
            return Some(variable.clone());
        }
        let base = self.base.as_ref()?;
        let mut variable = base.scope.get(name)?;
        if let Some(stage) = base.stage {
            mark_inherited(&mut variable, stage);
        }
        Some(variable)
    }

    /// All visible variables, in the order their names were first declared.
    pub fn variables(&self) -> Vec<Variable> {
        let mut chain = vec![self];
        let mut scope = self;
        while let Some(base) = &scope.base {
            scope = &base.scope;
            chain.push(scope);
        }
        let mut out: Vec<Variable> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        // From the root of the chain down, each level's variables replacing its base's.
        for (level, scope) in chain.iter().enumerate().rev() {
            // The stage a variable found at this level is inherited from, seen from `self`.
            let inherited_from = level.checked_sub(1).and_then(|child| {
                chain
                    .get(child)
                    .and_then(|c| c.base.as_ref())
                    .and_then(|b| b.stage)
            });
            for variable in &scope.variables {
                let mut variable = variable.clone();
                if let Some(stage) = inherited_from {
                    mark_inherited(&mut variable, stage);
                }
                match position.get(&variable.name) {
                    Some(&i) => out[i] = variable,
                    None => {
                        position.insert(variable.name.clone(), out.len());
                        out.push(variable);
                    }
                }
            }
        }
        out
    }

    /// True when the stage's base is an external image, whose `ENV` this file cannot see.
    pub fn env_from_image(&self) -> bool {
        self.env_from_image
    }

    /// What `name` means here, for [`expand`].
    pub fn lookup(&self, name: &str) -> Lookup<'_> {
        match self.find(name) {
            Some(Variable {
                value: Some(value), ..
            }) => Lookup::Set(Cow::Borrowed(value)),
            Some(_) => Lookup::Unknown,
            None if self.env_from_image => Lookup::Undeclared,
            None => Lookup::Unset,
        }
    }

    /// The value of `name`, if it is visible and known.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.find(name)?.value.as_deref()
    }

    /// Expands `text` with the variables of this scope.
    pub fn expand(&self, text: &str, escape: char) -> Expanded {
        expand(text, ExpandOptions::new(escape), &|name| self.lookup(name))
    }

    /// Adds or replaces a variable (a replaced one keeps its place in the order).
    pub(crate) fn declare(&mut self, variable: Variable) {
        match self.by_name.get(&variable.name) {
            Some(&i) if i < self.variables.len() => self.variables[i] = variable,
            _ => {
                self.by_name
                    .insert(variable.name.clone(), self.variables.len());
                self.variables.push(variable);
            }
        }
    }
}

/// Marks a variable seen through `FROM <stage>` (proxies are everyone's; a variable already
/// marked keeps the stage that declared it).
fn mark_inherited(variable: &mut Variable, stage: usize) {
    if variable.kind != VariableKind::Proxy && variable.inherited_from.is_none() {
        variable.inherited_from = Some(stage);
    }
}

/// A declaration and the offset after which it is visible.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Declaration {
    pub variable: Variable,
    /// Visible at offsets strictly greater than this one.
    pub visible_after: u32,
}

impl Declaration {
    /// The declaration after its text moved by `delta` bytes.
    pub(crate) fn moved(&self, delta: i64) -> Declaration {
        Declaration {
            variable: self.variable.moved(delta),
            visible_after: TextRange::empty(self.visible_after).moved(delta).start,
        }
    }
}

/// Declares the names of an `ARG` instruction one after the other, into `scope`.
///
/// `globals` is the global scope when the instruction is inside a stage (a bare `ARG NAME`
/// takes the global value), `None` for a global `ARG` (a bare re-declaration keeps the value
/// the name already has, as BuildKit leaves it untouched).
pub(crate) fn declare_args(
    scope: &mut Scope,
    arg: &ArgInstr<'_>,
    globals: Option<&Scope>,
    escape: char,
    declarations: &mut Vec<Declaration>,
) {
    for pair in arg.declarations() {
        let key = pair.key();
        if key.text.is_empty() {
            continue;
        }
        let name = key.text.into_owned();
        let (value, written) = if pair.has_equals() {
            let written = pair
                .value()
                .map(|v| v.text.into_owned())
                .unwrap_or_default();
            let expanded = scope.expand(&written, escape);
            (expanded.exact_text().map(str::to_owned), Some(written))
        } else {
            let from = globals.unwrap_or(scope);
            (from.value(&name).map(str::to_owned), None)
        };
        let variable = Variable {
            name,
            value,
            written,
            kind: VariableKind::Arg,
            declared_at: Some(key.range),
            inherited_from: None,
        };
        declarations.push(Declaration {
            variable: variable.clone(),
            visible_after: pair.range().end,
        });
        scope.declare(variable);
    }
}

/// Declares the pairs of an `ENV` instruction into `scope`. Keys and values are expanded with
/// the scope from before the instruction, as BuildKit does (quotes removed, escapes applied,
/// single quotes preventing expansion).
pub(crate) fn declare_env(
    scope: &mut Scope,
    env: &EnvInstr<'_>,
    escape: char,
    declarations: &mut Vec<Declaration>,
) {
    let visible_after = env.range().end;
    let mut pending = Vec::new();
    for pair in env.pairs() {
        let key = pair.key();
        let expanded_key = scope.expand(&key.text, escape);
        let name = match expanded_key.exact_text() {
            Some(name) if !name.is_empty() => name.to_owned(),
            _ => key.text.clone().into_owned(),
        };
        if name.is_empty() {
            continue;
        }
        let written = pair
            .value()
            .map(|v| v.text.into_owned())
            .unwrap_or_default();
        let value = scope
            .expand(&written, escape)
            .exact_text()
            .map(str::to_owned);
        pending.push(Variable {
            name,
            value,
            written: Some(written),
            kind: VariableKind::Env,
            declared_at: Some(key.range),
            inherited_from: None,
        });
    }
    for variable in pending {
        declarations.push(Declaration {
            variable: variable.clone(),
            visible_after,
        });
        scope.declare(variable);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::dockerfile::ast::Dockerfile;
    use crate::syntax::dockerfile::parse;

    /// Runs the ARG and ENV instructions of `src` (no FROM handling) into a stage scope.
    fn run(src: &str, globals: Option<&Scope>) -> (Scope, Vec<Declaration>) {
        let parsed = parse(src);
        let mut scope = Scope::stage_start(false);
        let mut declarations = Vec::new();
        for instruction in Dockerfile::new(&parsed.tree).instructions() {
            if let Some(arg) = instruction.as_arg() {
                declare_args(&mut scope, &arg, globals, parsed.escape, &mut declarations);
            } else if instruction.kind() == crate::syntax::dockerfile::InstructionKind::Env
                && let Some(env) = instruction.as_env()
            {
                declare_env(&mut scope, &env, parsed.escape, &mut declarations);
            }
        }
        (scope, declarations)
    }

    fn value<'s>(scope: &'s Scope, name: &str) -> Option<&'s str> {
        scope.value(name)
    }

    #[test]
    fn global_scope_has_platform_and_proxy_args() {
        let global = Scope::global();
        assert_eq!(
            global.get("TARGETARCH").unwrap().kind,
            VariableKind::Platform
        );
        assert_eq!(global.lookup("TARGETARCH"), Lookup::Unknown);
        assert_eq!(global.lookup("no_proxy"), Lookup::Unknown);
        assert_eq!(global.lookup("PATH"), Lookup::Unset);
        assert_eq!(global.variables().len(), 18);
    }

    #[test]
    fn stage_start_sets_path() {
        let scratch = Scope::stage_start(false);
        assert_eq!(value(&scratch, "PATH"), Some(DEFAULT_PATH));
        assert_eq!(scratch.lookup("NOPE"), Lookup::Unset);
        assert_eq!(scratch.lookup("TARGETARCH"), Lookup::Unset);
        let image = Scope::stage_start(true);
        assert_eq!(image.lookup("PATH"), Lookup::Unknown);
        assert_eq!(image.lookup("NOPE"), Lookup::Undeclared);
        assert!(image.env_from_image());
    }

    #[test]
    fn env_values_are_processed_like_buildkit() {
        let (scope, _) = run(
            "ENV A=1\n\
             ENV B=\"two words\" C='$A' D=\"$A\" E=a\\ b F=${A}x G=${NOPE:-dflt}\n\
             ENV LEGACY some value $A\n",
            None,
        );
        assert_eq!(value(&scope, "A"), Some("1"));
        assert_eq!(value(&scope, "B"), Some("two words"));
        assert_eq!(value(&scope, "C"), Some("$A"));
        assert_eq!(value(&scope, "D"), Some("1"));
        assert_eq!(value(&scope, "E"), Some("a b"));
        assert_eq!(value(&scope, "F"), Some("1x"));
        assert_eq!(value(&scope, "G"), Some("dflt"));
        assert_eq!(value(&scope, "LEGACY"), Some("some value 1"));
        assert_eq!(
            scope.get("B").unwrap().written.as_deref(),
            Some("\"two words\"")
        );
        assert_eq!(scope.get("A").unwrap().kind, VariableKind::Env);
    }

    #[test]
    fn env_uses_the_file_escape_character() {
        let (scope, _) = run("# escape=`\nENV P=C:\\dir` x Q=`$HOME\n", None);
        assert_eq!(value(&scope, "P"), Some("C:\\dir x"));
        assert_eq!(value(&scope, "Q"), Some("$HOME"));
    }

    #[test]
    fn one_env_line_sees_only_what_came_before_it() {
        let (scope, _) = run("ENV X=old\nENV X=new Y=$X\n", None);
        assert_eq!(value(&scope, "X"), Some("new"));
        assert_eq!(value(&scope, "Y"), Some("old"));
    }

    #[test]
    fn arg_names_are_declared_one_by_one() {
        let (scope, declarations) = run("ARG A=1 B=$A C\n", None);
        assert_eq!(value(&scope, "A"), Some("1"));
        assert_eq!(value(&scope, "B"), Some("1"));
        assert_eq!(scope.get("C").map(|v| v.value.clone()), Some(None));
        assert_eq!(scope.lookup("C"), Lookup::Unknown);
        assert!(declarations[0].visible_after < declarations[1].visible_after);
    }

    #[test]
    fn bare_arg_takes_the_global_value() {
        let mut globals = Scope::global();
        globals.declare(Variable {
            name: "VERSION".to_owned(),
            value: Some("1.2".to_owned()),
            written: Some("1.2".to_owned()),
            kind: VariableKind::Arg,
            declared_at: None,
            inherited_from: None,
        });
        let (scope, _) = run("ARG VERSION\nARG TARGETARCH\nARG OTHER\n", Some(&globals));
        assert_eq!(value(&scope, "VERSION"), Some("1.2"));
        assert_eq!(scope.lookup("TARGETARCH"), Lookup::Unknown);
        assert_eq!(scope.get("TARGETARCH").unwrap().kind, VariableKind::Arg);
        assert_eq!(scope.lookup("OTHER"), Lookup::Unknown);
        let (scope, _) = run("ARG VERSION=mine\n", Some(&globals));
        assert_eq!(value(&scope, "VERSION"), Some("mine"));
    }

    #[test]
    fn latest_declaration_wins_between_arg_and_env() {
        let (scope, _) = run("ARG V=arg\nENV V=env\n", None);
        assert_eq!(value(&scope, "V"), Some("env"));
        assert_eq!(scope.get("V").unwrap().kind, VariableKind::Env);
        let (scope, _) = run("ENV V=env\nARG V=arg\n", None);
        assert_eq!(value(&scope, "V"), Some("arg"));
        let (scope, _) = run("ENV V=env\nARG V\n", Some(&Scope::global()));
        assert_eq!(
            scope.lookup("V"),
            Lookup::Unknown,
            "a --build-arg may override it"
        );
    }

    #[test]
    fn unknown_values_propagate() {
        let (scope, _) = run("ARG V\nENV A=$V/bin B=${V:-x} C='$V'\n", None);
        assert_eq!(scope.lookup("A"), Lookup::Unknown);
        assert_eq!(scope.lookup("B"), Lookup::Unknown);
        assert_eq!(value(&scope, "C"), Some("$V"));
        assert_eq!(scope.get("A").unwrap().written.as_deref(), Some("$V/bin"));
    }

    #[test]
    fn path_can_be_extended() {
        let (scope, _) = run("ENV PATH=/opt/bin:$PATH\n", None);
        assert_eq!(
            value(&scope, "PATH"),
            Some(format!("/opt/bin:{DEFAULT_PATH}").as_str())
        );
    }

    #[test]
    fn inherited_scopes_remember_their_origin() {
        let (parent, _) = run("ARG A=1\nENV B=2\n", None);
        let parent = Arc::new(parent);
        let mut child = Scope::inherited(&parent, 3);
        assert_eq!(child.get("A").unwrap().inherited_from, Some(3));
        assert_eq!(child.get("B").unwrap().inherited_from, Some(3));
        assert_eq!(child.value("B"), Some("2"));
        assert_eq!(child.get("http_proxy").unwrap().inherited_from, None);
        child.declare(Variable::automatic(
            "B",
            VariableKind::Env,
            Some("override"),
        ));
        child.declare(Variable::automatic("C", VariableKind::Env, Some("3")));
        let child = Arc::new(child);
        let grandchild = Scope::inherited(&child, 4);
        assert_eq!(grandchild.get("A").unwrap().inherited_from, Some(3));
        assert_eq!(grandchild.get("B").unwrap().inherited_from, Some(4));
        assert_eq!(grandchild.value("B"), Some("override"));
        let all = grandchild.variables();
        let summary: Vec<(&str, Option<&str>, Option<usize>)> = all
            .iter()
            .filter(|v| matches!(v.kind, VariableKind::Arg | VariableKind::Env))
            .map(|v| (v.name.as_str(), v.value.as_deref(), v.inherited_from))
            .collect();
        assert_eq!(
            summary,
            [
                ("A", Some("1"), Some(3)),
                ("B", Some("override"), Some(4)),
                ("C", Some("3"), Some(4)),
            ]
        );
        assert_eq!(all.iter().filter(|v| v.name == "PATH").count(), 1);
    }

    #[test]
    fn inheritance_depth_is_capped() {
        let mut scope = Arc::new(Scope::stage_start(false));
        for stage in 0..MAX_INHERITANCE_DEPTH {
            let mut next = Scope::inherited(&scope, stage);
            next.declare(Variable::automatic("X", VariableKind::Env, Some("x")));
            scope = Arc::new(next);
        }
        assert_eq!(scope.value("X"), Some("x"));
        assert!(!scope.env_from_image());
        let cut = Scope::inherited(&scope, MAX_INHERITANCE_DEPTH);
        assert_eq!(cut.lookup("X"), Lookup::Undeclared);
        assert!(cut.env_from_image());
    }

    #[test]
    fn broken_declarations_do_not_panic() {
        for src in [
            "ARG\n",
            "ARG =x\n",
            "ENV\n",
            "ENV =\n",
            "ENV A\n",
            "ENV A=\"unterminated\n",
            "ARG A=${\n",
            "ENV ${X}=1\n",
        ] {
            let _ = run(src, None);
        }
        let (scope, _) = run("ENV A=\nARG B=\n", None);
        assert_eq!(value(&scope, "A"), Some(""));
        assert_eq!(value(&scope, "B"), Some(""));
    }
}
