//! JSON Schema (draft 2020-12) of an action's input, generated from its declared
//! parameters: types, enums, required fields, formats (`date`, `date-time`, `email`),
//! files as paths, references as an id or a name. What it describes is the canonical
//! form of what [`crate::request::prepare`] accepts (the pipeline also takes a few
//! lenient spellings, such as numbers as text); it is what an AI agent, a form or an
//! OpenAPI-like tool needs to build a valid input.
//!
//! ```
//! use connector_core::{ActionSpec, Method, ParamSpec, ParamType, schema};
//!
//! static UPDATE: ActionSpec = ActionSpec {
//!     params: &[
//!         ParamSpec::path("id", ParamType::Integer),
//!         ParamSpec::body("email", ParamType::Email).required(),
//!     ],
//!     ..ActionSpec::new("users.update", Method::Patch, "/users/{id}")
//! };
//! let s = schema::input_schema(&UPDATE);
//! assert_eq!(s["required"], serde_json::json!(["id", "email"]));
//! assert_eq!(s["properties"]["email"]["format"], "email");
//! ```

use crate::action::{ActionSpec, Location, ParamSpec, ParamType, RefSpec};
use crate::validate::{PASSWORD_MAX_LEN, PASSWORD_MIN_LEN};
use serde_json::{Map, Value, json};

/// The schema of an action's whole input: one property per parameter name (a name
/// declared twice, in the path and the body, is one property), `required` for the path
/// parameters and those declared required, and no other properties (the pipeline
/// refuses unknown fields).
pub fn input_schema(action: &ActionSpec) -> Map<String, Value> {
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    for (param, is_required, help) in unique_params(action) {
        properties.insert(
            param.name.to_owned(),
            Value::Object(described(param, is_required, help)),
        );
        if is_required {
            required.push(Value::from(param.name));
        }
    }
    let mut schema = Map::new();
    schema.insert("type".into(), "object".into());
    if !action.name.is_empty() {
        schema.insert("title".into(), action.name.into());
    }
    if !action.summary.is_empty() {
        schema.insert("description".into(), action.summary.into());
    }
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema.insert("additionalProperties".into(), false.into());
    schema
}

/// Each parameter name once: its first declaration, whether any declaration of it is
/// required, and the first help any of them has.
fn unique_params(action: &ActionSpec) -> Vec<(&'static ParamSpec, bool, &'static str)> {
    let mut out: Vec<(&'static ParamSpec, bool, &'static str)> = Vec::new();
    for p in action.params {
        let required = p.required || p.location == Location::Path;
        match out.iter_mut().find(|(q, _, _)| q.name == p.name) {
            Some((_, req, help)) => {
                *req |= required;
                if help.trim().is_empty() {
                    *help = p.help;
                }
            }
            None => out.push((p, required, p.help)),
        }
    }
    out
}

/// The schema of one parameter: its type's schema with the help as description, and
/// what the declaration adds: secret (`writeOnly`), deprecated, a reference (an id or a
/// name), a path segment (never empty), and `null` for an optional body parameter
/// (the server clears the value).
pub fn param_schema(param: &ParamSpec, required: bool) -> Map<String, Value> {
    described(param, required, param.help)
}

fn described(param: &ParamSpec, required: bool, help: &str) -> Map<String, Value> {
    let mut schema = match param.reference {
        Some(_) => reference_schema(&param.ty),
        None => type_schema(&param.ty),
    };
    if param.location == Location::Path && schema.get("type") == Some(&json!("string")) {
        schema.insert("minLength".into(), 1.into());
    }
    if param.location == Location::Body && !required {
        allow_null(&mut schema);
    }
    let mut notes: Vec<String> = Vec::new();
    let help = help.trim();
    if !help.is_empty() {
        notes.push(help.trim_end_matches('.').to_owned());
    }
    if let Some(note) = type_note(&param.ty) {
        notes.push(note);
    }
    if let Some(reference) = param.reference {
        notes.push(reference_note(reference));
    }
    if param.location == Location::Body && !required {
        notes.push("null clears it".into());
    }
    if !notes.is_empty() {
        let mut text = notes.join("; ");
        text.push('.');
        schema.insert("description".into(), text.into());
    }
    if param.secret {
        schema.insert("writeOnly".into(), true.into());
    }
    if param.deprecated {
        schema.insert("deprecated".into(), true.into());
    }
    schema
}

/// The schema of a value of a declared type.
pub fn type_schema(ty: &ParamType) -> Map<String, Value> {
    let value = match ty {
        ParamType::String => json!({"type": "string"}),
        ParamType::Integer => json!({"type": "integer"}),
        ParamType::Number => json!({"type": "number"}),
        ParamType::Boolean => json!({"type": "boolean"}),
        ParamType::Date => json!({"type": "string", "format": "date"}),
        ParamType::DateTime => json!({"type": "string", "format": "date-time"}),
        ParamType::Enum { values } => json!({"type": "string", "enum": values}),
        ParamType::Object => json!({"type": "object"}),
        ParamType::Array { items } => json!({"type": "array", "items": type_schema(items)}),
        ParamType::Json => json!({}),
        ParamType::Email => json!({"type": "string", "format": "email"}),
        ParamType::Password => json!({
            "type": "string",
            "minLength": PASSWORD_MIN_LEN,
            "maxLength": PASSWORD_MAX_LEN,
        }),
        ParamType::File => file_schema(),
    };
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A file, as the pipeline takes it: `"@PATH"` or `{"path"}` (a local file, read when
/// sent), or `{"filename", "base64"}` (bytes given inline).
fn file_schema() -> Value {
    json!({
        "anyOf": [
            {"type": "string", "pattern": "^@.+", "description": "@PATH of a local file"},
            {
                "type": "object",
                "properties": {
                    "path": {"type": "string", "minLength": 1, "description": "path of a local file"},
                    "filename": {"type": "string"},
                    "content_type": {"type": "string"},
                },
                "required": ["path"],
                "additionalProperties": false,
            },
            {
                "type": "object",
                "properties": {
                    "filename": {"type": "string", "minLength": 1},
                    "base64": {"type": "string", "contentEncoding": "base64"},
                    "content_type": {"type": "string"},
                },
                "required": ["filename", "base64"],
                "additionalProperties": false,
            },
        ]
    })
}

/// A reference takes the record's id or a name that is looked up; a name that looks
/// like an id is written `name:12`.
fn reference_schema(ty: &ParamType) -> Map<String, Value> {
    let base = type_schema(ty);
    if base.get("type") == Some(&json!("string")) && !base.contains_key("format") {
        return base;
    }
    let mut schema = Map::new();
    schema.insert(
        "anyOf".into(),
        json!([Value::Object(base), {"type": "string", "minLength": 1}]),
    );
    schema
}

fn reference_note(reference: &RefSpec) -> String {
    let on = if reference.matches.is_empty() {
        String::new()
    } else {
        format!(" by {}", reference.matches.join(" or "))
    };
    format!(
        "the record's id, or its name (looked up{on} with `{}`; `name:12` for a name that \
         looks like an id)",
        reference.action
    )
}

fn type_note(ty: &ParamType) -> Option<String> {
    Some(match ty {
        ParamType::Date => "a date YYYY-MM-DD".into(),
        ParamType::DateTime => "an ISO 8601 date-time, e.g. 2024-05-01T12:00:00Z".into(),
        ParamType::Json => "any JSON value".into(),
        ParamType::Password => format!(
            "{PASSWORD_MIN_LEN} to {PASSWORD_MAX_LEN} characters with an upper-case letter, a \
             lower-case letter, a digit and a special character"
        ),
        ParamType::File => "a file: \"@/path/to/file\" or {\"path\": \"/path/to/file\"}, or \
             {\"filename\": ..., \"base64\": ...}"
            .into(),
        ParamType::Array { items } if items.is_file() => "files, each as a file below".into(),
        _ => return None,
    })
}

/// Lets a schema take `null` as well.
fn allow_null(schema: &mut Map<String, Value>) {
    if let Some(Value::Array(values)) = schema.get_mut("enum") {
        values.push(Value::Null);
    }
    match schema.get_mut("type") {
        Some(Value::String(ty)) => {
            let ty = std::mem::take(ty);
            schema.insert("type".into(), json!([ty, "null"]));
        }
        Some(_) => {}
        None => {
            if let Some(Value::Array(options)) = schema.get_mut("anyOf") {
                options.push(json!({"type": "null"}));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Method;

    static INT: ParamType = ParamType::Integer;
    static FILE: ParamType = ParamType::File;
    static TEAMS: RefSpec = RefSpec {
        action: "teams.list",
        scope: &[],
        items: "",
        id: "id",
        matches: &["name"],
    };
    static ACTION: ActionSpec = ActionSpec {
        name: "Update a thing",
        summary: "Change it.",
        params: &[
            ParamSpec::path("id", ParamType::Integer),
            ParamSpec::path("slug", ParamType::String),
            ParamSpec::body("id", ParamType::String).help("The id."),
            ParamSpec::body("name", ParamType::String)
                .required()
                .help("Its name."),
            ParamSpec::body(
                "kind",
                ParamType::Enum {
                    values: &["a", "b"],
                },
            ),
            ParamSpec::body("tags", ParamType::Array { items: &INT }),
            ParamSpec::query("on", ParamType::Date),
            ParamSpec::body("password", ParamType::Password),
            ParamSpec::body("team_id", ParamType::Integer).reference(&TEAMS),
            ParamSpec::body("files", ParamType::Array { items: &FILE }),
        ],
        ..ActionSpec::new("things.update", Method::Patch, "/things/{id}/{slug}")
    };

    #[test]
    fn one_property_per_name_and_path_parameters_are_required() {
        let s = input_schema(&ACTION);
        assert_eq!(s["required"], json!(["id", "slug", "name"]));
        let props = s["properties"].as_object().unwrap();
        assert_eq!(props.len(), 9);
        assert_eq!(props["id"]["type"], "integer", "the first declaration wins");
        assert_eq!(
            props["id"]["description"], "The id.",
            "the first help there is"
        );
        assert_eq!(props["slug"]["minLength"], 1);
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(s["title"], "Update a thing");
    }

    #[test]
    fn optional_body_parameters_take_null_and_enums_keep_their_words() {
        let s = input_schema(&ACTION);
        let p = &s["properties"];
        assert_eq!(p["name"]["type"], "string", "required: no null");
        assert_eq!(p["kind"]["type"], json!(["string", "null"]));
        assert_eq!(p["kind"]["enum"], json!(["a", "b", null]));
        assert_eq!(p["on"]["format"], "date");
        assert_eq!(
            p["on"]["type"], "string",
            "a query parameter is left out, not cleared"
        );
        assert_eq!(p["tags"]["items"]["type"], "integer");
    }

    #[test]
    fn secrets_references_and_files() {
        let s = input_schema(&ACTION);
        let p = &s["properties"];
        assert_eq!(p["password"]["writeOnly"], true);
        assert_eq!(p["password"]["minLength"], PASSWORD_MIN_LEN);
        let any = p["team_id"]["anyOf"].as_array().unwrap();
        assert_eq!(any[0]["type"], "integer");
        assert_eq!(any[1]["type"], "string");
        assert_eq!(any[2]["type"], "null");
        let help = p["team_id"]["description"].as_str().unwrap();
        assert!(
            help.contains("teams.list") && help.contains("name"),
            "{help}"
        );
        let file = &p["files"]["items"]["anyOf"];
        assert_eq!(file[0]["pattern"], "^@.+");
        assert_eq!(file[1]["required"], json!(["path"]));
        assert_eq!(p["name"]["description"], "Its name.");
    }
}
