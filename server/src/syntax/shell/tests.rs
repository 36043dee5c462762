use super::*;
use crate::syntax::dockerfile::ast::Dockerfile;
use crate::syntax::dockerfile::parse;

/// Parses the first instruction of a Dockerfile's shell command; returns the file text and
/// the script with ranges made absolute.
fn script_of(dockerfile: &str) -> (String, ShellScript, u32) {
    let parse = parse(dockerfile);
    let instruction = Dockerfile::new(&parse.tree)
        .instructions()
        .find(|i| i.shell().is_some())
        .expect("a shell-form instruction");
    let base = instruction.shell().unwrap().range().start;
    let source = ShellSource::from_instruction(instruction).expect("shell source");
    (dockerfile.to_owned(), ShellScript::parse(&source), base)
}

fn names(script: &ShellScript) -> Vec<&str> {
    script
        .commands
        .iter()
        .map(|c| c.name.text.as_str())
        .collect()
}

fn at(text: &str, base: u32, range: TextRange) -> &str {
    &text[(base + range.start) as usize..(base + range.end) as usize]
}

#[test]
fn commands_lists_and_pipes() {
    let (text, script, base) = script_of(
        "FROM a\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \\\n    && rm -rf /var/lib/apt/lists/* ; curl -fsSL https://x | sh\n",
    );
    assert_eq!(names(&script), ["apt-get", "apt-get", "rm", "curl", "sh"]);
    let install = &script.commands[1];
    assert_eq!(install.subcommand().unwrap().text, "install");
    assert!(install.has_arg("--no-install-recommends"));
    assert_eq!(
        at(&text, base, install.range),
        "apt-get install -y --no-install-recommends curl ca-certificates"
    );
    let rm = &script.commands[2];
    assert_eq!(at(&text, base, rm.args[1].range), "/var/lib/apt/lists/*");
    assert_eq!(script.pipes.len(), 1);
    assert!(script.commands[3].pipeline.is_some());
    assert_eq!(script.commands[3].pipeline, script.commands[4].pipeline);
    assert!(script.commands[0].pipeline.is_none());
    assert!(!script.has_errors);
}

#[test]
fn comment_lines_inside_continuations_are_dropped() {
    // BuildKit removes the comment line; the shell sees one command.
    let (text, script, base) =
        script_of("FROM a\nRUN apt-get install -y \\\n  # the client\n  curl \\\n\n  wget\n");
    assert_eq!(names(&script), ["apt-get"]);
    let args: Vec<&str> = script.commands[0]
        .args
        .iter()
        .map(|a| a.text.as_str())
        .collect();
    assert_eq!(args, ["install", "-y", "curl", "wget"]);
    assert_eq!(at(&text, base, script.commands[0].args[2].range), "curl");
    assert_eq!(at(&text, base, script.commands[0].args[3].range), "wget");
}

#[test]
fn quoting_and_expansions() {
    let (_, script, _) = script_of(
        "FROM a\nRUN pip install 'flask==3.0' \"gunicorn\" $EXTRA \"${PKG}-x\" a\\ b --index-url=\"https://x\"\n",
    );
    let args = &script.commands[0].args;
    let texts: Vec<(&str, bool)> = args.iter().map(|a| (a.text.as_str(), a.literal)).collect();
    assert_eq!(
        texts,
        [
            ("install", true),
            ("flask==3.0", true),
            ("gunicorn", true),
            ("$EXTRA", false),
            ("\"${PKG}-x\"", false),
            ("a b", true),
            ("--index-url=https://x", true),
        ]
    );
}

#[test]
fn assignments_nesting_and_declarations() {
    let (_, script, _) = script_of(
        "FROM a\nRUN DEBIAN_FRONTEND=noninteractive apt-get install -y x && export A=1 && (cd /x && make) && echo $(id -u)\n",
    );
    assert_eq!(
        names(&script),
        ["apt-get", "export", "cd", "make", "echo", "id"]
    );
    assert_eq!(
        script.commands[0].assignments[0].text,
        "DEBIAN_FRONTEND=noninteractive"
    );
    assert_eq!(script.commands[0].depth, 0);
    assert_eq!(script.commands[2].depth, 1);
    assert_eq!(script.commands[5].depth, 1);
    assert_eq!(script.commands[1].args[0].text, "A=1");
}

#[test]
fn heredoc_script_and_heredoc_data() {
    let (text, script, base) =
        script_of("FROM a\nRUN <<EOF\nset -e\napt-get update\nnpm ci\nEOF\n");
    assert_eq!(names(&script), ["set", "apt-get", "npm"]);
    assert_eq!(at(&text, base, script.commands[2].range), "npm ci");
    // A heredoc that is data for a command: the command line is the script.
    let (_, script, _) =
        script_of("FROM a\nRUN cat <<EOF > /etc/x.conf && nginx -t\nlisten 80;\nEOF\n");
    assert_eq!(names(&script), ["cat", "nginx"]);
    assert!(!script.has_errors, "{script:?}");
    // Another interpreter's script is not shell.
    let python = parse("FROM a\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n");
    let run = Dockerfile::new(&python.tree).instructions().nth(1).unwrap();
    assert!(ShellSource::from_instruction(run).is_none());
    let bash = parse("FROM a\nRUN <<EOF\n#!/bin/bash\necho hi\nEOF\n");
    let run = Dockerfile::new(&bash.tree).instructions().nth(1).unwrap();
    assert!(ShellSource::from_instruction(run).is_some());
}

#[test]
fn broken_commands_still_give_the_rest() {
    let (_, script, _) = script_of("FROM a\nRUN apt-get update && ( && npm ci \"unterminated\n");
    assert!(script.has_errors);
    assert!(names(&script).contains(&"apt-get"));
}

#[test]
fn exec_form_has_no_shell_source() {
    let parse = parse("FROM a\nRUN [\"apt-get\", \"update\"]\n");
    let run = Dockerfile::new(&parse.tree).instructions().nth(1).unwrap();
    assert!(ShellSource::from_instruction(run).is_none());
}

#[test]
fn ranges_map_across_pieces() {
    let mut source = ShellSource::plain("ab");
    source.push("cd", 10);
    assert_eq!(source.text(), "abcd");
    assert_eq!(source.map_range(0, 2), TextRange::new(0, 2));
    assert_eq!(source.map_range(2, 4), TextRange::new(10, 12));
    assert_eq!(source.map_range(1, 3), TextRange::new(1, 11));
    assert_eq!(source.map_range(4, 4), TextRange::new(12, 12));
}

#[test]
fn hostile_scripts_do_not_hurt() {
    let deep = format!(
        "FROM a\nRUN {}true{}\n",
        "$(".repeat(5000),
        ")".repeat(5000)
    );
    let (_, script, _) = script_of(&deep);
    assert!(script.commands.len() <= 5001);
    let long = format!("FROM a\nRUN echo {}\n", "x".repeat(MAX_SCRIPT_LEN + 1));
    let (_, script, _) = script_of(&long);
    assert!(script.skipped && script.commands.is_empty());
}

#[test]
fn append_point_after_the_last_statement() {
    let end = |src: &str| {
        let (text, script, base) = script_of(src);
        script
            .append_at
            .map(|at| text[..(base + at) as usize].to_owned())
    };
    let src = "FROM a\nRUN apt-get update \\\n  && apt-get install -y curl # the client\n";
    assert_eq!(
        end(src).as_deref(),
        Some("FROM a\nRUN apt-get update \\\n  && apt-get install -y curl")
    );
    assert!(end("FROM a\nRUN a; b;\n").unwrap().ends_with("b"));
    assert!(
        end("FROM a\nRUN if x; then y; fi\n")
            .unwrap()
            .ends_with("fi")
    );
    // A background job, a heredoc and an empty script have no such place.
    assert_eq!(end("FROM a\nRUN a && b &\n"), None);
    assert_eq!(end("FROM a\nRUN cat <<EOF > /x && b\nbody\nEOF\n"), None);
    // In a heredoc script, the end of its last statement.
    let src = "FROM a\nRUN <<EOF\nset -e\napt-get update\nEOF\n";
    assert!(end(src).unwrap().ends_with("apt-get update"));
}

#[test]
fn non_ascii_text_is_safe_and_kept() {
    // This crashed tree-sitter-bash's scanner (`isdigit` on a character above U+00FF).
    for src in [
        "FROM a\nRUN use${\u{EB85D}`\n",
        "FROM a\nRUN echo ${\u{1F600}9.",
        "FROM a\nRUN {\u{EB85D}",
    ] {
        let (_, script, _) = script_of(src);
        let _ = script.commands.len();
    }
    let (text, script, base) = script_of("FROM a\nRUN echo \"안녕 😀\" 한글 && apk add café\n");
    assert_eq!(names(&script), ["echo", "apk"]);
    assert_eq!(script.commands[0].args[0].text, "안녕 😀");
    assert_eq!(at(&text, base, script.commands[0].args[1].range), "한글");
    assert_eq!(script.commands[1].args[1].text, "café");
}
