//! Companies, contacts (people) and deals.

use super::*;

pub(super) fn company(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
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
    company_defaults(v, ctx);
}

/// The fields a company has when the body leaves them out.
pub(super) fn company_defaults(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
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

pub(super) fn contact(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
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

pub(super) fn deal(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
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
