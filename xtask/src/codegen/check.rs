//! Refuses a manifest that could not describe a real operation.

use crate::manifest::{BodyKind, Loaded, Location, Pagination, Param, Type};
use std::collections::BTreeSet;

pub fn manifest(m: &Loaded) -> Result<(), String> {
    let mut ids = BTreeSet::new();
    let all_ids: BTreeSet<&str> = m.actions.iter().map(|a| a.action.id.as_str()).collect();
    for r in &m.actions {
        let a = &r.action;
        let fail = |msg: String| Err(format!("{}: `{}`: {msg}", r.file.display(), a.id));
        if !ids.insert(a.id.as_str()) {
            return fail("duplicate id".into());
        }
        let ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        if !ok(&r.resource) || !ok(&r.verb) {
            return fail("ids are lower-case `resource.verb` with [a-z0-9_]".into());
        }
        if !a.path.starts_with('/') {
            return fail("the path starts with `/`".into());
        }
        if let Some((_, fixed)) = a.path.split_once('?') {
            // A fixed query tells apart actions the server serves on one route by a
            // query value (`?type=account`); nothing in it is a parameter.
            if fixed.contains('{') || fixed.split('&').any(|pair| !pair.contains('=')) {
                return fail(
                    "a fixed query in the path is `name=value` pairs, without placeholders".into(),
                );
            }
            if let Some(p) = r.params.iter().find(|p| {
                p.location == Location::Query
                    && fixed
                        .split('&')
                        .any(|pair| pair.split('=').next() == Some(p.name()))
            }) {
                return fail(format!(
                    "`{}` is both fixed in the path and a parameter",
                    p.name()
                ));
            }
        }
        let holes = placeholders(&a.path);
        for p in &holes {
            if !r
                .params
                .iter()
                .any(|x| x.name() == p && x.location == Location::Path)
            {
                return fail(format!(
                    "path placeholder {{{p}}} has no `in = \"path\"` parameter"
                ));
            }
        }
        let mut seen = BTreeSet::new();
        for p in &r.params {
            if !seen.insert((p.name(), p.location.as_str())) {
                return fail(format!(
                    "parameter `{}` is declared twice in {}",
                    p.name(),
                    p.location.as_str()
                ));
            }
            if p.location == Location::Path && !holes.iter().any(|h| h == p.name()) {
                return fail(format!("path parameter `{}` is not in the path", p.name()));
            }
            check_param(p).map_err(|e| {
                format!(
                    "{}: `{}`: parameter `{}`: {e}",
                    r.file.display(),
                    a.id,
                    p.name()
                )
            })?;
            if let Some(reference) = &p.reference
                && !all_ids.contains(reference.action.as_str())
            {
                return fail(format!(
                    "parameter `{}`: `ref.action` names `{}`, which is not declared",
                    p.name(),
                    reference.action
                ));
            }
        }
        let files = r.params.iter().any(|p| p.scalar() == Type::File);
        if files
            && !matches!(
                a.body,
                BodyKind::Multipart | BodyKind::Auto | BodyKind::Json
            )
        {
            return fail("a file parameter needs a body".into());
        }
        if a.body == BodyKind::Auto && !files {
            return fail(
                "`body = \"auto\"` switches to multipart for files, but it has none".into(),
            );
        }
        if let Some(Pagination::PageNumber { param, .. }) = &a.pagination
            && !r
                .params
                .iter()
                .any(|p| p.name() == param && p.location == Location::Query)
        {
            return fail(format!(
                "pages are asked for with `{param}`, which is not a query parameter"
            ));
        }
        if let Some(Pagination::Cursor { before, after, .. }) = &a.pagination {
            for name in [before, after].into_iter().filter(|n| !n.is_empty()) {
                if !r
                    .params
                    .iter()
                    .any(|p| p.name() == name && p.location == Location::Query)
                {
                    return fail(format!("the cursor `{name}` is not a query parameter"));
                }
            }
        }
        for pointer in [&a.envelope] {
            if !pointer.is_empty() && !pointer.starts_with('/') {
                return fail(format!(
                    "`{pointer}` is not a JSON pointer (they start with /)"
                ));
            }
        }
    }
    Ok(())
}

fn check_param(p: &Param) -> Result<(), String> {
    if p.ty == Type::Enum && p.values.is_empty() {
        return Err("an enum needs `values`".into());
    }
    if p.ty == Type::Array {
        match p.items {
            None => return Err("an array needs `items`".into()),
            Some(Type::Array) => return Err("arrays of arrays: use items = \"json\"".into()),
            Some(Type::Enum) if p.values.is_empty() => {
                return Err("enum items need `values`".into());
            }
            Some(_) => {}
        }
    } else if p.items.is_some() {
        return Err("`items` is for arrays".into());
    }
    if !p.values.is_empty() && p.scalar() != Type::Enum {
        return Err("`values` is for enums".into());
    }
    if p.wire.is_some() && !matches!(p.location, Location::Body | Location::Query) {
        return Err("`wire` names a body or query field".into());
    }
    if let Some(r) = &p.reference
        && r.matches.is_empty()
    {
        return Err("a `ref` needs at least one field in `match`".into());
    }
    Ok(())
}

/// Placeholder names of a path template, in order.
pub(crate) fn placeholders(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(s) = rest.find('{') {
        let Some(l) = rest[s..].find('}') else { break };
        out.push(rest[s + 1..s + l].to_owned());
        rest = &rest[s + l + 1..];
    }
    out
}
