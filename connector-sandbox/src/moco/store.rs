//! MOCO tables: entities kept as serialized JSON (compact and fast to page) plus a small index
//! of the fields the list filters need.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::http::as_id;

/// The MOCO resources the sandbox keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Res {
    Activities,
    Companies,
    Contacts,
    Deals,
    Projects,
    Tasks,
    Users,
    WebHooks,
}

impl Res {
    const ALL: [Res; 8] = [
        Res::Activities,
        Res::Companies,
        Res::Contacts,
        Res::Deals,
        Res::Projects,
        Res::Tasks,
        Res::Users,
        Res::WebHooks,
    ];

    fn slot(self) -> usize {
        self as usize
    }

    /// The name of the resource's table in the state file.
    fn table_name(self) -> &'static str {
        match self {
            Res::Activities => "activities",
            Res::Companies => "companies",
            Res::Contacts => "contacts",
            Res::Deals => "deals",
            Res::Projects => "projects",
            Res::Tasks => "tasks",
            Res::Users => "users",
            Res::WebHooks => "web_hooks",
        }
    }

    /// The web hook `target` of this resource's events.
    pub(crate) fn target(self) -> Option<&'static str> {
        match self {
            Res::Activities => Some("Activity"),
            Res::Companies => Some("Company"),
            Res::Contacts => Some("Contact"),
            Res::Deals => Some("Deal"),
            Res::Projects => Some("Project"),
            Res::Tasks => Some("Task"),
            Res::Users => Some("User"),
            Res::WebHooks => None,
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Res::Activities => "Activity",
            Res::Companies => "Company",
            Res::Contacts => "Contact",
            Res::Deals => "Deal",
            Res::Projects => "Project",
            Res::Tasks => "Task",
            Res::Users => "User",
            Res::WebHooks => "Web hook",
        }
    }
}

/// The filterable fields of one entity.
#[derive(Debug, Clone, Default)]
pub(crate) struct Idx {
    pub(crate) updated_ms: i64,
    pub(crate) date: Option<NaiveDate>,
    pub(crate) project_id: u64,
    pub(crate) task_id: u64,
    pub(crate) user_id: u64,
    pub(crate) company_id: u64,
    pub(crate) leader_id: u64,
    pub(crate) co_leader_id: u64,
    pub(crate) billable: Option<bool>,
    pub(crate) billed: Option<bool>,
    pub(crate) retainer: Option<bool>,
    pub(crate) active: bool,
    pub(crate) kind: Option<Box<str>>,
    pub(crate) identifier: Option<Box<str>>,
    pub(crate) email: Option<Box<str>>,
    pub(crate) tags: Vec<Box<str>>,
    pub(crate) text: Box<str>,
    pub(crate) phone: Box<str>,
}

/// One stored entity.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) raw: Arc<str>,
    pub(crate) idx: Idx,
}

impl Row {
    pub(crate) fn value(&self) -> Map<String, Value> {
        match serde_json::from_str::<Value>(&self.raw) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    }
}

/// Entities of one resource, in id order.
#[derive(Debug, Default)]
pub(crate) struct Table {
    last_id: u64,
    order: Vec<u64>,
    rows: HashMap<u64, Row>,
}

impl Table {
    pub(crate) fn peek_id(&self) -> u64 {
        self.last_id + 1
    }

    pub(crate) fn alloc_id(&mut self) -> u64 {
        self.last_id += 1;
        self.last_id
    }

    pub(crate) fn reserve(&mut self, n: usize) {
        self.order.reserve(n);
        self.rows.reserve(n);
    }

    pub(crate) fn put(&mut self, id: u64, row: Row) {
        if self.rows.insert(id, row).is_none() {
            match self.order.last() {
                Some(last) if *last > id => {
                    let at = self.order.partition_point(|x| *x < id);
                    self.order.insert(at, id);
                }
                _ => self.order.push(id),
            }
        }
        self.last_id = self.last_id.max(id);
    }

    pub(crate) fn get(&self, id: u64) -> Option<&Row> {
        self.rows.get(&id)
    }

    pub(crate) fn remove(&mut self, id: u64) -> Option<Row> {
        let row = self.rows.remove(&id)?;
        if let Ok(at) = self.order.binary_search(&id) {
            self.order.remove(at);
        }
        Some(row)
    }

    pub(crate) fn order(&self) -> &[u64] {
        &self.order
    }

    pub(crate) fn rows(&self) -> impl Iterator<Item = (u64, &Row)> {
        self.order
            .iter()
            .filter_map(|id| self.rows.get(id).map(|r| (*id, r)))
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }
}

#[derive(Debug, Default)]
pub(crate) struct MStore {
    tables: [Table; 8],
}

/// One entity as the state file keeps it: its representation, its update time and, for a
/// task, its project (which the representation does not name); the index is computed anew.
#[derive(Debug, Serialize, Deserialize)]
struct SavedRow {
    updated_ms: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    project_id: u64,
    record: Value,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct SavedTable {
    last_id: u64,
    rows: Vec<SavedRow>,
}

impl MStore {
    /// The tables as the state file keeps them.
    pub(crate) fn snapshot(&self) -> Value {
        let tables: Map<String, Value> = Res::ALL
            .iter()
            .map(|res| {
                let table = self.table(*res);
                let saved = SavedTable {
                    last_id: table.last_id,
                    rows: table
                        .rows()
                        .map(|(_, row)| SavedRow {
                            updated_ms: row.idx.updated_ms,
                            project_id: if *res == Res::Tasks {
                                row.idx.project_id
                            } else {
                                0
                            },
                            record: Value::Object(row.value()),
                        })
                        .collect(),
                };
                let saved = serde_json::to_value(saved).unwrap_or(Value::Null);
                (res.table_name().to_owned(), saved)
            })
            .collect();
        Value::Object(tables)
    }

    /// Tables from [`MStore::snapshot`]; a missing table is empty.
    pub(crate) fn restore(snapshot: Value) -> Result<Self, serde_json::Error> {
        let mut saved: HashMap<String, SavedTable> = serde_json::from_value(snapshot)?;
        let mut store = MStore::default();
        for res in Res::ALL {
            let Some(saved) = saved.remove(res.table_name()) else {
                continue;
            };
            let table = store.table_mut(res);
            for row in saved.rows {
                let Value::Object(map) = row.record else {
                    continue;
                };
                let Some(id) = map.get("id").and_then(as_id) else {
                    continue;
                };
                let mut stored = make_row(res, &map, row.updated_ms);
                if res == Res::Tasks {
                    stored.idx.project_id = row.project_id;
                }
                table.put(id, stored);
            }
            table.last_id = table.last_id.max(saved.last_id);
        }
        Ok(store)
    }

    pub(crate) fn table(&self, res: Res) -> &Table {
        &self.tables[res.slot()]
    }

    pub(crate) fn table_mut(&mut self, res: Res) -> &mut Table {
        &mut self.tables[res.slot()]
    }

    pub(crate) fn get(&self, res: Res, id: u64) -> Option<&Row> {
        self.table(res).get(id)
    }

    pub(crate) fn exists(&self, res: Res, id: u64) -> bool {
        self.table(res).get(id).is_some()
    }
}

fn nested_id(map: &Map<String, Value>, key: &str) -> u64 {
    map.get(key)
        .and_then(|v| v.get("id"))
        .and_then(as_id)
        .unwrap_or(0)
}

fn text_of(map: &Map<String, Value>, key: &str) -> String {
    match map.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn nested_text(map: &Map<String, Value>, key: &str, field: &str) -> String {
    map.get(key)
        .and_then(|v| v.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let bytes = s.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn tags_of(map: &Map<String, Value>) -> Vec<Box<str>> {
    match map.get("tags") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|t| t.to_lowercase().into_boxed_str())
            .collect(),
        _ => Vec::new(),
    }
}

fn boxed(s: String) -> Option<Box<str>> {
    if s.is_empty() {
        None
    } else {
        Some(s.into_boxed_str())
    }
}

/// Computes the index of an entity representation.
pub(crate) fn index(res: Res, map: &Map<String, Value>, updated_ms: i64) -> Idx {
    let active = map.get("active").and_then(Value::as_bool).unwrap_or(true);
    let mut idx = Idx {
        updated_ms,
        active,
        tags: tags_of(map),
        ..Idx::default()
    };
    match res {
        Res::Activities => {
            idx.date = parse_date(&text_of(map, "date"));
            idx.project_id = nested_id(map, "project");
            idx.task_id = nested_id(map, "task");
            idx.user_id = nested_id(map, "user");
            idx.company_id = nested_id(map, "customer");
            idx.billable = map.get("billable").and_then(Value::as_bool);
            idx.billed = map.get("billed").and_then(Value::as_bool);
            let tag = text_of(map, "tag");
            if !tag.is_empty() {
                idx.tags = vec![tag.to_lowercase().into_boxed_str()];
            }
            idx.text = format!(
                "{} {} {}",
                tag,
                text_of(map, "description"),
                text_of(map, "remote_id")
            )
            .to_lowercase()
            .into_boxed_str();
        }
        Res::Companies => {
            idx.kind = boxed(text_of(map, "type"));
            idx.identifier = boxed(text_of(map, "identifier"));
            idx.text = format!("{} {}", text_of(map, "name"), text_of(map, "identifier"))
                .to_lowercase()
                .into_boxed_str();
        }
        Res::Contacts => {
            idx.company_id = nested_id(map, "company");
            idx.text = format!(
                "{} {} {} {}",
                text_of(map, "firstname"),
                text_of(map, "lastname"),
                text_of(map, "work_email"),
                nested_text(map, "company", "name")
            )
            .to_lowercase()
            .into_boxed_str();
            idx.phone = format!(
                "{} {}",
                text_of(map, "work_phone"),
                text_of(map, "mobile_phone")
            )
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == ' ')
            .collect::<String>()
            .into_boxed_str();
        }
        Res::Deals => {
            idx.kind = boxed(text_of(map, "status"));
            idx.company_id = nested_id(map, "company");
            idx.user_id = nested_id(map, "user");
            idx.date = parse_date(&text_of(map, "closed_on"));
            idx.text = text_of(map, "name").to_lowercase().into_boxed_str();
        }
        Res::Projects => {
            idx.company_id = nested_id(map, "customer");
            idx.leader_id = nested_id(map, "leader");
            idx.co_leader_id = nested_id(map, "co_leader");
            idx.retainer = map.get("retainer").and_then(Value::as_bool);
            idx.identifier = boxed(text_of(map, "identifier"));
            idx.text = format!(
                "{} {} {}",
                text_of(map, "name"),
                text_of(map, "identifier"),
                nested_text(map, "customer", "name")
            )
            .to_lowercase()
            .into_boxed_str();
        }
        Res::Tasks => {
            idx.text = text_of(map, "name").to_lowercase().into_boxed_str();
        }
        Res::Users => {
            idx.email = boxed(text_of(map, "email").to_lowercase());
            idx.text = format!(
                "{} {} {}",
                text_of(map, "firstname"),
                text_of(map, "lastname"),
                text_of(map, "email")
            )
            .to_lowercase()
            .into_boxed_str();
        }
        Res::WebHooks => {
            idx.kind = boxed(text_of(map, "target"));
        }
    }
    idx
}

/// Serializes a representation into a stored row.
pub(crate) fn make_row(res: Res, map: &Map<String, Value>, updated_ms: i64) -> Row {
    let raw = serde_json::to_string(map).unwrap_or_else(|_| "{}".to_owned());
    Row {
        raw: Arc::from(raw),
        idx: index(res, map, updated_ms),
    }
}
