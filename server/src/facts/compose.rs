//! What a compose file's analysis knows besides its own text: the `.env` beside it, the
//! `env_file`s it names, the Dockerfiles its services build, and which of those files git
//! ignores. Plain values, so tests build them by hand and the analysis stays a pure function
//! of the text and these.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::DockerIgnore;

/// Variables of an env file (`KEY=value` lines), by name.
pub type EnvVars = BTreeMap<String, String>;

/// The facts one compose file's analysis gets.
#[derive(Clone, Debug, Default)]
pub struct ComposeFacts {
    /// The file's name (`compose.prod.yaml`), when it is a file: a name containing `prod`
    /// makes it a production file.
    pub file_name: Option<String>,
    /// The file's path, when it is a file (matched against `production-files` globs).
    pub path: Option<PathBuf>,
    /// What is on disk around the file; `None` for an unsaved buffer, where the rules that
    /// need other files stay quiet.
    pub project: Option<ProjectFacts>,
}

impl ComposeFacts {
    /// Whether the two say the same (files read once are shared, so most parts compare by
    /// pointer first).
    pub fn same_as(&self, other: &ComposeFacts) -> bool {
        self.file_name == other.file_name
            && self.path == other.path
            && both(&self.project, &other.project, ProjectFacts::same_as)
    }
}

/// Whether two optional parts are both absent, or both there and `same`.
fn both<T>(a: &Option<T>, b: &Option<T>, same: impl Fn(&T, &T) -> bool) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => same(a, b),
        _ => false,
    }
}

impl ProjectFacts {
    fn same_as(&self, other: &ProjectFacts) -> bool {
        fn same<T: PartialEq>(a: &Arc<T>, b: &Arc<T>) -> bool {
            Arc::ptr_eq(a, b) || a == b
        }
        both(&self.dotenv, &other.dotenv, same)
            && self.dotenv_git_ignored == other.dotenv_git_ignored
            && same(&self.environment, &other.environment)
            && self.env_files.len() == other.env_files.len()
            && self
                .env_files
                .iter()
                .zip(&other.env_files)
                .all(|((ka, a), (kb, b))| {
                    ka == kb
                        && a.path == b.path
                        && a.exists == b.exists
                        && a.git_ignored == b.git_ignored
                        && same(&a.vars, &b.vars)
                })
            && self.builds.len() == other.builds.len()
            && self
                .builds
                .iter()
                .zip(&other.builds)
                .all(|((ka, a), (kb, b))| {
                    ka == kb
                        && a.context == b.context
                        && both(&a.dockerfile, &b.dockerfile, same)
                        && both(&a.dockerignore, &b.dockerignore, Arc::ptr_eq)
                })
    }
}

/// The files around a compose file on disk.
#[derive(Clone, Debug, Default)]
pub struct ProjectFacts {
    /// The `.env` beside the compose file (`None` when there is none): Compose reads it for
    /// `${VAR}` interpolation.
    pub dotenv: Option<Arc<EnvVars>>,
    /// Whether the `.env` beside the file is ignored by git (`None` without a `.env`).
    pub dotenv_git_ignored: Option<bool>,
    /// Variables of the process environment, only when the user opted in
    /// (`interpolation.use-environment`); empty otherwise, so every machine agrees.
    pub environment: Arc<EnvVars>,
    /// Each `env_file` path as written in the file.
    pub env_files: BTreeMap<String, EnvFileFact>,
    /// Each service's build, by service name.
    pub builds: BTreeMap<String, BuildFact>,
}

/// An `env_file` the compose file names.
#[derive(Clone, Debug, Default)]
pub struct EnvFileFact {
    pub path: PathBuf,
    pub exists: bool,
    /// Its variables (empty when it does not exist or cannot be read).
    pub vars: Arc<EnvVars>,
    /// Whether git ignores it (by the `.gitignore` files from the repository root down).
    pub git_ignored: bool,
}

/// What a service's `build:` leads to.
#[derive(Clone, Debug, Default)]
pub struct BuildFact {
    /// The build context folder.
    pub context: PathBuf,
    /// The Dockerfile, when it could be read.
    pub dockerfile: Option<Arc<DockerfileSummary>>,
    /// The context's `.dockerignore`, if it has one.
    pub dockerignore: Option<Arc<DockerIgnore>>,
}

/// What compose rules need to know of a Dockerfile: its stages and the stage an image is
/// built from (the `build.target`, else the last).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DockerfileSummary {
    pub path: PathBuf,
    /// The stage names, in order (for `build.target`).
    pub stages: Vec<String>,
    /// Per stage, in order: what the image built from it has.
    pub images: Vec<BuiltImage>,
}

/// The image a Dockerfile stage produces, as far as the Dockerfile says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuiltImage {
    /// The external image the stage starts from, through stages built on stages
    /// (`node:22-slim`); `None` for `scratch` or a name with unknown variables.
    pub base_image: Option<String>,
    /// The last `USER` in force (through parent stages), if any.
    pub user: Option<String>,
    /// `Some(true)` for a `HEALTHCHECK CMD ...` in force, `Some(false)` for
    /// `HEALTHCHECK NONE`, `None` when the Dockerfile sets none (the base image may).
    pub healthcheck: Option<bool>,
    /// `EXPOSE`d ports as written (`8080`, `53/udp`).
    pub exposes: Vec<String>,
}

impl DockerfileSummary {
    /// The image built for `target` (a stage name, any case), else for the last stage.
    pub fn image(&self, target: Option<&str>) -> Option<&BuiltImage> {
        match target {
            Some(target) => self
                .stages
                .iter()
                .position(|s| s.eq_ignore_ascii_case(target))
                .and_then(|i| self.images.get(i)),
            None => self.images.last(),
        }
    }
}

impl ComposeFacts {
    /// Lets interpolation see the process environment (the `use-environment` option).
    pub fn with_environment(mut self, use_environment: bool) -> Self {
        if use_environment && let Some(project) = &mut self.project {
            project.environment = Arc::new(std::env::vars().collect());
        }
        self
    }

    /// The build of a service, when the file is on disk and the service builds.
    pub fn build(&self, service: &str) -> Option<&BuildFact> {
        self.project.as_ref()?.builds.get(service)
    }
}
