//! List filters from the query string, and sorting.

use super::*;

/// List filters parsed from the query string.
#[derive(Debug, Default)]
pub(super) struct Filters {
    ids: Option<HashSet<u64>>,
    updated_after: Option<i64>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    project_id: Option<u64>,
    task_id: Option<u64>,
    user_id: Option<u64>,
    company_ids: Option<HashSet<u64>>,
    leader_ids: Option<HashSet<u64>>,
    billable: Option<bool>,
    billed: Option<bool>,
    retainer: Option<bool>,
    kind: Option<String>,
    identifiers: Option<HashSet<String>>,
    email: Option<String>,
    tags: Vec<String>,
    term: Option<String>,
    phone: Option<String>,
    include_archived: bool,
    scope_project: Option<u64>,
}

/// The query's typed parameters, each refused with a 422 naming it.
struct Params<'q>(&'q Query);

impl Params<'_> {
    fn id_set(&self, key: &str) -> Result<Option<HashSet<u64>>, Fail> {
        let q = self.0;
        q.get(key)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        p.parse::<u64>()
                            .map_err(|_| field_error(key, "must be a comma-separated list of ids"))
                    })
                    .collect::<Result<HashSet<u64>, Fail>>()
            })
            .transpose()
    }

    fn one_id(&self, key: &str) -> Result<Option<u64>, Fail> {
        let q = self.0;
        q.get(key)
            .map(|v| {
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| field_error(key, "must be an id"))
            })
            .transpose()
    }

    fn date(&self, key: &str) -> Result<Option<NaiveDate>, Fail> {
        let q = self.0;
        q.get(key)
            .map(|v| {
                parse_date(v)
                    .ok_or_else(|| field_error(key, "is not a valid date (use YYYY-MM-DD)"))
            })
            .transpose()
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, Fail> {
        let q = self.0;
        q.get(key)
            .map(|v| {
                as_bool(&Value::String(v.to_owned()))
                    .ok_or_else(|| field_error(key, "must be true or false"))
            })
            .transpose()
    }
}

impl Filters {
    pub(super) fn parse(res: Res, q: &Query, scope_project: Option<u64>) -> Result<Self, Fail> {
        let p = Params(q);
        let updated_after = q
            .get("updated_after")
            .map(|v| {
                chrono::DateTime::parse_from_rfc3339(v)
                    .map(|t| t.timestamp_millis())
                    .ok()
                    .or_else(|| {
                        parse_date(v)
                            .and_then(|d| d.and_hms_opt(0, 0, 0))
                            .map(|t| t.and_utc().timestamp_millis())
                    })
                    .ok_or_else(|| {
                        field_error("updated_after", "is not a valid ISO 8601 timestamp")
                    })
            })
            .transpose()?;
        let mut filters = Filters {
            ids: p.id_set("ids")?,
            updated_after,
            tags: q
                .get("tags")
                .map(|t| {
                    t.split(',')
                        .map(|s| s.trim().to_lowercase())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            term: q
                .get("term")
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty()),
            include_archived: p.boolean("include_archived")?.unwrap_or(false),
            scope_project,
            ..Filters::default()
        };
        filters.for_resource(res, &p)?;
        Ok(filters)
    }

    /// The filters only `res`'s list takes.
    fn for_resource(&mut self, res: Res, p: &Params<'_>) -> Result<(), Fail> {
        let (filters, q) = (self, p.0);
        match res {
            Res::Activities => {
                filters.from = p.date("from")?;
                filters.to = p.date("to")?;
                filters.project_id = p.one_id("project_id")?;
                filters.task_id = p.one_id("task_id")?;
                filters.user_id = p.one_id("user_id")?;
                filters.company_ids = p.id_set("company_id")?;
                filters.billable = p.boolean("billable")?;
                filters.billed = p.boolean("billed")?;
            }
            Res::Companies => {
                if let Some(kind) = q.get("type") {
                    if !["customer", "supplier", "organization"].contains(&kind) {
                        return Err(field_error(
                            "type",
                            "is not included in the list (customer, supplier, organization)",
                        ));
                    }
                    filters.kind = Some(kind.to_owned());
                }
                filters.identifiers = q
                    .get("identifier")
                    .map(|i| i.split(',').map(|s| s.trim().to_owned()).collect());
            }
            Res::Contacts => {
                filters.phone = q
                    .get("phone")
                    .map(|p| p.chars().filter(char::is_ascii_digit).collect())
                    .filter(|p: &String| !p.is_empty());
            }
            Res::Deals => {
                if let Some(status) = q.get("status") {
                    if !["potential", "pending", "won", "lost", "dropped"].contains(&status) {
                        return Err(field_error(
                            "status",
                            "is not included in the list (potential, pending, won, lost, dropped)",
                        ));
                    }
                    filters.kind = Some(status.to_owned());
                }
                filters.from = p.date("closed_from")?;
                filters.to = p.date("closed_to")?;
                filters.company_ids = p.id_set("company_id")?;
            }
            Res::Projects => {
                filters.company_ids = p.id_set("company_id")?;
                filters.leader_ids = p.id_set("leader_id")?;
                filters.retainer = p.boolean("retainer")?;
                filters.identifiers = q
                    .get("identifier")
                    .map(|i| i.split(',').map(|s| s.trim().to_owned()).collect());
            }
            Res::Users => {
                filters.email = q.get("email").map(str::to_lowercase);
            }
            Res::Tasks | Res::WebHooks => {}
        }
        Ok(())
    }

    /// True when nothing but paging applies (the fast path).
    pub(super) fn is_empty(&self, res: Res) -> bool {
        let archive_filter =
            matches!(res, Res::Projects | Res::Companies | Res::Users) && !self.include_archived;
        self.ids.is_none()
            && self.updated_after.is_none()
            && self.from.is_none()
            && self.to.is_none()
            && self.project_id.is_none()
            && self.task_id.is_none()
            && self.user_id.is_none()
            && self.company_ids.is_none()
            && self.leader_ids.is_none()
            && self.billable.is_none()
            && self.billed.is_none()
            && self.retainer.is_none()
            && self.kind.is_none()
            && self.identifiers.is_none()
            && self.email.is_none()
            && self.tags.is_empty()
            && self.term.is_none()
            && self.phone.is_none()
            && self.scope_project.is_none()
            && !archive_filter
    }

    pub(super) fn matches(&self, res: Res, id: u64, row: &Row) -> bool {
        let idx = &row.idx;
        if self.ids.as_ref().is_some_and(|ids| !ids.contains(&id)) {
            return false;
        }
        if self.updated_after.is_some_and(|t| idx.updated_ms <= t) {
            return false;
        }
        if self.scope_project.is_some_and(|p| idx.project_id != p) {
            return false;
        }
        if matches!(res, Res::Projects | Res::Companies | Res::Users)
            && !self.include_archived
            && !idx.active
        {
            return false;
        }
        if self
            .from
            .is_some_and(|from| idx.date.is_none_or(|d| d < from))
        {
            return false;
        }
        if self.to.is_some_and(|to| idx.date.is_none_or(|d| d > to)) {
            return false;
        }
        if self.project_id.is_some_and(|p| idx.project_id != p)
            || self.task_id.is_some_and(|t| idx.task_id != t)
            || self.user_id.is_some_and(|u| idx.user_id != u)
        {
            return false;
        }
        if self
            .company_ids
            .as_ref()
            .is_some_and(|c| !c.contains(&idx.company_id))
        {
            return false;
        }
        if self
            .leader_ids
            .as_ref()
            .is_some_and(|l| !l.contains(&idx.leader_id) && !l.contains(&idx.co_leader_id))
        {
            return false;
        }
        if self.billable.is_some_and(|b| idx.billable != Some(b))
            || self.billed.is_some_and(|b| idx.billed != Some(b))
            || self
                .retainer
                .is_some_and(|r| idx.retainer.unwrap_or(false) != r)
        {
            return false;
        }
        if self
            .kind
            .as_ref()
            .is_some_and(|k| idx.kind.as_deref() != Some(k.as_str()))
        {
            return false;
        }
        if self
            .identifiers
            .as_ref()
            .is_some_and(|ids| idx.identifier.as_deref().is_none_or(|i| !ids.contains(i)))
        {
            return false;
        }
        if self
            .email
            .as_ref()
            .is_some_and(|e| idx.email.as_deref() != Some(e.as_str()))
        {
            return false;
        }
        if !self.tags.is_empty()
            && !self
                .tags
                .iter()
                .any(|t| idx.tags.iter().any(|have| have.as_ref() == t))
        {
            return false;
        }
        if self
            .term
            .as_ref()
            .is_some_and(|t| !idx.text.contains(t.as_str()))
        {
            return false;
        }
        if self.phone.as_ref().is_some_and(|p| {
            let digits: String = idx.phone.chars().filter(char::is_ascii_digit).collect();
            !digits.contains(p.as_str())
        }) {
            return false;
        }
        true
    }
}

/// A sort key extracted from an entity.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
pub(super) enum SortKey {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
}

pub(super) fn sort_key(row: &Row, path: &str) -> SortKey {
    let value = serde_json::from_str::<Value>(&row.raw).unwrap_or(Value::Null);
    let mut current = &value;
    for part in path.split('.') {
        current = current.get(part).unwrap_or(&Value::Null);
    }
    match current {
        Value::Null => SortKey::Null,
        Value::Bool(b) => SortKey::Bool(*b),
        Value::Number(n) => SortKey::Number(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => SortKey::Text(s.to_lowercase()),
        other => SortKey::Text(other.to_string()),
    }
}
