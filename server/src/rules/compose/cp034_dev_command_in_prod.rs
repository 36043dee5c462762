use crate::diagnostics::Diagnostic;
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `command` or `entrypoint` (a string or a list) that starts a development
    /// server, in a production file: a `dev`/`watch` package script (`npm run dev`,
    /// `yarn dev`, `pnpm dev`, `bun run dev`), a file watcher (`nodemon`, `ts-node-dev`,
    /// `node --watch`, `tsx watch`), a server's reload switch (`--reload`, as in
    /// `uvicorn --reload`), a framework's dev server (`vite`, `next dev`, `nuxt dev`,
    /// `ng serve`, `webpack serve`, `react-scripts start`, `fastapi dev`,
    /// `manage.py runserver`), `flask run` in debug mode (`--debug`, or `FLASK_DEBUG=1`),
    /// and `rails server -e development`. A production file is one whose name contains
    /// `prod`, or one where a service sets `NODE_ENV=production`.
    ///
    /// ## Why is this bad?
    /// Development servers watch files, rebuild on the fly, show stack traces and debug
    /// consoles to whoever triggers an error, and are neither tuned nor hardened for real
    /// traffic. With `NODE_ENV=production` beside it, the setting says one thing and the
    /// process does another.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backend:
    ///     build: ./backend
    ///     environment:
    ///       - NODE_ENV=production
    ///     command: npm run dev
    /// ```
    ///
    /// Use instead: run the built app, as the image's `CMD` does:
    /// ```yaml
    /// services:
    ///   backend:
    ///     build: ./backend
    ///     environment:
    ///       - NODE_ENV=production
    ///     command: ["node", "dist/server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the production command depends on the project.
    ///
    /// ## References
    /// - command in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#command>
    /// - Use Compose in production: <https://docs.docker.com/compose/how-tos/production/>
    pub const DEV_COMMAND_IN_PROD = {
        code: "CP034",
        name: "dev-command-in-prod",
        severity: Warning,
        fixable: false,
        default_enabled: true,
    };
}

/// Package scripts that start a development server or a watcher.
fn is_dev_script(script: &str) -> bool {
    matches!(script, "dev" | "develop" | "watch" | "serve:dev")
        || script.starts_with("dev:")
        || script.ends_with(":dev")
        || script.ends_with(":watch")
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.is_production() {
        return;
    }
    for service in ctx.services() {
        let Some(body) = service.body else { continue };
        let env = ctx.environment(body);
        let env_says = |name: &str, values: &[&str]| {
            env.iter()
                .any(|e| e.name == name && e.value.is_some_and(|v| values.contains(&v)))
        };
        let flask_debug = env_says("FLASK_DEBUG", &["1", "true", "True"])
            || env_says("FLASK_ENV", &["development"]);
        let rails_development = env_says("RAILS_ENV", &["development"]);
        for key in ["command", "entrypoint"] {
            let Some(value) = ctx.get(body, key) else {
                continue;
            };
            let text = match ctx.scalar(value) {
                Some(text) => text.to_owned(),
                None => ctx
                    .items(value)
                    .into_iter()
                    .filter_map(|i| ctx.scalar(i))
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            let Some(what) = dev_server(&text, flask_debug, rails_development) else {
                continue;
            };
            let name = service.name;
            out.push(DEV_COMMAND_IN_PROD.diagnostic(
                ctx.range(value),
                format!(
                    "service `{name}` runs a development server ({what}) in a production \
                     file: run the built app instead"
                ),
            ));
        }
    }
}

/// What in a command starts a development server, if anything.
fn dev_server(command: &str, flask_debug: bool, rails_development: bool) -> Option<String> {
    let words: Vec<&str> = command
        .split_whitespace()
        .map(|w| w.trim_matches(['"', '\'']))
        .collect();
    // Each command of `a && b; c | d` on its own.
    for segment in words.split(|w| matches!(*w, "&&" | "||" | ";" | "|" | "&")) {
        if let Some(found) = in_segment(segment, flask_debug, rails_development) {
            // In code quotes, unless it says more than the command.
            return Some(if found.contains('`') {
                found
            } else {
                format!("`{found}`")
            });
        }
    }
    None
}

fn in_segment(words: &[&str], flask_debug: bool, rails_development: bool) -> Option<String> {
    let base = |w: &str| -> String {
        let name = w.rsplit('/').next().unwrap_or(w);
        name.to_owned()
    };
    let inline_env = |name: &str, values: &[&str]| {
        words.iter().any(|w| {
            w.split_once('=')
                .is_some_and(|(n, v)| n == name && values.contains(&v))
        })
    };
    let has = |flag: &str| words.contains(&flag);
    if let Some(flag) = words
        .iter()
        .find(|w| **w == "--reload" || w.starts_with("--reload="))
    {
        return Some((*flag).to_owned());
    }
    // Whether the word at `i` is the command run, not an argument (`npm install vite`).
    let command_at = |i: usize| {
        i == 0 || {
            let previous = words[i - 1];
            matches!(
                previous,
                "npx"
                    | "pnpx"
                    | "bunx"
                    | "exec"
                    | "dlx"
                    | "yarn"
                    | "pnpm"
                    | "bun"
                    | "-c"
                    | "-m"
                    | "env"
                    | "nohup"
                    | "--yes"
                    | "-y"
            ) || (previous.contains('=') && !previous.starts_with('-'))
        }
    };
    for (i, word) in words.iter().enumerate() {
        let name = base(word);
        let restricted = matches!(
            name.as_str(),
            "nodemon"
                | "ts-node-dev"
                | "tsnd"
                | "webpack-dev-server"
                | "node"
                | "tsx"
                | "vite"
                | "next"
                | "nuxt"
                | "nuxi"
                | "astro"
                | "remix"
                | "fastapi"
                | "ng"
                | "webpack"
                | "react-scripts"
                | "gatsby"
        );
        if restricted && !command_at(i) {
            continue;
        }
        let next = words.get(i + 1).copied();
        let after = next.and_then(|_| words.get(i + 2)).copied();
        let shown = |n: usize| words[i..(i + n).min(words.len())].join(" ");
        match name.as_str() {
            "npm" | "yarn" | "pnpm" | "bun" => {
                let script = match next {
                    Some("run" | "run-script") => after,
                    Some(s) if name != "npm" => Some(s),
                    _ => None,
                };
                if script.is_some_and(is_dev_script) {
                    let n = if matches!(next, Some("run" | "run-script")) {
                        3
                    } else {
                        2
                    };
                    return Some(shown(n));
                }
                if name == "bun" && has("--watch") {
                    return Some("bun --watch".to_owned());
                }
            }
            "nodemon" | "ts-node-dev" | "tsnd" | "webpack-dev-server" => return Some(name),
            "node" if words[i..].iter().any(|w| w.starts_with("--watch")) => {
                return Some("node --watch".to_owned());
            }
            "tsx" if next == Some("watch") => return Some(shown(2)),
            "vite" if !matches!(next, Some("build" | "preview" | "optimize")) => {
                return Some(if next == Some("dev") || next == Some("serve") {
                    shown(2)
                } else {
                    "vite".to_owned()
                });
            }
            "next" | "nuxt" | "nuxi" | "astro" | "remix" | "fastapi" if next == Some("dev") => {
                return Some(shown(2));
            }
            "ng" | "webpack" if next == Some("serve") => return Some(shown(2)),
            "react-scripts" if next == Some("start") => return Some(shown(2)),
            "gatsby" if next == Some("develop") => return Some(shown(2)),
            "flask" => {
                if !words[i..].contains(&"run") {
                    continue;
                }
                if words[i..].contains(&"--debug") {
                    return Some("flask run --debug".to_owned());
                }
                if flask_debug
                    || inline_env("FLASK_DEBUG", &["1", "true", "True"])
                    || inline_env("FLASK_ENV", &["development"])
                {
                    return Some("`flask run` with debug mode on".to_owned());
                }
            }
            "rails" if matches!(next, Some("s" | "server")) => {
                let rest = &words[i..];
                let server = next.unwrap_or("s");
                let flag = rest.windows(2).any(|w| {
                    matches!(w[0], "-e" | "--environment") && matches!(w[1], "development" | "dev")
                }) || rest
                    .iter()
                    .any(|w| matches!(*w, "--environment=development" | "-edevelopment"));
                if flag {
                    return Some(format!("rails {server} -e development"));
                }
                if rails_development || inline_env("RAILS_ENV", &["development"]) {
                    return Some(format!("`rails {server}` with `RAILS_ENV=development`"));
                }
            }
            _ if (name.ends_with("manage.py") || name == "django-admin")
                && words[i..].contains(&"runserver") =>
            {
                return Some(format!("{name} runserver"));
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::dev_server;
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::facts::ComposeFacts;

    /// What is found, without the code quotes.
    fn found(command: &str) -> Option<String> {
        dev_server(command, false, false).map(|f| f.trim_matches('`').to_owned())
    }

    #[test]
    fn dev_servers() {
        for (command, what) in [
            ("npm run dev", "npm run dev"),
            ("npm run start:dev", "npm run start:dev"),
            ("yarn dev", "yarn dev"),
            ("yarn run watch", "yarn run watch"),
            ("pnpm dev --host 0.0.0.0", "pnpm dev"),
            ("bun run dev", "bun run dev"),
            ("npx nodemon src/index.js", "nodemon"),
            ("./node_modules/.bin/nodemon", "nodemon"),
            ("node --watch src/server.js", "node --watch"),
            ("tsx watch src/index.ts", "tsx watch"),
            ("uvicorn app.main:app --host 0.0.0.0 --reload", "--reload"),
            ("gunicorn --reload app:app", "--reload"),
            ("flask run --debug --host=0.0.0.0", "flask run --debug"),
            ("python -m flask --app app run --debug", "flask run --debug"),
            ("FLASK_DEBUG=1 flask run", "flask run` with debug mode on"),
            (
                "bin/rails s -e development -b 0.0.0.0",
                "rails s -e development",
            ),
            (
                "python manage.py runserver 0.0.0.0:8000",
                "manage.py runserver",
            ),
            ("npx vite --host", "vite"),
            ("vite dev", "vite dev"),
            ("next dev -p 3000", "next dev"),
            ("ng serve --host 0.0.0.0", "ng serve"),
            ("sh -c \"npm ci && npm run dev\"", "npm run dev"),
            ("fastapi dev main.py", "fastapi dev"),
            ("npm i -g nodemon && nodemon app.js", "nodemon"),
            ("sh -c npx --yes vite", "vite"),
        ] {
            assert_eq!(found(command).as_deref(), Some(what), "{command}");
        }
    }

    #[test]
    fn production_commands() {
        for command in [
            "npm start",
            "npm run build",
            "npm run start:prod",
            "yarn start",
            "node dist/server.js",
            "uvicorn app.main:app --host 0.0.0.0 --workers 4",
            "flask run --host=0.0.0.0",
            "bin/rails s -e production",
            "rails server",
            "gunicorn myproject.wsgi",
            "vite build",
            "vite preview",
            "next start",
            "redis-server --appendonly yes",
            "npm run develop-docs-build",
            "npm install vite",
            "pip install fastapi && uvicorn main:app",
            "echo next dev",
        ] {
            assert_eq!(found(command), None, "{command}");
        }
        // The service's environment turns debug mode on.
        assert_eq!(
            dev_server("flask run", true, false).as_deref(),
            Some("`flask run` with debug mode on")
        );
        assert_eq!(
            dev_server("rails server", false, true).as_deref(),
            Some("`rails server` with `RAILS_ENV=development`")
        );
    }

    #[test]
    fn only_in_production_files() {
        let dev = "services:\n  api:\n    build: .\n    command: [\"npm\", \"run\", \"dev\"]\n";
        let prod = "services:\n  api:\n    build: .\n    command: [\"npm\", \"run\", \"dev\"]\n    environment:\n      NODE_ENV: production\n";
        let run = |text: &str| {
            check_compose_with(text, &ComposeFacts::default(), &Config::default())
                .into_iter()
                .filter(|d| d.code == "CP034")
                .collect::<Vec<_>>()
        };
        assert!(run(dev).is_empty());
        let found = run(prod);
        assert_eq!(found.len(), 1);
        assert_eq!(
            &prod[found[0].range.as_usize()],
            "[\"npm\", \"run\", \"dev\"]"
        );
    }
}
