//! Our own documentation of instructions, flags and directives: the knowledge base behind completion, hover and signature help.
//!
//! Everything here is static data (no allocation until a markdown page is rendered), written
//! in our own words from what BuildKit's Dockerfile frontend accepts. One table feeds three
//! features, so a flag added here shows up in completion, hover and signature help at once.

use std::fmt::Write as _;

use crate::syntax::dockerfile::InstructionKind;

/// A section of our practices guide (`practices.md`) that an entry relates to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Practice {
    /// `§10.1`
    pub section: &'static str,
    pub title: &'static str,
}

/// One instruction.
#[derive(Clone, Copy, Debug)]
pub struct InstructionDoc {
    pub kind: InstructionKind,
    pub name: &'static str,
    /// One line: what the instruction does.
    pub summary: &'static str,
    /// The ways to write it, for hover and signature help.
    pub forms: &'static [FormDoc],
    /// A few sentences of markdown.
    pub body: &'static str,
    /// A short Dockerfile excerpt.
    pub example: &'static str,
    /// Completion templates (LSP snippet syntax), the first being the plain one.
    pub snippets: &'static [Snippet],
    pub flags: &'static [FlagDoc],
    pub practice: Option<Practice>,
    pub deprecated: bool,
}

/// A completion template.
#[derive(Clone, Copy, Debug)]
pub struct Snippet {
    /// What the completion list shows.
    pub label: &'static str,
    /// LSP snippet text.
    pub body: &'static str,
}

/// One way of writing an instruction, with its parameters.
#[derive(Clone, Copy, Debug)]
pub struct FormDoc {
    /// `COPY [--from=<stage>] <src>... <dest>`
    pub label: &'static str,
    pub style: FormStyle,
    /// In label order; each `text` occurs in `label` after the previous one.
    pub params: &'static [ParamDoc],
}

/// What distinguishes a form from its siblings, so signature help can pick the one being
/// written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormStyle {
    /// Plain words (the shell form of commands).
    Shell,
    /// A JSON array.
    Exec,
    /// `ENV KEY value`: key and value separated by whitespace.
    Legacy,
    /// `HEALTHCHECK NONE`.
    None,
    /// `USER <UID>[:<GID>]`.
    Numeric,
}

/// A parameter of a form.
#[derive(Clone, Copy, Debug)]
pub struct ParamDoc {
    /// The parameter's text inside the form's label.
    pub text: &'static str,
    /// Which part of the written instruction it describes.
    pub slot: Slot,
    pub doc: &'static str,
}

/// The part of a written instruction a parameter stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Any flag without a parameter of its own.
    Flags,
    /// The flag with this name (no dashes).
    Flag(&'static str),
    /// The positional argument with this index.
    Arg(u8),
    /// The positional arguments from this index on.
    ArgsFrom(u8),
    /// The last of two or more positional arguments (a destination).
    LastArg,
    /// The JSON array element with this index.
    Json(u8),
    /// The JSON array elements from this index on.
    JsonFrom(u8),
    /// The last of two or more JSON array elements.
    JsonLast,
}

/// A `--flag` of an instruction.
#[derive(Clone, Copy, Debug)]
pub struct FlagDoc {
    /// Without dashes: `mount`.
    pub name: &'static str,
    /// `--chown=<user>[:<group>]`
    pub syntax: &'static str,
    pub summary: &'static str,
    pub body: &'static str,
    /// Completion template (LSP snippet syntax).
    pub snippet: &'static str,
    /// Known or typical values, offered after `=`.
    pub values: &'static [ValueDoc],
    /// May be given more than once (`--mount`, `--exclude`).
    pub repeatable: bool,
    pub practice: Option<Practice>,
}

/// A value of a flag, mount key or directive.
#[derive(Clone, Copy, Debug)]
pub struct ValueDoc {
    pub value: &'static str,
    pub summary: &'static str,
}

/// A `RUN --mount` type.
#[derive(Clone, Copy, Debug)]
pub struct MountTypeDoc {
    pub name: &'static str,
    pub summary: &'static str,
    pub body: &'static str,
    /// Canonical names of the keys this type accepts (besides `type`).
    pub keys: &'static [&'static str],
    /// A whole `--mount=type=...` template (LSP snippet syntax).
    pub snippet: &'static str,
}

/// A key of a `RUN --mount` value.
#[derive(Clone, Copy, Debug)]
pub struct MountKeyDoc {
    pub name: &'static str,
    /// Other spellings BuildKit accepts (`dst`, `destination`).
    pub aliases: &'static [&'static str],
    pub syntax: &'static str,
    pub summary: &'static str,
    pub values: &'static [ValueDoc],
}

/// A parser directive (`# name=value` at the top of the file).
#[derive(Clone, Copy, Debug)]
pub struct DirectiveDoc {
    pub name: &'static str,
    pub syntax: &'static str,
    pub summary: &'static str,
    pub body: &'static str,
    pub example: &'static str,
    /// Completion template for the whole line (LSP snippet syntax).
    pub snippet: &'static str,
    pub values: &'static [ValueDoc],
}

/// A commonly used base image, for completion after `FROM`.
#[derive(Clone, Copy, Debug)]
pub struct ImageDoc {
    pub name: &'static str,
    pub summary: &'static str,
    /// Popular tags, newest first.
    pub tags: &'static [&'static str],
}

/// A well-known label key.
#[derive(Clone, Copy, Debug)]
pub struct LabelDoc {
    pub key: &'static str,
    pub summary: &'static str,
}

// ---- Practices of our guide ----

const PRACTICE_BASIC_IMAGE: Practice = Practice {
    section: "§2.1",
    title: "a basic image",
};
const PRACTICE_MULTI_STAGE: Practice = Practice {
    section: "§2.2",
    title: "multi-stage builds",
};
const PRACTICE_PYTHON: Practice = Practice {
    section: "§2.3",
    title: "Python services",
};
const PRACTICE_LAYER_CACHING: Practice = Practice {
    section: "§4.1",
    title: "layer caching",
};
const PRACTICE_MULTI_ARCH: Practice = Practice {
    section: "§4.3",
    title: "multi-architecture builds",
};
const PRACTICE_HEALTH_CHECKS: Practice = Practice {
    section: "§7",
    title: "health checks",
};
const PRACTICE_NON_ROOT: Practice = Practice {
    section: "§10.1",
    title: "run as a non-root user",
};
const PRACTICE_NO_SECRETS: Practice = Practice {
    section: "§10.2",
    title: "no secrets in the Dockerfile",
};
const PRACTICE_TIPS: Practice = Practice {
    section: "§11",
    title: "practical tips: cache package downloads",
};

// ---- Shared values ----

const BOOLEAN_VALUES: &[ValueDoc] = &[
    ValueDoc {
        value: "true",
        summary: "Turn the option on (the same as writing the flag alone).",
    },
    ValueDoc {
        value: "false",
        summary: "Turn the option off.",
    },
];

const CHMOD_VALUES: &[ValueDoc] = &[
    ValueDoc {
        value: "755",
        summary: "rwxr-xr-x: executables and directories.",
    },
    ValueDoc {
        value: "644",
        summary: "rw-r--r--: ordinary files.",
    },
    ValueDoc {
        value: "700",
        summary: "rwx------: only the owner.",
    },
    ValueDoc {
        value: "600",
        summary: "rw-------: private files the owner reads and writes.",
    },
    ValueDoc {
        value: "0555",
        summary: "r-xr-xr-x: read-only executables.",
    },
];

const CHOWN_VALUES: &[ValueDoc] = &[
    ValueDoc {
        value: "1001:1001",
        summary: "A fixed numeric UID and GID: works whether or not the names exist in the image.",
    },
    ValueDoc {
        value: "node:node",
        summary: "The unprivileged user of the official node images.",
    },
    ValueDoc {
        value: "nobody:nogroup",
        summary: "The traditional unprivileged account (Debian-based images).",
    },
    ValueDoc {
        value: "nonroot:nonroot",
        summary: "The unprivileged user of distroless `:nonroot` images.",
    },
];

// ---- Flags ----

const FLAG_CHOWN: FlagDoc = FlagDoc {
    name: "chown",
    syntax: "--chown=<user>[:<group>]",
    summary: "Sets the owner (and group) of the copied files.",
    body: "User and group names are looked up in the image's `/etc/passwd` and `/etc/group`; \
           numeric IDs always work. Cheaper than a later `RUN chown -R`, which writes every file \
           again in a new layer. Without it, files belong to root (UID 0).",
    snippet: "--chown=${1:user}:${2:group}",
    values: CHOWN_VALUES,
    repeatable: false,
    practice: Some(PRACTICE_NON_ROOT),
};

const FLAG_CHMOD: FlagDoc = FlagDoc {
    name: "chmod",
    syntax: "--chmod=<perms>",
    summary: "Sets the permission bits of the copied files.",
    body: "An octal mode such as `755` or `644`, applied to every copied file and directory. \
           Saves a separate `RUN chmod` layer.",
    snippet: "--chmod=${1:755}",
    values: CHMOD_VALUES,
    repeatable: false,
    practice: None,
};

const FLAG_LINK: FlagDoc = FlagDoc {
    name: "link",
    syntax: "--link[=<bool>]",
    summary: "Copies into a layer of its own that does not depend on the layers before it.",
    body: "BuildKit can then reuse the layer when earlier instructions change, and rebase it \
           onto a new base image without copying again. Avoid it when the copy relies on what \
           is already at the destination (for example a symlink on the path).",
    snippet: "--link",
    values: BOOLEAN_VALUES,
    repeatable: false,
    practice: None,
};

const FLAG_EXCLUDE: FlagDoc = FlagDoc {
    name: "exclude",
    syntax: "--exclude=<pattern>",
    summary: "Leaves out the source paths that match a pattern.",
    body: "Patterns use the `.dockerignore` syntax (`*.md`, `**/test`); repeat the flag for \
           several patterns. Stable since Dockerfile syntax 1.19; earlier frontends need a \
           `-labs` version.",
    snippet: "--exclude=${1:pattern}",
    values: &[
        ValueDoc {
            value: "*.md",
            summary: "Markdown files at the top of each source.",
        },
        ValueDoc {
            value: "**/*_test.go",
            summary: "Test files at any depth.",
        },
        ValueDoc {
            value: "node_modules",
            summary: "A dependency directory to install fresh instead.",
        },
    ],
    repeatable: true,
    practice: None,
};

const FLAG_COPY_FROM: FlagDoc = FlagDoc {
    name: "from",
    syntax: "--from=<stage|index|image>",
    summary: "Copies from a build stage or an image instead of the build context.",
    body: "Name an earlier stage (`--from=builder`) to take only its build output, keeping \
           compilers and dev dependencies out of the final image. A value with `/`, `:` or `@` \
           is pulled as an image (`--from=nginx:1.27`). Prefer names to numeric indexes, which \
           break when stages move. Variables are not expanded in this flag.",
    snippet: "--from=${1:stage}",
    values: &[],
    repeatable: false,
    practice: Some(PRACTICE_MULTI_STAGE),
};

const FLAG_PARENTS: FlagDoc = FlagDoc {
    name: "parents",
    syntax: "--parents[=<bool>]",
    summary: "Keeps each source's parent directories under the destination.",
    body: "`COPY --parents app/a/file.txt /dst/` creates `/dst/app/a/file.txt` instead of \
           `/dst/file.txt`. A `/./` in a source marks where the kept part starts. Stable since \
           Dockerfile syntax 1.20; earlier frontends need a `-labs` version.",
    snippet: "--parents",
    values: BOOLEAN_VALUES,
    repeatable: false,
    practice: None,
};

const FLAG_CHECKSUM: FlagDoc = FlagDoc {
    name: "checksum",
    syntax: "--checksum=<algorithm>:<digest>",
    summary: "Verifies a remote source against a known digest.",
    body: "For an `https://` source, the build fails unless the download's digest matches \
           (`sha256:...`); recent frontends also accept a Git source's expected commit. Pinning \
           remote inputs keeps builds reproducible and safe from tampering.",
    snippet: "--checksum=sha256:${1:digest}",
    values: &[ValueDoc {
        value: "sha256:",
        summary: "A SHA-256 digest of the downloaded file, in hex.",
    }],
    repeatable: false,
    practice: None,
};

const FLAG_KEEP_GIT_DIR: FlagDoc = FlagDoc {
    name: "keep-git-dir",
    syntax: "--keep-git-dir[=<bool>]",
    summary: "Keeps the `.git` directory when adding a Git repository.",
    body: "By default only the checked-out files are added. Keep the directory when the build \
           needs the history, for example to embed `git describe` output.",
    snippet: "--keep-git-dir",
    values: BOOLEAN_VALUES,
    repeatable: false,
    practice: None,
};

const FLAG_UNPACK: FlagDoc = FlagDoc {
    name: "unpack",
    syntax: "--unpack[=<bool>]",
    summary: "Chooses whether an archive source is extracted.",
    body: "Local tar archives are extracted by default and remote ones are not; \
           `--unpack=true` extracts a downloaded archive, `--unpack=false` copies a local one \
           as a file.",
    snippet: "--unpack=${1|true,false|}",
    values: BOOLEAN_VALUES,
    repeatable: false,
    practice: None,
};

const FLAG_PLATFORM: FlagDoc = FlagDoc {
    name: "platform",
    syntax: "--platform=<os>/<arch>[/<variant>]",
    summary: "Chooses the platform of the base image.",
    body: "In multi-platform builds, write `--platform=$BUILDPLATFORM` on stages that only \
           compile, so they run natively and cross-compile for `$TARGETARCH`; a constant \
           platform pins every build to one architecture. Only global ARGs (and BuildKit's \
           platform ARGs) can be used here.",
    snippet: "--platform=${1|\\$BUILDPLATFORM,\\$TARGETPLATFORM,linux/amd64,linux/arm64|}",
    values: PLATFORM_VALUES,
    repeatable: false,
    practice: Some(PRACTICE_MULTI_ARCH),
};

/// Values for `FROM --platform`.
pub const PLATFORM_VALUES: &[ValueDoc] = &[
    ValueDoc {
        value: "$BUILDPLATFORM",
        summary: "The platform of the machine running the build: native speed for build stages.",
    },
    ValueDoc {
        value: "$TARGETPLATFORM",
        summary: "The platform being built for (the default, so rarely needed).",
    },
    ValueDoc {
        value: "linux/amd64",
        summary: "64-bit x86.",
    },
    ValueDoc {
        value: "linux/arm64",
        summary: "64-bit ARM (AWS Graviton, Apple silicon, Raspberry Pi 4 and later).",
    },
    ValueDoc {
        value: "linux/arm/v7",
        summary: "32-bit ARMv7.",
    },
    ValueDoc {
        value: "linux/arm/v6",
        summary: "32-bit ARMv6 (Raspberry Pi Zero).",
    },
    ValueDoc {
        value: "linux/386",
        summary: "32-bit x86.",
    },
    ValueDoc {
        value: "linux/ppc64le",
        summary: "64-bit little-endian POWER.",
    },
    ValueDoc {
        value: "linux/s390x",
        summary: "IBM Z.",
    },
    ValueDoc {
        value: "linux/riscv64",
        summary: "64-bit RISC-V.",
    },
    ValueDoc {
        value: "windows/amd64",
        summary: "Windows containers on 64-bit x86.",
    },
];

const FLAG_MOUNT: FlagDoc = FlagDoc {
    name: "mount",
    syntax: "--mount=type=<type>[,<key>=<value>...]",
    summary: "Mounts something into the build container for this RUN only.",
    body: "Nothing mounted ends up in the image. Types: `cache` keeps package manager caches \
           between builds, `secret` exposes a secret without storing it, `ssh` forwards the SSH \
           agent, `bind` shows files of the context or another stage, `tmpfs` gives scratch \
           space in memory. Without `type=`, the mount is a `bind`. Repeat the flag for \
           several mounts.",
    snippet: "--mount=type=${1|cache,bind,secret,ssh,tmpfs|}",
    values: &[],
    repeatable: true,
    practice: Some(PRACTICE_TIPS),
};

const FLAG_NETWORK: FlagDoc = FlagDoc {
    name: "network",
    syntax: "--network=<default|none|host>",
    summary: "Chooses the network the command runs with.",
    body: "`none` cuts the network off, which proves a step (such as an offline install from \
           a cache) does not download anything. `host` needs the `network.host` entitlement.",
    snippet: "--network=${1|default,none,host|}",
    values: &[
        ValueDoc {
            value: "default",
            summary: "The build's normal network.",
        },
        ValueDoc {
            value: "none",
            summary: "No network access; only a loopback interface.",
        },
        ValueDoc {
            value: "host",
            summary: "The host's network (needs the `network.host` entitlement).",
        },
    ],
    repeatable: false,
    practice: None,
};

const FLAG_SECURITY: FlagDoc = FlagDoc {
    name: "security",
    syntax: "--security=<sandbox|insecure>",
    summary: "Chooses whether the command runs sandboxed.",
    body: "`insecure` runs it with full privileges, like `docker run --privileged`; it needs \
           the `security.insecure` entitlement and a `-labs` Dockerfile syntax. Reserve it for \
           steps that truly need it.",
    snippet: "--security=${1|sandbox,insecure|}",
    values: &[
        ValueDoc {
            value: "sandbox",
            summary: "The default: the usual container restrictions.",
        },
        ValueDoc {
            value: "insecure",
            summary: "Full privileges (needs the `security.insecure` entitlement).",
        },
    ],
    repeatable: false,
    practice: None,
};

const FLAG_INTERVAL: FlagDoc = FlagDoc {
    name: "interval",
    syntax: "--interval=<duration>",
    summary: "Time between two checks (default 30s).",
    body: "A Go duration: `30s`, `1m30s`. The first check runs one interval after the \
           container starts.",
    snippet: "--interval=${1:30s}",
    values: &[
        ValueDoc {
            value: "30s",
            summary: "The default.",
        },
        ValueDoc {
            value: "10s",
            summary: "Quicker detection, more load.",
        },
        ValueDoc {
            value: "1m",
            summary: "Lighter checking for slow-changing services.",
        },
    ],
    repeatable: false,
    practice: Some(PRACTICE_HEALTH_CHECKS),
};

const FLAG_TIMEOUT: FlagDoc = FlagDoc {
    name: "timeout",
    syntax: "--timeout=<duration>",
    summary: "How long one check may take before it counts as failed (default 30s).",
    body: "Keep it well below the interval; an HTTP probe of a local endpoint rarely needs \
           more than a few seconds.",
    snippet: "--timeout=${1:5s}",
    values: &[
        ValueDoc {
            value: "5s",
            summary: "Plenty for a local HTTP probe.",
        },
        ValueDoc {
            value: "3s",
            summary: "A tight limit for fast endpoints.",
        },
        ValueDoc {
            value: "30s",
            summary: "The default.",
        },
    ],
    repeatable: false,
    practice: Some(PRACTICE_HEALTH_CHECKS),
};

const FLAG_START_PERIOD: FlagDoc = FlagDoc {
    name: "start-period",
    syntax: "--start-period=<duration>",
    summary: "Start-up time during which failures do not count (default 0s).",
    body: "A success during the start period marks the container healthy at once; failures \
           only count after it. Set it to how long the service needs to boot.",
    snippet: "--start-period=${1:10s}",
    values: &[
        ValueDoc {
            value: "10s",
            summary: "A typical boot time.",
        },
        ValueDoc {
            value: "30s",
            summary: "For services that migrate or warm up at start.",
        },
        ValueDoc {
            value: "0s",
            summary: "The default: failures count from the first check.",
        },
    ],
    repeatable: false,
    practice: Some(PRACTICE_HEALTH_CHECKS),
};

const FLAG_START_INTERVAL: FlagDoc = FlagDoc {
    name: "start-interval",
    syntax: "--start-interval=<duration>",
    summary: "Time between checks during the start period (default 5s).",
    body: "Lets a container become healthy soon after it is ready without checking often \
           for the rest of its life. Needs Docker Engine 25 or later.",
    snippet: "--start-interval=${1:2s}",
    values: &[
        ValueDoc {
            value: "2s",
            summary: "Detects readiness quickly.",
        },
        ValueDoc {
            value: "5s",
            summary: "The default.",
        },
    ],
    repeatable: false,
    practice: Some(PRACTICE_HEALTH_CHECKS),
};

const FLAG_RETRIES: FlagDoc = FlagDoc {
    name: "retries",
    syntax: "--retries=<n>",
    summary: "Failures in a row before the container is marked unhealthy (default 3).",
    body: "One slow response should not flip the state; a few failures in a row should.",
    snippet: "--retries=${1:3}",
    values: &[
        ValueDoc {
            value: "3",
            summary: "The default.",
        },
        ValueDoc {
            value: "5",
            summary: "More tolerant of transient failures.",
        },
    ],
    repeatable: false,
    practice: Some(PRACTICE_HEALTH_CHECKS),
};

// ---- Instructions ----

/// `[OPTIONS]`, the parameter standing for flags without one of their own.
const OPTIONS: ParamDoc = ParamDoc {
    text: "[OPTIONS]",
    slot: Slot::Flags,
    doc: "Flags of the instruction.",
};

const SRC_PARAM: ParamDoc = ParamDoc {
    text: "<src>...",
    slot: Slot::ArgsFrom(0),
    doc: "One or more sources, relative to the build context (or to the stage or image of `--from`). Wildcards are allowed.",
};

const DEST_PARAM: ParamDoc = ParamDoc {
    text: "<dest>",
    slot: Slot::LastArg,
    doc: "The destination: absolute, or relative to WORKDIR. End it with `/` when there are several sources.",
};

const JSON_SRC_PARAM: ParamDoc = ParamDoc {
    text: "\"<src>\", ...",
    slot: Slot::JsonFrom(0),
    doc: "Sources, as JSON strings (for paths with spaces).",
};

const JSON_DEST_PARAM: ParamDoc = ParamDoc {
    text: "\"<dest>\"",
    slot: Slot::JsonLast,
    doc: "The destination, as the last JSON string.",
};

const EXECUTABLE_PARAM: ParamDoc = ParamDoc {
    text: "\"executable\"",
    slot: Slot::Json(0),
    doc: "The program to run, run directly without a shell.",
};

const JSON_PARAMS_PARAM: ParamDoc = ParamDoc {
    text: "\"param\"...",
    slot: Slot::JsonFrom(1),
    doc: "Its arguments, one JSON string each (no variable expansion).",
};

const COMMAND_PARAM: ParamDoc = ParamDoc {
    text: "<command>",
    slot: Slot::ArgsFrom(0),
    doc: "A command line, run with the stage's SHELL (`/bin/sh -c` by default).",
};

/// Every instruction, in [`InstructionKind::ALL`] order.
pub const INSTRUCTIONS: &[InstructionDoc] = &[
    InstructionDoc {
        kind: InstructionKind::Add,
        name: "ADD",
        summary: "Adds local files, remote URLs or Git repositories to the image, extracting local archives.",
        forms: &[
            FormDoc {
                label: "ADD [--chown=<user>:<group>] [--chmod=<perms>] [--checksum=<digest>] [OPTIONS] <src>... <dest>",
                style: FormStyle::Shell,
                params: &[
                    ParamDoc {
                        text: "[--chown=<user>:<group>]",
                        slot: Slot::Flag("chown"),
                        doc: FLAG_CHOWN.summary,
                    },
                    ParamDoc {
                        text: "[--chmod=<perms>]",
                        slot: Slot::Flag("chmod"),
                        doc: FLAG_CHMOD.summary,
                    },
                    ParamDoc {
                        text: "[--checksum=<digest>]",
                        slot: Slot::Flag("checksum"),
                        doc: FLAG_CHECKSUM.summary,
                    },
                    OPTIONS,
                    ParamDoc {
                        text: "<src>...",
                        slot: Slot::ArgsFrom(0),
                        doc: "Sources: context paths, `https://` URLs or Git repositories (`https://github.com/org/repo.git#tag`).",
                    },
                    DEST_PARAM,
                ],
            },
            FormDoc {
                label: "ADD [OPTIONS] [\"<src>\", ... \"<dest>\"]",
                style: FormStyle::Exec,
                params: &[OPTIONS, JSON_SRC_PARAM, JSON_DEST_PARAM],
            },
        ],
        body: "Prefer COPY for plain local files: ADD's extra powers (downloads, archive \
               extraction) are easy to trigger by accident. Use ADD to fetch a URL or a Git \
               repository, pinned with `--checksum` or a tag. A local tar archive (`.tar`, \
               `.tar.gz`, ...) is extracted into the destination.",
        example: "ADD --checksum=sha256:24454f83... https://example.com/tool.tar.gz /opt/\n\
                  ADD https://github.com/org/lib.git#v1.4.0 /src/lib",
        snippets: &[Snippet {
            label: "ADD",
            body: "ADD ${1:source} ${2:destination}",
        }],
        flags: &[
            FLAG_CHOWN,
            FLAG_CHMOD,
            FLAG_LINK,
            FLAG_EXCLUDE,
            FLAG_CHECKSUM,
            FLAG_KEEP_GIT_DIR,
            FLAG_UNPACK,
        ],
        practice: None,
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::Arg,
        name: "ARG",
        summary: "Declares a build argument, set with `docker build --build-arg NAME=value`.",
        forms: &[FormDoc {
            label: "ARG <name>[=<default value>] ...",
            style: FormStyle::Shell,
            params: &[ParamDoc {
                text: "<name>[=<default value>] ...",
                slot: Slot::ArgsFrom(0),
                doc: "A name, with an optional default used when the build does not set it.",
            }],
        }],
        body: "An ARG before the first FROM is global: FROM lines can use it, and a stage sees \
               it only after re-declaring it with a bare `ARG NAME` (which keeps the global \
               default). Inside a stage an ARG is visible from the next line to the end of the \
               stage. BuildKit predefines `TARGETPLATFORM`, `TARGETOS`, `TARGETARCH`, \
               `BUILDPLATFORM` and friends; declare them with `ARG` to use them in a stage. \
               Values show in the image history: never pass secrets this way, mount them with \
               `RUN --mount=type=secret`.",
        example: "ARG NODE_VERSION=22\n\
                  FROM node:${NODE_VERSION}-alpine\n\
                  ARG NODE_VERSION\n\
                  RUN echo \"built with Node $NODE_VERSION\"",
        snippets: &[
            Snippet {
                label: "ARG",
                body: "ARG ${1:NAME}",
            },
            Snippet {
                label: "ARG name=default",
                body: "ARG ${1:NAME}=${2:default}",
            },
        ],
        flags: &[],
        practice: Some(PRACTICE_NO_SECRETS),
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::Cmd,
        name: "CMD",
        summary: "Sets the default command of containers run from the image, or ENTRYPOINT's default arguments.",
        forms: &[
            FormDoc {
                label: "CMD [\"executable\", \"param\"...]",
                style: FormStyle::Exec,
                params: &[EXECUTABLE_PARAM, JSON_PARAMS_PARAM],
            },
            FormDoc {
                label: "CMD [\"param\"...]",
                style: FormStyle::Exec,
                params: &[ParamDoc {
                    text: "\"param\"...",
                    slot: Slot::JsonFrom(0),
                    doc: "Default arguments appended to ENTRYPOINT.",
                }],
            },
            FormDoc {
                label: "CMD <command>",
                style: FormStyle::Shell,
                params: &[COMMAND_PARAM],
            },
        ],
        body: "Write the exec (JSON) form so the program runs as PID 1 and receives stop \
               signals; the shell form runs it under `/bin/sh -c`, which does not forward them. \
               Only the last CMD of a stage counts, and arguments to `docker run` replace it.",
        example: "CMD [\"node\", \"src/server.js\"]",
        snippets: &[Snippet {
            label: "CMD",
            body: "CMD [\"${1:executable}\", \"${2:param}\"]",
        }],
        flags: &[],
        practice: Some(PRACTICE_BASIC_IMAGE),
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::Copy,
        name: "COPY",
        summary: "Copies files from the build context, a stage or an image into the image.",
        forms: &[
            FormDoc {
                label: "COPY [--from=<stage>] [--chown=<user>:<group>] [--chmod=<perms>] [OPTIONS] <src>... <dest>",
                style: FormStyle::Shell,
                params: &[
                    ParamDoc {
                        text: "[--from=<stage>]",
                        slot: Slot::Flag("from"),
                        doc: FLAG_COPY_FROM.summary,
                    },
                    ParamDoc {
                        text: "[--chown=<user>:<group>]",
                        slot: Slot::Flag("chown"),
                        doc: FLAG_CHOWN.summary,
                    },
                    ParamDoc {
                        text: "[--chmod=<perms>]",
                        slot: Slot::Flag("chmod"),
                        doc: FLAG_CHMOD.summary,
                    },
                    OPTIONS,
                    SRC_PARAM,
                    DEST_PARAM,
                ],
            },
            FormDoc {
                label: "COPY [OPTIONS] [\"<src>\", ... \"<dest>\"]",
                style: FormStyle::Exec,
                params: &[OPTIONS, JSON_SRC_PARAM, JSON_DEST_PARAM],
            },
        ],
        body: "Sources are read from the build context (minus what `.dockerignore` excludes); \
               the destination is absolute or relative to WORKDIR. Copy dependency manifests \
               and install before copying the rest of the source, so code changes do not \
               invalidate the install layer. With `--from`, take only the build output of an \
               earlier stage.",
        example: "COPY package*.json ./\n\
                  RUN npm ci --omit=dev\n\
                  COPY --chown=node:node . .",
        snippets: &[Snippet {
            label: "COPY",
            body: "COPY ${1:source} ${2:destination}",
        }],
        flags: &[
            FLAG_COPY_FROM,
            FLAG_CHOWN,
            FLAG_CHMOD,
            FLAG_LINK,
            FLAG_PARENTS,
            FLAG_EXCLUDE,
        ],
        practice: Some(PRACTICE_LAYER_CACHING),
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::Entrypoint,
        name: "ENTRYPOINT",
        summary: "Sets the program containers run; CMD and `docker run` arguments are passed to it.",
        forms: &[
            FormDoc {
                label: "ENTRYPOINT [\"executable\", \"param\"...]",
                style: FormStyle::Exec,
                params: &[EXECUTABLE_PARAM, JSON_PARAMS_PARAM],
            },
            FormDoc {
                label: "ENTRYPOINT <command>",
                style: FormStyle::Shell,
                params: &[COMMAND_PARAM],
            },
        ],
        body: "Use the exec form: in the shell form the program neither receives signals nor \
               sees CMD's arguments. `docker run --entrypoint` overrides it. Only the last \
               ENTRYPOINT of a stage counts.",
        example: "ENTRYPOINT [\"/sbin/tini\", \"--\"]\n\
                  CMD [\"node\", \"server.js\"]",
        snippets: &[Snippet {
            label: "ENTRYPOINT",
            body: "ENTRYPOINT [\"${1:executable}\"]",
        }],
        flags: &[],
        practice: Some(PRACTICE_BASIC_IMAGE),
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::Env,
        name: "ENV",
        summary: "Sets environment variables for the following instructions and for containers.",
        forms: &[
            FormDoc {
                label: "ENV <key>=<value> ...",
                style: FormStyle::Shell,
                params: &[ParamDoc {
                    text: "<key>=<value> ...",
                    slot: Slot::ArgsFrom(0),
                    doc: "Pairs; quote values with spaces (`GREETING=\"hello world\"`).",
                }],
            },
            FormDoc {
                label: "ENV <key> <value>",
                style: FormStyle::Legacy,
                params: &[
                    ParamDoc {
                        text: "<key>",
                        slot: Slot::Arg(0),
                        doc: "The variable's name.",
                    },
                    ParamDoc {
                        text: "<value>",
                        slot: Slot::ArgsFrom(1),
                        doc: "Everything after the name (legacy form: prefer `<key>=<value>`).",
                    },
                ],
            },
        ],
        body: "Variables persist in the image and in stages built from it, so never store \
               secrets here. A value needed only while building belongs in an ARG or inline in \
               the RUN that needs it. Each value may use variables set before the line.",
        example: "ENV NODE_ENV=production \\\n    PORT=3000",
        snippets: &[Snippet {
            label: "ENV",
            body: "ENV ${1:NAME}=${2:value}",
        }],
        flags: &[],
        practice: Some(PRACTICE_NO_SECRETS),
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::Expose,
        name: "EXPOSE",
        summary: "Documents the ports the container listens on.",
        forms: &[FormDoc {
            label: "EXPOSE <port>[/<protocol>] ...",
            style: FormStyle::Shell,
            params: &[ParamDoc {
                text: "<port>[/<protocol>] ...",
                slot: Slot::ArgsFrom(0),
                doc: "A port number, optionally `/tcp` (the default) or `/udp`.",
            }],
        }],
        body: "EXPOSE publishes nothing: it is metadata used by `docker run -P` and by readers. \
               Publish ports with `docker run -p` or Compose `ports:`.",
        example: "EXPOSE 3000\nEXPOSE 53/udp",
        snippets: &[Snippet {
            label: "EXPOSE",
            body: "EXPOSE ${1:port}",
        }],
        flags: &[],
        practice: None,
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::From,
        name: "FROM",
        summary: "Starts a build stage from an image, an earlier stage or `scratch`.",
        forms: &[FormDoc {
            label: "FROM [--platform=<platform>] <image>[:<tag>|@<digest>] [AS <name>]",
            style: FormStyle::Shell,
            params: &[
                ParamDoc {
                    text: "[--platform=<platform>]",
                    slot: Slot::Flag("platform"),
                    doc: FLAG_PLATFORM.summary,
                },
                ParamDoc {
                    text: "<image>[:<tag>|@<digest>]",
                    slot: Slot::Arg(0),
                    doc: "The base: an image reference, an earlier stage's name, or `scratch`.",
                },
                ParamDoc {
                    text: "[AS <name>]",
                    slot: Slot::ArgsFrom(1),
                    doc: "Names the stage for `COPY --from=<name>`, `FROM <name>` and `--target`.",
                },
            ],
        }],
        body: "Pin a tag (or a digest) rather than relying on `latest`. Name stages with \
               `AS name` and copy only their output into a slim final stage. Only global ARGs \
               (declared before the first FROM) can be used in a FROM line.",
        example: "FROM node:22-alpine AS builder\n\
                  RUN npm ci && npm run build\n\
                  FROM node:22-alpine\n\
                  COPY --from=builder /app/dist ./dist",
        snippets: &[
            Snippet {
                label: "FROM",
                body: "FROM ${1:image}",
            },
            Snippet {
                label: "FROM image AS name",
                body: "FROM ${1:image} AS ${2:name}",
            },
        ],
        flags: &[FLAG_PLATFORM],
        practice: Some(PRACTICE_MULTI_STAGE),
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::Healthcheck,
        name: "HEALTHCHECK",
        summary: "Tells the runtime how to test that the container still works.",
        forms: &[
            FormDoc {
                label: "HEALTHCHECK [OPTIONS] CMD <command>",
                style: FormStyle::Shell,
                params: &[
                    OPTIONS,
                    ParamDoc {
                        text: "CMD",
                        slot: Slot::Arg(0),
                        doc: "Introduces the check command.",
                    },
                    ParamDoc {
                        text: "<command>",
                        slot: Slot::ArgsFrom(1),
                        doc: "Runs inside the container: exit code 0 is healthy, 1 unhealthy. Shell or exec (JSON) form.",
                    },
                ],
            },
            FormDoc {
                label: "HEALTHCHECK NONE",
                style: FormStyle::None,
                params: &[ParamDoc {
                    text: "NONE",
                    slot: Slot::Arg(0),
                    doc: "Disables any check inherited from the base image.",
                }],
            },
        ],
        body: "After `--retries` failures in a row the container is marked unhealthy, which \
               Compose `depends_on` conditions and orchestrators act on. The probe must exist in \
               the image: alpine and busybox ship `wget`; distroless and scratch have neither \
               curl nor wget, so probe with the runtime itself.",
        example: "HEALTHCHECK --interval=30s --timeout=3s --retries=3 \\\n  \
                  CMD wget -qO- http://localhost:3000/health || exit 1",
        snippets: &[
            Snippet {
                label: "HEALTHCHECK",
                body: "HEALTHCHECK --interval=${1:30s} --timeout=${2:5s} CMD ${3:command}",
            },
            Snippet {
                label: "HEALTHCHECK NONE",
                body: "HEALTHCHECK NONE",
            },
        ],
        flags: &[
            FLAG_INTERVAL,
            FLAG_TIMEOUT,
            FLAG_START_PERIOD,
            FLAG_START_INTERVAL,
            FLAG_RETRIES,
        ],
        practice: Some(PRACTICE_HEALTH_CHECKS),
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::Label,
        name: "LABEL",
        summary: "Adds metadata to the image as key/value pairs.",
        forms: &[FormDoc {
            label: "LABEL <key>=<value> ...",
            style: FormStyle::Shell,
            params: &[ParamDoc {
                text: "<key>=<value> ...",
                slot: Slot::ArgsFrom(0),
                doc: "Pairs; quote values with spaces.",
            }],
        }],
        body: "Use the `org.opencontainers.image.*` keys, which registries and scanners \
               understand. Labels are inherited from the base image; a later label with the \
               same key replaces it.",
        example: "LABEL org.opencontainers.image.source=\"https://github.com/org/app\" \\\n      \
                  org.opencontainers.image.version=\"1.4.0\"",
        snippets: &[Snippet {
            label: "LABEL",
            body: "LABEL ${1:key}=\"${2:value}\"",
        }],
        flags: &[],
        practice: None,
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::Maintainer,
        name: "MAINTAINER",
        summary: "Deprecated: sets the image's author field.",
        forms: &[FormDoc {
            label: "MAINTAINER <name>",
            style: FormStyle::Shell,
            params: &[ParamDoc {
                text: "<name>",
                slot: Slot::ArgsFrom(0),
                doc: "The author.",
            }],
        }],
        body: "Write a label instead, which every tool reads like any other: \
               `LABEL org.opencontainers.image.authors=\"...\"`.",
        example: "LABEL org.opencontainers.image.authors=\"team@example.com\"",
        snippets: &[Snippet {
            label: "MAINTAINER",
            body: "MAINTAINER ${1:name}",
        }],
        flags: &[],
        practice: None,
        deprecated: true,
    },
    InstructionDoc {
        kind: InstructionKind::Onbuild,
        name: "ONBUILD",
        summary: "Registers an instruction to run when another build uses this image as its base.",
        forms: &[FormDoc {
            label: "ONBUILD <INSTRUCTION>",
            style: FormStyle::Shell,
            params: &[ParamDoc {
                text: "<INSTRUCTION>",
                slot: Slot::ArgsFrom(0),
                doc: "Any instruction except FROM, MAINTAINER and ONBUILD.",
            }],
        }],
        body: "The trigger runs in the child build right after its FROM, as if written there. \
               Triggers are invisible to whoever writes the child Dockerfile, so prefer \
               explicit instructions.",
        example: "ONBUILD COPY . /app/src\nONBUILD RUN make -C /app/src",
        snippets: &[Snippet {
            label: "ONBUILD",
            body: "ONBUILD ${1:INSTRUCTION}",
        }],
        flags: &[],
        practice: None,
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::Run,
        name: "RUN",
        summary: "Runs a command and stores its changes as a new layer.",
        forms: &[
            FormDoc {
                label: "RUN [OPTIONS] <command>",
                style: FormStyle::Shell,
                params: &[OPTIONS, COMMAND_PARAM],
            },
            FormDoc {
                label: "RUN [OPTIONS] [\"executable\", \"param\"...]",
                style: FormStyle::Exec,
                params: &[OPTIONS, EXECUTABLE_PARAM, JSON_PARAMS_PARAM],
            },
        ],
        body: "Chain related commands with `&&` and clean up in the same RUN (for example \
               `rm -rf /var/lib/apt/lists/*`): files deleted by a later layer still weigh in the \
               image. Cache package downloads with `--mount=type=cache` and read secrets with \
               `--mount=type=secret`. ARG and ENV values are in the command's environment.",
        example: "RUN apt-get update \\\n \
                  && apt-get install -y --no-install-recommends ca-certificates \\\n \
                  && rm -rf /var/lib/apt/lists/*",
        snippets: &[Snippet {
            label: "RUN",
            body: "RUN ${1:command}",
        }],
        flags: &[FLAG_MOUNT, FLAG_NETWORK, FLAG_SECURITY],
        practice: Some(PRACTICE_PYTHON),
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::Shell,
        name: "SHELL",
        summary: "Changes the shell used by the shell form of RUN, CMD and ENTRYPOINT.",
        forms: &[FormDoc {
            label: "SHELL [\"executable\", \"parameters\"...]",
            style: FormStyle::Exec,
            params: &[
                ParamDoc {
                    text: "\"executable\"",
                    slot: Slot::Json(0),
                    doc: "The shell program.",
                },
                ParamDoc {
                    text: "\"parameters\"...",
                    slot: Slot::JsonFrom(1),
                    doc: "Its options; the command line comes after them (usually `-c`).",
                },
            ],
        }],
        body: "Must be written in JSON form. It applies to the following instructions of the \
               stage. A common choice is bash with `-o pipefail`, so a failure early in a pipe \
               fails the build.",
        example: "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]",
        snippets: &[Snippet {
            label: "SHELL",
            body: "SHELL [\"${1:/bin/bash}\", \"${2:-o}\", \"${3:pipefail}\", \"${4:-c}\"]",
        }],
        flags: &[],
        practice: None,
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::Stopsignal,
        name: "STOPSIGNAL",
        summary: "Sets the signal that asks the container's main process to stop.",
        forms: &[FormDoc {
            label: "STOPSIGNAL <signal>",
            style: FormStyle::Shell,
            params: &[ParamDoc {
                text: "<signal>",
                slot: Slot::Arg(0),
                doc: "A name (`SIGQUIT`) or a number (`3`).",
            }],
        }],
        body: "The default is SIGTERM. Change it for programs that shut down gracefully on \
               another signal, as nginx does on SIGQUIT.",
        example: "STOPSIGNAL SIGQUIT",
        snippets: &[Snippet {
            label: "STOPSIGNAL",
            body: "STOPSIGNAL ${1:SIGTERM}",
        }],
        flags: &[],
        practice: None,
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::User,
        name: "USER",
        summary: "Sets the user (and group) for the following instructions and for containers.",
        forms: &[
            FormDoc {
                label: "USER <user>[:<group>]",
                style: FormStyle::Shell,
                params: &[ParamDoc {
                    text: "<user>[:<group>]",
                    slot: Slot::Arg(0),
                    doc: "A user name that exists in the image, with an optional group.",
                }],
            },
            FormDoc {
                label: "USER <UID>[:<GID>]",
                style: FormStyle::Numeric,
                params: &[ParamDoc {
                    text: "<UID>[:<GID>]",
                    slot: Slot::Arg(0),
                    doc: "Numeric IDs: they work even where the name is unknown (distroless, scratch).",
                }],
            },
        ],
        body: "Create a system user with a fixed UID/GID and switch to it before CMD, so the \
               application does not run as root. RUN, CMD and ENTRYPOINT after it run as that \
               user.",
        example: "RUN addgroup -g 1001 -S app && adduser -S -u 1001 -G app app\nUSER app",
        snippets: &[Snippet {
            label: "USER",
            body: "USER ${1:user}",
        }],
        flags: &[],
        practice: Some(PRACTICE_NON_ROOT),
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::Volume,
        name: "VOLUME",
        summary: "Declares a mount point whose data lives outside the container's writable layer.",
        forms: &[
            FormDoc {
                label: "VOLUME [\"<path>\", ...]",
                style: FormStyle::Exec,
                params: &[ParamDoc {
                    text: "\"<path>\", ...",
                    slot: Slot::JsonFrom(0),
                    doc: "Paths inside the container, as JSON strings.",
                }],
            },
            FormDoc {
                label: "VOLUME <path> ...",
                style: FormStyle::Shell,
                params: &[ParamDoc {
                    text: "<path> ...",
                    slot: Slot::ArgsFrom(0),
                    doc: "Paths inside the container.",
                }],
            },
        ],
        body: "Unless a named volume or a bind mount is given at run time, Docker creates an \
               anonymous volume there, which is easy to lose track of. Declaring volumes in \
               Compose, where they get names, is usually clearer.",
        example: "VOLUME /var/lib/app/data",
        snippets: &[Snippet {
            label: "VOLUME",
            body: "VOLUME ${1:/data}",
        }],
        flags: &[],
        practice: None,
        deprecated: false,
    },
    InstructionDoc {
        kind: InstructionKind::Workdir,
        name: "WORKDIR",
        summary: "Sets the working directory of the following instructions and of containers.",
        forms: &[FormDoc {
            label: "WORKDIR <path>",
            style: FormStyle::Shell,
            params: &[ParamDoc {
                text: "<path>",
                slot: Slot::Arg(0),
                doc: "An absolute path (a relative one is resolved against the previous WORKDIR).",
            }],
        }],
        body: "The directory is created when missing. Prefer it to `RUN cd ...`, which only \
               lasts for that RUN, and use absolute paths so the result does not depend on the \
               base image.",
        example: "WORKDIR /app\nCOPY . .",
        snippets: &[Snippet {
            label: "WORKDIR",
            body: "WORKDIR ${1:/app}",
        }],
        flags: &[],
        practice: None,
        deprecated: false,
    },
];

// ---- RUN --mount ----

/// The mount types, `bind` (the default) first.
pub const MOUNT_TYPES: &[MountTypeDoc] = &[
    MountTypeDoc {
        name: "bind",
        summary: "Shows files of the build context, a stage or an image (read-only by default).",
        body: "The default type. Mounting the context avoids a COPY layer for files needed \
               only by one command; `rw` allows writes, which are thrown away afterwards.",
        keys: &["target", "source", "from", "rw"],
        snippet: "--mount=type=bind,source=${1:.},target=${2:/src}",
    },
    MountTypeDoc {
        name: "cache",
        summary: "A directory kept between builds: package manager and compiler caches.",
        body: "The content never ends up in the image, so installs stay fast without bloating \
               layers. Mounts with the same `id` (the target by default) share one cache; \
               `sharing` says how concurrent builds use it.",
        keys: &[
            "target", "id", "sharing", "readonly", "from", "source", "mode", "uid", "gid",
        ],
        snippet: "--mount=type=cache,target=${1:/root/.cache}",
    },
    MountTypeDoc {
        name: "secret",
        summary: "Exposes a secret (`docker build --secret id=...`) to this command only.",
        body: "The secret appears as a file (`/run/secrets/<id>` by default) or, with `env=`, \
               as an environment variable, and is never written to a layer or the history.",
        keys: &["id", "target", "env", "required", "mode", "uid", "gid"],
        snippet: "--mount=type=secret,id=${1:name}",
    },
    MountTypeDoc {
        name: "ssh",
        summary: "Forwards an SSH agent (`docker build --ssh default`) to this command.",
        body: "Lets `git clone` or package managers reach private repositories without copying \
               keys into the image.",
        keys: &["id", "target", "required", "mode", "uid", "gid"],
        snippet: "--mount=type=ssh",
    },
    MountTypeDoc {
        name: "tmpfs",
        summary: "An empty in-memory filesystem for scratch files.",
        body: "Its content disappears when the command ends.",
        keys: &["target", "size"],
        snippet: "--mount=type=tmpfs,target=${1:/tmp}",
    },
];

/// Common cache locations, offered for `target=` of cache mounts.
const CACHE_TARGETS: &[ValueDoc] = &[
    ValueDoc {
        value: "/root/.npm",
        summary: "npm's download cache.",
    },
    ValueDoc {
        value: "/root/.cache/pip",
        summary: "pip's download and wheel cache.",
    },
    ValueDoc {
        value: "/root/.cache/uv",
        summary: "uv's cache.",
    },
    ValueDoc {
        value: "/var/cache/apt",
        summary: "apt's downloaded packages (pair with `sharing=locked`).",
    },
    ValueDoc {
        value: "/var/lib/apt",
        summary: "apt's package lists (pair with `sharing=locked`).",
    },
    ValueDoc {
        value: "/root/.cache/go-build",
        summary: "Go's build cache.",
    },
    ValueDoc {
        value: "/go/pkg/mod",
        summary: "Go's module cache (official golang images).",
    },
    ValueDoc {
        value: "/usr/local/cargo/registry",
        summary: "Cargo's registry cache (official rust images).",
    },
    ValueDoc {
        value: "/root/.m2",
        summary: "Maven's local repository.",
    },
    ValueDoc {
        value: "/root/.gradle",
        summary: "Gradle's caches.",
    },
    ValueDoc {
        value: "/usr/local/share/.cache/yarn",
        summary: "Yarn (classic) cache.",
    },
    ValueDoc {
        value: "/root/.local/share/pnpm/store",
        summary: "pnpm's content-addressable store.",
    },
];

/// The keys of `--mount` values.
pub const MOUNT_KEYS: &[MountKeyDoc] = &[
    MountKeyDoc {
        name: "type",
        aliases: &[],
        syntax: "type=<bind|cache|secret|ssh|tmpfs>",
        summary: "The kind of mount; `bind` when left out.",
        values: &[],
    },
    MountKeyDoc {
        name: "target",
        aliases: &["dst", "destination"],
        syntax: "target=<path>",
        summary: "Where the mount appears in the build container. Required for bind, cache \
                  and tmpfs; secrets default to `/run/secrets/<id>`.",
        values: CACHE_TARGETS,
    },
    MountKeyDoc {
        name: "source",
        aliases: &["src"],
        syntax: "source=<path>",
        summary: "The path to mount inside `from` (the context by default); defaults to its root.",
        values: &[],
    },
    MountKeyDoc {
        name: "from",
        aliases: &[],
        syntax: "from=<stage|image>",
        summary: "A stage or image to mount from instead of the build context (for cache \
                  mounts: the initial content). Variables are not expanded here.",
        values: &[],
    },
    MountKeyDoc {
        name: "readonly",
        aliases: &["ro"],
        syntax: "readonly[=<bool>]",
        summary: "Mounts read-only. Bind and secret mounts already are; cache mounts are \
                  writable unless this is set.",
        values: BOOLEAN_VALUES,
    },
    MountKeyDoc {
        name: "rw",
        aliases: &["readwrite"],
        syntax: "rw[=<bool>]",
        summary: "Allows writes to a bind mount; they are discarded when the command ends.",
        values: BOOLEAN_VALUES,
    },
    MountKeyDoc {
        name: "id",
        aliases: &[],
        syntax: "id=<name>",
        summary: "For cache mounts, the cache's identity (the target by default); for secret \
                  and ssh mounts, which secret or agent socket to use.",
        values: &[],
    },
    MountKeyDoc {
        name: "sharing",
        aliases: &[],
        syntax: "sharing=<shared|private|locked>",
        summary: "How concurrent builds use one cache mount.",
        values: &[
            ValueDoc {
                value: "shared",
                summary: "The default: every build uses the cache at the same time.",
            },
            ValueDoc {
                value: "private",
                summary: "A concurrent build gets a fresh cache of its own.",
            },
            ValueDoc {
                value: "locked",
                summary: "Builds wait for each other: right for apt and other tools that lock their cache.",
            },
        ],
    },
    MountKeyDoc {
        name: "mode",
        aliases: &[],
        syntax: "mode=<octal>",
        summary: "File mode of the mount: defaults are 0755 for cache, 0400 for secret and \
                  0600 for ssh.",
        values: &[
            ValueDoc {
                value: "0755",
                summary: "Readable by everyone.",
            },
            ValueDoc {
                value: "0444",
                summary: "Read-only for everyone (a secret read by a non-root user).",
            },
            ValueDoc {
                value: "0400",
                summary: "Readable by the owner only.",
            },
            ValueDoc {
                value: "0600",
                summary: "Read and write for the owner only.",
            },
        ],
    },
    MountKeyDoc {
        name: "uid",
        aliases: &[],
        syntax: "uid=<id>",
        summary: "Owner user ID of the mount (default 0) for cache, secret and ssh mounts.",
        values: &[
            ValueDoc {
                value: "1001",
                summary: "The fixed UID our guide recommends for the app user.",
            },
            ValueDoc {
                value: "1000",
                summary: "The first regular user of many images.",
            },
            ValueDoc {
                value: "0",
                summary: "root (the default).",
            },
        ],
    },
    MountKeyDoc {
        name: "gid",
        aliases: &[],
        syntax: "gid=<id>",
        summary: "Owner group ID of the mount (default 0) for cache, secret and ssh mounts.",
        values: &[
            ValueDoc {
                value: "1001",
                summary: "The fixed GID our guide recommends for the app group.",
            },
            ValueDoc {
                value: "1000",
                summary: "The first regular group of many images.",
            },
            ValueDoc {
                value: "0",
                summary: "root (the default).",
            },
        ],
    },
    MountKeyDoc {
        name: "size",
        aliases: &[],
        syntax: "size=<bytes>",
        summary: "Upper limit of a tmpfs mount's size.",
        values: &[],
    },
    MountKeyDoc {
        name: "required",
        aliases: &[],
        syntax: "required[=<bool>]",
        summary: "Fails the build when the secret or SSH agent is not provided (by default the \
                  command runs without it).",
        values: BOOLEAN_VALUES,
    },
    MountKeyDoc {
        name: "env",
        aliases: &[],
        syntax: "env=<NAME>",
        summary: "Exposes the secret as this environment variable instead of (or as well as) a \
                  file.",
        values: &[],
    },
];

/// Values of `type=`, with their summaries.
pub fn mount_type_values() -> impl Iterator<Item = ValueDoc> {
    MOUNT_TYPES.iter().map(|t| ValueDoc {
        value: t.name,
        summary: t.summary,
    })
}

// ---- Directives ----

/// BuildKit's build checks, for `# check=skip=`.
pub const BUILD_CHECKS: &[&str] = &[
    "ConsistentInstructionCasing",
    "CopyIgnoredFile",
    "DuplicateStageName",
    "ExposeInvalidFormat",
    "ExposeProtoCasing",
    "FromAsCasing",
    "FromPlatformFlagConstDisallowed",
    "InvalidBaseImagePlatform",
    "InvalidDefaultArgInFrom",
    "InvalidDefinitionDescription",
    "JSONArgsRecommended",
    "LegacyKeyValueFormat",
    "MaintainerDeprecated",
    "MultipleInstructionsDisallowed",
    "NoEmptyContinuation",
    "RedundantTargetPlatform",
    "ReservedStageName",
    "SecretsUsedInArgOrEnv",
    "StageNameCasing",
    "UndefinedArgInFrom",
    "UndefinedVar",
    "WorkdirRelativePath",
];

/// The parser directives.
pub const DIRECTIVES: &[DirectiveDoc] = &[
    DirectiveDoc {
        name: "syntax",
        syntax: "# syntax=<frontend image>",
        summary: "Chooses the Dockerfile frontend (parser version) BuildKit builds with.",
        body: "`docker/dockerfile:1` always uses the latest stable 1.x syntax, so new flags \
               work whatever the Docker version; pin `1.N` for fully reproducible parsing, or \
               use `1-labs` for experimental features.",
        example: "# syntax=docker/dockerfile:1\nFROM alpine:3.22",
        snippet: "# syntax=${1:docker/dockerfile:1}",
        values: &[
            ValueDoc {
                value: "docker/dockerfile:1",
                summary: "The latest stable 1.x syntax (recommended).",
            },
            ValueDoc {
                value: "docker/dockerfile:1-labs",
                summary: "Stable syntax plus experimental features.",
            },
            ValueDoc {
                value: "docker/dockerfile-upstream:master",
                summary: "Unreleased development builds: for testing only.",
            },
        ],
    },
    DirectiveDoc {
        name: "escape",
        syntax: "# escape=<\\ or `>",
        summary: "Sets the character that escapes characters and continues lines.",
        body: "The default is a backslash. A backtick suits Windows images, where backslashes \
               separate path components.",
        example: "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n    C:\\",
        snippet: "# escape=${1|`,\\\\|}",
        values: &[
            ValueDoc {
                value: "\\",
                summary: "Backslash: the default.",
            },
            ValueDoc {
                value: "`",
                summary: "Backtick: convenient for Windows paths.",
            },
        ],
    },
    DirectiveDoc {
        name: "check",
        syntax: "# check=skip=<checks|all>[;error=<bool>]",
        summary: "Configures BuildKit's build checks for this file.",
        body: "`skip=` lists checks to turn off (comma-separated) or `all`; `error=true` makes \
               check violations fail the build; `experimental=` turns on experimental checks. \
               Separate options with `;`.",
        example: "# check=skip=JSONArgsRecommended,StageNameCasing;error=true",
        snippet: "# check=${1|skip=,error=true|}",
        values: &[
            ValueDoc {
                value: "skip=",
                summary: "Checks to turn off, comma-separated, or `all`.",
            },
            ValueDoc {
                value: "error=true",
                summary: "Fail the build when a check reports a problem.",
            },
            ValueDoc {
                value: "experimental=all",
                summary: "Also run experimental checks.",
            },
        ],
    },
];

// ---- Images ----

/// Common base images and tags, offered after `FROM` (no network access: an offline list).
pub const BASE_IMAGES: &[ImageDoc] = &[
    ImageDoc {
        name: "alpine",
        summary: "Minimal musl-based Linux (about 8 MB) with the apk package manager.",
        tags: &["3.22", "3.21", "3.20", "latest"],
    },
    ImageDoc {
        name: "debian",
        summary: "Debian; `-slim` tags drop documentation and rarely needed files.",
        tags: &["bookworm-slim", "bookworm", "trixie-slim", "trixie"],
    },
    ImageDoc {
        name: "ubuntu",
        summary: "Ubuntu LTS releases.",
        tags: &["24.04", "22.04", "noble", "jammy"],
    },
    ImageDoc {
        name: "node",
        summary: "Node.js with npm and yarn; `-alpine` and `-slim` for small images.",
        tags: &[
            "22-alpine",
            "22-slim",
            "22",
            "24-alpine",
            "24-slim",
            "24",
            "20-alpine",
            "20-slim",
            "lts-alpine",
        ],
    },
    ImageDoc {
        name: "python",
        summary: "CPython with pip; prefer the `-slim` tags.",
        tags: &[
            "3.13-slim",
            "3.13-alpine",
            "3.13",
            "3.12-slim",
            "3.12-alpine",
            "3.12",
            "3.11-slim",
        ],
    },
    ImageDoc {
        name: "golang",
        summary: "The Go toolchain: a build stage image, not a runtime.",
        tags: &[
            "1.24-alpine",
            "1.24",
            "1.24-bookworm",
            "1.23-alpine",
            "1.23",
        ],
    },
    ImageDoc {
        name: "rust",
        summary: "The Rust toolchain (rustup, cargo): a build stage image.",
        tags: &["1-slim", "1-alpine", "1", "1-bookworm", "slim-bookworm"],
    },
    ImageDoc {
        name: "nginx",
        summary: "The nginx web server and reverse proxy.",
        tags: &["stable-alpine", "stable", "mainline-alpine", "alpine"],
    },
    ImageDoc {
        name: "postgres",
        summary: "PostgreSQL server.",
        tags: &["17-alpine", "17", "16-alpine", "16", "15-alpine"],
    },
    ImageDoc {
        name: "redis",
        summary: "Redis in-memory data store.",
        tags: &["7-alpine", "7", "8-alpine", "8"],
    },
    ImageDoc {
        name: "eclipse-temurin",
        summary: "OpenJDK builds by Adoptium; `-jre` tags for runtimes.",
        tags: &[
            "21-jre-alpine",
            "21-jre",
            "21-jdk",
            "21-jdk-alpine",
            "17-jre",
            "17-jdk",
        ],
    },
    ImageDoc {
        name: "busybox",
        summary: "A tiny userland (sh, wget, ...) in a single binary.",
        tags: &["stable", "musl", "latest"],
    },
    ImageDoc {
        name: "php",
        summary: "PHP with FPM, Apache or CLI variants.",
        tags: &["8.4-fpm-alpine", "8.3-fpm-alpine", "8.3-apache", "8.3-cli"],
    },
    ImageDoc {
        name: "ruby",
        summary: "Ruby with bundler.",
        tags: &["3.4-slim", "3.4-alpine", "3.3-slim"],
    },
    ImageDoc {
        name: "mysql",
        summary: "MySQL server.",
        tags: &["8.4", "8.0"],
    },
    ImageDoc {
        name: "mariadb",
        summary: "MariaDB server.",
        tags: &["lts", "11"],
    },
    ImageDoc {
        name: "mongo",
        summary: "MongoDB server.",
        tags: &["8", "7"],
    },
    ImageDoc {
        name: "httpd",
        summary: "The Apache HTTP server.",
        tags: &["2.4-alpine", "2.4"],
    },
    ImageDoc {
        name: "maven",
        summary: "Maven with a JDK: a build stage image.",
        tags: &["3-eclipse-temurin-21", "3-eclipse-temurin-17"],
    },
    ImageDoc {
        name: "gradle",
        summary: "Gradle with a JDK: a build stage image.",
        tags: &["jdk21", "jdk17"],
    },
    ImageDoc {
        name: "oven/bun",
        summary: "The Bun JavaScript runtime.",
        tags: &["1", "1-alpine", "1-slim"],
    },
    ImageDoc {
        name: "gcr.io/distroless/static-debian12",
        summary: "No shell, no package manager: only CA certificates and tzdata. For static binaries.",
        tags: &["nonroot", "latest", "debug"],
    },
    ImageDoc {
        name: "gcr.io/distroless/base-debian12",
        summary: "Distroless with glibc and OpenSSL, for dynamically linked binaries.",
        tags: &["nonroot", "latest", "debug"],
    },
    ImageDoc {
        name: "gcr.io/distroless/cc-debian12",
        summary: "Distroless with the C/C++ runtime libraries (Rust binaries).",
        tags: &["nonroot", "latest"],
    },
    ImageDoc {
        name: "gcr.io/distroless/nodejs22-debian12",
        summary: "Distroless Node.js 22: the entrypoint is node itself.",
        tags: &["nonroot", "latest"],
    },
    ImageDoc {
        name: "gcr.io/distroless/python3-debian12",
        summary: "Distroless Python 3.",
        tags: &["nonroot", "latest"],
    },
    ImageDoc {
        name: "gcr.io/distroless/java21-debian12",
        summary: "Distroless Java 21 runtime.",
        tags: &["nonroot", "latest"],
    },
    ImageDoc {
        name: "mcr.microsoft.com/dotnet/aspnet",
        summary: "The ASP.NET Core runtime.",
        tags: &["9.0", "8.0", "8.0-alpine"],
    },
    ImageDoc {
        name: "mcr.microsoft.com/dotnet/sdk",
        summary: "The .NET SDK: a build stage image.",
        tags: &["9.0", "8.0"],
    },
];

/// The `scratch` pseudo-image.
pub const SCRATCH: ImageDoc = ImageDoc {
    name: "scratch",
    summary: "An empty filesystem: for static binaries copied from a build stage.",
    tags: &[],
};

/// The image annotations of the OCI image spec, for LABEL.
pub const OCI_LABELS: &[LabelDoc] = &[
    LabelDoc {
        key: "org.opencontainers.image.title",
        summary: "A human-readable title of the image.",
    },
    LabelDoc {
        key: "org.opencontainers.image.description",
        summary: "A human-readable description of the software in the image.",
    },
    LabelDoc {
        key: "org.opencontainers.image.version",
        summary: "The version of the packaged software.",
    },
    LabelDoc {
        key: "org.opencontainers.image.revision",
        summary: "The source control revision (commit) the image was built from.",
    },
    LabelDoc {
        key: "org.opencontainers.image.source",
        summary: "The URL of the source code the image was built from.",
    },
    LabelDoc {
        key: "org.opencontainers.image.url",
        summary: "Where to find more information about the image.",
    },
    LabelDoc {
        key: "org.opencontainers.image.documentation",
        summary: "Where to find the image's documentation.",
    },
    LabelDoc {
        key: "org.opencontainers.image.authors",
        summary: "Who maintains the image (replaces MAINTAINER).",
    },
    LabelDoc {
        key: "org.opencontainers.image.vendor",
        summary: "The organization that distributes the image.",
    },
    LabelDoc {
        key: "org.opencontainers.image.licenses",
        summary: "The licenses of the contents, as an SPDX expression (`MIT OR Apache-2.0`).",
    },
    LabelDoc {
        key: "org.opencontainers.image.created",
        summary: "When the image was built (RFC 3339 date and time).",
    },
    LabelDoc {
        key: "org.opencontainers.image.base.name",
        summary: "The reference of the base image.",
    },
    LabelDoc {
        key: "org.opencontainers.image.base.digest",
        summary: "The digest of the base image.",
    },
];

/// Signals for STOPSIGNAL.
pub const SIGNALS: &[ValueDoc] = &[
    ValueDoc {
        value: "SIGTERM",
        summary: "The default: ask the process to terminate.",
    },
    ValueDoc {
        value: "SIGQUIT",
        summary: "Graceful shutdown for nginx and some other servers.",
    },
    ValueDoc {
        value: "SIGINT",
        summary: "Like Ctrl-C; some runtimes shut down gracefully on it.",
    },
    ValueDoc {
        value: "SIGHUP",
        summary: "Hang-up.",
    },
    ValueDoc {
        value: "SIGUSR1",
        summary: "User-defined signal 1.",
    },
    ValueDoc {
        value: "SIGKILL",
        summary: "Kill at once, with no chance to clean up.",
    },
];

/// What BuildKit sets each platform ARG to.
pub fn platform_arg_summary(name: &str) -> Option<&'static str> {
    Some(match name {
        "TARGETPLATFORM" => "The platform being built for, such as `linux/arm64`.",
        "TARGETOS" => "The OS of the platform being built for, such as `linux`.",
        "TARGETARCH" => "The architecture being built for, such as `amd64` or `arm64`.",
        "TARGETVARIANT" => "The variant of the target architecture, such as `v7` (often empty).",
        "BUILDPLATFORM" => "The platform of the machine running the build.",
        "BUILDOS" => "The OS of the machine running the build.",
        "BUILDARCH" => "The architecture of the machine running the build.",
        "BUILDVARIANT" => "The variant of the build machine's architecture.",
        _ => return None,
    })
}

/// Explains the proxy ARGs.
pub const PROXY_ARG_SUMMARY: &str = "A predefined proxy argument: usable without `ARG`, set \
    with `--build-arg`, and kept out of the image history.";

// ---- Lookups ----

/// The documentation of an instruction.
pub fn instruction(kind: InstructionKind) -> Option<&'static InstructionDoc> {
    INSTRUCTIONS.iter().find(|doc| doc.kind == kind)
}

/// The documentation of a flag (name without dashes) of an instruction.
pub fn flag(kind: InstructionKind, name: &str) -> Option<&'static FlagDoc> {
    instruction(kind)?.flags.iter().find(|f| f.name == name)
}

/// A mount type by name (case-insensitive, as BuildKit reads it).
pub fn mount_type(name: &str) -> Option<&'static MountTypeDoc> {
    MOUNT_TYPES
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name))
}

/// A mount key by name or alias (case-insensitive, as BuildKit reads it).
pub fn mount_key(name: &str) -> Option<&'static MountKeyDoc> {
    MOUNT_KEYS.iter().find(|k| {
        k.name.eq_ignore_ascii_case(name) || k.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// A parser directive by name (case-insensitive, as BuildKit reads it).
pub fn directive(name: &str) -> Option<&'static DirectiveDoc> {
    DIRECTIVES
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(name))
}

/// A base image of [`BASE_IMAGES`] by name; Docker Hub's `library/` and `docker.io/`
/// prefixes are ignored.
pub fn base_image(name: &str) -> Option<&'static ImageDoc> {
    let short = name
        .strip_prefix("docker.io/")
        .or_else(|| name.strip_prefix("index.docker.io/"))
        .unwrap_or(name);
    let short = short.strip_prefix("library/").unwrap_or(short);
    BASE_IMAGES
        .iter()
        .chain(std::iter::once(&SCRATCH))
        .find(|image| image.name == short)
}

/// An OCI label by key.
pub fn label(key: &str) -> Option<&'static LabelDoc> {
    OCI_LABELS.iter().find(|l| l.key == key)
}

// ---- Markdown ----

fn push_code_block(out: &mut String, code: &str) {
    let _ = write!(out, "```dockerfile\n{code}\n```\n");
}

fn push_practice(out: &mut String, practice: Option<Practice>) {
    if let Some(p) = practice {
        let _ = write!(out, "\nGuide: practices.md {} ({}).\n", p.section, p.title);
    }
}

fn push_values(out: &mut String, values: &[ValueDoc]) {
    if values.is_empty() {
        return;
    }
    out.push_str("\nValues:\n");
    for value in values {
        let _ = writeln!(out, "- `{}`: {}", value.value, value.summary);
    }
}

impl InstructionDoc {
    /// The page shown on hover and in completion details.
    pub fn markdown(&self) -> String {
        let mut out = String::with_capacity(512);
        let forms: Vec<&str> = self.forms.iter().map(|f| f.label).collect();
        push_code_block(&mut out, &forms.join("\n"));
        out.push('\n');
        if self.deprecated {
            out.push_str("**Deprecated.** ");
        }
        out.push_str(self.summary);
        out.push_str("\n\n");
        out.push_str(self.body);
        out.push_str("\n\n");
        push_code_block(&mut out, self.example);
        if !self.flags.is_empty() {
            let names: Vec<String> = self
                .flags
                .iter()
                .map(|f| format!("`--{}`", f.name))
                .collect();
            let _ = writeln!(out, "\nFlags: {}.", names.join(", "));
        }
        push_practice(&mut out, self.practice);
        out
    }
}

impl FlagDoc {
    /// The page shown on hover, `instruction` being the keyword it belongs to.
    pub fn markdown(&self, instruction: &str) -> String {
        let mut out = String::with_capacity(384);
        push_code_block(&mut out, &format!("{instruction} {}", self.syntax));
        let _ = write!(out, "\n{}\n\n{}\n", self.summary, self.body);
        push_values(&mut out, self.values);
        push_practice(&mut out, self.practice);
        out
    }
}

impl MountTypeDoc {
    pub fn markdown(&self) -> String {
        let mut out = String::with_capacity(256);
        push_code_block(&mut out, &format!("RUN --mount=type={}", self.name));
        let _ = write!(out, "\n{}\n\n{}\n", self.summary, self.body);
        let keys: Vec<String> = self.keys.iter().map(|k| format!("`{k}`")).collect();
        let _ = writeln!(out, "\nKeys: {}.", keys.join(", "));
        out
    }
}

impl MountKeyDoc {
    pub fn markdown(&self) -> String {
        let mut out = String::with_capacity(256);
        push_code_block(&mut out, &format!("RUN --mount={}", self.syntax));
        let _ = writeln!(out, "\n{}", self.summary);
        if !self.aliases.is_empty() {
            let aliases: Vec<String> = self.aliases.iter().map(|a| format!("`{a}`")).collect();
            let _ = writeln!(out, "\nAlso written {}.", aliases.join(", "));
        }
        let values: Vec<ValueDoc> = if self.name == "type" {
            mount_type_values().collect()
        } else {
            self.values.to_vec()
        };
        push_values(&mut out, &values);
        out
    }
}

impl DirectiveDoc {
    pub fn markdown(&self) -> String {
        let mut out = String::with_capacity(384);
        push_code_block(&mut out, self.syntax);
        let _ = write!(
            out,
            "\n{}\n\n{}\n\nA parser directive: it must come before any other line, \
             comment or blank line included.\n\n",
            self.summary, self.body
        );
        push_code_block(&mut out, self.example);
        push_values(&mut out, self.values);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_instruction_is_documented_in_order() {
        assert_eq!(INSTRUCTIONS.len(), InstructionKind::ALL.len());
        for (doc, kind) in INSTRUCTIONS.iter().zip(InstructionKind::ALL) {
            assert_eq!(doc.kind, kind);
            assert_eq!(Some(doc.name), kind.name());
            assert!(!doc.forms.is_empty(), "{} has no forms", doc.name);
            assert!(!doc.snippets.is_empty(), "{} has no snippet", doc.name);
            assert!(
                doc.snippets[0].body.starts_with(doc.name),
                "{}: snippets start with the keyword",
                doc.name
            );
            assert!(!doc.summary.is_empty() && !doc.body.is_empty() && !doc.example.is_empty());
        }
        assert!(instruction(InstructionKind::Maintainer).unwrap().deprecated);
        assert_eq!(
            INSTRUCTIONS.iter().filter(|d| d.deprecated).count(),
            1,
            "only MAINTAINER is deprecated"
        );
        assert!(instruction(InstructionKind::Unknown).is_none());
    }

    #[test]
    fn form_parameters_are_found_in_order_in_their_labels() {
        for doc in INSTRUCTIONS {
            for form in doc.forms {
                assert!(form.label.starts_with(doc.name), "{}", form.label);
                let mut from = 0;
                for param in form.params {
                    let at = form.label[from..]
                        .find(param.text)
                        .unwrap_or_else(|| panic!("{:?} not in {:?}", param.text, form.label));
                    from += at + param.text.len();
                }
            }
        }
    }

    #[test]
    fn flags_match_buildkit() {
        let names = |kind| -> Vec<&str> {
            instruction(kind)
                .unwrap()
                .flags
                .iter()
                .map(|f| f.name)
                .collect()
        };
        assert_eq!(
            names(InstructionKind::Copy),
            ["from", "chown", "chmod", "link", "parents", "exclude"]
        );
        assert_eq!(
            names(InstructionKind::Add),
            [
                "chown",
                "chmod",
                "link",
                "exclude",
                "checksum",
                "keep-git-dir",
                "unpack"
            ]
        );
        assert_eq!(
            names(InstructionKind::Run),
            ["mount", "network", "security"]
        );
        assert_eq!(names(InstructionKind::From), ["platform"]);
        assert_eq!(
            names(InstructionKind::Healthcheck),
            [
                "interval",
                "timeout",
                "start-period",
                "start-interval",
                "retries"
            ]
        );
        for kind in InstructionKind::ALL {
            for flag in instruction(kind).unwrap().flags {
                assert!(flag.syntax.starts_with(&format!("--{}", flag.name)));
                assert!(flag.snippet.starts_with(&format!("--{}", flag.name)));
            }
        }
        assert!(flag(InstructionKind::Run, "mount").unwrap().repeatable);
        assert!(flag(InstructionKind::Copy, "exclude").unwrap().repeatable);
        assert!(!flag(InstructionKind::Copy, "from").unwrap().repeatable);
        assert!(flag(InstructionKind::Add, "from").is_none());
    }

    #[test]
    fn mount_types_list_documented_keys() {
        for mount in MOUNT_TYPES {
            for key in mount.keys {
                let doc = mount_key(key).unwrap_or_else(|| panic!("{key} undocumented"));
                assert_eq!(doc.name, *key, "types list canonical names");
            }
        }
        assert_eq!(mount_key("dst").map(|k| k.name), Some("target"));
        assert_eq!(mount_key("Destination").map(|k| k.name), Some("target"));
        assert_eq!(mount_key("src").map(|k| k.name), Some("source"));
        assert_eq!(mount_key("ro").map(|k| k.name), Some("readonly"));
        assert_eq!(mount_key("readwrite").map(|k| k.name), Some("rw"));
        assert_eq!(mount_type("CACHE").map(|t| t.name), Some("cache"));
        assert!(mount_key("bind-propagation").is_none());
        assert_eq!(mount_type_values().count(), 5);
    }

    #[test]
    fn directives_and_images() {
        assert_eq!(directive("Syntax").map(|d| d.name), Some("syntax"));
        assert!(directive("nope").is_none());
        assert_eq!(base_image("library/node").map(|i| i.name), Some("node"));
        assert_eq!(
            base_image("docker.io/library/python").map(|i| i.name),
            Some("python")
        );
        assert_eq!(base_image("scratch").map(|i| i.name), Some("scratch"));
        assert!(base_image("gcr.io/distroless/static-debian12").is_some());
        assert!(label("org.opencontainers.image.source").is_some());
        assert!(BUILD_CHECKS.windows(2).all(|w| w[0] < w[1]), "sorted");
    }

    #[test]
    fn markdown_pages_render() {
        let run = instruction(InstructionKind::Run).unwrap().markdown();
        assert!(run.starts_with("```dockerfile\nRUN [OPTIONS] <command>\n"));
        assert!(run.contains("`--mount`"));
        assert!(run.contains("practices.md §2.3"));
        let maintainer = instruction(InstructionKind::Maintainer).unwrap().markdown();
        assert!(maintainer.contains("**Deprecated.**"));
        let network = flag(InstructionKind::Run, "network")
            .unwrap()
            .markdown("RUN");
        assert!(network.contains("RUN --network=<default|none|host>"));
        assert!(network.contains("- `none`:"));
        let key = mount_key("type").unwrap().markdown();
        assert!(key.contains("- `cache`:"));
        let target = mount_key("target").unwrap().markdown();
        assert!(target.contains("Also written `dst`, `destination`."));
        assert!(mount_type("secret").unwrap().markdown().contains("`env`"));
        assert!(
            directive("escape")
                .unwrap()
                .markdown()
                .contains("parser directive")
        );
    }
}
