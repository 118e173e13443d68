//! `generated/actions.rs`: the registry.

use super::HEADER;
use super::names::lit;
use super::plan::Plan;
use crate::manifest::{
    BodyKind, Loaded, Location, Pagination, Param, Resolved, ResponseKind, Type,
};
use std::fmt::Write as _;

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
    for r in &m.actions {
        render_action(&mut out, m, r);
    }
    out.push_str("];\n");
    out
}

fn list(items: &[String]) -> String {
    items.iter().map(|s| lit(s)).collect::<Vec<_>>().join(", ")
}

fn render_action(out: &mut String, m: &Loaded, r: &Resolved) {
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
    out.push_str("        params: &[\n");
    for p in &r.params {
        render_param(out, m, r, p);
    }
    out.push_str("        ],\n");
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
    let _ = writeln!(out, "        columns: &[{columns}],");
    let _ = writeln!(out, "        deprecated: {},", a.deprecated);
    out.push_str("    },\n");
}

fn param_type(ty: Type, values: &[String], items: Option<Type>) -> String {
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
        Type::Enum => format!("ParamType::Enum {{ values: &[{}] }}", list(values)),
        Type::Array => format!(
            "ParamType::Array {{ items: &{} }}",
            param_type(items.unwrap_or(Type::Json), values, None)
        ),
    }
}

fn render_param(out: &mut String, m: &Loaded, r: &Resolved, p: &Param) {
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
    let _ = writeln!(
        out,
        "            ParamSpec {{ name: {}, location: {}, ty: {}, required: {}, help: {}, secret: {}, deprecated: {}, wire: {}, top_level: {}, reference: {reference} }},",
        lit(p.name()),
        p.location.variant(),
        param_type(p.ty, &p.values, p.items),
        p.required || p.location == Location::Path,
        lit(&p.help),
        p.secret || p.ty == Type::Password,
        p.deprecated,
        p.wire
            .as_deref()
            .map_or("None".to_owned(), |w| format!("Some({})", lit(w))),
        p.top_level,
    );
}
