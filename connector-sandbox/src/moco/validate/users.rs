//! Users and web hooks.

use super::*;

pub(super) fn user(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
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

pub(super) fn web_hook(v: &mut V<'_>) {
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
