//! Contract: every action that an API description has, executed through the public API
//! against Prism, a mock that checks each request (token header, path, query, body)
//! against the description: once against the description the seed node bundles, once
//! against upstream Chatwoot 4.15's own. The declarations follow the server's source
//! (Chatwoot 4.15.1), not the descriptions: where Prism refuses a request because a
//! description is wrong, or where our request deliberately differs, the action is in
//! `DEVIATIONS` (action, what the description says, what the server does, the file), and
//! the test checks that the table stays true. Skipped, with a message, where
//! `../shared/tools/konverte-prism` is not installed.

mod prism;

use connector_core::{ActionSpec, ParamSpec, ParamType, RequestOptions};
use connector_konverte::{ACTIONS, Connector, Error, Konverte, Options, SecretString};
use prism::{Deviation, Expect, PRISM, Prism, Spec};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Any token does: Prism checks that the header is there.
const TOKEN: &str = "contract-test-token";

/// A value of the declared type that the descriptions accept.
fn sample(ty: &ParamType) -> Value {
    match ty {
        ParamType::String | ParamType::Json => json!("sample"),
        ParamType::Integer => json!(1),
        ParamType::Number => json!(1.5),
        ParamType::Boolean => json!(true),
        ParamType::Date => json!("2024-05-01"),
        ParamType::DateTime => json!("2024-05-01T12:00:00Z"),
        ParamType::Enum { values } => json!(values[0]),
        ParamType::Object => json!({}),
        ParamType::Array { items } => json!([sample(items)]),
        ParamType::Email => json!("ada@example.com"),
        ParamType::Password => json!("S3cure!pass"),
        ParamType::File => json!({"filename": "sample.txt", "base64": "c2FtcGxl"}),
    }
}

/// Values the generic samples would get wrong, with the reason.
fn special(action: &ActionSpec, p: &ParamSpec) -> Option<Value> {
    match (action.id, p.name) {
        // A UUID (text); the descriptions type it as an integer, so digits satisfy both.
        ("csat_survey.get" | "csat_survey.update", "conversation_uuid") => Some(json!("4242")),
        // The first message must have content.
        ("conversations.create", "message") => Some(json!({"content": "Hello"})),
        // app/models/account.rb: auto-resolve after 10 minutes at the least.
        ("account.update", "auto_resolve_after") => Some(json!(1440)),
        // An API channel: the smallest channel both descriptions take.
        ("inboxes.create", "channel") => {
            Some(json!({"type": "api", "webhook_url": "https://example.com/hook"}))
        }
        // A WhatsApp template names itself, its category, language and parameters.
        ("messages.create" | "messages.create_from_uploads", "template_params") => Some(
            json!({"name": "order_update", "category": "UTILITY", "language": "en", "processed_params": {}}),
        ),
        // A CSAT answer (a form's answer would be a list).
        ("messages_api.update", "submitted_values") => {
            Some(json!({"csat_survey_response": {"rating": 5, "feedback_message": "thanks"}}))
        }
        // A file in a JSON body is for multipart forms; the descriptions want none here.
        (_, _) if p.ty.is_file() => Some(Value::Null),
        _ => None,
    }
}

/// Every declared parameter, required or not, so that Prism checks each of them.
fn full_input(action: &ActionSpec) -> Map<String, Value> {
    let mut input = Map::new();
    for p in action.params {
        let value = special(action, p).unwrap_or_else(|| sample(&p.ty));
        if !value.is_null() {
            input.entry(p.name.to_owned()).or_insert(value);
        }
    }
    input
}

/// `METHOD /path/{}/with/{}` without a trailing slash or a fixed query: how an action
/// and a description operation are matched.
fn route(method: &str, path: &str) -> (String, String) {
    let path = path.split('?').next().unwrap_or_default();
    let mut out = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push_str("{}");
            }
            '}' => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    let out = out.trim_end_matches('/').to_owned();
    (method.to_ascii_uppercase(), out)
}

/// The operations of a description, by route.
fn operations(spec: &Spec) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(spec.file()).expect("the description is readable");
    let doc: Value = serde_json::from_str(&text).expect("the description is JSON");
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                ops.insert(route(method, path));
            }
        }
    }
    ops
}

fn client(base_url: &str) -> Konverte {
    Konverte::builder()
        .base_url(base_url)
        .api_token(SecretString::from(TOKEN))
        .platform_token(SecretString::from(TOKEN))
        .agent_bot_token(SecretString::from(TOKEN))
        .build()
        .expect("a client")
}

fn options_for(spec: &Spec, action: &ActionSpec) -> Options {
    let builder = Options::builder().retries(0);
    // The descriptions put the public list actions under their global user-token
    // scheme, though the public API takes none; for Prism the header is sent as a plain
    // extra header.
    if action.tokens.is_empty() && spec.public_needs_token(action.id) {
        builder.header("api_access_token", TOKEN).build()
    } else {
        builder.build()
    }
}

/// Sends the same request again outside the connector, to show Prism's verdict.
async fn explain(
    client: &Konverte,
    action: &ActionSpec,
    input: &Map<String, Value>,
    options: &Options,
) -> String {
    let Ok(req) = client.prepare(action.id, input) else {
        return String::from("(not preparable)");
    };
    let mut call = reqwest::Client::new()
        .request(
            req.method.as_str().parse().expect("a method"),
            req.url.as_str(),
        )
        .header("api_access_token", TOKEN);
    for (k, v) in options.headers() {
        call = call.header(k.as_str(), v.as_str());
    }
    if let Some(body) = &req.body {
        call = call.json(body);
    }
    match call.send().await {
        Ok(resp) => {
            let status = resp.status();
            let violations = resp
                .headers()
                .get("sl-violations")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let body = resp.text().await.unwrap_or_default();
            let validation = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v.get("validation").map(Value::to_string))
                .unwrap_or(body);
            format!(
                "{status} {} sl-violations: {violations} {validation}",
                req.url
            )
        }
        Err(e) => format!("replay failed: {e}"),
    }
}

/// Every action the description has, against Prism serving it; the deviations checked.
async fn run_against(spec: Spec) {
    let Some((_prism, base_url)) = Prism::start(spec) else {
        return;
    };
    let client = client(&base_url);
    let ops = operations(&spec);
    let deviations: BTreeMap<&str, &Deviation> = prism::DEVIATIONS
        .iter()
        .filter(|d| d.spec == spec)
        .map(|d| (d.action, d))
        .collect();
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    for action in ACTIONS {
        let r = route(action.method.as_str(), action.path);
        if !ops.contains(&r) {
            assert!(
                !deviations.contains_key(action.id),
                "{}: listed as a deviation of {spec:?}, which does not describe it",
                action.id
            );
            continue;
        }
        covered.insert(r);
        let input = full_input(action);
        let options = options_for(&spec, action);
        let result = client.execute(action.id, input.clone(), &options).await;
        let expect = deviations
            .get(action.id)
            .map_or(Expect::Accepted, |d| d.expect);
        match (result, expect) {
            (Ok(_), Expect::Accepted | Expect::Differs) => {}
            (Err(Error::Api { status, .. }), Expect::Refused) if (400..500).contains(&status) => {}
            (Ok(_), Expect::Refused) => failures.push(format!(
                "{}: Prism now accepts it; drop its deviation for {spec:?}",
                action.id
            )),
            (Err(e), _) => {
                let why = explain(&client, action, &input, &options).await;
                failures.push(format!(
                    "{} ({} {}): {e}\n    {why}",
                    action.id, action.method, action.path
                ));
            }
        }
    }
    let missing: Vec<&(String, String)> = ops.difference(&covered).collect();
    let expected_missing: BTreeSet<(String, String)> = prism::NOT_DECLARED
        .iter()
        .filter(|n| n.spec == spec)
        .map(|n| route(n.method, n.path))
        .collect();
    println!(
        "contract {spec:?}: {} of {} described operations exercised at {base_url}, {} failed, {} described but not declared",
        covered.len(),
        ops.len(),
        failures.len(),
        missing.len()
    );
    for m in &missing {
        println!("  described, no action: {} {}", m.0, m.1);
    }
    assert!(
        failures.is_empty(),
        "{} actions:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        missing.into_iter().cloned().collect::<BTreeSet<_>>(),
        expected_missing,
        "described operations without an action must be listed in NOT_DECLARED, with the reason"
    );
}

#[tokio::test]
async fn every_action_the_bundled_description_has() {
    run_against(Spec::Bundled).await;
}

#[tokio::test]
async fn every_action_the_4_15_description_has() {
    run_against(Spec::Latest).await;
}

#[test]
fn every_deviation_names_a_declared_action_and_a_chatwoot_file() {
    for d in prism::DEVIATIONS {
        let action = ACTIONS
            .iter()
            .find(|a| a.id == d.action)
            .unwrap_or_else(|| panic!("{} is not declared", d.action));
        assert!(
            d.file.starts_with("app/")
                || d.file.starts_with("enterprise/")
                || d.file.starts_with("config/"),
            "{}: {}",
            d.action,
            d.file
        );
        assert!(
            !d.description.is_empty() && !d.server.is_empty(),
            "{}",
            d.action
        );
        if d.expect == Expect::Differs {
            assert!(
                action.body_key.is_some() || action.params.iter().any(|p| p.top_level),
                "{}",
                d.action
            );
        }
    }
    for n in prism::NOT_DECLARED {
        assert!(n.why.len() > 10, "{} {}: say why", n.method, n.path);
    }
}

#[tokio::test]
async fn bad_inputs_never_reach_prism() {
    let Some((_prism, base_url)) = Prism::start(Spec::Bundled) else {
        return;
    };
    let client = client(&base_url);
    let options = Options::builder().retries(0).build();
    let cases = [
        (
            "users.update",
            json!({"id": 1, "password": "weakling"}),
            "password",
        ),
        (
            "users.create",
            json!({"email": "a@example.com", "custom_attributes": "{oops"}),
            "custom_attributes",
        ),
        ("users.get", json!({"id": "1/../2"}), "id"),
        ("reports.summary", json!({"account_id": 1}), "type"),
        (
            "conversations.toggle_priority",
            json!({"account_id": 1, "conversation_id": 1, "priority": "asap"}),
            "priority",
        ),
    ];
    for (id, input, field) in cases {
        let err: Error = client
            .execute(id, input.as_object().unwrap().clone(), &options)
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some(field), "{id}: {err}");
        assert!(err.nothing_sent(), "{id}: {err}");
    }
    // The same actions with valid input pass, so the refusals above were ours.
    for (id, input) in [
        ("users.update", json!({"id": 1, "password": "Str0ng!pass"})),
        ("users.get", json!({"id": "12"})),
        (
            "reports.summary",
            json!({"account_id": 1, "type": "account"}),
        ),
    ] {
        client
            .execute(id, input.as_object().unwrap().clone(), &options)
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
    }
    // Prism itself refuses a request without the token, so the header check is real.
    let raw = reqwest::get(format!("{base_url}/api/v1/profile"))
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 401, "Prism checks the token header");
    assert!(Path::new(PRISM).exists());
}
