//! Resource group stories derived from a backend's registry, shared by the MOCO and the
//! Konverte story tests: which groups have the create → list/get → update → delete shape,
//! which parent records they live under, and one story through the `connector` binary.

#![allow(dead_code)]

mod run;
pub mod skips;
pub mod tailored;

#[allow(unused_imports)] // the tailored story tests tell their own
pub use run::tell_all;

use connector_core::action::{ActionSpec, Location, Method, Pagination, ParamSpec, ParamType};

/// A resource group with the story's shape: `create` at a collection path `C` (POST), `update`
/// and `delete` at `C/{key}`, and `get` at `C/{key}` or `list` at `C` to read records back.
#[derive(Debug, Clone)]
pub struct Group {
    pub resource: &'static str,
    pub create: &'static ActionSpec,
    pub list: Option<&'static ActionSpec>,
    pub get: Option<&'static ActionSpec>,
    pub update: &'static ActionSpec,
    pub delete: &'static ActionSpec,
    /// The path parameter naming one record: `id`, `team_id`, `portal_slug`.
    pub key: &'static str,
    /// Path parameters of the collection that name a parent record, each with the group
    /// whose records they name (`contact_id` → `contacts`), outermost first.
    pub parents: Vec<(&'static str, &'static str)>,
}

impl Group {
    /// The path of one record.
    pub fn item_path(&self) -> String {
        format!("{}/{{{}}}", self.create.path, self.key)
    }

    /// The field of a record its key is read from: a slug for `*_slug`, else the id.
    pub fn key_field(&self) -> &'static str {
        key_field(self.key)
    }
}

pub fn key_field(param: &str) -> &'static str {
    if param.ends_with("slug") {
        "slug"
    } else {
        "id"
    }
}

/// The placeholders of a path template, in order.
pub fn placeholders(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

/// A path template with its placeholder names blanked (`/projects/{project_id}` and
/// `/projects/{id}` have one shape).
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// Why a resource with `create` and `delete` has not the story's shape; `None` when it has.
fn misfit(actions: &'static [ActionSpec], resource: &str) -> Result<Group, String> {
    let find = |verb: &str| {
        actions
            .iter()
            .find(|a| a.resource == resource && a.verb == verb)
    };
    let (Some(create), Some(delete)) = (find("create"), find("delete")) else {
        return Err("no create and delete".into());
    };
    let Some(update) = find("update") else {
        return Err("no update".into());
    };
    if create.method != Method::Post {
        return Err(format!("create is {:?}", create.method));
    }
    let collection = create.path;
    let key_of = |a: &ActionSpec| {
        a.path
            .strip_prefix(collection)
            .and_then(|rest| rest.strip_prefix("/{"))
            .and_then(|rest| rest.strip_suffix('}'))
            .filter(|key| !key.contains(['/', '{']))
    };
    let Some(key) = key_of(update) else {
        return Err(format!(
            "update at {}, not {collection}/{{key}}",
            update.path
        ));
    };
    if key_of(delete) != Some(key) {
        return Err(format!(
            "delete at {}, not {collection}/{{{key}}}",
            delete.path
        ));
    }
    let get = find("get").filter(|g| g.method == Method::Get && key_of(g) == Some(key));
    let list = find("list").filter(|l| l.method == Method::Get && l.path == collection);
    if get.is_none() && list.is_none() {
        return Err("neither get at the record nor list at the collection".into());
    }
    Ok(Group {
        resource: create.resource,
        create,
        list,
        get,
        update,
        delete,
        key,
        parents: Vec::new(),
    })
}

/// Every group of the registry with the story's shape, with its parents found (`ambient`:
/// path parameters the story fills for every call, as Konverte's `account_id`); and every
/// other resource that has `create` and `delete`, with the reason it has not.
pub fn groups(
    actions: &'static [ActionSpec],
    ambient: &[&str],
) -> (Vec<Group>, Vec<(&'static str, String)>) {
    let mut resources: Vec<&'static str> = actions
        .iter()
        .filter(|a| a.verb == "create")
        .map(|a| a.resource)
        .collect();
    resources.dedup();
    let mut fitting = Vec::new();
    let mut misfits = Vec::new();
    for resource in resources {
        match misfit(actions, resource) {
            Ok(group) => fitting.push(group),
            Err(reason) if reason != "no create and delete" => misfits.push((resource, reason)),
            Err(_) => {}
        }
    }
    let items: Vec<(String, &'static str)> = fitting
        .iter()
        .map(|g| (shape(&g.item_path()), g.resource))
        .collect();
    let mut groups = Vec::new();
    for mut group in fitting {
        let path = group.create.path;
        let mut orphan = None;
        for param in placeholders(path) {
            if ambient.contains(&param) {
                continue;
            }
            let end = path.find(&format!("{{{param}}}")).unwrap_or(0) + param.len() + 2;
            let prefix = shape(&path[..end]);
            match items.iter().find(|(item, _)| *item == prefix) {
                Some((_, parent)) => group.parents.push((param, parent)),
                None => orphan = Some(param),
            }
        }
        match orphan {
            Some(param) => misfits.push((
                group.resource,
                format!("{{{param}}} names no record of a group with the story's shape"),
            )),
            None => groups.push(group),
        }
    }
    (groups, misfits)
}

/// What a backend's stories need beyond the registry.
pub struct Backend {
    /// The CLI's first level.
    pub name: &'static str,
    /// Path parameters every call gets, with their value (Konverte's account).
    pub ambient: &'static [(&'static str, &'static str)],
    /// Values for `(resource or "*", parameter)` whose type says too little; `{n}` is the
    /// record's number (values that must be unique: slugs, e-mails, codes).
    pub values: &'static [(&'static str, &'static str, &'static str)],
    /// Inputs the server requires only under a condition the declaration leaves to it:
    /// `(resource, parameter, value)`, value as for `values`.
    pub conditional: &'static [(&'static str, &'static str, &'static str)],
    /// Body inputs of `create` that name a record of another group the story creates first:
    /// `(resource, parameter, group)`.
    pub references: &'static [(&'static str, &'static str, &'static str)],
    /// The field `update` changes when the first string field would not do:
    /// `(resource, parameter, value)`.
    pub updates: &'static [(&'static str, &'static str, &'static str)],
    /// Records per page of a paged list, as the server pages it: `(resource, size)`.
    pub page_sizes: &'static [(&'static str, usize)],
    /// The page size of every paged list not in `page_sizes` (a sandbox configured so).
    pub any_page: Option<usize>,
    /// Pages of a list this long hold every record of a story: it is checked as one page.
    pub whole_page: usize,
}

impl Backend {
    /// The page size of the group's list; `None` when it is not paged (or pages so long that
    /// one page holds the story).
    pub fn page_size(&self, group: &Group) -> Result<Option<usize>, String> {
        let Some(list) = group.list else {
            return Ok(None);
        };
        if !list.pagination.is_paged() {
            return Ok(None);
        }
        match self.page_sizes.iter().find(|(r, _)| *r == group.resource) {
            Some((_, size)) if *size >= self.whole_page => Ok(None),
            Some((_, size)) => Ok(Some(*size)),
            None if self.any_page.is_some() => Ok(self.any_page),
            None => Err(format!(
                "{} pages ({:?}): its page size is not listed",
                group.resource, list.pagination
            )),
        }
    }

    fn value(&self, resource: &str, name: &str, n: usize) -> Option<String> {
        self.values
            .iter()
            .find(|(r, p, _)| *r == resource && *p == name)
            .or_else(|| self.values.iter().find(|(r, p, _)| *r == "*" && *p == name))
            .map(|(_, _, v)| v.replace("{n}", &n.to_string()))
    }
}

/// A value the declaration accepts for a parameter (`n` tells records apart).
pub fn value_for(backend: &Backend, resource: &str, param: &ParamSpec, n: usize) -> String {
    if let Some(value) = backend.value(resource, param.name, n) {
        return value;
    }
    match param.ty {
        ParamType::Integer => "1".into(),
        ParamType::Number => "10".into(),
        ParamType::Boolean => "true".into(),
        ParamType::Date => "2026-11-20".into(),
        ParamType::DateTime => "2026-11-20T09:00:00Z".into(),
        ParamType::Enum { values } => values[0].into(),
        ParamType::Email => format!("{}{n}@example.test", resource.replace('_', "-")),
        ParamType::Object | ParamType::Json => "{}".into(),
        ParamType::Array { items } => match items {
            ParamType::Integer => "[1]".into(),
            ParamType::Enum { values } => format!("[\"{}\"]", values[0]),
            ParamType::String => "[\"a\"]".into(),
            _ => {
                "[{\"type\": \"item\", \"title\": \"Story\", \"quantity\": 1, \"unit_price\": 10}]"
                    .into()
            }
        },
        _ => format!("story {n}"),
    }
}

/// The field the story changes through `update`, the value it sends and the value it reads
/// back: a name-like string, else the first string, else an enum's last value.
pub fn update_field(backend: &Backend, group: &Group) -> Option<(&'static str, String)> {
    if let Some((_, name, value)) = backend.updates.iter().find(|(r, ..)| *r == group.resource) {
        let param = group.update.params.iter().find(|p| p.name == *name)?;
        return Some((param.name, (*value).to_owned()));
    }
    let body: Vec<&'static ParamSpec> = group
        .update
        .params
        .iter()
        .filter(|p| p.location == Location::Body)
        .collect();
    let strings: Vec<&'static ParamSpec> = body
        .iter()
        .copied()
        .filter(|p| p.ty == ParamType::String && !p.secret)
        .collect();
    ["name", "title", "content", "description"]
        .iter()
        .find_map(|name| strings.iter().find(|p| p.name == *name))
        .or_else(|| strings.first())
        .map(|p| (p.name, "renamed".to_owned()))
        .or_else(|| {
            body.iter().find_map(|p| match p.ty {
                ParamType::Enum { values } => values.last().map(|v| (p.name, (*v).to_owned())),
                _ => None,
            })
        })
}

/// The create input of record `n`: the declared required body inputs, the conditional
/// ones and the field `update` will change (so it has a value to change from).
pub fn create_fields(
    backend: &Backend,
    group: &Group,
    n: usize,
) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    let mut put = |name: &str, raw: String| {
        let value = serde_json::from_str(&raw).unwrap_or(serde_json::Value::String(raw));
        fields.insert(name.to_owned(), value);
    };
    for param in group
        .create
        .params
        .iter()
        .filter(|p| p.required && p.location == Location::Body)
    {
        put(param.name, value_for(backend, group.resource, param, n));
    }
    for (_, name, value) in backend
        .conditional
        .iter()
        .filter(|(r, ..)| *r == group.resource)
    {
        put(name, value.replace("{n}", &n.to_string()));
    }
    if let Some((name, _)) = update_field(backend, group)
        && !fields.contains_key(name)
        && let Some(param) = group.create.params.iter().find(|p| p.name == name)
        && param.ty == ParamType::String
    {
        let value = value_for(backend, group.resource, param, n);
        fields.insert(name.to_owned(), value.into());
    }
    fields
}

/// Whether a list pages by cursor (Konverte's messages), which the story does not walk.
pub fn pages_by_cursor(group: &Group) -> bool {
    group
        .list
        .is_some_and(|l| matches!(l.pagination, Pagination::Cursor { .. }))
}
