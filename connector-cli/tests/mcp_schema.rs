//! The input schema generated for every action of every backend (what `connector mcp`
//! offers agents) is valid JSON Schema 2020-12, and agrees with the pipeline's own
//! validation: an example input built from the declaration passes both, and a value
//! the pipeline refuses (a wrong type, a bad date, an unknown word, a missing required
//! field, an unknown field) is refused by the schema too.

use connector_core::{
    ActionSpec, BodyKind, Location, Method, ParamSpec, ParamType, RefSpec, Url, request, schema,
};
use jsonschema::Validator;
use serde_json::{Map, Value, json};
use std::path::Path;

fn registries() -> [(&'static str, &'static [ActionSpec]); 3] {
    [
        ("konverte", connector_konverte::ACTIONS),
        ("moco", connector_moco::ACTIONS),
        ("every type", &EVERY_TYPE),
    ]
}

/// Every parameter type and form, whether or not a manifest uses it yet.
static FILE: ParamType = ParamType::File;
static INT: ParamType = ParamType::Integer;
static WORDS: ParamType = ParamType::Enum {
    values: &["a", "b"],
};
static TEAMS: RefSpec = RefSpec {
    action: "teams.list",
    scope: &[],
    items: "",
    id: "id",
    matches: &["name"],
};
static EVERY_TYPE: [ActionSpec; 2] = [
    ActionSpec {
        params: &[
            ParamSpec::path("id", ParamType::Integer),
            ParamSpec::path("slug", ParamType::String),
            ParamSpec::query("on", ParamType::Date),
            ParamSpec::query("since", ParamType::DateTime),
            ParamSpec::query("ids", ParamType::Array { items: &INT }),
            ParamSpec::query("kinds", ParamType::Array { items: &WORDS }),
            ParamSpec::header(
                "X-Mode",
                ParamType::Enum {
                    values: &["x", "y"],
                },
            ),
            ParamSpec::body("name", ParamType::String).required(),
            ParamSpec::body("count", ParamType::Integer),
            ParamSpec::body("rate", ParamType::Number),
            ParamSpec::body("active", ParamType::Boolean),
            ParamSpec::body("email", ParamType::Email),
            ParamSpec::body("password", ParamType::Password),
            ParamSpec::body("settings", ParamType::Object),
            ParamSpec::body("extra", ParamType::Json),
            ParamSpec::body("team_id", ParamType::Integer).reference(&TEAMS),
            ParamSpec::body("owner", ParamType::String).reference(&TEAMS),
        ],
        ..ActionSpec::new("things.update", Method::Patch, "/things/{id}/{slug}")
    },
    ActionSpec {
        params: &[
            ParamSpec::body("file", ParamType::File).required(),
            ParamSpec::body("attachments", ParamType::Array { items: &FILE }),
        ],
        body: BodyKind::Multipart,
        ..ActionSpec::new("things.upload", Method::Post, "/things/upload")
    },
];

fn validator(action: &ActionSpec) -> (Value, Validator) {
    let schema = Value::Object(schema::input_schema(action));
    if let Err(e) = jsonschema::draft202012::meta::validate(&schema) {
        panic!("{}: not a valid JSON Schema: {e}\n{schema:#}", action.id);
    }
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{}: {e}", action.id));
    (schema, validator)
}

/// Each parameter name once, as the schema has it (the first declaration).
fn unique(action: &ActionSpec) -> Vec<(&'static ParamSpec, bool)> {
    let mut out: Vec<(&'static ParamSpec, bool)> = Vec::new();
    for p in action.params {
        let required = p.required || p.location == Location::Path;
        match out.iter_mut().find(|(q, _)| q.name == p.name) {
            Some((_, r)) => *r |= required,
            None => out.push((p, required)),
        }
    }
    out
}

/// A value of the declared type, as a caller would write it.
fn example(ty: &ParamType, file: &Path) -> Value {
    match ty {
        ParamType::String => json!("example"),
        ParamType::Integer => json!(1),
        ParamType::Number => json!(2.5),
        ParamType::Boolean => json!(true),
        ParamType::Date => json!("2026-11-20"),
        ParamType::DateTime => json!("2026-11-20T10:00:00Z"),
        ParamType::Enum { values } => json!(values[0]),
        ParamType::Object => json!({"key": "value"}),
        ParamType::Array { items } => json!([example(items, file)]),
        ParamType::Json => json!({"any": ["json", 1]}),
        ParamType::Email => json!("ada@example.com"),
        ParamType::Password => json!("S3cure!pass"),
        ParamType::File => json!(format!("@{}", file.display())),
    }
}

/// A value of the wrong shape for the declared type, which the pipeline refuses
/// (`None` where every JSON value is fine).
fn refused(ty: &ParamType) -> Option<Value> {
    Some(match ty {
        ParamType::String => json!({"not": "text"}),
        ParamType::Integer | ParamType::Number => json!(true),
        ParamType::Boolean => json!("maybe"),
        ParamType::Date => json!("2026-13-45"),
        ParamType::DateTime => json!("yesterday"),
        ParamType::Enum { .. } => json!("no-such-word"),
        ParamType::Object => json!(7),
        ParamType::Array { items } => json!([refused(items)?]),
        ParamType::Json => return None,
        ParamType::Email => json!("not-an-email"),
        ParamType::Password => json!("weak"),
        ParamType::File => json!("not-a-path-form"),
    })
}

fn base() -> Url {
    Url::parse("http://api.test/base").unwrap()
}

fn errors(validator: &Validator, input: &Value) -> Vec<String> {
    validator
        .iter_errors(input)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn every_generated_schema_is_valid_and_accepts_the_example_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, b"%PDF-1.4").unwrap();
    let mut checked = 0;
    for (backend, actions) in registries() {
        assert!(!actions.is_empty(), "{backend} has no actions");
        for action in actions {
            let (schema, validator) = validator(action);
            let mut full = Map::new();
            let mut minimal = Map::new();
            for (p, required) in unique(action) {
                let value = example(&p.ty, &file);
                if required {
                    minimal.insert(p.name.to_owned(), value.clone());
                }
                full.insert(p.name.to_owned(), value);
            }
            for input in [full, minimal] {
                let value = Value::Object(input.clone());
                let errs = errors(&validator, &value);
                assert!(
                    errs.is_empty(),
                    "{backend} {}: the schema refuses {value}: {errs:?}\n{schema:#}",
                    action.id
                );
                if let Err(e) = request::prepare(action, &base(), &input) {
                    panic!("{backend} {}: the pipeline refuses {value}: {e}", action.id);
                }
            }
            checked += 1;
        }
    }
    let total: usize = registries().iter().map(|(_, a)| a.len()).sum();
    assert_eq!(checked, total);
}

#[test]
fn what_the_pipeline_refuses_the_schema_refuses_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, b"%PDF-1.4").unwrap();
    let mut cases = 0;
    for (backend, actions) in registries() {
        for action in actions {
            let (_, validator) = validator(action);
            let params = unique(action);
            let minimal: Map<String, Value> = params
                .iter()
                .filter(|(_, required)| *required)
                .map(|(p, _)| (p.name.to_owned(), example(&p.ty, &file)))
                .collect();

            let mut bad_inputs: Vec<(Map<String, Value>, String)> = Vec::new();
            let mut unknown = minimal.clone();
            unknown.insert("no_such_parameter".into(), json!(1));
            bad_inputs.push((unknown, "no_such_parameter".into()));
            for (p, required) in &params {
                if *required {
                    let mut missing = minimal.clone();
                    missing.remove(p.name);
                    bad_inputs.push((missing, p.name.to_owned()));
                }
                // A name may be given as a reference; only a value no id and no name
                // can be is refused there.
                let wrong = match (p.reference, &p.ty) {
                    (Some(_), ParamType::Integer) => Some(json!(true)),
                    (Some(_), _) => None,
                    (None, ty) => refused(ty),
                };
                if let Some(wrong) = wrong {
                    let mut input = minimal.clone();
                    input.insert(p.name.to_owned(), wrong);
                    bad_inputs.push((input, p.name.to_owned()));
                }
            }
            for (input, field) in bad_inputs {
                let value = Value::Object(input.clone());
                let e = request::prepare(action, &base(), &input).expect_err(&format!(
                    "{backend} {}: the pipeline takes {value}",
                    action.id
                ));
                let named = e.field().unwrap_or_default();
                assert!(
                    named == field || named.starts_with(&format!("{field}[")),
                    "{backend} {}: {value}: the error names `{named}`, not `{field}`",
                    action.id
                );
                assert!(
                    !validator.is_valid(&value),
                    "{backend} {}: the schema takes {value}, which the pipeline refuses ({e})",
                    action.id
                );
                cases += 1;
            }
        }
    }
    assert!(cases > registries().iter().map(|(_, a)| a.len()).sum::<usize>());
}

#[test]
fn a_file_is_taken_as_at_path_as_a_path_object_or_as_inline_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, b"%PDF-1.4").unwrap();
    let upload = &EVERY_TYPE[1];
    let (_, validator) = validator(upload);
    let path = file.display().to_string();
    for given in [
        json!(format!("@{path}")),
        json!({"path": path}),
        json!({"path": path, "filename": "r.pdf", "content_type": "application/pdf"}),
        json!({"filename": "r.txt", "base64": "aGk="}),
    ] {
        let input = json!({"file": given, "attachments": [given]});
        assert!(validator.is_valid(&input), "the schema refuses {input}");
        request::prepare(upload, &base(), input.as_object().unwrap())
            .unwrap_or_else(|e| panic!("the pipeline refuses {input}: {e}"));
    }
    for wrong in [
        json!(path),
        json!({"base64": "aGk="}),
        json!({"path": path, "size": 3}),
    ] {
        let input = json!({"file": wrong});
        assert!(!validator.is_valid(&input), "the schema takes {input}");
        assert!(request::prepare(upload, &base(), input.as_object().unwrap()).is_err());
    }
}
