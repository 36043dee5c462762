//! `dockwise rules` and `dockwise explain`.

use dockwise_e2e::{json, run_in, scratch, stderr, stdout};

#[test]
fn rules_lists_every_rule_code_first() {
    let dir = scratch(&[]);
    let out = run_in(dir.path(), &["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("CODE"), "{header}");
    let rows: Vec<&str> = lines.collect();
    assert!(
        rows.iter()
            .all(|l| l.starts_with("DF") || l.starts_with("CP")),
        "{text}"
    );
    assert!(
        rows.iter().any(|l| l.starts_with("CP001  schema")),
        "{text}"
    );
    let dup = rows.iter().find(|l| l.starts_with("DF002")).unwrap();
    let cells: Vec<&str> = dup.split_whitespace().take(5).collect();
    assert_eq!(cells, ["DF002", "duplicate-stage-name", "error", "-", "on"]);

    // The JSON list has the same rules, with their docs.
    let out = run_in(dir.path(), &["rules", "--format", "json"]);
    let list = json(&out);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), rows.len());
    let df053 = list.iter().find(|r| r["code"] == "DF053").unwrap();
    assert_eq!(df053["name"], "dockerignore-missing");
    assert_eq!(df053["severity"], "warning");
    assert!(
        df053["docs"]
            .as_str()
            .unwrap()
            .contains("## Why is this bad?")
    );
}

#[test]
fn explain_by_code_or_name() {
    let dir = scratch(&[]);
    for query in ["DF010", "df010", "maintainer-deprecated"] {
        let out = run_in(dir.path(), &["explain", query]);
        assert_eq!(out.status.code(), Some(0), "{query}");
        let page = stdout(&out);
        assert!(
            page.starts_with("# DF010 maintainer-deprecated\n"),
            "{page}"
        );
        assert!(page.contains("## Fix safety"));
    }
}

#[test]
fn explain_an_unknown_rule_suggests_one() {
    let dir = scratch(&[]);
    let out = run_in(dir.path(), &["explain", "maintainer-depreciated"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `maintainer-deprecated`?"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}
