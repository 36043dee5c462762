//! `dockwise parse` end to end.

use dockwise_e2e::{json, run_in, run_with_stdin, scratch, stdout};

const FILE: &str = "# syntax=docker/dockerfile:1\n\
FROM node:20 AS build\n\
RUN --mount=type=cache,target=/root/.npm \\\n    npm ci\n\
COPY <<EOF /app/config\nkey=value\nEOF\n\
CMD [\"node\", \"server.js\"]\n\
ONBUILD RUN echo hi\n\
RU half typed\n\
ENV A=1 B=\"two words\"\n";

#[test]
fn json_shape() {
    let dir = scratch(&[("Dockerfile", FILE)]);
    let out = run_in(dir.path(), &["parse", "Dockerfile", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let ins = v["instructions"].as_array().unwrap();
    let keywords: Vec<&str> = ins.iter().map(|i| i["keyword"].as_str().unwrap()).collect();
    assert_eq!(
        keywords,
        ["FROM", "RUN", "COPY", "CMD", "ONBUILD", "RU", "ENV"]
    );

    let run = &ins[1];
    assert_eq!(
        (run["start_line"].as_u64(), run["end_line"].as_u64()),
        (Some(3), Some(4))
    );
    assert_eq!(run["flags"][0], "--mount=type=cache,target=/root/.npm");
    assert_eq!(run["form"], "shell");
    assert_eq!(run["arguments"][0], "npm ci");

    let copy = &ins[2];
    assert_eq!(
        (copy["start_line"].as_u64(), copy["end_line"].as_u64()),
        (Some(5), Some(7))
    );
    assert_eq!(copy["heredocs"][0]["delimiter"], "EOF");
    assert_eq!(copy["heredocs"][0]["body"], "key=value\n");

    let cmd = &ins[3];
    assert_eq!(cmd["form"], "exec");
    assert_eq!(cmd["arguments"], serde_json::json!(["node", "server.js"]));

    assert_eq!(ins[4]["trigger"]["keyword"], "RUN");
    assert_eq!(ins[4]["trigger"]["arguments"][0], "echo hi");

    assert_eq!(
        ins[6]["arguments"],
        serde_json::json!(["A", "1", "B", "\"two words\""])
    );

    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["line"], 10);
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown instruction `RU`")
    );
}

#[test]
fn buildkit_and_tree_formats_and_stdin() {
    let dir = scratch(&[]);
    let out = run_with_stdin(
        dir.path(),
        &["parse", "-", "--format", "buildkit"],
        "from alpine\nrun echo  hi\n",
    );
    assert_eq!(stdout(&out), "(from \"alpine\")\n(run \"echo  hi\")\n");
    let out = run_with_stdin(dir.path(), &["parse", "-"], "FROM alpine\n");
    let tree = stdout(&out);
    assert!(tree.starts_with("File@0..12\n"), "{tree}");
    assert!(tree.contains("Keyword@0..4 \"FROM\""), "{tree}");
}

#[test]
fn missing_file_is_a_tool_error() {
    let dir = scratch(&[]);
    let out = run_in(dir.path(), &["parse", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn compose_files_show_their_yaml_tree() {
    let dir = scratch(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    environment: FOO: bar\n",
    )]);
    let out = run_in(dir.path(), &["parse", "compose.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    let tree = stdout(&out);
    assert!(tree.starts_with("Mapping@0.."), "{tree}");
    assert!(tree.contains("\"image\"@"), "{tree}");
    assert!(tree.contains("\"nginx\""), "{tree}");
    assert!(tree.contains("error 4:"), "{tree}");
    let out = run_in(dir.path(), &["parse", "compose.yaml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
}
