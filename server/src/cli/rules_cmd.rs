//! `dockwise rules` (every rule, one line each) and `dockwise explain CODE` (one rule's
//! documentation). Both read the rule registry; the text is the rules' own doc comments.

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::{exit, print_stdout, tool_error};
use crate::rules::{RuleMeta, all_rules, find_rule};
use crate::text::similar::closest;

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// How to print the list.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// Aligned columns: code, name, severity, fixable, default on, first sentence of the docs.
    Table,
    /// A JSON array with every field and the documentation.
    Json,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code (`DF053`, any case) or name (`dockerignore-missing`).
    pub rule: String,
}

#[derive(Serialize)]
struct JsonRule {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    fixable: bool,
    default_enabled: bool,
    summary: String,
    docs: String,
}

pub fn run_rules(args: &RulesArgs) -> u8 {
    let text = match args.format {
        RulesFormat::Table => table(),
        RulesFormat::Json => {
            let rules: Vec<JsonRule> = all_rules()
                .map(|r| JsonRule {
                    code: r.code,
                    name: r.name,
                    severity: r.severity.as_str(),
                    fixable: r.fixable,
                    default_enabled: r.default_enabled,
                    summary: r.summary(),
                    docs: r.docs_text(),
                })
                .collect();
            serde_json::to_string_pretty(&rules).unwrap_or_default() + "\n"
        }
    };
    match print_stdout(&text) {
        Ok(()) => exit::OK,
        Err(e) => tool_error(format!("writing the rule list failed: {e}")),
    }
}

pub fn run_explain(args: &ExplainArgs) -> u8 {
    let Some(rule) = find_rule(args.rule.trim()) else {
        let names = all_rules().flat_map(|r| [r.code, r.name]);
        let hint = closest(args.rule.trim(), names)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        return tool_error(format!(
            "no rule `{}`{hint}; `dockwise rules` lists them all",
            args.rule
        ));
    };
    match print_stdout(&rule.docs_page()) {
        Ok(()) => exit::OK,
        Err(e) => tool_error(format!("writing the rule docs failed: {e}")),
    }
}

/// The rule table: a header and one line per rule, code first, columns aligned.
fn table() -> String {
    let rows: Vec<[String; 6]> = all_rules().map(row).collect();
    let header = ["CODE", "NAME", "SEVERITY", "FIX", "DEFAULT", "SUMMARY"].map(str::to_owned);
    let mut widths = [0usize; 5];
    for r in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for r in std::iter::once(&header).chain(&rows) {
        for (cell, w) in r.iter().zip(widths) {
            out.push_str(&format!("{cell:<w$}  "));
        }
        out.push_str(&r[5]);
        out.push('\n');
    }
    out
}

fn row(rule: &RuleMeta) -> [String; 6] {
    [
        rule.code.to_owned(),
        rule.name.to_owned(),
        rule.severity.as_str().to_owned(),
        if rule.fixable { "yes" } else { "-" }.to_owned(),
        if rule.default_enabled { "on" } else { "off" }.to_owned(),
        rule.short_summary(),
    ]
}
