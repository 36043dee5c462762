use super::stages::from_instructions;
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::ast::FromInstr;

declare_rule! {
    /// ## What it does
    /// Reports `FROM --platform=` with a constant platform such as `linux/amd64`.
    ///
    /// As in BuildKit, a platform built from variables is fine, and so is a constant whose
    /// operating system or architecture appears in the stage's name (`AS builder-amd64`),
    /// which says the stage is meant for that platform.
    ///
    /// ## Why is this bad?
    /// A constant platform pins the stage to one architecture. In a multi-platform build
    /// (`--platform linux/amd64,linux/arm64`) every target then gets the same stage: the arm64
    /// image ends up with amd64 binaries, or the stage runs under slow emulation. Build stages
    /// should run on `$BUILDPLATFORM` and cross-compile for `$TARGETARCH`; the final stage
    /// should follow the requested platform.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 golang:1.23 AS build
    /// RUN go build -o /out/app .
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM golang:1.23 AS build
    /// ARG TARGETOS TARGETARCH
    /// RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe. In a build stage the fix uses `--platform=$BUILDPLATFORM`, which is right only
    /// if the stage's commands cross-compile with `TARGETOS`/`TARGETARCH`; in the last stage
    /// it removes the flag, so the image follows the requested platform. Either changes what
    /// runs where.
    ///
    /// ## References
    /// - practices.md §4.3 (multi-architecture builds)
    /// - BuildKit check FromPlatformFlagConstDisallowed: <https://docs.docker.com/reference/build-checks/from-platform-flag-const-disallowed/>
    pub const FROM_PLATFORM_CONSTANT = {
        code: "DF034",
        name: "from-platform-constant",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let last = ctx.model.stages.len().saturating_sub(1);
    let mut froms = None;
    for stage in &ctx.model.stages {
        if !ctx.should_check(stage.from_range.start) {
            continue;
        }
        let Some(platform) = &stage.platform else {
            continue;
        };
        // Any variable, even one without a value, makes the value not a constant.
        if !platform.expanded.used.is_empty() || !platform.expanded.errors.is_empty() {
            continue;
        }
        let value = platform.expanded.text.as_str();
        let Some((os, arch)) = parse_platform(value) else {
            continue;
        };
        let name = stage.name.as_ref().map_or("", |n| n.lowercase.as_str());
        let named_for_it = name.contains(&os)
            || match &arch {
                Some(arch) => name.contains(arch.as_str()),
                // `--platform=linux` takes the builder's architecture.
                None => KNOWN_ARCHES.iter().any(|a| name.contains(a)),
            };
        if named_for_it {
            continue;
        }
        let froms = froms.get_or_insert_with(|| from_instructions(ctx));
        let fix = if stage.index == last {
            froms
                .get(stage.index)
                .and_then(|from| remove_platform_flag(ctx, from))
                .map(|edit| Fix {
                    title: "Remove the `--platform` flag".to_owned(),
                    applicability: Applicability::Unsafe,
                    edits: vec![edit],
                })
        } else {
            Some(Fix {
                title: "Run the stage on `$BUILDPLATFORM`".to_owned(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    range: platform.range,
                    new_text: "$BUILDPLATFORM".to_owned(),
                }],
            })
        };
        let advice = if stage.index == last {
            "drop it so the image follows the platform the build asks for"
        } else {
            "use `--platform=$BUILDPLATFORM` and cross-compile for `$TARGETOS`/`$TARGETARCH`"
        };
        let message = format!(
            "`--platform={value}` pins this stage to one platform, so a multi-platform build \
             gets the same architecture for every target: {advice}"
        );
        out.push(match fix {
            Some(fix) => FROM_PLATFORM_CONSTANT.diagnostic_with_fix(platform.range, message, fix),
            None => FROM_PLATFORM_CONSTANT.diagnostic(platform.range, message),
        });
    }
}

/// The edit that removes `--platform=...` and the blanks after it from a `FROM`.
pub(crate) fn remove_platform_flag(
    ctx: &DockerfileContext<'_>,
    from: &FromInstr<'_>,
) -> Option<Edit> {
    let flag = from.platform()?;
    let range = flag.range();
    let rest = ctx.text.get(range.end as usize..)?;
    let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    Some(Edit {
        range: TextRange::new(range.start, range.end + blanks as u32),
        new_text: String::new(),
    })
}

const KNOWN_ARCHES: &[&str] = &[
    "amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "mips64le", "loong64",
];

const KNOWN_OSES: &[&str] = &[
    "linux",
    "windows",
    "darwin",
    "freebsd",
    "netbsd",
    "openbsd",
    "solaris",
    "illumos",
    "aix",
    "android",
    "ios",
    "plan9",
    "js",
    "wasip1",
    "dragonfly",
];

/// Reads a platform as containerd does (`os[/arch[/variant]]`, or a lone OS or
/// architecture), with architecture aliases normalized (`x86_64` is `amd64`). The
/// architecture is `None` when the value names only an OS. `None` if it does not parse.
fn parse_platform(value: &str) -> Option<(String, Option<String>)> {
    let lower = value.trim().to_ascii_lowercase();
    // `windows(10.0.17763)/amd64`: drop the OS version.
    let without_version: String = match (lower.find('('), lower.find(')')) {
        (Some(open), Some(close)) if open < close => {
            format!("{}{}", &lower[..open], &lower[close + 1..])
        }
        _ => lower,
    };
    let parts: Vec<&str> = without_version.split('/').collect();
    match parts.as_slice() {
        [one] if KNOWN_OSES.contains(one) => Some(((*one).to_owned(), None)),
        [one] => normalize_arch(one).map(|arch| ("linux".to_owned(), Some(arch))),
        [os, arch] | [os, arch, _] if !os.is_empty() && !arch.is_empty() => Some((
            normalize_os(os),
            Some(normalize_arch(arch).unwrap_or_else(|| (*arch).to_owned())),
        )),
        _ => None,
    }
}

fn normalize_os(os: &str) -> String {
    match os {
        "macos" => "darwin".to_owned(),
        other => other.to_owned(),
    }
}

fn normalize_arch(arch: &str) -> Option<String> {
    let normalized = match arch {
        "i386" | "386" => "386",
        "x86_64" | "x86-64" | "amd64" => "amd64",
        "aarch64" | "arm64" => "arm64",
        "armhf" | "armel" | "arm" => "arm",
        other if KNOWN_ARCHES.contains(&other) => other,
        _ => return None,
    };
    Some(normalized.to_owned())
}

#[cfg(test)]
mod tests {
    use super::parse_platform;
    use crate::diagnostics::{Applicability, Diagnostic};
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF034", src)
    }

    /// practices.md §4.3: each builder's name says its architecture (BuildKit's exemption).
    #[test]
    fn guide_multi_arch_example_passes() {
        let src = "FROM --platform=linux/amd64 node:20-alpine AS builder-amd64\n\
                   FROM --platform=linux/arm64 node:20-alpine AS builder-arm64\n\
                   FROM node:20-alpine\nCOPY --from=builder-amd64 /app/dist ./dist\n";
        assert!(findings(src).is_empty());
    }

    #[test]
    fn constant_platform_in_a_build_stage() {
        let src = "FROM --platform=linux/amd64 golang:1.23 AS build\nFROM scratch\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.as_usize()], "linux/amd64");
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        let fixed = testing::fixed(src, &found[0]);
        assert_eq!(
            fixed,
            "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\nFROM scratch\n"
        );
        assert!(findings(&fixed).is_empty());
    }

    #[test]
    fn constant_platform_in_the_last_stage_is_removed() {
        let src = "FROM --platform=\"linux/arm64\" \\\n  alpine:3.20\n";
        let found = findings(src);
        assert_eq!(&src[found[0].range.as_usize()], "\"linux/arm64\"");
        let fixed = testing::fixed(src, &found[0]);
        assert_eq!(fixed, "FROM \\\n  alpine:3.20\n");
        assert!(findings(&fixed).is_empty());
    }

    #[test]
    fn variables_and_names_exempt() {
        for src in [
            "FROM --platform=$BUILDPLATFORM golang AS b\nFROM alpine\n",
            "ARG P=linux/amd64\nFROM --platform=$P golang AS b\nFROM alpine\n",
            "FROM --platform=linux/x86_64 golang AS build-amd64\nFROM alpine\n",
            "FROM --platform=windows/amd64 mcr.microsoft.com/windows AS windows-build\nFROM alpine\n",
            "FROM --platform=linux golang AS b-arm64\nFROM alpine\n",
            "FROM --platform=not/a/valid/platform golang AS b\nFROM alpine\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
        // The stage name must contain it; the image name does not count.
        assert_eq!(
            findings("FROM --platform=linux/arm64 arm64v8/alpine AS b\nFROM alpine\n").len(),
            1
        );
    }

    #[test]
    fn platforms_parse_like_containerd() {
        assert_eq!(
            parse_platform("linux/amd64"),
            Some(("linux".into(), Some("amd64".into())))
        );
        assert_eq!(
            parse_platform("Linux/AARCH64"),
            Some(("linux".into(), Some("arm64".into())))
        );
        assert_eq!(
            parse_platform("linux/arm/v7"),
            Some(("linux".into(), Some("arm".into())))
        );
        assert_eq!(
            parse_platform("arm64"),
            Some(("linux".into(), Some("arm64".into())))
        );
        assert_eq!(parse_platform("windows"), Some(("windows".into(), None)));
        assert_eq!(
            parse_platform("windows(10.0.17763)/amd64"),
            Some(("windows".into(), Some("amd64".into())))
        );
        assert_eq!(parse_platform("nonsense"), None);
        assert_eq!(parse_platform(""), None);
        assert_eq!(parse_platform("a/b/c/d"), None);
    }
}
