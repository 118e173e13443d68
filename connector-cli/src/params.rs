//! How an action's parameters appear on the command line: one flag per wire name, and
//! the record's id as a positional argument. A leaf below `cli` (the tree) and `input`
//! (reading the flags back), so neither depends on the other.

use crate::options::RESERVED;
use connector_core::{ActionSpec, Location, Method, ParamSpec};

/// `--yes` of a delete: delete without asking.
pub const YES: &str = "yes";

/// The argument id of the record's id given as a positional argument (`contacts get 5`).
pub const POSITIONAL_ID: &str = "positional-id";

/// The verbs whose record id may also be given as a positional argument.
const ID_VERBS: &[&str] = &["get", "update", "delete"];
/// The prefix of a parameter's argument id (ids never clash with the CLI's own flags).
const PARAM_ID: &str = "param:";

/// One parameter per name: a name declared twice (path and body) gets one flag.
pub fn unique_params(action: &ActionSpec) -> Vec<ParamFlag> {
    let mut out: Vec<ParamFlag> = Vec::new();
    for p in action.params {
        match out.iter_mut().find(|f| f.spec.name == p.name) {
            Some(f) => {
                f.required |= p.required;
                if !f.locations.contains(&p.location) {
                    f.locations.push(p.location);
                }
            }
            None => out.push(ParamFlag {
                spec: p,
                required: p.required,
                locations: vec![p.location],
            }),
        }
    }
    out
}

/// A parameter as the command line sees it.
#[derive(Debug)]
pub struct ParamFlag {
    pub spec: &'static ParamSpec,
    pub required: bool,
    pub locations: Vec<Location>,
}

impl ParamFlag {
    /// The argument id in the matches.
    pub fn id(&self) -> String {
        format!("{PARAM_ID}{}", self.spec.name)
    }

    /// The long flag: the wire name (`labels[]` -> `labels`), or `param-<name>` when the
    /// CLI uses that name itself.
    pub fn long(&self) -> String {
        flag_name(self.spec.name)
    }
}

/// The long flag for a wire name.
pub fn flag_name(wire: &str) -> String {
    let base = wire.strip_suffix("[]").unwrap_or(wire);
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches('-').to_owned();
    if RESERVED.contains(&cleaned.as_str()) || cleaned.is_empty() {
        format!("param-{cleaned}")
    } else {
        cleaned
    }
}

/// The parameter a positional argument fills for `get`, `update` and `delete`: the path
/// parameter `id`, else the last path parameter (`contacts get 5` for
/// `/accounts/{account_id}/contacts/{id}`).
pub fn positional_id(action: &ActionSpec) -> Option<&'static ParamSpec> {
    if !ID_VERBS.contains(&action.verb) {
        return None;
    }
    let path: Vec<&'static ParamSpec> = action
        .params
        .iter()
        .filter(|p| p.location == Location::Path)
        .collect();
    path.iter()
        .find(|p| p.name == "id")
        .or(path.last())
        .copied()
}

/// Whether the action deletes: it is announced on stderr, and asked about first on a
/// terminal unless `--yes`.
pub fn deletes(action: &ActionSpec) -> bool {
    action.method == Method::Delete
}
