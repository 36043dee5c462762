//! Other linters' codes for our rules, so their suppression comments keep working:
//! hadolint's `DLxxxx` (`# hadolint ignore=DL3008`) and BuildKit's check names
//! (`# check=skip=JSONArgsRecommended`). From the equivalence column of our rule catalogue.

/// hadolint code → our rule code.
pub const HADOLINT: &[(&str, &str)] = &[
    ("DL1001", "DF091"),
    ("DL3000", "DF011"),
    ("DL3001", "DF063"),
    ("DL3002", "DF071"),
    ("DL3003", "DF061"),
    ("DL3004", "DF062"),
    ("DL3006", "DF030"),
    ("DL3007", "DF031"),
    ("DL3008", "DF049"),
    ("DL3009", "DF047"),
    ("DL3010", "DF021"),
    ("DL3011", "DF018"),
    ("DL3012", "DF007"),
    ("DL3013", "DF049"),
    ("DL3014", "DF047"),
    ("DL3015", "DF047"),
    ("DL3016", "DF049"),
    ("DL3018", "DF049"),
    ("DL3019", "DF046"),
    ("DL3020", "DF021"),
    ("DL3021", "DF013"),
    ("DL3022", "DF003"),
    ("DL3023", "DF003"),
    ("DL3024", "DF002"),
    ("DL3025", "DF008"),
    ("DL3026", "DF033"),
    ("DL3027", "DF047"),
    ("DL3028", "DF049"),
    ("DL3029", "DF034"),
    ("DL3030", "DF050"),
    ("DL3032", "DF050"),
    ("DL3033", "DF049"),
    ("DL3034", "DF050"),
    ("DL3035", "DF050"),
    ("DL3036", "DF050"),
    ("DL3037", "DF049"),
    ("DL3038", "DF050"),
    ("DL3040", "DF050"),
    ("DL3041", "DF049"),
    ("DL3042", "DF046"),
    ("DL3043", "DF019"),
    ("DL3044", "DF017"),
    ("DL3045", "DF012"),
    ("DL3046", "DF066"),
    ("DL3047", "DF064"),
    ("DL3048", "DF090"),
    ("DL3049", "DF090"),
    ("DL3050", "DF090"),
    ("DL3051", "DF090"),
    ("DL3052", "DF090"),
    ("DL3053", "DF090"),
    ("DL3054", "DF090"),
    ("DL3055", "DF090"),
    ("DL3056", "DF090"),
    ("DL3057", "DF080"),
    ("DL3058", "DF090"),
    ("DL3059", "DF051"),
    ("DL3060", "DF046"),
    ("DL3061", "DF001"),
    ("DL3062", "DF049"),
    ("DL3063", "DF004"),
    ("DL3064", "DF074"),
    ("DL3065", "DF035"),
    ("DL3066", "DF072"),
    ("DL3067", "DF052"),
    ("DL4000", "DF010"),
    ("DL4001", "DF064"),
    ("DL4003", "DF007"),
    ("DL4004", "DF007"),
    ("DL4005", "DF065"),
    ("DL4006", "DF060"),
];

/// BuildKit build-check name → our rule code.
pub const BUILDKIT: &[(&str, &str)] = &[
    ("ConsistentInstructionCasing", "DF006"),
    ("CopyIgnoredFile", "DF055"),
    ("DuplicateStageName", "DF002"),
    ("ExposeInvalidFormat", "DF018"),
    ("ExposeProtoCasing", "DF018"),
    ("FromAsCasing", "DF006"),
    ("FromPlatformFlagConstDisallowed", "DF034"),
    ("InvalidDefaultArgInFrom", "DF016"),
    ("JSONArgsRecommended", "DF008"),
    ("LegacyKeyValueFormat", "DF014"),
    ("MaintainerDeprecated", "DF010"),
    ("MultipleInstructionsDisallowed", "DF007"),
    ("NoEmptyContinuation", "DF015"),
    ("RedundantTargetPlatform", "DF035"),
    ("ReservedStageName", "DF004"),
    ("SecretsUsedInArgOrEnv", "DF074"),
    ("StageNameCasing", "DF005"),
    ("UndefinedArgInFrom", "DF016"),
    ("UndefinedVar", "DF016"),
    ("WorkdirRelativePath", "DF011"),
];

/// Our rule code for a hadolint code (`DL3008`, any case).
pub fn from_hadolint(code: &str) -> Option<&'static str> {
    HADOLINT
        .iter()
        .find(|(dl, _)| dl.eq_ignore_ascii_case(code))
        .map(|(_, df)| *df)
}

/// Our rule code for a BuildKit check name (compared without case, as BuildKit does).
pub fn from_buildkit(name: &str) -> Option<&'static str> {
    BUILDKIT
        .iter()
        .find(|(bk, _)| bk.eq_ignore_ascii_case(name))
        .map(|(_, df)| *df)
}

/// dclint (docker-compose-linter) rule name → our rule code.
pub const DCLINT: &[(&str, &str)] = &[
    ("invalid-yaml", "CP001"),
    ("invalid-schema", "CP001"),
    ("no-version-field", "CP002"),
    ("no-unbound-port-interfaces", "CP015"),
    ("no-duplicate-exported-ports", "CP017"),
    ("require-quotes-in-ports", "CP018"),
    ("service-image-require-explicit-tag", "CP040"),
    ("no-build-and-image", "CP041"),
    ("no-duplicate-container-names", "CP042"),
    ("service-container-name-regex", "CP042"),
    ("require-project-name-field", "CP046"),
    ("services-alphabetical-order", "CP050"),
    ("service-keys-order", "CP050"),
    ("top-level-properties-order", "CP050"),
    ("service-dependencies-alphabetical-order", "CP050"),
    ("service-ports-alphabetical-order", "CP050"),
    ("no-quotes-in-volumes", "CP051"),
];

/// Our rule code for a dclint rule name.
pub fn from_dclint(name: &str) -> Option<&'static str> {
    DCLINT
        .iter()
        .find(|(dc, _)| dc.eq_ignore_ascii_case(name))
        .map(|(_, cp)| *cp)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Suppression comments, hover and `.hadolint.yaml` migration all trust these tables:
    /// each entry must name one of our rules, of the right family, and each peer code
    /// appears once (a second entry would never be found).
    #[test]
    fn every_entry_names_an_existing_rule_once() {
        type Table = &'static [(&'static str, &'static str)];
        let tables: [(&str, Table, &str); 3] = [
            ("HADOLINT", HADOLINT, "DF"),
            ("BUILDKIT", BUILDKIT, "DF"),
            ("DCLINT", DCLINT, "CP"),
        ];
        for (name, table, family) in tables {
            for (i, (peer, ours)) in table.iter().enumerate() {
                let rule = crate::rules::find_rule(ours)
                    .unwrap_or_else(|| panic!("{name}: {peer} -> {ours}: no such rule"));
                assert_eq!(rule.code, *ours, "{name}: {peer} -> {ours}: not a code");
                assert!(ours.starts_with(family), "{name}: {peer} -> {ours}");
                assert!(
                    !table[..i].iter().any(|(p, _)| p.eq_ignore_ascii_case(peer)),
                    "{name}: {peer} appears twice"
                );
            }
        }
        assert_eq!(from_hadolint("dl3008"), Some("DF049"));
        assert_eq!(from_hadolint("SC2086"), None);
    }
}
