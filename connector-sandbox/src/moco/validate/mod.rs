//! Validation of MOCO request bodies and construction of entity representations: the
//! collector of errors and fields (`collector`), references to other entities (`refs`) and one
//! builder per resource group.

mod activities;
mod collector;
mod crm;
mod projects;
mod refs;
mod users;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value, json};

use super::store::{MStore, Res, parse_date};
use crate::http::{Fail, as_bool, as_f64, as_id, looks_like_email, looks_like_url, random_hex};

use activities::activity;
use collector::V;
use crm::{company, contact, deal};
use projects::{project, task};
pub(crate) use refs::user_ref;
use refs::*;
use users::{user, web_hook};

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

/// The entities that carry tags (the `entity` values of taggings.toml), and the collection each
/// lives in.
pub const TAGGED_ENTITIES: &[(&str, &str)] = &[
    ("Company", "/companies"),
    ("Contact", "/contacts/people"),
    ("Project", "/projects"),
    ("Deal", "/deals"),
    ("Purchase", "/purchases"),
    ("Invoice", "/invoices"),
    ("Offer", "/offers"),
    ("User", "/users"),
];
