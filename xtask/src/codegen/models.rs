//! `generated/models.rs` and `generated/enums.rs`.

use super::HEADER;
use super::features::Features;
use super::names::{doc, ident, lit, variant};
use super::plan::{FieldType, Plan};
use crate::manifest::Loaded;
use std::fmt::Write as _;

pub fn render_models(m: &Loaded, plan: &Plan, features: &Features) -> String {
    let mut out = String::from(HEADER);
    let _ = write!(
        out,
        "\n//! Typed answers of the `{}` actions, one struct per declared model.\n//!\n//! Every field is optional and read leniently (a value of an unexpected shape reads as\n//! `None` instead of failing the answer); fields a model does not name are kept in `extra`.\n\n#![allow(unused_imports)]\n\nuse super::enums::*;\nuse connector_core::lenient;\nuse connector_core::serde_json::{{Map, Value}};\nuse serde::{{Deserialize, Deserializer, Serialize}};\n\n",
        m.name()
    );
    for r in &m.resources {
        for (name, model) in &r.models {
            let text = if model.doc.is_empty() {
                format!("A `{}` record.", r.name)
            } else {
                model.doc.clone()
            };
            // Read by a generated, non-generic `from_map` rather than a derived
            // `Deserialize`: the derive (with `flatten` for `extra`) is compiled once per
            // deserializer and field, which made the crate several times slower to build.
            let cfg = features.cfg_type(name);
            let _ = write!(
                out,
                "{}{cfg}#[derive(Debug, Clone, Default, PartialEq, Serialize)]\npub struct {name} {{\n",
                doc(&text)
            );
            let mut reads = String::new();
            for (field, spec) in &model.fields {
                let (t, list) = plan.field_type(spec.ty()).expect("checked");
                let (rust, reader) = field_rust(&t, list);
                if !spec.doc().is_empty() {
                    out.push_str(&doc(spec.doc()));
                }
                let id = ident(field);
                let rename = if id.trim_start_matches("r#") == field.as_str() {
                    String::new()
                } else {
                    format!("rename = {}, ", lit(field))
                };
                let _ = writeln!(
                    out,
                    "#[serde({rename}skip_serializing_if = \"Option::is_none\")]\npub {id}: Option<{rust}>,"
                );
                let _ = writeln!(
                    reads,
                    "{id}: lenient::read_{reader}(lenient::take(&mut map, {})),",
                    lit(field)
                );
            }
            out.push_str(
                "/// Fields the model does not name, as the server sent them.\n#[serde(flatten)]\npub extra: Map<String, Value>,\n}\n\n",
            );
            let _ = write!(
                out,
                "{cfg}impl {name} {{\n/// Reads the model from an answer's object, leniently; what it does not name goes to `extra`.\npub fn from_map(mut map: Map<String, Value>) -> Self {{\nSelf {{\n{reads}extra: map,\n}}\n}}\n}}\n\n{cfg}impl<'de> Deserialize<'de> for {name} {{\nfn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {{\nlenient::model(d, Self::from_map)\n}}\n}}\n\n"
            );
        }
    }
    out
}

/// The Rust type and the lenient reader of one field.
fn field_rust(t: &FieldType, list: bool) -> (String, &'static str) {
    let (one, reader, many_reader) = match t {
        FieldType::Integer => ("i64".to_owned(), "int", "ints"),
        FieldType::Number => ("f64".to_owned(), "number", "numbers"),
        FieldType::Text => ("String".to_owned(), "text", "texts"),
        FieldType::Boolean => ("bool".to_owned(), "flag", "flags"),
        FieldType::Object => ("Map<String, Value>".to_owned(), "object", "list"),
        FieldType::Json => ("Value".to_owned(), "json", "list"),
        FieldType::Model(n) => (n.clone(), "boxed", "list"),
        FieldType::Enum(n) => (n.clone(), "record", "list"),
    };
    if list {
        (format!("Vec<{one}>"), many_reader)
    } else if matches!(t, FieldType::Model(_)) {
        (format!("Box<{one}>"), reader)
    } else {
        (one, reader)
    }
}

pub fn render_enums(m: &Loaded, plan: &Plan, features: &Features) -> String {
    let mut out = String::from(HEADER);
    let _ = write!(
        out,
        "\n//! The enumerated values of the `{}` parameters and fields. Each enum has an\n//! `Other` variant for a value the server adds later, and converts from and to text.\n\n// Without any feature no enum is compiled.\n#![allow(unused_imports)]\n\nuse connector_core::serde_json::Value;\nuse std::fmt;\nuse std::str::FromStr;\n\n",
        m.name()
    );
    for (name, values) in &plan.enums {
        let mut e = String::new();
        let mut variants: Vec<(String, &String)> = Vec::new();
        for v in values {
            let mut var = variant(v);
            while variants.iter().any(|(x, _)| x == &var) {
                var.push('_');
            }
            variants.push((var, v));
        }
        let list = values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if let Some(d) = plan.enum_docs.get(name) {
            e.push_str(&doc(d));
            e.push_str("///\n");
        }
        let _ = writeln!(
            e,
            "/// One of {list}, or a value this version does not know yet.\n#[derive(Debug, Clone, PartialEq, Eq, Hash)]\npub enum {name} {{"
        );
        for (var, v) in &variants {
            let _ = writeln!(e, "/// `{v}`\n{var},");
        }
        e.push_str("/// A value outside the declared list, kept as sent.\nOther(String),\n}\n\n");
        let _ = writeln!(
            e,
            "impl {name} {{\n/// Every declared value.\npub const ALL: &'static [&'static str] = &[{}];\n\n/// The wire value.\npub fn as_str(&self) -> &str {{\nmatch self {{",
            values.iter().map(|v| lit(v)).collect::<Vec<_>>().join(", ")
        );
        for (var, v) in &variants {
            let _ = writeln!(e, "Self::{var} => {},", lit(v));
        }
        e.push_str("Self::Other(s) => s,\n}\n}\n}\n\n");
        let _ = writeln!(
            e,
            "impl FromStr for {name} {{\ntype Err = std::convert::Infallible;\nfn from_str(s: &str) -> Result<Self, Self::Err> {{\nOk(match s {{"
        );
        for (var, v) in &variants {
            let _ = writeln!(e, "{} => Self::{var},", lit(v));
        }
        e.push_str("other => Self::Other(other.to_owned()),\n})\n}\n}\n\n");
        let _ = write!(
            e,
            "impl fmt::Display for {name} {{\nfn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{ f.write_str(self.as_str()) }}\n}}\n\nimpl From<&str> for {name} {{\nfn from(s: &str) -> Self {{ s.parse().unwrap_or_else(|e: std::convert::Infallible| match e {{}}) }}\n}}\n\nimpl From<String> for {name} {{\nfn from(s: String) -> Self {{ Self::from(s.as_str()) }}\n}}\n\nimpl From<&{name}> for {name} {{\nfn from(v: &{name}) -> Self {{ v.clone() }}\n}}\n\nimpl From<{name}> for Value {{\nfn from(v: {name}) -> Self {{ Value::String(v.as_str().to_owned()) }}\n}}\n\nimpl serde::Serialize for {name} {{\nfn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {{ s.serialize_str(self.as_str()) }}\n}}\n\nimpl<'de> serde::Deserialize<'de> for {name} {{\nfn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {{\nlet s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;\nOk(Self::from(s.as_ref()))\n}}\n}}\n\n"
        );
        // Every item of the enum compiles with any group that uses it.
        let cfg = features.cfg_type(name);
        out.push_str(
            &e.replace("#[derive", &format!("{cfg}#[derive"))
                .replace("\nimpl", &format!("\n{cfg}impl")),
        );
    }
    out
}
