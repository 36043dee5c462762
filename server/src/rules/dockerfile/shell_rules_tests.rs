//! Robustness of the rules that read RUN commands: half-typed files never panic and give
//! ranges on character boundaries, and applying their fixes converges.

use crate::analysis::check_dockerfile_with;
use crate::config::Config;
use crate::diagnostics::{Applicability, Diagnostic};
use crate::facts::DockerfileFacts;

const CODES: &[&str] = &[
    "DF043", "DF044", "DF046", "DF047", "DF048", "DF049", "DF050", "DF060", "DF061", "DF062",
    "DF063", "DF064", "DF065", "DF066",
];

fn shell_findings(text: &str) -> Vec<Diagnostic> {
    check_dockerfile_with(text, &DockerfileFacts::default(), &Config::all_enabled())
        .into_iter()
        .filter(|d| CODES.contains(&d.code))
        .collect()
}

const SAMPLE: &str = "# escape=\\\r\nFROM node:22-alpine AS build\r\nWORKDIR /app\r\nCOPY package*.json ./\r\n\
RUN npm install --production && npm ci --only prod \\\r\n    && pip3 install flask \"günicorn\" && apk add curl\r\n\
RUN apt-get update && apt install -o APT::X=1 vim && cd /app && sudo ps | wget https://x/é\r\n\
RUN <<EOF\r\ndnf install httpd\r\nzypper dup\r\nuseradd -u 1234567 app\r\nln -sf /bin/bash /bin/sh\r\nEOF\r\n\
RUN [\"sh\", \"-c\", \"curl x | sh\"]\r\nONBUILD RUN yarn && go install github.com/a/b\r\n\
SHELL [\"pwsh\", \"-c\"]\r\nRUN apt-get install x | y\r\n";

#[test]
fn half_typed_files_give_valid_ranges() {
    let mut offsets: Vec<usize> = SAMPLE.char_indices().map(|(i, _)| i).collect();
    offsets.push(SAMPLE.len());
    for end in offsets {
        let text = &SAMPLE[..end];
        for d in shell_findings(text) {
            assert!(
                text.get(d.range.as_usize()).is_some(),
                "{} range {:?} in {text:?}",
                d.code,
                d.range
            );
            for edit in d.fix.iter().flat_map(|f| &f.edits) {
                assert!(text.get(edit.range.as_usize()).is_some(), "{}", d.code);
            }
        }
    }
}

#[test]
fn fixes_converge() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut texts = vec![SAMPLE.to_owned()];
    for code in CODES {
        for entry in std::fs::read_dir(root.join(code)).expect("fixture folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "Dockerfile") {
                texts.push(std::fs::read_to_string(path).expect("fixture"));
            }
        }
    }
    for original in texts {
        let mut text = original.clone();
        let mut rounds = 0;
        // Apply one applicable fix at a time until none is left.
        while let Some(fix) = shell_findings(&text)
            .into_iter()
            .filter_map(|d| d.fix)
            .find(|f| f.applicability != Applicability::DisplayOnly)
        {
            let mut edits = fix.edits.clone();
            edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
            for edit in edits {
                text.replace_range(edit.range.as_usize(), &edit.new_text);
            }
            rounds += 1;
            assert!(
                rounds < 30,
                "fixes do not converge on:\n{original}\nnow:\n{text}"
            );
        }
    }
}
