//! Validation of MOCO request bodies and construction of entity representations.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value, json};

use super::store::{MStore, Res, parse_date};
use crate::http::{Fail, as_bool, as_f64, as_id, looks_like_email, looks_like_url, random_hex};

/// A 422 answer with a field map.
pub(crate) fn unprocessable(errors: BTreeMap<String, Vec<String>>) -> Fail {
    let summary: Vec<String> = errors
        .iter()
        .flat_map(|(field, messages)| messages.iter().map(move |m| format!("{field} {m}")))
        .collect();
    Fail::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({
            "message": format!("The record could not be saved: {}", summary.join(", ")),
            "errors": errors,
        }),
    )
}

pub(crate) fn field_error(field: &str, message: &str) -> Fail {
    let mut errors = BTreeMap::new();
    errors.insert(field.to_owned(), vec![message.to_owned()]);
    unprocessable(errors)
}

const BLANK: &str = "can't be blank";

/// Context of one create or update.
#[derive(Debug)]
pub(crate) struct BuildCtx<'a> {
    pub(crate) store: &'a MStore,
    /// The current representation when updating.
    pub(crate) existing: Option<&'a Map<String, Value>>,
    /// The id the entity gets (or has).
    pub(crate) id: u64,
    /// The user the request acts as.
    pub(crate) user: Option<u64>,
}

/// Collects validation errors and output fields.
struct V<'a> {
    body: &'a Map<String, Value>,
    creating: bool,
    errors: BTreeMap<String, Vec<String>>,
    out: Map<String, Value>,
}

impl<'a> V<'a> {
    fn new(body: &'a Map<String, Value>, ctx: &BuildCtx<'_>) -> Self {
        Self {
            body,
            creating: ctx.existing.is_none(),
            errors: BTreeMap::new(),
            out: ctx.existing.cloned().unwrap_or_default(),
        }
    }

    fn err(&mut self, field: &str, message: &str) {
        self.errors
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned());
    }

    fn given(&self, key: &str) -> bool {
        self.body.contains_key(key)
    }

    fn filled(&self, key: &str) -> bool {
        match self.body.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
        }
    }

    /// Mandatory fields: must be given when creating, must not be blanked when updating.
    fn required(&mut self, keys: &[&str]) {
        for key in keys {
            let missing = if self.creating {
                !self.filled(key)
            } else {
                self.given(key) && !self.filled(key)
            };
            if missing {
                self.err(key, BLANK);
            }
        }
    }

    fn set(&mut self, key: &str, value: Value) {
        self.out.insert(key.to_owned(), value);
    }

    fn default(&mut self, key: &str, value: Value) {
        if self.creating {
            self.out.entry(key.to_owned()).or_insert(value);
        }
    }

    fn string_as(&mut self, key: &str, out_key: &str) {
        match self.body.get(key) {
            None => {}
            Some(Value::Null) => self.set(out_key, Value::Null),
            Some(Value::String(s)) => self.set(out_key, json!(s)),
            Some(Value::Number(n)) => self.set(out_key, json!(n.to_string())),
            Some(_) => self.err(key, "is invalid"),
        }
    }

    fn strings(&mut self, keys: &[&str]) {
        for key in keys {
            self.string_as(key, key);
        }
    }

    fn boolean_as(&mut self, key: &str, out_key: &str) {
        match self.body.get(key) {
            None => {}
            Some(Value::Null) => self.set(out_key, Value::Null),
            Some(v) => match as_bool(v) {
                Some(b) => self.set(out_key, json!(b)),
                None => self.err(key, "is not a boolean"),
            },
        }
    }

    fn booleans(&mut self, keys: &[&str]) {
        for key in keys {
            self.boolean_as(key, key);
        }
    }

    fn number(&mut self, key: &str) -> Option<f64> {
        match self.body.get(key) {
            None => None,
            Some(Value::Null) => {
                self.set(key, Value::Null);
                None
            }
            Some(v) => match as_f64(v) {
                Some(n) if n.is_finite() => {
                    self.set(key, number_value(n));
                    Some(n)
                }
                _ => {
                    self.err(key, "is not a number");
                    None
                }
            },
        }
    }

    fn numbers(&mut self, keys: &[&str]) {
        for key in keys {
            self.number(key);
        }
    }

    fn integer_as(&mut self, key: &str, out_key: &str) -> Option<i64> {
        match self.body.get(key) {
            None => None,
            Some(Value::Null) => {
                self.set(out_key, Value::Null);
                None
            }
            Some(v) => match v
                .as_i64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            {
                Some(i) => {
                    self.set(out_key, json!(i));
                    Some(i)
                }
                None => {
                    self.err(key, "is not an integer");
                    None
                }
            },
        }
    }

    fn date_as(&mut self, key: &str, out_key: &str) -> Option<NaiveDate> {
        match self.body.get(key) {
            None => None,
            Some(Value::Null) => {
                self.set(out_key, Value::Null);
                None
            }
            Some(Value::String(s)) if s.is_empty() => {
                self.set(out_key, Value::Null);
                None
            }
            Some(Value::String(s)) => match parse_date(s) {
                Some(d) => {
                    self.set(out_key, json!(s));
                    Some(d)
                }
                None => {
                    self.err(key, "is not a valid date (use YYYY-MM-DD)");
                    None
                }
            },
            Some(_) => {
                self.err(key, "is not a valid date (use YYYY-MM-DD)");
                None
            }
        }
    }

    fn date(&mut self, key: &str) -> Option<NaiveDate> {
        self.date_as(key, key)
    }

    fn choice(&mut self, key: &str, allowed: &[&str]) -> Option<String> {
        match self.body.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if allowed.contains(&s.as_str()) => {
                self.set(key, json!(s));
                Some(s.clone())
            }
            Some(Value::String(s)) if s.is_empty() => None,
            Some(_) => {
                self.err(
                    key,
                    &format!("is not included in the list ({})", allowed.join(", ")),
                );
                None
            }
        }
    }

    fn tags(&mut self) {
        match self.body.get("tags") {
            None => {}
            Some(Value::Null) => self.set("tags", json!([])),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
                self.set("tags", Value::Array(items.clone()));
            }
            Some(Value::String(s)) => {
                let tags: Vec<&str> = s
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .collect();
                self.set("tags", json!(tags));
            }
            Some(_) => self.err("tags", "must be a list of strings"),
        }
    }

    fn object(&mut self, key: &str) {
        match self.body.get(key) {
            None => {}
            Some(Value::Null) => self.set(key, json!({})),
            Some(Value::Object(map)) => {
                let mut merged = self
                    .out
                    .get(key)
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                merged.extend(map.clone());
                self.set(key, Value::Object(merged));
            }
            Some(_) => self.err(key, "must be a JSON object"),
        }
    }

    /// An id field: `Ok(None)` when absent, `Err(())` when invalid (error recorded), and
    /// `Ok(Some(None))` when explicitly cleared.
    fn id(&mut self, key: &str) -> Result<Option<Option<u64>>, ()> {
        match self.body.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) if s.is_empty() => Ok(Some(None)),
            Some(v) => match as_id(v) {
                Some(id) => Ok(Some(Some(id))),
                None => {
                    self.err(key, "is not a valid id");
                    Err(())
                }
            },
        }
    }

    /// A reference to another entity, rendered with `render` under `out_key`.
    fn reference(
        &mut self,
        key: &str,
        out_key: &str,
        render: impl Fn(u64) -> Option<Value>,
    ) -> Option<u64> {
        match self.id(key) {
            Ok(Some(Some(id))) => match render(id) {
                Some(value) => {
                    self.set(out_key, value);
                    Some(id)
                }
                None => {
                    self.err(key, "does not exist");
                    None
                }
            },
            Ok(Some(None)) => {
                self.set(out_key, Value::Null);
                None
            }
            _ => None,
        }
    }

    fn finish(self) -> Result<Map<String, Value>, Fail> {
        if self.errors.is_empty() {
            Ok(self.out)
        } else {
            Err(unprocessable(self.errors))
        }
    }
}

fn number_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

fn is_currency(s: &str) -> bool {
    s.len() == 3 && s.chars().all(|c| c.is_ascii_uppercase())
}

fn first_of_month(d: NaiveDate) -> bool {
    d.day() == 1
}

fn last_of_month(d: NaiveDate) -> bool {
    d.succ_opt().is_some_and(|next| next.day() == 1)
}

// ---------------------------------------------------------------------------------------------
// References

fn field(map: &Map<String, Value>, key: &str) -> Value {
    map.get(key).cloned().unwrap_or(Value::Null)
}

pub(crate) fn user_ref(store: &MStore, id: u64) -> Option<Value> {
    let user = store.get(Res::Users, id)?.value();
    Some(
        json!({"id": id, "firstname": field(&user, "firstname"), "lastname": field(&user, "lastname")}),
    )
}

fn company_ref(store: &MStore, id: u64) -> Option<Value> {
    let company = store.get(Res::Companies, id)?.value();
    Some(json!({"id": id, "type": field(&company, "type"), "name": field(&company, "name")}))
}

fn customer_ref(store: &MStore, id: u64) -> Option<Value> {
    let company = store.get(Res::Companies, id)?.value();
    Some(json!({"id": id, "name": field(&company, "name")}))
}

fn contact_ref(store: &MStore, id: u64) -> Option<Value> {
    let contact = store.get(Res::Contacts, id)?.value();
    Some(
        json!({"id": id, "firstname": field(&contact, "firstname"), "lastname": field(&contact, "lastname")}),
    )
}

fn person_ref(store: &MStore, id: u64) -> Option<Value> {
    let contact = store.get(Res::Contacts, id)?.value();
    let name = format!(
        "{} {}",
        contact
            .get("firstname")
            .and_then(Value::as_str)
            .unwrap_or(""),
        contact
            .get("lastname")
            .and_then(Value::as_str)
            .unwrap_or("")
    );
    Some(json!({"id": id, "name": name.trim()}))
}

fn deal_ref(store: &MStore, id: u64) -> Option<Value> {
    let deal = store.get(Res::Deals, id)?.value();
    Some(json!({"id": id, "name": field(&deal, "name")}))
}

pub const REMOTE_SERVICES: &[&str] = &[
    "trello",
    "jira",
    "asana",
    "basecamp",
    "wunderlist",
    "basecamp2",
    "basecamp3",
    "toggl",
    "mite",
    "github",
    "youtrack",
];

/// Web hook targets the documentation lists.
pub const WEB_HOOK_TARGETS: &[&str] = &[
    "Activity",
    "Comment",
    "Company",
    "Contact",
    "Contract",
    "Deal",
    "Expense",
    "Invoice",
    "Invoice::Approval",
    "Invoice::Payment",
    "InvoiceDraft",
    "InvoiceReminder",
    "Offer",
    "PlanningEntry",
    "Presence",
    "Project",
    "Project::PaymentSchedule",
    "Purchase",
    "Purchase::Approval",
    "Purchase::Draft",
    "Purchase::Payment",
    "RecurringExpense",
    "Schedule",
    "Task",
    "User",
    "User::HolidayRequest",
    "User::AbsenceRequest",
    "User::PeriodLockOverride",
];

pub const WEB_HOOK_EVENTS: &[&str] = &["create", "update", "delete", "archive", "unarchive"];

// ---------------------------------------------------------------------------------------------
// Builders

/// Validates `body` and returns the new representation (without id and timestamps).
pub(crate) fn build(
    res: Res,
    body: &Map<String, Value>,
    ctx: &BuildCtx<'_>,
) -> Result<Map<String, Value>, Fail> {
    let mut v = V::new(body, ctx);
    match res {
        Res::Activities => activity(&mut v, ctx),
        Res::Companies => company(&mut v, ctx),
        Res::Contacts => contact(&mut v, ctx),
        Res::Deals => deal(&mut v, ctx),
        Res::Projects => project(&mut v, ctx),
        Res::Tasks => task(&mut v),
        Res::Users => user(&mut v, ctx),
        Res::WebHooks => web_hook(&mut v),
    }
    v.finish()
}

fn activity(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
    let store = ctx.store;
    v.required(&["date", "project_id", "task_id"]);
    v.date("date");
    v.strings(&["description", "tag", "remote_id", "remote_url"]);
    v.choice("remote_service", REMOTE_SERVICES);
    v.boolean_as("billable", "billable");
    let seconds = if v.given("seconds") {
        v.integer_as("seconds", "seconds")
    } else if v.given("hours") {
        v.number("hours").map(|h| (h * 3600.0).round() as i64)
    } else {
        None
    };
    if let Some(seconds) = seconds {
        if seconds < 0 {
            v.err("seconds", "must be greater than or equal to 0");
        }
        v.set("seconds", json!(seconds));
        v.set("worked_seconds", json!(seconds));
        v.set(
            "hours",
            number_value((seconds as f64 / 36.0).round() / 100.0),
        );
    }
    let current_project = v
        .out
        .get("project")
        .and_then(|p| p.get("id"))
        .and_then(as_id);
    let current_task = v.out.get("task").and_then(|t| t.get("id")).and_then(as_id);
    let project = match v.id("project_id") {
        Ok(Some(id)) => id,
        Ok(None) => current_project,
        Err(()) => return,
    };
    let task = match v.id("task_id") {
        Ok(Some(id)) => id,
        Ok(None) => current_task,
        Err(()) => return,
    };
    if v.given("project_id") || v.given("task_id") {
        let (Some(project), Some(task)) = (project, task) else {
            return;
        };
        let Some(project_row) = store.get(Res::Projects, project) else {
            v.err("project_id", "does not exist");
            return;
        };
        let project_map = project_row.value();
        let task_row = store
            .get(Res::Tasks, task)
            .filter(|t| t.idx.project_id == project);
        let Some(task_row) = task_row else {
            v.err("task_id", "does not exist on this project");
            return;
        };
        let task_map = task_row.value();
        let project_billable = project_map
            .get("billable")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let task_billable = task_map
            .get("billable")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        v.set(
            "project",
            json!({"id": project, "name": field(&project_map, "name"), "billable": project_billable}),
        );
        v.set(
            "task",
            json!({"id": task, "name": field(&task_map, "name"), "billable": task_billable}),
        );
        v.set("customer", field(&project_map, "customer"));
        let rate = task_map
            .get("hourly_rate")
            .and_then(Value::as_f64)
            .filter(|r| *r > 0.0)
            .or_else(|| project_map.get("hourly_rate").and_then(Value::as_f64))
            .unwrap_or(0.0);
        v.set("hourly_rate", number_value(rate));
        v.default("billable", json!(project_billable && task_billable));
    }
    v.default("seconds", json!(0));
    v.default("worked_seconds", json!(0));
    v.default("hours", json!(0));
    v.default("description", json!(""));
    v.default("billed", json!(false));
    v.default("invoice_id", Value::Null);
    v.default("billable", json!(true));
    v.default("tag", json!(""));
    v.default("remote_service", Value::Null);
    v.default("remote_id", Value::Null);
    v.default("remote_url", Value::Null);
    let user = ctx.user.and_then(|u| user_ref(store, u));
    v.default("user", user.unwrap_or(Value::Null));
    v.default("hourly_rate", json!(0));
    v.default("timer_started_at", Value::Null);
}

fn company(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
    v.required(&["name", "type"]);
    v.strings(&["name"]);
    let kind = v
        .choice("type", &["customer", "supplier", "organization"])
        .or_else(|| v.out.get("type").and_then(Value::as_str).map(str::to_owned));
    if kind.as_deref() == Some("customer") {
        if v.creating {
            v.required(&["currency"]);
        }
        if let Some(Value::String(currency)) = v.body.get("currency")
            && !currency.is_empty()
            && !is_currency(currency)
        {
            v.err("currency", "is not a valid ISO currency code");
        }
    }
    v.strings(&[
        "currency",
        "website",
        "fax",
        "phone",
        "email",
        "billing_email_cc",
        "billing_notes",
        "address",
        "info",
        "footer",
        "vat_identifier",
        "identifier",
        "iban",
        "bank_owner",
        "bank_bic",
    ]);
    if let Some(Value::String(code)) = v.body.get("country_code") {
        if code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()) {
            v.set("country_code", json!(code));
        } else {
            v.err("country_code", "must be an ISO alpha-2 code in upper case");
        }
    }
    v.booleans(&[
        "alternative_correspondence_language",
        "custom_rates",
        "include_time_report",
    ]);
    v.integer_as("default_invoice_due_days", "default_invoice_due_days");
    v.integer_as("invoice_due_days", "default_invoice_due_days");
    for key in [
        "debit_number",
        "credit_number",
        "customer_vat_code_id",
        "supplier_vat_code_id",
    ] {
        v.integer_as(key, key);
    }
    v.numbers(&[
        "customer_tax",
        "supplier_tax",
        "default_discount",
        "default_cash_discount",
    ]);
    v.choice(
        "invoice_format",
        &["regular_pdf", "x_invoice", "zugferd_x_invoice"],
    );
    v.choice("default_payment_means", &["not_defined", "credit_transfer"]);
    v.tags();
    v.object("custom_properties");
    let store = ctx.store;
    v.reference("user_id", "user", |id| user_ref(store, id));
    v.default("identifier", json!(format!("K{:04}", ctx.id)));
    for key in [
        "website",
        "email",
        "billing_email_cc",
        "phone",
        "fax",
        "address",
        "info",
        "billing_notes",
        "footer",
        "vat_identifier",
    ] {
        v.default(key, json!(""));
    }
    v.default("tags", json!([]));
    v.default("user", Value::Null);
    v.default("custom_properties", json!({}));
    v.default("intern", json!(false));
    v.default("billing_tax", json!(0));
    v.default("currency", json!("EUR"));
    v.default("custom_rates", json!(false));
    v.default("include_time_report", json!(false));
    v.default("default_discount", json!(0.0));
    v.default("default_cash_discount", json!(0.0));
    v.default("default_cash_discount_days", json!(0));
    v.default("country_code", json!("DE"));
    v.default("alternative_correspondence_language", json!(false));
    v.default("default_invoice_due_days", json!(30));
    v.default("projects", json!([]));
    v.default("active", json!(true));
    v.default("archived_on", Value::Null);
    v.default("debit_number", Value::Null);
}

fn contact(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
    v.required(&["lastname", "gender"]);
    v.choice("gender", &["F", "M", "U"]);
    v.strings(&[
        "firstname",
        "lastname",
        "title",
        "job_position",
        "mobile_phone",
        "work_fax",
        "work_phone",
        "work_email",
        "work_address",
        "home_email",
        "home_address",
        "info",
    ]);
    v.date("birthday");
    v.tags();
    v.object("custom_properties");
    let store = ctx.store;
    v.reference("company_id", "company", |id| company_ref(store, id));
    if let Ok(Some(Some(user))) = v.id("user_id")
        && !store.exists(Res::Users, user)
    {
        v.err("user_id", "does not exist");
    }
    for key in [
        "firstname",
        "title",
        "job_position",
        "mobile_phone",
        "work_fax",
        "work_phone",
        "work_email",
        "work_address",
        "home_email",
        "home_address",
        "info",
    ] {
        v.default(key, json!(""));
    }
    v.default("birthday", Value::Null);
    v.default("avatar_url", Value::Null);
    v.default("tags", json!([]));
    v.default("custom_properties", json!({}));
    v.default("company", Value::Null);
}

fn deal(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
    let store = ctx.store;
    v.required(&[
        "name",
        "currency",
        "money",
        "reminder_date",
        "user_id",
        "deal_category_id",
    ]);
    v.strings(&["name", "currency", "info"]);
    if let Some(Value::String(currency)) = v.body.get("currency")
        && !currency.is_empty()
        && !is_currency(currency)
    {
        v.err("currency", "is not a valid ISO currency code");
    }
    v.number("money");
    v.date("reminder_date");
    v.date("closed_on");
    if let Some(from) = v.date("service_period_from")
        && !first_of_month(from)
    {
        v.err("service_period_from", "must be the first day of a month");
    }
    if let Some(to) = v.date("service_period_to")
        && !last_of_month(to)
    {
        v.err("service_period_to", "must be the last day of a month");
    }
    v.choice(
        "status",
        &["potential", "pending", "won", "lost", "dropped"],
    );
    v.tags();
    v.object("custom_properties");
    v.reference("user_id", "user", |id| user_ref(store, id));
    v.reference("company_id", "company", |id| company_ref(store, id));
    v.reference("person_id", "person", |id| person_ref(store, id));
    if let Ok(Some(Some(category))) = v.id("deal_category_id") {
        v.set(
            "category",
            json!({"id": category, "name": format!("Category {category}"), "probability": 0}),
        );
    }
    v.default("status", json!("pending"));
    v.default("closed_on", Value::Null);
    v.default("info", json!(""));
    v.default("custom_properties", json!({}));
    v.default("company", Value::Null);
    v.default("person", Value::Null);
    v.default("category", Value::Null);
    v.default("service_period_from", Value::Null);
    v.default("service_period_to", Value::Null);
    v.default("tags", json!([]));
    v.default(
        "inbox_email_address",
        json!(format!(
            "lead-{}-{}@inbox.sandbox.test",
            ctx.id,
            random_hex(12)
        )),
    );
}

fn project(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
    let store = ctx.store;
    v.required(&["name", "currency", "leader_id", "customer_id"]);
    v.strings(&[
        "name",
        "identifier",
        "billing_address",
        "billing_email_to",
        "billing_email_cc",
        "billing_notes",
        "info",
        "color",
    ]);
    if v.creating {
        v.strings(&["currency"]);
        if let Some(Value::String(currency)) = v.body.get("currency")
            && !currency.is_empty()
            && !is_currency(currency)
        {
            v.err("currency", "is not a valid ISO currency code");
        }
    }
    v.booleans(&[
        "fixed_price",
        "retainer",
        "setting_include_time_report",
        "billable",
    ]);
    let start = v.date("start_date");
    let finish = v.date("finish_date");
    v.choice("billing_variant", &["project", "task", "user"]);
    v.numbers(&["hourly_rate", "budget", "budget_monthly", "budget_expenses"]);
    if let Some(day) = v.integer_as("retainer_billing_date", "retainer_billing_date")
        && !(1..=31).contains(&day)
    {
        v.err("retainer_billing_date", "must be between 1 and 31");
    }
    v.tags();
    v.object("custom_properties");
    v.reference("leader_id", "leader", |id| user_ref(store, id));
    v.reference("co_leader_id", "co_leader", |id| user_ref(store, id));
    v.reference("customer_id", "customer", |id| customer_ref(store, id));
    v.reference("deal_id", "deal", |id| deal_ref(store, id));
    v.reference("contact_id", "contact", |id| contact_ref(store, id));
    v.reference("secondary_contact_id", "secondary_contact", |id| {
        contact_ref(store, id)
    });
    v.reference("billing_contact_id", "billing_contact", |id| {
        contact_ref(store, id)
    });
    if let Ok(Some(Some(group))) = v.id("project_group_id") {
        v.set(
            "project_group",
            json!({"id": group, "name": format!("Project group {group}")}),
        );
    }
    let retainer = v
        .out
        .get("retainer")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if retainer {
        for key in ["start_date", "finish_date", "budget_monthly"] {
            let present = v.out.get(key).is_some_and(|x| !x.is_null());
            if !present && !v.errors.contains_key(key) {
                v.err(key, "can't be blank for retainer projects");
            }
        }
        if start.is_some_and(|d| !first_of_month(d)) {
            v.err(
                "start_date",
                "must be the first day of a month for retainers",
            );
        }
        if finish.is_some_and(|d| !last_of_month(d)) {
            v.err(
                "finish_date",
                "must be the last day of a month for retainers",
            );
        }
    }
    v.default("identifier", json!(format!("P{:03}", ctx.id)));
    v.default("active", json!(true));
    v.default("billable", json!(true));
    v.default("fixed_price", json!(false));
    v.default("retainer", json!(false));
    v.default("start_date", Value::Null);
    v.default("finish_date", Value::Null);
    v.default("color", json!("#CCCC00"));
    v.default("billing_variant", json!("project"));
    for key in [
        "billing_address",
        "billing_email_to",
        "billing_email_cc",
        "billing_notes",
        "info",
    ] {
        v.default(key, json!(""));
    }
    v.default("setting_include_time_report", json!(false));
    for key in ["budget", "budget_monthly", "budget_expenses"] {
        v.default(key, Value::Null);
    }
    v.default("hourly_rate", json!(0));
    v.default("tags", json!([]));
    v.default(
        "customer_report_url",
        json!(format!(
            "https://sandbox.mocoapp.com/projects/{}/customer_report/{}",
            ctx.id,
            random_hex(20)
        )),
    );
    v.default("custom_properties", json!({}));
    v.default("co_leader", Value::Null);
    v.default("deal", Value::Null);
    v.default("tasks", json!([]));
    v.default("contracts", json!([]));
    v.default("project_group", Value::Null);
    v.default("billing_contact", Value::Null);
    v.default("contact", Value::Null);
    v.default("secondary_contact", Value::Null);
}

fn task(v: &mut V<'_>) {
    v.required(&["name"]);
    v.strings(&["name", "description"]);
    v.booleans(&["billable", "active"]);
    v.numbers(&["budget", "hourly_rate"]);
    v.default("billable", json!(true));
    v.default("active", json!(true));
    v.default("budget", Value::Null);
    v.default("hourly_rate", json!(0));
    v.default("revenue_category", Value::Null);
    v.default("description", json!(""));
}

fn user(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
    v.required(&["firstname", "lastname", "email", "unit_id"]);
    v.strings(&[
        "firstname",
        "lastname",
        "mobile_phone",
        "work_phone",
        "home_address",
        "info",
        "iban",
    ]);
    if let Some(Value::String(email)) = v.body.get("email")
        && !email.is_empty()
    {
        if !looks_like_email(email) {
            v.err("email", "is invalid");
        } else {
            let taken = ctx.store.table(Res::Users).rows().any(|(id, row)| {
                id != ctx.id
                    && row
                        .idx
                        .email
                        .as_deref()
                        .is_some_and(|e| e.eq_ignore_ascii_case(email))
            });
            if taken {
                v.err("email", "has already been taken");
            }
            v.set("email", json!(email));
        }
    }
    v.booleans(&["active"]);
    v.boolean_as("external", "extern");
    v.boolean_as("extern", "extern");
    v.choice("language", &["de", "de-AT", "de-CH", "en", "it", "fr"]);
    v.date_as("bday", "birthday");
    v.date_as("birthday", "birthday");
    v.tags();
    v.object("custom_properties");
    if let Ok(Some(Some(unit))) = v.id("unit_id") {
        v.set("unit", json!({"id": unit, "name": format!("Unit {unit}")}));
    }
    if let Ok(Some(role)) = v.id("role_id") {
        v.set(
            "role",
            role.map_or(
                Value::Null,
                |r| json!({"id": r, "name": format!("Role {r}")}),
            ),
        );
    }
    if let Some(Value::String(password)) = v.body.get("password")
        && !password.is_empty()
        && password.chars().count() < 8
    {
        v.err("password", "is too short (minimum is 8 characters)");
    }
    v.default("active", json!(true));
    v.default("extern", json!(false));
    for key in ["mobile_phone", "work_phone", "home_address", "info", "iban"] {
        v.default(key, json!(""));
    }
    v.default("birthday", Value::Null);
    v.default("avatar_url", Value::Null);
    v.default("tags", json!([]));
    v.default("custom_properties", json!({}));
    v.default("unit", Value::Null);
    v.default("role", Value::Null);
    v.default("language", json!("de"));
}

fn web_hook(v: &mut V<'_>) {
    if v.creating {
        v.required(&["target", "event", "hook"]);
        v.choice("target", WEB_HOOK_TARGETS);
        v.choice("event", WEB_HOOK_EVENTS);
    } else {
        v.required(&["hook"]);
    }
    if let Some(Value::String(hook)) = v.body.get("hook")
        && !hook.is_empty()
    {
        if looks_like_url(hook) {
            v.set("hook", json!(hook));
        } else {
            v.err("hook", "is not a valid http(s) URL");
        }
    }
    v.default("disabled", json!(false));
    v.default("disabled_at", Value::Null);
    v.default("signature_key", json!(random_hex(32)));
}
