//! Account settings kept as plain records: canned responses, custom attribute definitions,
//! custom filters and automation rules.

use super::*;

/// Account records with nothing special about their get, update and delete:
/// (path segment, kind, name in a 404).
const PLAIN_RECORDS: &[(&str, Kind, &str)] = &[
    ("canned_responses", Kind::Canned, "Canned response"),
    (
        "custom_attribute_definitions",
        Kind::CustomAttribute,
        "Custom attribute",
    ),
    ("custom_filters", Kind::CustomFilter, "Custom filter"),
    ("automation_rules", Kind::AutomationRule, "Automation rule"),
];

/// GET, PATCH/PUT or DELETE of one record; `None` for any other method.
fn record_by_id(
    st: &mut Store,
    c: &Ctx<'_>,
    kind: Kind,
    acc: Option<u64>,
    rid: u64,
) -> Option<Answer> {
    let answer = match c.m() {
        "GET" => records::find(st, kind, acc, rid).and_then(ok),
        "PATCH" | "PUT" => c
            .body()
            .and_then(|body| records::update(st, kind, acc, rid, &body))
            .and_then(|r| ok(&r)),
        "DELETE" => records::delete(st, kind, acc, rid).and_then(|_| deleted()),
        _ => return None,
    };
    Some(answer)
}

impl App {
    /// Lists and creates of the plain account records, and their get/update/delete.
    pub(super) fn settings(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        let acc = Some(account);
        if let [collection, rid] = rest
            && let Some(&(_, kind, label)) =
                PLAIN_RECORDS.iter().find(|(seg, ..)| seg == collection)
            && let Some(answer) = record_by_id(st, c, kind, acc, id(rid, label)?)
        {
            return answer;
        }
        match (c.m(), rest) {
            ("GET", ["canned_responses"]) => {
                let search = c.query.get("search").map(str::to_lowercase);
                let items: Vec<Value> = st
                    .in_account(Kind::Canned, account)
                    .into_iter()
                    .filter(|r| {
                        search.as_ref().is_none_or(|s| {
                            get_str(r, "short_code").to_lowercase().contains(s)
                                || get_str(r, "content").to_lowercase().contains(s)
                        })
                    })
                    .cloned()
                    .collect();
                ok(&Value::Array(items))
            }
            ("POST", ["canned_responses"]) => self.create_record(st, c, Kind::Canned, account),
            // --- custom attribute definitions -----------------------------------------------
            ("GET", ["custom_attribute_definitions"]) => {
                let model = c.query.get("attribute_model").map(|m| match m {
                    "0" => "conversation_attribute",
                    "1" => "contact_attribute",
                    other => other,
                });
                let items: Vec<Value> = st
                    .in_account(Kind::CustomAttribute, account)
                    .into_iter()
                    .filter(|r| model.is_none_or(|m| get_str(r, "attribute_model") == m))
                    .cloned()
                    .collect();
                ok(&Value::Array(items))
            }
            ("POST", ["custom_attribute_definitions"]) => {
                self.create_record(st, c, Kind::CustomAttribute, account)
            }
            // --- custom filters -------------------------------------------------------------
            ("GET", ["custom_filters"]) => {
                let filter_type = c.query.get("filter_type");
                let items: Vec<Value> = st
                    .in_account(Kind::CustomFilter, account)
                    .into_iter()
                    .filter(|r| filter_type.is_none_or(|t| get_str(r, "type") == t))
                    .cloned()
                    .collect();
                ok(&Value::Array(items))
            }
            ("POST", ["custom_filters"]) => {
                let mut body = c.body()?;
                if let Some(t) = c.query.get("filter_type") {
                    body.entry("type").or_insert(json!(t));
                }
                let record = records::create(st, Kind::CustomFilter, acc, &body, Map::new())?;
                self.counters.created();
                ok(&record)
            }
            ("GET", ["automation_rules"]) => {
                let items: Vec<Value> = st
                    .in_account(Kind::AutomationRule, account)
                    .into_iter()
                    .cloned()
                    .collect();
                ok(&json!({"payload": items}))
            }
            ("POST", ["automation_rules"]) => {
                self.create_record(st, c, Kind::AutomationRule, account)
            }
            _ => Err(route_not_found()),
        }
    }

    pub(super) fn create_record(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        kind: Kind,
        account: u64,
    ) -> Answer {
        let body = c.body()?;
        let record = records::create(st, kind, Some(account), &body, Map::new())?;
        self.counters.created();
        ok(&record)
    }
}
