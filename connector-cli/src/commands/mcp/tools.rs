//! Which actions are offered, and each as an MCP tool: its name, description, input
//! schema (the core's, plus the call's own arguments) and annotations, all read from
//! the declaration.

use crate::backend::Backend;
use connector_core::{ActionSpec, Method, ResponseKind, schema};
use globset::{Glob, GlobSet, GlobSetBuilder};
use rmcp::model::{Tool, ToolAnnotations};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// `dry_run: true` on a writing tool: the request as it would go out, nothing sent.
pub const DRY_RUN: &str = "dry_run";
/// At most this many items of a list per call.
pub const LIMIT: &str = "limit";
/// Items of a list to skip (the `next` of an earlier call says how many).
pub const OFFSET: &str = "offset";
/// Items of a list per call unless the caller asks for another `limit`.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest `limit` a caller may ask for: one answer must fit an agent's context.
pub const MAX_LIMIT: usize = 1000;

/// Above this many selected actions the catalog is the default: hundreds of schemas
/// would fill an agent's context before it does anything.
pub const CATALOG_ABOVE: usize = 64;

/// An action of a backend, as the server offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offered {
    pub backend: Backend,
    pub spec: &'static ActionSpec,
}

impl Offered {
    /// `konverte_contacts_create`: backend and id in the characters every MCP client
    /// accepts (ids are `[a-z0-9_]` around one dot).
    pub fn tool_name(&self) -> String {
        format!("{}_{}", self.backend.name(), self.spec.id.replace('.', "_"))
    }

    /// `konverte.contacts.create`, the name the catalog uses.
    pub fn qualified_id(&self) -> String {
        format!("{}.{}", self.backend.name(), self.spec.id)
    }

    pub fn reads(&self) -> bool {
        reads(self.spec)
    }

    /// A read that answers JSON, whose list answers are cut to `limit` items.
    pub fn lists(&self) -> bool {
        self.reads() && !self.downloads()
    }

    /// Answers with a file (a PDF, an export), saved where `--out-dir` says.
    pub fn downloads(&self) -> bool {
        self.spec.response == ResponseKind::Bytes
    }
}

/// A read: a GET, or a paged list that the declaration marks safe to repeat (a search
/// sent as POST). Everything else may change data.
pub fn reads(spec: &ActionSpec) -> bool {
    spec.method == Method::Get || (spec.pagination.is_paged() && spec.idempotent)
}

/// May change or remove what exists. Only a POST whose verb creates (`create`,
/// `bulk_create`, `create_hook`) is taken to add without touching anything else; a
/// toggle, a merge or an update may overwrite.
pub fn destructive(spec: &ActionSpec) -> bool {
    let creates = spec.method == Method::Post && spec.verb.split('_').any(|w| w == "create");
    !(reads(spec) || creates)
}

/// MCP's hints, from the declaration.
pub fn annotations(spec: &ActionSpec) -> ToolAnnotations {
    let title = if spec.name.is_empty() {
        spec.id
    } else {
        spec.name
    };
    ToolAnnotations::with_title(title)
        .read_only(reads(spec))
        .destructive(destructive(spec))
        .idempotent(reads(spec) || spec.idempotent)
        .open_world(true)
}

/// `--actions` patterns; each is matched against the action id (`contacts.*`) and the
/// id with its backend (`moco.*`, `konverte.contacts.*`).
#[derive(Debug, Clone)]
pub struct Patterns(Option<GlobSet>);

impl Patterns {
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Result<Patterns, String> {
        let mut builder = GlobSetBuilder::new();
        let mut any = false;
        for p in patterns {
            let glob = Glob::new(p).map_err(|e| format!("--actions {p:?}: {e}"))?;
            builder.add(glob);
            any = true;
        }
        if !any {
            return Ok(Patterns(None));
        }
        builder
            .build()
            .map(|set| Patterns(Some(set)))
            .map_err(|e| format!("--actions: {e}"))
    }

    pub fn matches(&self, offered: &Offered) -> bool {
        match &self.0 {
            None => true,
            Some(set) => set.is_match(offered.spec.id) || set.is_match(offered.qualified_id()),
        }
    }
}

/// The actions of `backends` that the server offers, in registry order.
pub fn select(backends: &[Backend], read_only: bool, patterns: &Patterns) -> Vec<Offered> {
    backends
        .iter()
        .flat_map(|&backend| {
            backend
                .actions()
                .iter()
                .map(move |spec| Offered { backend, spec })
        })
        .filter(|o| !read_only || o.reads())
        .filter(|o| patterns.matches(o))
        .collect()
}

/// The input schema of an action's tool: its parameters, and `dry_run` for a write or
/// `limit` and `offset` for a read that answers JSON (a parameter the action declares
/// itself wins).
pub fn input_schema(offered: &Offered) -> Map<String, Value> {
    let mut schema = schema::input_schema(offered.spec);
    if let Some(Value::Object(props)) = schema.get_mut("properties") {
        for (name, control) in control_schemas(offered) {
            if !props.contains_key(name) {
                props.insert(name.to_owned(), control);
            }
        }
    }
    schema
}

/// The call's own arguments for this kind of action, with their schemas.
pub fn control_schemas(offered: &Offered) -> Vec<(&'static str, Value)> {
    if offered.reads() && !offered.lists() {
        Vec::new()
    } else if offered.lists() {
        vec![
            (
                LIMIT,
                json!({
                    "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT,
                    "description": format!("Most items of a list to return (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}).")
                }),
            ),
            (
                OFFSET,
                json!({
                    "type": "integer", "minimum": 0, "default": 0,
                    "description": "Items of the list to skip; an answer with more items says which offset comes next."
                }),
            ),
        ]
    } else {
        vec![(
            DRY_RUN,
            json!({
                "type": "boolean", "default": false,
                "description": "Validate and return the request as it would be sent (secrets masked); send nothing."
            }),
        )]
    }
}

/// One tool per action (`--tools all`).
pub fn action_tool(offered: &Offered) -> Tool {
    Tool::new(
        offered.tool_name(),
        description(offered),
        Arc::new(input_schema(offered)),
    )
    .with_title(annotations(offered.spec).title.unwrap_or_default())
    .with_annotations(annotations(offered.spec))
}

/// The declared summary, where the call goes, and what the call's own arguments do.
pub fn description(offered: &Offered) -> String {
    let spec = offered.spec;
    let mut text = String::new();
    if !spec.summary.is_empty() {
        text.push_str(spec.summary);
        text.push(' ');
    }
    text.push_str(&format!(
        "({} {} {}.)",
        offered.backend.name(),
        spec.method,
        spec.path
    ));
    if offered.downloads() {
        text.push_str(
            " Answers with a file: it is saved on this machine (connector mcp --out-dir) and the \
             result gives its path, size and content type.",
        );
    }
    if offered.lists() {
        text.push_str(&format!(
            " A list answer holds at most `limit` items (default {DEFAULT_LIMIT}); when there \
             are more, its `next` gives the `offset` to ask for."
        ));
    } else if !offered.reads() {
        text.push_str(" Changes data; `dry_run: true` shows the request without sending it.");
        if destructive(spec) {
            text.push_str(" May change or remove existing records.");
        }
    }
    if spec.deprecated {
        text.push_str(" Deprecated by the API.");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(backend: Backend, id: &str) -> Offered {
        let spec = backend.actions().iter().find(|a| a.id == id).unwrap();
        Offered { backend, spec }
    }

    #[test]
    fn tool_names_are_unique_and_in_the_allowed_characters() {
        let all = select(&Backend::ALL, false, &Patterns::new([]).unwrap());
        let mut names: Vec<String> = all.iter().map(Offered::tool_name).collect();
        for n in &names {
            assert!(
                n.len() <= 64
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
                "{n}"
            );
        }
        let total = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), total, "two actions map to one tool name");
    }

    #[test]
    fn patterns_match_ids_with_and_without_the_backend() {
        let p = Patterns::new(["moco.activities.*", "contacts.list"]).unwrap();
        let picked = select(&Backend::ALL, false, &p);
        assert!(!picked.is_empty());
        for o in &picked {
            assert!(
                o.spec.id == "contacts.list"
                    || (o.backend == Backend::Moco && o.spec.resource == "activities"),
                "{}",
                o.qualified_id()
            );
        }
        assert!(picked.contains(&find(Backend::Konverte, "contacts.list")));
        assert!(Patterns::new(["[oops"]).is_err());
    }

    #[test]
    fn annotations_follow_the_declaration() {
        let list = annotations(find(Backend::Konverte, "contacts.list").spec);
        assert_eq!(list.read_only_hint, Some(true));
        let filter = find(Backend::Konverte, "contacts.filter");
        assert!(filter.reads(), "a paged, idempotent POST search reads");
        let create = annotations(find(Backend::Konverte, "contacts.create").spec);
        assert_eq!(
            (
                create.read_only_hint,
                create.destructive_hint,
                create.idempotent_hint
            ),
            (Some(false), Some(false), Some(false))
        );
        let delete = annotations(find(Backend::Konverte, "contacts.delete").spec);
        assert_eq!(
            (delete.destructive_hint, delete.idempotent_hint),
            (Some(true), Some(true))
        );
    }

    #[test]
    fn reads_take_limit_and_writes_take_dry_run() {
        let list = input_schema(&find(Backend::Moco, "activities.list"));
        assert!(list["properties"].get(LIMIT).is_some());
        assert!(list["properties"].get(DRY_RUN).is_none());
        let create = input_schema(&find(Backend::Moco, "activities.create"));
        assert!(create["properties"].get(DRY_RUN).is_some());
        assert!(create["properties"].get(LIMIT).is_none());
    }
}
