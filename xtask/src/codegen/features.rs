//! Cargo features: one per resource, gating that group's typed code (handler accessor,
//! builders, models, enums), `full` (all of them) in `default`. A model or enum used by
//! several groups is compiled when any of them is on, so every subset builds. The dynamic
//! registry (`ACTIONS`) is never gated. The crate's optional parts that are not resources
//! (the web hook receiver, Redis) are declared in `backend.toml`'s `[features]` and written
//! into the same table, the ones marked `default` beside `full`.

use super::plan::{FieldType, Plan};
use crate::manifest::{CrateFeature, Loaded};
use indexmap::IndexMap;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

/// Feature names a resource cannot take: the ones the generated table defines itself.
const TAKEN: &[&str] = &["default", "full"];

pub struct Features {
    /// One feature per resource, in the manifest's resource order.
    pub groups: Vec<String>,
    /// The crate's other features (`backend.toml`'s `[features]`), in their order.
    pub own: IndexMap<String, CrateFeature>,
    /// Model or enum name → the features any of which compiles it.
    needed_by: HashMap<String, BTreeSet<String>>,
}

impl Features {
    pub fn new(m: &Loaded, plan: &Plan) -> Result<Features, String> {
        let mut groups = Vec::new();
        for r in &m.resources {
            if TAKEN.contains(&r.name.as_str()) {
                return Err(format!(
                    "{}: resource `{}`: the name is taken by a generated cargo feature",
                    m.name(),
                    r.name
                ));
            }
            groups.push(r.name.clone());
        }
        for name in m.backend.features.keys() {
            if TAKEN.contains(&name.as_str()) || groups.contains(name) {
                return Err(format!(
                    "{}: backend.toml: feature `{name}`: the name is taken by a generated cargo feature",
                    m.name()
                ));
            }
        }
        let mut needed_by: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut need = |name: &str, group: &str| {
            needed_by
                .entry(name.to_owned())
                .or_default()
                .insert(group.to_owned());
        };
        // What a group declares, its actions' answers and its parameters' enums.
        for r in &m.resources {
            for name in r.models.keys().chain(r.enums.keys()) {
                need(name, &r.name);
            }
        }
        for (ai, a) in m.actions.iter().enumerate() {
            for written in [&a.action.output, &a.action.item].into_iter().flatten() {
                if let Ok((FieldType::Model(n) | FieldType::Enum(n), _)) = plan.field_type(written)
                {
                    need(&n, &a.resource);
                }
            }
            for pi in 0..a.params.len() {
                if let Some(e) = plan.param_enum.get(&(ai, pi)) {
                    need(e, &a.resource);
                }
            }
        }
        // A model's field types are needed wherever the model is: until nothing changes.
        let mut edges: Vec<(String, String)> = Vec::new();
        for r in &m.resources {
            for (name, model) in &r.models {
                for spec in model.fields.values() {
                    if let Ok((FieldType::Model(n) | FieldType::Enum(n), _)) =
                        plan.field_type(spec.ty())
                    {
                        edges.push((name.clone(), n));
                    }
                }
            }
        }
        loop {
            let mut changed = false;
            for (from, to) in &edges {
                let add = needed_by.get(from).cloned().unwrap_or_default();
                let set = needed_by.entry(to.clone()).or_default();
                let before = set.len();
                set.extend(add);
                changed |= set.len() != before;
            }
            if !changed {
                break;
            }
        }
        Ok(Features {
            groups,
            own: m.backend.features.clone(),
            needed_by,
        })
    }

    /// The `#[cfg(...)]` line of a resource's own code.
    pub fn cfg_group(&self, group: &str) -> String {
        format!("#[cfg(feature = \"{group}\")]\n")
    }

    /// The `#[cfg(...)]` line of a model or enum: any group that uses it.
    pub fn cfg_type(&self, name: &str) -> String {
        let groups: Vec<&String> = self
            .needed_by
            .get(name)
            .map(|s| s.iter().collect())
            .unwrap_or_default();
        match groups.as_slice() {
            // Used by no group (declared nowhere a resource names it): only with `full`.
            [] => "#[cfg(feature = \"full\")]\n".to_owned(),
            [one] => self.cfg_group(one),
            many => format!(
                "#[cfg(any({}))]\n",
                many.iter()
                    .map(|g| format!("feature = \"{g}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

const BEGIN: &str =
    "# @generated by `cargo xtask codegen`: one feature per resource in manifest/*.toml.";
const END: &str = "# @end of the generated features";

/// The crate's `Cargo.toml` with its `[features]` table (between the markers) derived from
/// the manifests; appended when the markers are not there yet.
pub fn cargo_toml(current: &str, features: &Features) -> Result<String, String> {
    let mut default = vec!["\"full\"".to_owned()];
    default.extend(
        (features.own.iter())
            .filter(|(_, f)| f.default)
            .map(|(name, _)| format!("\"{name}\"")),
    );
    let mut table = format!(
        "{BEGIN}\n# `full` (in the default) is every group; depend with `default-features = false` and\n# name the groups you call to compile only their typed code.\n[features]\ndefault = [{}]\nfull = [\n",
        default.join(", ")
    );
    for g in &features.groups {
        let _ = writeln!(table, "    \"{g}\",");
    }
    table.push_str("]\n");
    for g in &features.groups {
        let _ = writeln!(table, "{g} = []");
    }
    // Declared in backend.toml; a line of help each.
    for (name, f) in &features.own {
        let enables: Vec<String> = f.enables.iter().map(|e| format!("\"{e}\"")).collect();
        let _ = writeln!(table, "# {}\n{name} = [{}]", f.help, enables.join(", "));
    }
    table.push_str(END);
    table.push('\n');
    match (current.find(BEGIN), current.find(END)) {
        (Some(b), Some(e)) if b < e => {
            let after = &current[e + END.len()..];
            let after = after.strip_prefix('\n').unwrap_or(after);
            Ok(format!("{}{table}{after}", &current[..b]))
        }
        (None, None) => {
            if current.contains("\n[features]") {
                return Err(
                    "Cargo.toml has a hand-written [features] table; the generated one replaces it"
                        .to_owned(),
                );
            }
            Ok(format!(
                "{}\n{table}",
                current.trim_end_matches('\n').to_owned() + "\n"
            ))
        }
        _ => Err("Cargo.toml: the generated features' markers are broken".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_groups() -> Features {
        Features {
            groups: vec!["activities".into(), "users".into()],
            own: IndexMap::new(),
            needed_by: HashMap::new(),
        }
    }

    #[test]
    fn the_table_is_appended_then_replaced_between_its_markers() {
        let first = cargo_toml(
            "[package]\nname = \"x\"\n\n[lints]\nworkspace = true\n",
            &two_groups(),
        )
        .unwrap();
        assert!(
            first.starts_with(
                "[package]\nname = \"x\"\n\n[lints]\nworkspace = true\n\n# @generated"
            )
        );
        assert!(first.contains("default = [\"full\"]\nfull = [\n    \"activities\",\n    \"users\",\n]\nactivities = []\nusers = []\n"));
        let edited =
            first.replace("users = []", "users = [\"activities\"]") + "[dev-dependencies]\n";
        let again = cargo_toml(&edited, &two_groups()).unwrap();
        assert_eq!(again, first.clone() + "[dev-dependencies]\n");
        assert_eq!(cargo_toml(&first, &two_groups()).unwrap(), first);
    }

    #[test]
    fn the_crates_own_features_follow_the_groups_and_the_default_ones_join_full() {
        let mut f = two_groups();
        for (name, default) in [("receiver", true), ("redis", false)] {
            f.own.insert(
                name.into(),
                CrateFeature {
                    help: format!("The {name}."),
                    enables: vec![format!("connector-core/{name}")],
                    default,
                },
            );
        }
        let toml = cargo_toml("[package]\n", &f).unwrap();
        assert!(
            toml.contains("default = [\"full\", \"receiver\"]\n"),
            "{toml}"
        );
        assert!(toml.contains("users = []\n# The receiver.\nreceiver = [\"connector-core/receiver\"]\n# The redis.\nredis = [\"connector-core/redis\"]\n# @end"), "{toml}");
    }

    #[test]
    fn a_hand_written_table_or_broken_markers_are_refused() {
        assert!(cargo_toml("[package]\n\n[features]\nx = []\n", &two_groups()).is_err());
        assert!(cargo_toml(&format!("[package]\n{END}\n{BEGIN}\n"), &two_groups()).is_err());
    }

    #[test]
    fn a_model_is_compiled_with_every_group_that_reaches_it() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let m = crate::manifest::load(&root.join("connector-moco")).unwrap();
        let plan = Plan::new(&m).unwrap();
        let f = Features::new(&m, &plan).unwrap();
        assert_eq!(
            f.cfg_group("activities"),
            "#[cfg(feature = \"activities\")]\n"
        );
        // Declared by `activities`, the answer of `invoices.timesheet`.
        assert_eq!(
            f.cfg_type("Activity"),
            "#[cfg(any(feature = \"activities\", feature = \"invoices\"))]\n"
        );
        // Declared by `companies`, a field of `activities`' `Activity`.
        let company_ref = f.cfg_type("CompanyRef");
        assert!(
            company_ref.contains("feature = \"companies\""),
            "{company_ref}"
        );
        assert!(
            company_ref.contains("feature = \"activities\""),
            "{company_ref}"
        );
        // An enum of `activities`' parameters and of an `Activity` field.
        assert!(
            f.cfg_type("ActivitiesRemoteService")
                .contains("feature = \"activities\"")
        );
        assert_eq!(f.groups.len(), m.resources.len());
    }
}
