//! `generated/actions.rs`: the registry.

use super::HEADER;
use super::names::{lit, snake};
use super::plan::Plan;
use crate::manifest::{
    BodyKind, Loaded, Location, Pagination, Param, Resolved, ResponseKind, Type,
};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Declarations the registry repeats (a resource's shared parameter blocks are taken by
/// many actions, an enum's values by many parameters), each written once as a `const`
/// and named where it is used: the compiler then type-checks and evaluates every distinct
/// declaration once instead of once per use, which is most of what the registry cost to
/// build, with or without any feature.
#[derive(Default)]
struct Shared {
    consts: String,
    by_key: HashMap<String, String>,
    names: HashMap<String, usize>,
}

impl Shared {
    /// The name of the `const` holding `value` (of type `ty`), declared on first use;
    /// named after `hint`, numbered when two different values share a hint.
    fn name(&mut self, hint: &str, ty: &str, value: String) -> String {
        // Keyed by type too: `&[]` is a list of parameters or of columns.
        let key = format!("{ty} = {value}");
        if let Some(name) = self.by_key.get(&key) {
            return name.clone();
        }
        let base = snake(hint).to_ascii_uppercase();
        let n = self.names.entry(base.clone()).or_default();
        *n += 1;
        let name = if *n == 1 { base } else { format!("{base}_{n}") };
        let _ = writeln!(self.consts, "const {name}: {ty} = {value};");
        self.by_key.insert(key, name.clone());
        name
    }
}

pub fn render(m: &Loaded, _plan: &Plan) -> String {
    let mut out = String::from(HEADER);
    out.push_str("\n#[allow(unused_imports)]\nuse connector_core::{ActionSpec, BodyKind, Location, Method, Pagination, ParamSpec, ParamType, RefSpec, ResourceSpec, ResponseKind};\n\n");
    let _ = writeln!(out, "/// Every `{}` resource, in manifest order.", m.name());
    out.push_str("pub static RESOURCES: &[ResourceSpec] = &[\n");
    for r in &m.resources {
        let _ = writeln!(
            out,
            "    ResourceSpec {{ name: {}, help: {}, columns: &[{}] }},",
            lit(&r.name),
            lit(&r.help),
            list(&r.columns)
        );
    }
    out.push_str("];\n\n");
    let _ = writeln!(out, "/// Every `{}` action, in manifest order.", m.name());
    out.push_str("#[allow(unused_imports)]\npub static ACTIONS: &[ActionSpec] = &[\n");
    let mut shared = Shared::default();
    for r in &m.actions {
        render_action(&mut out, &mut shared, m, r);
    }
    out.push_str("];\n\n");
    out.push_str(&shared.consts);
    out
}

fn list(items: &[String]) -> String {
    items.iter().map(|s| lit(s)).collect::<Vec<_>>().join(", ")
}

fn render_action(out: &mut String, shared: &mut Shared, m: &Loaded, r: &Resolved) {
    let a = &r.action;
    let idempotent = a.idempotent.unwrap_or(a.method.is_idempotent());
    let pagination = match &a.pagination {
        None | Some(Pagination::None) => "Pagination::None".to_owned(),
        Some(Pagination::LinkHeader) => "Pagination::LinkHeader".to_owned(),
        Some(Pagination::PageNumber {
            param,
            total,
            has_more,
        }) => format!(
            "Pagination::PageNumber {{ param: {}, total: {}, has_more: {} }}",
            lit(param),
            lit(total),
            lit(has_more)
        ),
        Some(Pagination::Cursor { before, after, id }) => format!(
            "Pagination::Cursor {{ before: {}, after: {}, id: {} }}",
            lit(before),
            lit(after),
            lit(id)
        ),
    };
    let columns = m
        .resources
        .iter()
        .find(|x| x.name == r.resource)
        .map(|x| list(&x.columns))
        .unwrap_or_default();
    let _ = writeln!(out, "    ActionSpec {{");
    let _ = writeln!(out, "        id: {},", lit(&a.id));
    let _ = writeln!(out, "        resource: {},", lit(&r.resource));
    let _ = writeln!(out, "        verb: {},", lit(&r.verb));
    let _ = writeln!(out, "        name: {},", lit(&a.name));
    let _ = writeln!(out, "        summary: {},", lit(&a.summary));
    let _ = writeln!(out, "        method: {},", a.method.variant());
    let _ = writeln!(out, "        path: {},", lit(&a.path));
    let params: Vec<String> = r
        .params
        .iter()
        .map(|p| {
            let spec = param_spec(shared, m, r, p);
            shared.name(&format!("param {}", p.name()), "ParamSpec", spec)
        })
        .collect();
    let params = shared.name(
        &format!("params {}", a.id),
        "&[ParamSpec]",
        format!("&[{}]", params.join(", ")),
    );
    let _ = writeln!(out, "        params: {params},");
    let _ = writeln!(out, "        pagination: {pagination},");
    let _ = writeln!(out, "        idempotent: {idempotent},");
    let _ = writeln!(out, "        tokens: &[{}],", list(&a.tokens));
    let _ = writeln!(out, "        envelope: {},", lit(&a.envelope));
    let body = match a.body {
        BodyKind::Json => "BodyKind::Json",
        BodyKind::Multipart => "BodyKind::Multipart",
        BodyKind::Auto => "BodyKind::Auto",
        BodyKind::None => "BodyKind::None",
    };
    let _ = writeln!(out, "        body: {body},");
    let _ = writeln!(
        out,
        "        body_key: {},",
        a.body_key
            .as_deref()
            .map_or("None".to_owned(), |k| format!("Some({})", lit(k)))
    );
    let response = match a.response {
        ResponseKind::Json => "ResponseKind::Json",
        ResponseKind::Bytes => "ResponseKind::Bytes",
    };
    let _ = writeln!(out, "        response: {response},");
    let _ = writeln!(
        out,
        "        checked_against: &[{}],",
        list(&a.checked_against.to_vec())
    );
    let columns = shared.name(
        &format!("columns {}", r.resource),
        "&[&str]",
        format!("&[{columns}]"),
    );
    let _ = writeln!(out, "        columns: {columns},");
    let _ = writeln!(out, "        deprecated: {},", a.deprecated);
    out.push_str("    },\n");
}

fn param_type(shared: &mut Shared, p: &Param, ty: Type, items: Option<Type>) -> String {
    match ty {
        Type::String => "ParamType::String".into(),
        Type::Integer => "ParamType::Integer".into(),
        Type::Number => "ParamType::Number".into(),
        Type::Boolean => "ParamType::Boolean".into(),
        Type::Date => "ParamType::Date".into(),
        Type::DateTime => "ParamType::DateTime".into(),
        Type::Object => "ParamType::Object".into(),
        Type::Json => "ParamType::Json".into(),
        Type::Email => "ParamType::Email".into(),
        Type::Password => "ParamType::Password".into(),
        Type::File => "ParamType::File".into(),
        Type::Enum => {
            let values = shared.name(
                &format!("values {}", p.name()),
                "&[&str]",
                format!("&[{}]", list(&p.values)),
            );
            format!("ParamType::Enum {{ values: {values} }}")
        }
        Type::Array => format!(
            "ParamType::Array {{ items: &{} }}",
            param_type(shared, p, items.unwrap_or(Type::Json), None)
        ),
    }
}

/// The `ParamSpec` of one parameter of `r`, as Rust.
fn param_spec(shared: &mut Shared, m: &Loaded, r: &Resolved, p: &Param) -> String {
    let reference = match &p.reference {
        None => "None".to_owned(),
        Some(reference) => {
            let mut scope: Vec<(String, String)> = reference
                .scope
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if scope.is_empty() {
                // Default: the lookup's path parameters this action has too.
                if let Some(target) = m.actions.iter().find(|x| x.action.id == reference.action) {
                    for tp in target
                        .params
                        .iter()
                        .filter(|x| x.location == Location::Path)
                    {
                        if r.params.iter().any(|x| x.name() == tp.name()) {
                            scope.push((tp.name().to_owned(), tp.name().to_owned()));
                        }
                    }
                }
            }
            format!(
                "Some(&RefSpec {{ action: {}, scope: &[{}], items: {}, id: {}, matches: &[{}] }})",
                lit(&reference.action),
                scope
                    .iter()
                    .map(|(k, v)| format!("({}, {})", lit(k), lit(v)))
                    .collect::<Vec<_>>()
                    .join(", "),
                lit(&reference.items),
                lit(&reference.id),
                list(&reference.matches)
            )
        }
    };
    format!(
        "ParamSpec {{ name: {}, location: {}, ty: {}, required: {}, help: {}, secret: {}, deprecated: {}, wire: {}, top_level: {}, reference: {reference} }}",
        lit(p.name()),
        p.location.variant(),
        param_type(shared, p, p.ty, p.items),
        p.required || p.location == Location::Path,
        lit(&p.help),
        p.secret || p.ty == Type::Password,
        p.deprecated,
        p.wire
            .as_deref()
            .map_or("None".to_owned(), |w| format!("Some({})", lit(w))),
        p.top_level,
    )
}
