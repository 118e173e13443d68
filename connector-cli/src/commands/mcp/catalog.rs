//! `--tools catalog`: three tools instead of one per action, so an agent looks up what
//! it needs instead of loading hundreds of schemas: `search_actions`,
//! `describe_action` (the full input schema) and `run_action` (an id and its input).

use super::tools::{
    self, DEFAULT_LIMIT, DRY_RUN, LIMIT, MAX_LIMIT, OFFSET, Offered, annotations, control_schemas,
};
use crate::backend::Backend;
use connector_core::{Error, schema, validate};
use rmcp::model::{Tool, ToolAnnotations};
use serde_json::{Map, Value, json};
use std::sync::Arc;

pub const SEARCH: &str = "search_actions";
pub const DESCRIBE: &str = "describe_action";
pub const RUN: &str = "run_action";

fn object(value: Value) -> Arc<Map<String, Value>> {
    match value {
        Value::Object(map) => Arc::new(map),
        _ => Arc::default(),
    }
}

/// The three tools. `run_action` is marked read-only when only reads are offered.
pub fn tools(backends: &[Backend], read_only: bool) -> Vec<Tool> {
    let names: Vec<&str> = backends.iter().map(|b| b.name()).collect();
    let search = Tool::new(
        SEARCH,
        format!(
            "Find the actions this server can run, by words (all must match the id, name or \
             summary), resource or backend. Returns ids for describe_action and run_action, \
             at most `limit` (default {DEFAULT_LIMIT}) at a time."
        ),
        object(json!({
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "Words to look for, e.g. \"create contact\"."},
                "backend": {"type": "string", "enum": names},
                "resource": {"type": "string", "description": "Only actions of this resource, e.g. contacts."},
                LIMIT: {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                OFFSET: {"type": "integer", "minimum": 0, "default": 0},
            },
            "additionalProperties": false,
        })),
    )
    .with_annotations(read_tool("Search actions"));
    let describe = Tool::new(
        DESCRIBE,
        "The full description of one action: what it does, the HTTP call, its hints \
         (read-only, destructive, idempotent) and the JSON Schema of its input.",
        object(json!({
            "type": "object",
            "properties": {"action": action_property()},
            "required": ["action"],
            "additionalProperties": false,
        })),
    )
    .with_annotations(read_tool("Describe an action"));
    let run = Tool::new(
        RUN,
        format!(
            "Run one action with its input (validated before anything is sent). Writes take \
             `dry_run: true` to show the request without sending it; list answers hold at \
             most `limit` items (default {DEFAULT_LIMIT}) and give the next `offset`."
        ),
        object(json!({
            "type": "object",
            "properties": {
                "action": action_property(),
                "input": {"type": "object", "description": "The action's parameters, as describe_action gives them."},
                DRY_RUN: {"type": "boolean", "default": false, "description": "Writes only: validate and return the request; send nothing."},
                LIMIT: {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT, "description": "Reads only: most items of a list to return."},
                OFFSET: {"type": "integer", "minimum": 0, "default": 0, "description": "Reads only: items of the list to skip."},
            },
            "required": ["action"],
            "additionalProperties": false,
        })),
    )
    .with_annotations(
        ToolAnnotations::with_title("Run an action")
            .read_only(read_only)
            .destructive(!read_only)
            .idempotent(read_only)
            .open_world(true),
    );
    vec![search, describe, run]
}

fn read_tool(title: &str) -> ToolAnnotations {
    ToolAnnotations::with_title(title)
        .read_only(true)
        .destructive(false)
        .idempotent(true)
        .open_world(false)
}

fn action_property() -> Value {
    json!({
        "type": "string",
        "description": "The action, as search_actions gives it: backend.resource.verb, e.g. konverte.contacts.create (the backend may be left out when only one has the id).",
    })
}

/// `search_actions`.
pub fn search(offered: &[Offered], args: &Map<String, Value>) -> Result<Value, Error> {
    check_keys(args, &["query", "backend", "resource", LIMIT, OFFSET])?;
    let text = |name: &str| -> Result<Option<String>, Error> {
        match args.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => validate::string(name, v).map(|s| Some(s.to_lowercase())),
        }
    };
    let words: Vec<String> = text("query")?
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let backend = text("backend")?;
    let resource = text("resource")?;
    let limit = match args.get(LIMIT) {
        None | Some(Value::Null) => DEFAULT_LIMIT,
        Some(v) => match validate::integer(LIMIT, v)? {
            n @ 1.. if n <= MAX_LIMIT as i64 => n as usize,
            _ => {
                return Err(Error::validation(
                    LIMIT,
                    format!("must be between 1 and {MAX_LIMIT}"),
                ));
            }
        },
    };
    let offset = match args.get(OFFSET) {
        None | Some(Value::Null) => 0,
        Some(v) => usize::try_from(validate::integer(OFFSET, v)?)
            .map_err(|_| Error::validation(OFFSET, "must be 0 or more"))?,
    };
    let found: Vec<&Offered> = offered
        .iter()
        .filter(|o| backend.as_deref().is_none_or(|b| o.backend.name() == b))
        .filter(|o| resource.as_deref().is_none_or(|r| o.spec.resource == r))
        .filter(|o| {
            let hay = format!(
                "{} {} {} {}",
                o.qualified_id(),
                o.spec.id.replace(['_', '.'], " "),
                o.spec.name,
                o.spec.summary
            )
            .to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect();
    let total = found.len();
    let page: Vec<Value> = found
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|o| {
            json!({
                "action": o.qualified_id(),
                "name": o.spec.name,
                "summary": o.spec.summary,
                "method": o.spec.method.as_str(),
                "reads": o.reads(),
            })
        })
        .collect();
    let count = page.len();
    let mut out = json!({"actions": page, "count": count, "total": total, "offset": offset});
    if offset + count < total {
        out["next"] = json!({OFFSET: offset + count, LIMIT: limit});
    }
    Ok(out)
}

/// `describe_action`.
pub fn describe(
    offered: &[Offered],
    read_only: bool,
    args: &Map<String, Value>,
) -> Result<Value, Error> {
    check_keys(args, &["action"])?;
    let o = find(offered, read_only, args.get("action"))?;
    let spec = o.spec;
    let controls: Map<String, Value> = control_schemas(&o)
        .into_iter()
        .map(|(name, schema)| (name.to_owned(), schema))
        .collect();
    Ok(json!({
        "action": o.qualified_id(),
        "name": spec.name,
        "summary": spec.summary,
        "description": tools::description(&o),
        "method": spec.method.as_str(),
        "path": spec.path,
        "paged": spec.pagination.is_paged(),
        "annotations": annotations(spec),
        "input_schema": schema::input_schema(spec),
        "run_action_arguments": controls,
    }))
}

/// What `run_action` was asked to run.
#[derive(Debug)]
pub struct RunCall {
    pub offered: Offered,
    /// The action's parameters.
    pub input: Map<String, Value>,
    /// The call's own arguments (`dry_run`, `limit`, `offset`).
    pub control: Map<String, Value>,
}

/// `run_action`'s action, its input and the call's own arguments.
pub fn run_arguments(
    offered: &[Offered],
    read_only: bool,
    mut args: Map<String, Value>,
) -> Result<RunCall, Error> {
    check_keys(&args, &["action", "input", DRY_RUN, LIMIT, OFFSET])?;
    let o = find(offered, read_only, args.get("action"))?;
    let input = match args.remove("input") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map,
        Some(other) => {
            return Err(Error::validation(
                "input",
                format!(
                    "must be a JSON object of the action's parameters, got {}",
                    validate::type_name(&other)
                ),
            ));
        }
    };
    args.remove("action");
    Ok(RunCall {
        offered: o,
        input,
        control: args,
    })
}

fn check_keys(args: &Map<String, Value>, allowed: &[&str]) -> Result<(), Error> {
    match args.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(Error::validation(
            key.as_str(),
            format!("unknown argument; expected one of: {}", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

/// The offered action an `action` argument names: `backend.resource.verb`, the tool
/// name `backend_resource_verb`, or a bare id that only one backend has.
pub fn find(offered: &[Offered], read_only: bool, value: Option<&Value>) -> Result<Offered, Error> {
    let name = match value {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim(),
        Some(other) => {
            return Err(Error::validation(
                "action",
                format!("expected an action id, got {}", validate::type_name(other)),
            ));
        }
        None => return Err(Error::validation("action", "is required")),
    };
    if let Some(o) = offered
        .iter()
        .find(|o| o.qualified_id() == name || o.tool_name() == name)
    {
        return Ok(*o);
    }
    let bare: Vec<&Offered> = offered.iter().filter(|o| o.spec.id == name).collect();
    match bare.as_slice() {
        [one] => return Ok(**one),
        [] => {}
        many => {
            let ids: Vec<String> = many.iter().map(|o| o.qualified_id()).collect();
            return Err(Error::validation(
                "action",
                format!(
                    "`{name}` exists in more than one backend: say which ({})",
                    ids.join(", ")
                ),
            ));
        }
    }
    let exists = Backend::ALL.iter().any(|b| {
        b.actions()
            .iter()
            .any(|a| a.id == name || format!("{}.{}", b.name(), a.id) == name)
    });
    let reason = if exists && read_only {
        format!("`{name}` writes, and this server offers only reads (--read-only)")
    } else if exists {
        format!("`{name}` is not offered by this server (see its --backend and --actions)")
    } else {
        format!("there is no action `{name}`; search_actions lists them")
    };
    Err(Error::validation("action", reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::mcp::tools::{Patterns, select};

    fn all(read_only: bool) -> Vec<Offered> {
        select(&Backend::ALL, read_only, &Patterns::new([]).unwrap())
    }

    fn args(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn search_finds_by_words_backend_and_resource_and_pages() {
        let offered = all(false);
        let found = search(
            &offered,
            &args(json!({"query": "create contact", "backend": "konverte"})),
        )
        .unwrap();
        let ids: Vec<&str> = found["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["action"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&"konverte.contacts.create"), "{ids:?}");
        assert!(ids.iter().all(|id| id.starts_with("konverte.")));

        let everything = search(&offered, &args(json!({"limit": MAX_LIMIT}))).unwrap();
        assert_eq!(everything["total"], offered.len());
        let first = search(&offered, &args(json!({"limit": 2}))).unwrap();
        assert_eq!(first["count"], 2);
        assert_eq!(first["next"]["offset"], 2);
        let e = search(&offered, &args(json!({"colour": "red"}))).unwrap_err();
        assert_eq!(e.field(), Some("colour"));
    }

    #[test]
    fn actions_are_found_by_qualified_id_tool_name_or_unique_bare_id() {
        let offered = all(false);
        let by_id = find(&offered, false, Some(&json!("moco.activities.create"))).unwrap();
        assert_eq!(by_id.spec.id, "activities.create");
        let by_tool = find(&offered, false, Some(&json!("moco_activities_create"))).unwrap();
        assert_eq!(by_tool, by_id);
        let e = find(&offered, false, Some(&json!("contacts.create"))).unwrap_err();
        assert!(e.to_string().contains("more than one backend"), "{e}");
        let e = find(&offered, false, Some(&json!("nothing.here"))).unwrap_err();
        assert_eq!(e.field(), Some("action"));
        let e = find(&all(true), true, Some(&json!("moco.activities.create"))).unwrap_err();
        assert!(e.to_string().contains("--read-only"), "{e}");
    }

    #[test]
    fn describe_gives_the_schema_and_the_call_arguments() {
        let offered = all(false);
        let d = describe(
            &offered,
            false,
            &args(json!({"action": "konverte.contacts.create"})),
        )
        .unwrap();
        assert_eq!(d["method"], "POST");
        assert!(d["input_schema"]["properties"].get("name").is_some());
        assert!(d["run_action_arguments"].get(DRY_RUN).is_some());
        assert_eq!(d["annotations"]["readOnlyHint"], false);
    }
}
