//! Projects and their tasks.

use super::*;

pub(super) fn project(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
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
    project_defaults(v, ctx);
}

/// The fields a project has when the body leaves them out.
pub(super) fn project_defaults(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
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

pub(super) fn task(v: &mut V<'_>) {
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
