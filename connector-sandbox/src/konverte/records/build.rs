//! What each kind of plain record accepts, validates and defaults to.

use serde_json::{Map, Value, json};

use super::super::store::{Input, Kind, Store, blank, get_str, get_u64, invalid};
use super::fields::{
    copy_array, copy_bool, copy_id, copy_int, copy_object, copy_str, indexed_choice, put, slugify,
    unique,
};
use super::{APPS, AUTOMATION_EVENTS, WEBHOOK_EVENTS};
use crate::http::{Fail, looks_like_url, random_hex, unix_now};

const DISPLAY_TYPES: &[&str] = &[
    "text", "number", "currency", "percent", "link", "date", "list", "checkbox",
];

const ATTRIBUTE_MODELS: &[&str] = &["conversation_attribute", "contact_attribute"];

/// Validates `input` for `kind` and returns the fields to set (with defaults when creating).
pub(crate) fn build(
    store: &Store,
    kind: Kind,
    account: Option<u64>,
    input: Input<'_>,
    existing: Option<&Value>,
) -> Result<Map<String, Value>, Fail> {
    let creating = existing.is_none();
    let except = existing.and_then(|e| get_u64(e, "id"));
    let mut out = Map::new();
    match kind {
        Kind::PlatformBot | Kind::AccountBot => {
            if let Some(name) = input.required_str("name")? {
                put(&mut out, "name", name);
            }
            copy_str(&mut out, &input, "description")?;
            if let Some(url) = input.str("outgoing_url")? {
                if !url.is_empty() && !looks_like_url(&url) {
                    return Err(invalid("outgoing_url", "Outgoing url is invalid"));
                }
                put(&mut out, "outgoing_url", url);
            }
            copy_str(&mut out, &input, "bot_type")?;
            copy_object(&mut out, &input, "bot_config")?;
            copy_str(&mut out, &input, "avatar_url")?;
            if creating {
                for (key, default) in [
                    ("description", json!("")),
                    ("outgoing_url", Value::Null),
                    ("bot_type", json!("webhook")),
                    ("bot_config", json!({})),
                    ("thumbnail", json!("")),
                    ("access_token", json!(random_hex(24))),
                    ("secret", json!(random_hex(24))),
                ] {
                    out.entry(key.to_owned()).or_insert(default);
                }
            }
        }
        Kind::Team => {
            if let Some(name) = input.required_str("name")? {
                let name = name.to_lowercase();
                unique(store, kind, account, "name", &name, except, |_| true)?;
                put(&mut out, "name", name);
            }
            copy_str(&mut out, &input, "description")?;
            copy_bool(&mut out, &input, "allow_auto_assign")?;
            if creating {
                out.entry("description").or_insert(json!(""));
                out.entry("allow_auto_assign").or_insert(json!(true));
            }
        }
        Kind::Canned => {
            if let Some(code) = input.required_str("short_code")? {
                unique(store, kind, account, "short_code", &code, except, |_| true)?;
                put(&mut out, "short_code", code);
            }
            if let Some(content) = input.required_str("content")? {
                put(&mut out, "content", content);
            }
        }
        Kind::CustomAttribute => {
            if let Some(name) = input.required_str("attribute_display_name")? {
                put(&mut out, "attribute_display_name", name);
            }
            let model = indexed_choice(&input, "attribute_model", ATTRIBUTE_MODELS)?
                .or_else(|| creating.then_some("conversation_attribute"));
            if let Some(model) = model {
                put(&mut out, "attribute_model", model);
            }
            if let Some(key) = input.required_str("attribute_key")? {
                let model = model
                    .map(str::to_owned)
                    .or_else(|| existing.map(|e| get_str(e, "attribute_model").to_owned()))
                    .unwrap_or_default();
                unique(store, kind, account, "attribute_key", &key, except, |r| {
                    get_str(r, "attribute_model") == model
                })?;
                put(&mut out, "attribute_key", key);
            }
            if let Some(display) = indexed_choice(&input, "attribute_display_type", DISPLAY_TYPES)?
            {
                put(&mut out, "attribute_display_type", display);
            }
            copy_str(&mut out, &input, "attribute_description")?;
            copy_array(&mut out, &input, "attribute_values")?;
            copy_str(&mut out, &input, "default_value")?;
            copy_str(&mut out, &input, "regex_pattern")?;
            copy_str(&mut out, &input, "regex_cue")?;
            if creating {
                for (key, default) in [
                    ("attribute_display_type", json!("text")),
                    ("attribute_description", json!("")),
                    ("attribute_values", json!([])),
                    ("default_value", Value::Null),
                ] {
                    out.entry(key.to_owned()).or_insert(default);
                }
            }
        }
        Kind::CustomFilter => {
            if let Some(name) = input.required_str("name")? {
                put(&mut out, "name", name);
            }
            let kinds = ["conversation", "contact", "report"];
            let filter_type = match input.choice("type", &kinds)? {
                Some(t) => Some(t),
                None => input.choice("filter_type", &kinds)?,
            };
            match filter_type {
                Some(t) => {
                    put(&mut out, "type", t.clone());
                    put(&mut out, "filter_type", t);
                }
                None if creating => {
                    put(&mut out, "type", "conversation");
                    put(&mut out, "filter_type", "conversation");
                }
                None => {}
            }
            copy_object(&mut out, &input, "query")?;
            if creating {
                out.entry("query").or_insert(json!({}));
            }
        }
        Kind::Webhook => {
            if let Some(url) = input.required_str("url")? {
                if !looks_like_url(&url) {
                    return Err(invalid("url", "Url is invalid"));
                }
                put(&mut out, "url", url);
            }
            if let Some(subscriptions) = input.array("subscriptions")? {
                for s in &subscriptions {
                    let event = s.as_str().unwrap_or("");
                    if !WEBHOOK_EVENTS.contains(&event) {
                        return Err(invalid(
                            "subscriptions",
                            format!("Subscriptions contain an unknown event: {s}"),
                        ));
                    }
                }
                put(&mut out, "subscriptions", Value::Array(subscriptions));
            }
            copy_str(&mut out, &input, "name")?;
            if creating {
                out.entry("subscriptions").or_insert(json!(WEBHOOK_EVENTS));
                out.entry("name").or_insert(Value::Null);
            }
        }
        Kind::AutomationRule => {
            if let Some(name) = input.required_str("name")? {
                put(&mut out, "name", name);
            }
            if input.creating && !input.has("event_name") {
                return Err(blank("event_name"));
            }
            if let Some(event) = input.choice("event_name", AUTOMATION_EVENTS)? {
                put(&mut out, "event_name", event);
            }
            copy_str(&mut out, &input, "description")?;
            copy_bool(&mut out, &input, "active")?;
            copy_array(&mut out, &input, "actions")?;
            copy_array(&mut out, &input, "conditions")?;
            if creating {
                out.entry("description").or_insert(json!(""));
                out.entry("active").or_insert(json!(true));
                out.entry("actions").or_insert(json!([]));
                out.entry("conditions").or_insert(json!([]));
                out.entry("created_on").or_insert(json!(unix_now()));
            }
        }
        Kind::IntegrationHook => {
            if creating {
                let app = input.required_str("app_id")?.unwrap_or_default();
                let Some(found) = APPS.iter().find(|a| a.0 == app) else {
                    return Err(invalid("app_id", format!("App '{app}' does not exist")));
                };
                put(&mut out, "app_id", app);
                put(&mut out, "hook_type", found.3);
                put(&mut out, "status", true);
                match input.id("inbox_id")? {
                    Some(inbox) => {
                        let known = store
                            .inboxes
                            .get(&inbox)
                            .filter(|i| get_u64(i, "account_id") == account);
                        if known.is_none() {
                            return Err(invalid("inbox_id", "Inbox does not exist"));
                        }
                        put(&mut out, "inbox_id", inbox);
                    }
                    None => put(&mut out, "inbox_id", Value::Null),
                }
            }
            copy_object(&mut out, &input, "settings")?;
            copy_bool(&mut out, &input, "status")?;
            if creating {
                out.entry("settings").or_insert(json!({}));
            }
        }
        Kind::Portal => {
            if let Some(name) = input.required_str("name")? {
                put(&mut out, "name", name);
            }
            let slug = input.str("slug")?.filter(|s| !s.is_empty()).or_else(|| {
                creating.then(|| slugify(out.get("name").and_then(Value::as_str).unwrap_or("")))
            });
            if let Some(slug) = slug {
                unique(store, kind, account, "slug", &slug, except, |_| true)?;
                put(&mut out, "slug", slug);
            }
            copy_bool(&mut out, &input, "archived")?;
            for key in [
                "color",
                "custom_domain",
                "header_text",
                "homepage_link",
                "page_title",
            ] {
                copy_str(&mut out, &input, key)?;
            }
            copy_object(&mut out, &input, "config")?;
            if creating {
                out.entry("archived").or_insert(json!(false));
                out.entry("config").or_insert(
                    json!({"allowed_locales": [{"code": "en", "articles_count": 0, "categories_count": 0}], "default_locale": "en"}),
                );
                for key in [
                    "color",
                    "custom_domain",
                    "header_text",
                    "homepage_link",
                    "page_title",
                ] {
                    out.entry(key).or_insert(Value::Null);
                }
            }
        }
        Kind::Category => {
            if let Some(name) = input.required_str("name")? {
                put(&mut out, "name", name);
            }
            copy_str(&mut out, &input, "description")?;
            copy_str(&mut out, &input, "locale")?;
            copy_str(&mut out, &input, "slug")?;
            copy_int(&mut out, &input, "position")?;
            copy_id(&mut out, &input, "associated_category_id")?;
            copy_id(&mut out, &input, "parent_category_id")?;
            if creating {
                let slug = slugify(out.get("name").and_then(Value::as_str).unwrap_or(""));
                out.entry("slug").or_insert(json!(slug));
                out.entry("locale").or_insert(json!("en"));
                out.entry("description").or_insert(json!(""));
                out.entry("position").or_insert(json!(0));
                out.entry("associated_category_id").or_insert(Value::Null);
                out.entry("parent_category_id").or_insert(Value::Null);
            }
        }
        Kind::Article => {
            if let Some(title) = input.required_str("title")? {
                put(&mut out, "title", title);
            }
            copy_str(&mut out, &input, "content")?;
            copy_object(&mut out, &input, "meta")?;
            copy_int(&mut out, &input, "position")?;
            copy_str(&mut out, &input, "slug")?;
            copy_int(&mut out, &input, "views")?;
            copy_id(&mut out, &input, "author_id")?;
            copy_id(&mut out, &input, "category_id")?;
            copy_id(&mut out, &input, "folder_id")?;
            copy_id(&mut out, &input, "associated_article_id")?;
            if let Some(raw) = input.raw("status") {
                let status = match raw {
                    Value::Number(n) => n.as_u64().filter(|n| *n <= 2),
                    Value::String(s) => match s.as_str() {
                        "draft" | "0" => Some(0),
                        "published" | "1" => Some(1),
                        "archived" | "2" => Some(2),
                        _ => None,
                    },
                    _ => None,
                };
                let Some(status) = status else {
                    return Err(invalid(
                        "status",
                        "Status must be draft (0), published (1) or archived (2)",
                    ));
                };
                put(&mut out, "status", status);
            }
            if creating {
                let slug = slugify(out.get("title").and_then(Value::as_str).unwrap_or(""));
                out.entry("slug").or_insert(json!(slug));
                out.entry("content").or_insert(json!(""));
                out.entry("meta").or_insert(json!({}));
                out.entry("position").or_insert(json!(0));
                out.entry("status").or_insert(json!(0));
                out.entry("views").or_insert(json!(0));
                out.entry("author_id")
                    .or_insert(json!(super::super::store::CURRENT_USER));
                out.entry("category_id").or_insert(Value::Null);
                out.entry("folder_id").or_insert(Value::Null);
                out.entry("associated_article_id").or_insert(Value::Null);
            }
        }
    }
    Ok(out)
}
