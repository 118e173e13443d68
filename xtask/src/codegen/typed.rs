//! `generated/typed.rs`: one handler per resource, one builder per action.

use super::HEADER;
use super::check::placeholders;
use super::features::Features;
use super::names::{RESERVED, doc, ident, lit, pascal};
use super::plan::{FieldType, Plan};
use crate::manifest::{Loaded, Location, Method, Param, Resolved, Resource, ResponseKind, Type};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Arguments of a builder's constructor, at most (path parameters are always arguments).
const MAX_ARGS: usize = 3;

pub fn render(m: &Loaded, plan: &Plan, features: &Features) -> String {
    let client = &m.backend.client;
    let mut out = String::from(HEADER);
    out.push_str(
        "\n#![allow(unused_imports)]\n\nuse super::actions::ACTIONS;\nuse super::models;\nuse connector_core::futures::{StreamExt, stream::BoxStream};\nuse connector_core::secrecy::{ExposeSecret, SecretString};\nuse connector_core::serde_json::{Map, Value};\nuse connector_core::{Action, ActionSpec, Attachment, DateArg, DateTimeArg, Download, Error, HttpConnector, Ref, RequestOptions};\n\n",
    );

    let _ = writeln!(out, "impl crate::{client} {{");
    for r in &m.resources {
        let n = m.actions.iter().filter(|a| a.resource == r.name).count();
        if n == 0 {
            continue;
        }
        let help = if r.help.is_empty() {
            String::new()
        } else {
            doc(&r.help) + "///\n"
        };
        let _ = write!(
            out,
            "{help}/// The `{}` actions ({n}).\n{}pub fn {}(&self) -> {}Handler<'_> {{ {}Handler {{ connector: self.connector() }} }}\n",
            r.name,
            features.cfg_group(&r.name),
            ident(&r.name),
            pascal(&r.name),
            pascal(&r.name)
        );
    }
    out.push_str("}\n\n");

    for r in &m.resources {
        let actions = actions_of(m, &r.name);
        if actions.is_empty() {
            continue;
        }
        let handler = format!("{}Handler", pascal(&r.name));
        let example = handler_example(m, r, &actions);
        let cfg = features.cfg_group(&r.name);
        let _ = write!(
            out,
            "/// The `{}` actions. Made by [`crate::{client}::{}`].\n{example}{cfg}#[derive(Debug, Clone, Copy)]\npub struct {handler}<'a> {{ connector: &'a HttpConnector }}\n\n{cfg}impl<'a> {handler}<'a> {{\n",
            r.name,
            ident(&r.name).trim_start_matches("r#")
        );
        for (i, a) in &actions {
            render_constructor(&mut out, plan, *i, a);
        }
        out.push_str("}\n\n");
        for (i, a) in &actions {
            out.push_str(&render_builder(plan, *i, a, &cfg));
        }
    }
    out
}

/// A doc example on a handler, run against the sandbox that `doc_setup` (backend.toml)
/// starts: the resource's first list (else its first GET of a record not named by an id)
/// that answers JSON and needs nothing but integer path parameters, each given as 1 (the
/// sandbox's seeded account, project, ...), and parameters `doc_values` (backend.toml) gives.
/// A resource's actions with their indices in `ACTIONS`.
fn actions_of<'m>(m: &'m Loaded, resource: &str) -> Vec<(usize, &'m Resolved)> {
    (m.actions.iter().enumerate())
        .filter(|(_, a)| a.resource == resource)
        .collect()
}

/// A resource's own `doc_example` (its manifest) stands in when none can be derived.
fn handler_example(m: &Loaded, r: &Resource, actions: &[(usize, &Resolved)]) -> String {
    let Some(setup) = &m.backend.doc_setup else {
        return String::new();
    };
    if let Some(body) = &r.doc_example {
        return sandbox_example(setup, body);
    }
    let resource = r.name.as_str();
    let known = |p: &Param| m.backend.doc_values.contains_key(p.name());
    let runnable = |a: &&Resolved| {
        a.action.method == Method::Get
            && a.action.response == ResponseKind::Json
            && a.params.iter().all(|p| match p.location {
                Location::Path => {
                    known(p)
                        || (p.ty == Type::Integer
                            && !m.backend.doc_unseeded.iter().any(|u| u == p.name()))
                }
                _ => !p.required || known(p),
            })
    };
    let candidates = || actions.iter().map(|(_, a)| *a).filter(runnable);
    // A record fetched by its id may not exist in the sandbox; a list or a singleton does, and
    // so does a record whose id `doc_values` gives.
    let one_by_id = |a: &&Resolved| {
        placeholders(&a.action.path).last().is_some_and(|last| {
            a.action.path.ends_with('}') && !m.backend.doc_values.contains_key(last.as_str())
        })
    };
    let Some(a) = candidates()
        .find(|a| a.verb == "list")
        .or_else(|| candidates().find(|a| !one_by_id(a)))
    else {
        return String::new();
    };
    let args: Vec<&str> = constructor_params(a)
        .iter()
        .map(|p| {
            m.backend
                .doc_values
                .get(p.name())
                .map_or("1", String::as_str)
        })
        .collect();
    let args = args.join(", ");
    let body = format!(
        "let answer = client.{}().{}({args}).send().await?;\nprintln!(\"{{answer:?}}\");\n",
        ident(resource).trim_start_matches("r#"),
        ident(&a.verb)
    );
    sandbox_example(setup, &body)
}

/// A doc example: `setup` hidden, then `body`, in an async `main` that stops the sandbox.
fn sandbox_example(setup: &str, body: &str) -> String {
    let mut text = String::from(
        "///\n/// ```\n/// # #[tokio::main(flavor = \"current_thread\")]\n/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {\n",
    );
    for line in setup.lines().filter(|l| !l.trim().is_empty()) {
        let _ = writeln!(text, "/// # {}", line.trim());
    }
    for line in body.trim_end().lines() {
        let _ = writeln!(text, "{}", format!("/// {line}").trim_end());
    }
    text.push_str("/// # sandbox.shutdown().await;\n/// # Ok(()) }\n/// ```\n");
    text
}

/// The parameters a builder's constructor takes: path parameters in path order, then the
/// required others while there are at most [`MAX_ARGS`].
fn constructor_params(a: &Resolved) -> Vec<&Param> {
    let mut args: Vec<&Param> = placeholders(&a.action.path)
        .iter()
        .filter_map(|p| {
            a.params
                .iter()
                .find(|x| x.name() == p && x.location == Location::Path)
        })
        .collect();
    for p in &a.params {
        if args.len() >= MAX_ARGS {
            break;
        }
        if p.required && p.location != Location::Path && !args.iter().any(|x| x.name() == p.name())
        {
            args.push(p);
        }
    }
    args
}

/// How a Rust value of a parameter's argument type becomes its input value.
struct Arg {
    generics: String,
    ty: String,
    bounds: String,
    value: String,
}

fn arg(plan: &Plan, ai: usize, pi: usize, p: &Param, var: &str, tparam: &str) -> Arg {
    let enum_name = plan.param_enum.get(&(ai, pi));
    let simple = |ty: &str, value: String| Arg {
        generics: String::new(),
        ty: ty.to_owned(),
        bounds: String::new(),
        value,
    };
    if p.ty == Type::Array {
        let (item, conv) = if p.reference.is_some() {
            ("Into<Ref>", "|v| v.into().into_value()")
        } else if p.items == Some(Type::File) {
            ("Into<Attachment>", "|v| v.into().into_value()")
        } else {
            ("Into<Value>", "Into::into")
        };
        return Arg {
            generics: format!("<{tparam}>"),
            ty: tparam.to_owned(),
            bounds: format!("{tparam}: IntoIterator, {tparam}::Item: {item}"),
            value: format!("Value::Array({var}.into_iter().map({conv}).collect())"),
        };
    }
    if p.reference.is_some() {
        return simple("impl Into<Ref>", format!("{var}.into().into_value()"));
    }
    match p.ty {
        Type::Integer => simple("i64", format!("Value::from({var})")),
        // A non-finite number goes in as text, so validation refuses it (never `null`).
        Type::Number => simple(
            "f64",
            format!(
                "connector_core::serde_json::Number::from_f64({var}).map_or_else(|| Value::String({var}.to_string()), Value::Number)"
            ),
        ),
        Type::Boolean => simple("bool", format!("Value::Bool({var})")),
        Type::Object => simple("Map<String, Value>", format!("Value::Object({var})")),
        Type::Json => simple("impl Into<Value>", format!("{var}.into()")),
        Type::Password => simple(
            "impl Into<SecretString>",
            format!("Value::String({var}.into().expose_secret().to_owned())"),
        ),
        Type::Date => simple("impl DateArg", format!("DateArg::into_value({var})")),
        Type::DateTime => simple(
            "impl DateTimeArg",
            format!("DateTimeArg::into_value({var})"),
        ),
        Type::File => simple(
            "impl Into<Attachment>",
            format!("{var}.into().into_value()"),
        ),
        Type::Enum => {
            let name = enum_name.expect("planned");
            simple(
                &format!("impl Into<super::enums::{name}>"),
                format!("Value::from({var}.into())"),
            )
        }
        Type::String | Type::Email | Type::Array => {
            simple("impl Into<String>", format!("Value::String({var}.into())"))
        }
    }
}

fn param_index(a: &Resolved, p: &Param) -> usize {
    a.params
        .iter()
        .position(|x| std::ptr::eq(x, p))
        .expect("a parameter of this action")
}

/// The manifest's `output` for an answer with no body (204): the typed call returns `()`.
pub const NO_CONTENT: &str = "none";

/// The Rust type of an `output` or `item`: a model, a scalar, a list of either, `()`
/// for [`NO_CONTENT`], `Value` when none is declared.
fn output_type(plan: &Plan, written: Option<&str>) -> String {
    if written == Some(NO_CONTENT) {
        return "()".to_owned();
    }
    let Some((t, list)) = written.map(|w| plan.field_type(w).expect("checked")) else {
        return "Value".to_owned();
    };
    let one = match t {
        FieldType::Model(name) => format!("models::{name}"),
        FieldType::Integer => "i64".to_owned(),
        FieldType::Number => "f64".to_owned(),
        FieldType::Text => "String".to_owned(),
        FieldType::Boolean => "bool".to_owned(),
        FieldType::Object => "Map<String, Value>".to_owned(),
        FieldType::Json => "Value".to_owned(),
        FieldType::Enum(name) => format!("super::enums::{name}"),
    };
    if list { format!("Vec<{one}>") } else { one }
}

/// What `Action::Output` is: [`NO_CONTENT`] reads whatever comes (nothing, as a rule).
fn action_output(plan: &Plan, written: Option<&str>) -> String {
    if written == Some(NO_CONTENT) {
        "connector_core::NoContent".to_owned()
    } else {
        output_type(plan, written)
    }
}

fn render_constructor(out: &mut String, plan: &Plan, ai: usize, a: &Resolved) {
    let builder = format!("{}{}", pascal(&a.resource), pascal(&a.verb));
    let params = constructor_params(a);
    let mut generics = String::new();
    let mut args = Vec::new();
    let mut bounds = Vec::new();
    let mut inserts = String::new();
    for p in &params {
        let var = ident(p.name());
        let t = format!("I{}", args.len());
        let arg = arg(plan, ai, param_index(a, p), p, &var, &t);
        if arg.generics.is_empty() {
            args.push(format!("{var}: {}", arg.ty));
        } else {
            // Each array argument gets its own type parameter.
            generics.push_str(&format!("{t}, "));
            args.push(format!("{var}: {t}"));
            bounds.push(arg.bounds.clone());
        }
        inserts.push_str(&format!(
            "input.insert({}.to_owned(), {});\n",
            lit(p.name()),
            arg.value
        ));
    }
    let allow = if args.len() > 6 {
        "#[allow(clippy::too_many_arguments)]\n"
    } else {
        ""
    };
    let body = if inserts.is_empty() {
        "let input = Map::new();\n".to_owned()
    } else {
        format!("let mut input = Map::new();\n{inserts}")
    };
    let generics = if generics.is_empty() {
        String::new()
    } else {
        format!("<{}>", generics.trim_end_matches(", "))
    };
    let bounds = if bounds.is_empty() {
        String::new()
    } else {
        format!(" where {}", bounds.join(", "))
    };
    let required: Vec<String> = params
        .iter()
        .filter(|p| p.location != Location::Path)
        .map(|p| format!("`{}`", p.name()))
        .collect();
    let required = if required.is_empty() {
        String::new()
    } else {
        format!(
            "\n///\n/// Takes the required {} as arguments.",
            required.join(", ")
        )
    };
    let _ = write!(
        out,
        "{}///\n/// `{} {}`{required}\n{allow}pub fn {}{generics}(&self, {}) -> {builder}<'a>{bounds} {{\n{body}{builder} {{ connector: self.connector, input }}\n}}\n",
        doc(&format!("{}: {}", a.action.name, a.action.summary)),
        a.action.method.as_str(),
        a.action.path,
        ident(&a.verb),
        args.join(", "),
    );
}

fn render_builder(plan: &Plan, index: usize, a: &Resolved, cfg: &str) -> String {
    let name = format!("{}{}", pascal(&a.resource), pascal(&a.verb));
    let output = output_type(plan, a.action.output.as_deref());
    let unit = if output == "()" {
        ".map(|connector_core::NoContent| ())"
    } else {
        ""
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "{}///\n/// `{} {}` — build with [`{}Handler::{}`], then `.send().await`.\n{cfg}pub struct {name}<'a> {{ connector: &'a HttpConnector, input: Map<String, Value> }}\n\n",
        doc(&format!("{}: {}", a.action.name, a.action.summary)),
        a.action.method.as_str(),
        a.action.path,
        pascal(&a.resource),
        ident(&a.verb).trim_start_matches("r#"),
    );
    let _ = write!(
        out,
        "{cfg}impl std::fmt::Debug for {name}<'_> {{\nfn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\n// Field names only: values may be secrets.\nf.debug_struct({}).field(\"action\", &{}).field(\"fields\", &self.input.keys().collect::<Vec<_>>()).finish()\n}}\n}}\n\n",
        lit(&name),
        lit(&a.action.id)
    );
    let _ = writeln!(out, "{cfg}impl<'a> {name}<'a> {{");
    let taken: Vec<&str> = constructor_params(a).iter().map(|p| p.name()).collect();
    let mut done = BTreeSet::new();
    for (pi, p) in a.params.iter().enumerate() {
        if taken.contains(&p.name()) || p.location == Location::Path || !done.insert(p.name()) {
            continue;
        }
        let mut method = ident(p.name());
        if RESERVED.contains(&method.as_str()) {
            method = format!("set_{method}");
        }
        let help = if p.help.is_empty() {
            format!("Sets `{}`.", p.name())
        } else {
            p.help.clone()
        };
        let mut notes = String::new();
        if p.required {
            notes.push_str(" Required.");
        }
        if p.reference.is_some() {
            notes.push_str(" An id, or a name that is looked up.");
        }
        if p.deprecated {
            notes.push_str(" Deprecated.");
        }
        let arg = arg(plan, index, pi, p, "value", "I");
        let bounds = if arg.bounds.is_empty() {
            String::new()
        } else {
            format!(" where {}", arg.bounds)
        };
        let _ = write!(
            out,
            "{}///\n/// Wire name `{}` ({}, {}).{notes}\npub fn {method}{}(mut self, value: {}) -> Self{} {{\nself.input.insert({}.to_owned(), {});\nself\n}}\n\n",
            doc(&help),
            p.name(),
            p.location.as_str(),
            p.ty.as_str(),
            arg.generics,
            arg.ty,
            bounds,
            lit(p.name()),
            arg.value,
        );
    }
    let _ = write!(
        out,
        "/// The input as the dynamic API takes it (`Connector::execute`).\npub fn input(&self) -> &Map<String, Value> {{ &self.input }}\n\n"
    );
    if a.action.response == ResponseKind::Bytes {
        let _ = write!(
            out,
            "/// Validates, then sends with the client's default options; the answer is a file,\n/// streamed ([`Download::write_to`] saves it).\npub async fn send(self) -> Result<Download, Error> {{\nlet options = self.connector.options();\nlet connector = self.connector;\nconnector.send_download(self, options).await\n}}\n\n/// Validates, then sends with these options; the answer is a file.\npub async fn send_with(self, options: &dyn RequestOptions) -> Result<Download, Error> {{\nlet connector = self.connector;\nconnector.send_download(self, options).await\n}}\n"
        );
    } else {
        let _ = write!(
            out,
            "/// Validates, then sends with the client's default options.\npub async fn send(self) -> Result<{output}, Error> {{\nlet connector = self.connector;\nconnector.send(self).await{unit}\n}}\n\n/// Validates, then sends with these options.\npub async fn send_with(self, options: &dyn RequestOptions) -> Result<{output}, Error> {{\nlet connector = self.connector;\nconnector.send_with(self, options).await{unit}\n}}\n"
        );
    }
    if a.action
        .pagination
        .as_ref()
        .is_some_and(|p| !matches!(p, crate::manifest::Pagination::None))
    {
        let item_written = a.action.item.clone().or_else(|| {
            a.action
                .output
                .as_deref()
                .map(|o| o.trim_end_matches("[]").to_owned())
        });
        let item = output_type(plan, item_written.as_deref());
        let map = if item == "Value" {
            String::new()
        } else {
            ".map(|r| r.and_then(connector_core::decode))".to_owned()
        };
        let _ = write!(
            out,
            "\n/// Streams every item across all pages, up to `limit` items, fetching no page more\n/// than needed, with the client's default options.\npub fn stream(self, limit: Option<usize>) -> BoxStream<'a, Result<{item}, Error>> {{\nlet options = self.connector.options();\nself.stream_with(limit, options)\n}}\n\n/// [`Self::stream`] with these options.\npub fn stream_with(self, limit: Option<usize>, options: &'a dyn RequestOptions) -> BoxStream<'a, Result<{item}, Error>> {{\nconnector_core::paginate::stream(self.connector, &ACTIONS[{index}], self.input, options, limit){map}.boxed()\n}}\n"
        );
    }
    out.push_str("}\n\n");
    let _ = write!(
        out,
        "{cfg}impl Action for {name}<'_> {{\ntype Output = {};\nfn spec(&self) -> &'static ActionSpec {{ &ACTIONS[{index}] }}\nfn into_input(self) -> Map<String, Value> {{ self.input }}\n}}\n\n",
        action_output(plan, a.action.output.as_deref())
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every handler's example comes from the rules or its manifest: a handler added without
    /// one (its actions need a record the sandbox's demo data lacks) fails here.
    #[test]
    fn every_handler_has_a_doc_example() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for krate in ["connector-moco", "connector-konverte"] {
            let m = crate::manifest::load(&root.join(krate)).unwrap();
            let missing: Vec<&str> = (m.resources.iter())
                .filter(|r| {
                    let actions = actions_of(&m, &r.name);
                    !actions.is_empty() && handler_example(&m, r, &actions).is_empty()
                })
                .map(|r| r.name.as_str())
                .collect();
            assert!(
                missing.is_empty(),
                "{krate}: no doc example for {missing:?}"
            );
        }
    }
}
