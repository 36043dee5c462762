//! Health checks of compose services, shared by CP020, CP021, CP022 and CP024: whether a
//! service has one (its own `healthcheck:`, else the HEALTHCHECK of the Dockerfile it builds,
//! else its image), the `depends_on` entries that wait for services, and the `healthcheck:`
//! block a fix inserts.

use crate::diagnostics::{Applicability, Edit, Fix};
use crate::facts::compose::BuiltImage;
use crate::rules::compose::{ComposeContext, Service};
use crate::rules::dockerfile::images::{ImageFacts, ImageName, Tool};
use crate::syntax::compose::{NodeId, NodeKind};

/// Whether a service has a health check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Health {
    /// A `healthcheck.test` in the compose file, or a `HEALTHCHECK CMD` in the Dockerfile the
    /// service builds.
    Defined,
    /// Turned off on purpose: `disable: true`, `test: ["NONE"]`, or `HEALTHCHECK NONE`.
    Disabled,
    /// None at all. `known` when the image is one known to define none (an official image
    /// such as `postgres`, or a Dockerfile on such a base); an unknown image counts as none
    /// too, but may define one.
    Missing { known: bool },
    /// Not known: the service builds from a Dockerfile that was not read (an unsaved file, a
    /// remote context, a missing Dockerfile), or has neither `image` nor `build`.
    Unknown,
}

impl Health {
    pub fn is_missing(self) -> bool {
        matches!(self, Health::Missing { .. })
    }
}

/// What a service runs, as far as the file and its facts say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ServiceImage<'a> {
    /// The `image` of a service that does not build.
    Named(&'a str),
    /// The image of the Dockerfile's `build.target` stage (else its last).
    Built(&'a BuiltImage),
    /// Built from a Dockerfile that was not read.
    UnknownBuild,
    /// Neither `image` nor `build`.
    None,
}

impl<'a> ServiceImage<'a> {
    /// The image name the service's userland comes from: the `image`, or the built
    /// Dockerfile's base image. `None` when it is not fully known (variables, `scratch`).
    pub fn base_name(self) -> Option<&'a str> {
        let name = match self {
            ServiceImage::Named(name) => name,
            ServiceImage::Built(image) => image.base_image.as_deref()?,
            ServiceImage::UnknownBuild | ServiceImage::None => return None,
        };
        (!name.contains('$') && !name.trim().is_empty()).then_some(name)
    }

    /// What images.rs knows about that image.
    pub fn facts(self) -> Option<ImageFacts> {
        self.base_name()
            .map(|n| ImageFacts::of(&ImageName::parse(n)))
    }
}

/// A service's image: the Dockerfile it builds when the facts have read it, else its `image`.
pub(crate) fn service_image<'a>(
    ctx: &ComposeContext<'a>,
    service: &Service<'_>,
) -> ServiceImage<'a> {
    let Some(body) = service.body else {
        return ServiceImage::None;
    };
    if let Some(build) = ctx.get(body, "build") {
        let target = ctx.str_of(build, "target");
        return ctx
            .facts
            .build(service.name)
            .and_then(|b| b.dockerfile.as_deref())
            .and_then(|d| d.image(target))
            .map_or(ServiceImage::UnknownBuild, ServiceImage::Built);
    }
    match ctx.str_of(body, "image") {
        Some(image) => ServiceImage::Named(image),
        None => ServiceImage::None,
    }
}

/// Official images known to define no `HEALTHCHECK`.
const NO_HEALTHCHECK_IMAGES: &[&str] = &[
    "postgres",
    "redis",
    "nginx",
    "mysql",
    "mariadb",
    "mongo",
    "rabbitmq",
    "memcached",
    "httpd",
    "node",
    "python",
    "ruby",
    "golang",
    "php",
    "alpine",
    "debian",
    "ubuntu",
    "busybox",
    "caddy",
    "haproxy",
    "traefik",
    "eclipse-temurin",
    "openjdk",
    "elasticsearch",
    "valkey",
];

/// An image known to define no health check.
fn known_without_healthcheck(image: &str) -> bool {
    ImageName::parse(image)
        .official()
        .is_some_and(|name| NO_HEALTHCHECK_IMAGES.contains(&name.to_ascii_lowercase().as_str()))
}

/// A `healthcheck.test`: its kind and arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Test<'a> {
    /// `CMD`, `CMD-SHELL` or `NONE` as written (a string test is `CMD-SHELL`).
    pub kind: &'a str,
    /// The strings after the kind, with their nodes (for a string test, the string itself).
    pub args: Vec<(&'a str, NodeId)>,
}

/// The `test` of a `healthcheck` mapping, when it has a non-empty one.
pub(crate) fn test_of<'a>(ctx: &ComposeContext<'a>, healthcheck: NodeId) -> Option<Test<'a>> {
    let value = ctx.get(healthcheck, "test")?;
    match ctx.tree().node(value).map(|n| &n.kind) {
        Some(NodeKind::Scalar { .. }) => {
            let text = ctx.scalar(value)?;
            (!matches!(text.trim(), "" | "~" | "null" | "Null" | "NULL")).then(|| Test {
                kind: "CMD-SHELL",
                args: vec![(text, value)],
            })
        }
        Some(NodeKind::Sequence(_)) => {
            let items = ctx.items(value);
            let (&first, rest) = items.split_first()?;
            Some(Test {
                kind: ctx.scalar(first)?,
                args: rest
                    .iter()
                    .filter_map(|&i| ctx.scalar(i).map(|s| (s, i)))
                    .collect(),
            })
        }
        _ => None,
    }
}

/// Whether `disable: true` is set in a `healthcheck` mapping.
fn disabled(ctx: &ComposeContext<'_>, healthcheck: NodeId) -> bool {
    ctx.str_of(healthcheck, "disable")
        .is_some_and(|v| matches!(v, "true" | "True" | "TRUE"))
}

/// Whether a service has a health check, and whose.
pub(crate) fn health(ctx: &ComposeContext<'_>, service: &Service<'_>) -> Health {
    if let Some(body) = service.body
        && let Some(healthcheck) = ctx.get(body, "healthcheck")
    {
        if disabled(ctx, healthcheck) {
            return Health::Disabled;
        }
        match test_of(ctx, healthcheck) {
            Some(test) if test.kind.eq_ignore_ascii_case("NONE") => return Health::Disabled,
            Some(_) => return Health::Defined,
            // Without a `test`, the other fields only retime the image's own check.
            None => {}
        }
    }
    match service_image(ctx, service) {
        ServiceImage::Built(image) => match image.healthcheck {
            Some(true) => Health::Defined,
            Some(false) => Health::Disabled,
            None => Health::Missing {
                known: image
                    .base_image
                    .as_deref()
                    .is_some_and(known_without_healthcheck),
            },
        },
        ServiceImage::Named(image) => Health::Missing {
            known: !image.contains('$') && known_without_healthcheck(image),
        },
        ServiceImage::UnknownBuild | ServiceImage::None => Health::Unknown,
    }
}

/// One `depends_on` entry of a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dependency<'a> {
    /// The service depended on.
    pub name: &'a str,
    /// The list item (short form) or the key (long form).
    pub node: NodeId,
    /// The long form's `condition` and its value node; `None` for the short form (and a long
    /// entry without one, which means `service_started`).
    pub condition: Option<(&'a str, NodeId)>,
    /// Written in the short (list) form.
    pub short: bool,
}

/// The `depends_on` entries of a service body, in either form.
pub(crate) fn dependencies<'a>(ctx: &ComposeContext<'a>, body: NodeId) -> Vec<Dependency<'a>> {
    let Some(depends_on) = ctx.get(body, "depends_on") else {
        return Vec::new();
    };
    let tree = ctx.tree();
    match tree.node(depends_on).map(|n| &n.kind) {
        Some(NodeKind::Sequence(_)) => ctx
            .items(depends_on)
            .into_iter()
            .filter_map(|item| {
                Some(Dependency {
                    name: ctx.scalar(item)?,
                    node: item,
                    condition: None,
                    short: true,
                })
            })
            .collect(),
        Some(NodeKind::Mapping(_)) => tree
            .entries(depends_on)
            .into_iter()
            .filter_map(|(key, value)| {
                let condition = value
                    .map(|v| tree.resolve(v))
                    .and_then(|v| ctx.get(v, "condition"))
                    .and_then(|c| ctx.scalar(c).map(|s| (s, c)));
                Some(Dependency {
                    name: tree.scalar(key)?,
                    node: key,
                    condition,
                    short: false,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The services that depend on `name`, with the entry naming it.
pub(crate) fn dependents<'s, 'a>(
    ctx: &'s ComposeContext<'a>,
    name: &'s str,
) -> impl Iterator<Item = (&'s Service<'a>, Dependency<'a>)> + 's {
    ctx.all_services().iter().flat_map(move |service| {
        service
            .body
            .map(|body| dependencies(ctx, body))
            .unwrap_or_default()
            .into_iter()
            .filter(move |d| d.name == name && service.name != name)
            .map(move |d| (service, d))
    })
}

/// Whether `node` is written inside `outer` (not in an anchor shared with other services).
pub(crate) fn written_inside(ctx: &ComposeContext<'_>, node: NodeId, outer: NodeId) -> bool {
    let (outer, inner) = (ctx.range(outer), ctx.range(node));
    outer.start <= inner.start && inner.end <= outer.end
}

/// The probe timing every template uses.
const TIMING: &str = "  interval: 30s\n  timeout: 5s\n  retries: 3\n  start_period: 10s";

/// A `healthcheck:` block for a service, chosen by its image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Template {
    /// The `test` as a JSON (flow) array.
    pub test: String,
    /// What the probe does, for the fix's title: `pg_isready`, `curl on port 3000`.
    pub what: String,
    /// Whether the probe's program is known to be in the image.
    pub known: bool,
}

impl Template {
    /// The block, with two-space nesting (see [`ComposeContext::append_to_mapping`]).
    pub fn block(&self) -> String {
        format!("healthcheck:\n  test: {}\n{TIMING}", self.test)
    }
}

/// The health check template for a service: the datastore's own probe for postgres, redis,
/// mysql, mariadb and mongo, else an HTTP probe of its first container port with curl or
/// wget, whichever its image has (curl, unconfirmed, when neither is known to be there).
pub(crate) fn template(ctx: &ComposeContext<'_>, service: &Service<'_>) -> Template {
    let image = service_image(ctx, service);
    let name = image.base_name().map(ImageName::parse);
    let repository = name.map(|n| n.repository.to_ascii_lowercase());
    let last = repository
        .as_deref()
        .map(|r| r.rsplit('/').next().unwrap_or(r));
    let official = name.and_then(|n| n.official()).is_some();
    let datastore = |test: &[&str], what: &str| Template {
        test: json_array(test),
        what: format!("`{what}`"),
        known: true,
    };
    match last {
        Some("postgres" | "postgresql" | "postgis") => {
            return datastore(
                &["CMD-SHELL", "pg_isready -U $${POSTGRES_USER:-postgres}"],
                "pg_isready",
            );
        }
        Some("redis" | "redis-stack-server") => {
            return datastore(&["CMD", "redis-cli", "ping"], "redis-cli ping");
        }
        Some("mysql") => {
            return datastore(
                &["CMD", "mysqladmin", "ping", "-h", "localhost"],
                "mysqladmin ping",
            );
        }
        Some("mariadb") if official => {
            return datastore(
                &["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"],
                "healthcheck.sh",
            );
        }
        Some("mongo") if official => {
            return datastore(
                &[
                    "CMD",
                    "mongosh",
                    "--quiet",
                    "--eval",
                    "db.adminCommand('ping')",
                ],
                "mongosh ping",
            );
        }
        _ => {}
    }
    let port = container_port(ctx, service, image);
    let url = format!("http://localhost:{port}/");
    let facts = image.facts();
    let ships = |tool: Tool| facts.is_some_and(|f| f.ships(tool) == Some(true));
    if ships(Tool::Curl) {
        Template {
            test: json_array(&["CMD", "curl", "-fsS", &url]),
            what: format!("curl on port {port}"),
            known: true,
        }
    } else if ships(Tool::Wget) {
        Template {
            test: json_array(&["CMD", "wget", "-q", "--spider", &url]),
            what: format!("wget on port {port}"),
            known: true,
        }
    } else {
        Template {
            test: json_array(&["CMD", "curl", "-fsS", &url]),
            what: format!("curl on port {port}"),
            known: false,
        }
    }
}

/// The fix inserting `template` into the service `target` (`None` when its body is not a
/// block mapping of its own, or already has a `healthcheck` key).
pub(crate) fn insert_fix(ctx: &ComposeContext<'_>, target: &Service<'_>) -> Option<Fix> {
    let body = target.body?;
    // A body that is an alias (`web: *base`) is written elsewhere, for other services too.
    if ctx.entry(body, "healthcheck").is_some() || ctx.range(body).start < ctx.range(target.key).end
    {
        return None;
    }
    let template = template(ctx, target);
    let edit: Edit = ctx.append_to_mapping(body, &template.block())?;
    let (title, applicability) = if template.known {
        (
            format!("Add a healthcheck to `{}` ({})", target.name, template.what),
            Applicability::Unsafe,
        )
    } else {
        (
            format!(
                "Add a healthcheck to `{}` ({}; check that its image has curl)",
                target.name, template.what
            ),
            Applicability::DisplayOnly,
        )
    };
    Some(Fix {
        title,
        applicability,
        edits: vec![edit],
    })
}

/// The first container port of a service: its first `ports` target, else its first
/// `expose`, else the built Dockerfile's first `EXPOSE` (TCP), else 80.
fn container_port(ctx: &ComposeContext<'_>, service: &Service<'_>, image: ServiceImage<'_>) -> u16 {
    let body = service.body;
    let from_ports = body.and_then(|b| ctx.ports(b).iter().find_map(|p| leading_port(p.target)));
    let from_expose = || {
        let expose = ctx.get(body?, "expose")?;
        ctx.items(expose)
            .into_iter()
            .filter_map(|i| ctx.scalar(i))
            .find_map(tcp_port)
    };
    let from_dockerfile = || match image {
        ServiceImage::Built(built) => built.exposes.iter().find_map(|e| tcp_port(e)),
        _ => None,
    };
    from_ports
        .or_else(from_expose)
        .or_else(from_dockerfile)
        .unwrap_or(80)
}

/// `8080`, `8080/tcp`, `8000-8010` → the first port; `None` for UDP and variables.
fn tcp_port(text: &str) -> Option<u16> {
    let (port, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
    protocol
        .eq_ignore_ascii_case("tcp")
        .then(|| leading_port(port))
        .flatten()
}

/// The first port of a port or range.
fn leading_port(text: &str) -> Option<u16> {
    let first = text.split('-').next()?.trim();
    first.parse::<u16>().ok().filter(|p| *p > 0)
}

/// Strings as a JSON array (`["CMD", "redis-cli", "ping"]`).
fn json_array(args: &[&str]) -> String {
    let strings: Vec<String> = args
        .iter()
        .map(|a| serde_json::to_string(a).unwrap_or_default())
        .collect();
    format!("[{}]", strings.join(", "))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::facts::ComposeFacts;
    use crate::facts::compose::{BuildFact, DockerfileSummary, ProjectFacts};
    use crate::syntax::compose::parse;

    fn healths(text: &str, facts: &ComposeFacts) -> Vec<(String, Health)> {
        let parsed = parse(text);
        let config = Config::default();
        let ctx = ComposeContext::new(text, &parsed, facts, &config);
        ctx.services()
            .iter()
            .map(|s| (s.name.to_owned(), health(&ctx, s)))
            .collect()
    }

    /// Facts for services built from Dockerfiles, by service name: (stage name, image).
    fn built(services: &[(&str, &[(&str, BuiltImage)])]) -> ComposeFacts {
        let builds = services
            .iter()
            .map(|(name, stages)| {
                let summary = DockerfileSummary {
                    stages: stages.iter().map(|(s, _)| (*s).to_owned()).collect(),
                    images: stages.iter().map(|(_, i)| i.clone()).collect(),
                    ..DockerfileSummary::default()
                };
                let build = BuildFact {
                    dockerfile: Some(Arc::new(summary)),
                    ..BuildFact::default()
                };
                ((*name).to_owned(), build)
            })
            .collect::<BTreeMap<_, _>>();
        ComposeFacts {
            project: Some(ProjectFacts {
                builds,
                ..ProjectFacts::default()
            }),
            ..ComposeFacts::default()
        }
    }

    fn image(base: &str, healthcheck: Option<bool>) -> BuiltImage {
        BuiltImage {
            base_image: Some(base.to_owned()),
            healthcheck,
            exposes: vec!["53/udp".to_owned(), "8080".to_owned()],
            ..BuiltImage::default()
        }
    }

    #[test]
    fn health_from_compose_then_dockerfile_then_image() {
        let text = "services:\n  a:\n    image: postgres:16\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n  b:\n    image: postgres:16\n    healthcheck:\n      disable: true\n  c:\n    image: postgres:16\n    healthcheck:\n      test: [\"NONE\"]\n  d:\n    image: postgres:16\n    healthcheck:\n      interval: 5s\n  e:\n    image: acme/api:1\n  f:\n    image: ${IMAGE}\n  g:\n    build: ./g\n  h:\n    build:\n      context: ./h\n      target: dev\n  i:\n    build: ./i\n    healthcheck:\n      test: pg_isready\n";
        let facts = built(&[
            ("g", &[("", image("node:22", None))]),
            (
                "h",
                &[
                    ("dev", image("node:22", Some(true))),
                    ("prod", image("node:22", Some(false))),
                ],
            ),
        ]);
        let found = healths(text, &facts);
        let expected = [
            Health::Defined,
            Health::Disabled,
            Health::Disabled,
            Health::Missing { known: true },
            Health::Missing { known: false },
            Health::Missing { known: false },
            Health::Missing { known: true },
            Health::Defined,
            Health::Defined,
        ];
        let found: Vec<Health> = found.into_iter().map(|(_, h)| h).collect();
        assert_eq!(found, expected);
        // Without file facts, a build is not known.
        let found = healths(
            "services:\n  g:\n    build: ./g\n",
            &ComposeFacts::default(),
        );
        assert_eq!(found[0].1, Health::Unknown);
        // The Dockerfile's `HEALTHCHECK NONE` is deliberate.
        let facts = built(&[("g", &[("", image("node:22", Some(false)))])]);
        let found = healths("services:\n  g:\n    build: ./g\n", &facts);
        assert_eq!(found[0].1, Health::Disabled);
    }

    #[test]
    fn dependencies_in_both_forms() {
        let text = "services:\n  a:\n    depends_on: [b, \"c\"]\n  b:\n    depends_on:\n      c:\n        condition: service_healthy\n      d: {}\n";
        let parsed = parse(text);
        let (facts, config) = (ComposeFacts::default(), Config::default());
        let ctx = ComposeContext::new(text, &parsed, &facts, &config);
        let a = dependencies(&ctx, ctx.services()[0].body.unwrap());
        let b = dependencies(&ctx, ctx.services()[1].body.unwrap());
        fn names<'a>(deps: &[Dependency<'a>]) -> Vec<(&'a str, bool, Option<&'a str>)> {
            deps.iter()
                .map(|d| (d.name, d.short, d.condition.map(|c| c.0)))
                .collect()
        }
        assert_eq!(names(&a), [("b", true, None), ("c", true, None)]);
        assert_eq!(
            names(&b),
            [("c", false, Some("service_healthy")), ("d", false, None)]
        );
        let on_c: Vec<&str> = dependents(&ctx, "c").map(|(s, _)| s.name).collect();
        assert_eq!(on_c, ["a", "b"]);
    }

    #[test]
    fn templates_by_image() {
        let text = "services:\n  pg:\n    image: bitnami/postgresql:16\n  maria:\n    image: mariadb:11\n  mongo:\n    image: mongo:7\n  my:\n    image: mysql:8.4\n  app:\n    build: ./app\n  web:\n    image: python:3.12-slim\n    ports:\n      - target: 8000\n";
        let facts = built(&[("app", &[("", image("node:22-alpine", None))])]);
        let parsed = parse(text);
        let config = Config::default();
        let ctx = ComposeContext::new(text, &parsed, &facts, &config);
        let tests: Vec<(String, bool)> = ctx
            .services()
            .iter()
            .map(|s| {
                let t = template(&ctx, s);
                (t.test, t.known)
            })
            .collect();
        assert_eq!(
            tests,
            [
                (
                    r#"["CMD-SHELL", "pg_isready -U $${POSTGRES_USER:-postgres}"]"#.to_owned(),
                    true
                ),
                (
                    r#"["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"]"#.to_owned(),
                    true
                ),
                (
                    r#"["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping')"]"#
                        .to_owned(),
                    true
                ),
                (
                    r#"["CMD", "mysqladmin", "ping", "-h", "localhost"]"#.to_owned(),
                    true
                ),
                // Alpine's busybox wget, on the Dockerfile's first TCP port.
                (
                    r#"["CMD", "wget", "-q", "--spider", "http://localhost:8080/"]"#.to_owned(),
                    true
                ),
                // A slim image has neither tool: curl, to be checked.
                (
                    r#"["CMD", "curl", "-fsS", "http://localhost:8000/"]"#.to_owned(),
                    false
                ),
            ]
        );
    }

    /// Across files: a service built from a Dockerfile whose image has a HEALTHCHECK draws
    /// no CP020 and satisfies CP021; a short `depends_on` on it draws CP022.
    #[test]
    fn a_dockerfile_healthcheck_counts() {
        let text = "services:\n  api:\n    build: ./api\n  web:\n    image: nginx:1.27\n    restart: always\n    depends_on:\n      api:\n        condition: service_healthy\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost/\"]\n  worker:\n    image: acme/worker:1\n    depends_on: [api]\n    healthcheck:\n      test: [\"CMD\", \"/probe\"]\n";
        let codes = |facts: &ComposeFacts| {
            check_compose_with(text, facts, &Config::all_enabled())
                .into_iter()
                .filter(|d| ["CP020", "CP021", "CP022"].contains(&d.code))
                .map(|d| d.code)
                .collect::<Vec<_>>()
        };
        let with_healthcheck = built(&[("api", &[("", image("node:22", Some(true)))])]);
        assert_eq!(codes(&with_healthcheck), ["CP022"]);
        let without = built(&[("api", &[("", image("node:22", None))])]);
        assert_eq!(codes(&without), ["CP020", "CP021"]);
        let found = check_compose_with(text, &without, &Config::all_enabled());
        let cp021 = found.iter().find(|d| d.code == "CP021").unwrap();
        // The probe uses the Dockerfile's EXPOSE and the base image's curl.
        assert!(
            cp021.fix.as_ref().unwrap().edits[0]
                .new_text
                .contains(r#"["CMD", "curl", "-fsS", "http://localhost:8080/"]"#)
        );
    }
}
