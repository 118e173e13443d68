//! The MOCO sandbox over real HTTP.

mod common;

use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use common::{client, send, status_json};
use connector_sandbox::{MocoSandbox, SandboxConfig, sign_moco};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::mpsc;

struct M {
    sandbox: MocoSandbox,
    http: reqwest::Client,
}

impl M {
    async fn start() -> Self {
        Self::with(SandboxConfig::default()).await
    }

    async fn with(config: SandboxConfig) -> Self {
        let sandbox = MocoSandbox::start(config).await.expect("sandbox starts");
        Self {
            sandbox,
            http: client(),
        }
    }

    fn auth(&self) -> String {
        format!("Token token={}", self.sandbox.api_key())
    }

    async fn raw(&self, method: Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let url = format!("{}{path}", self.sandbox.base_url());
        let auth = self.auth();
        send(
            &self.http,
            method,
            &url,
            Some(("Authorization", &auth)),
            body,
        )
        .await
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        status_json(self.raw(method, path, body).await).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// Create, get, update (merging), list and delete one entity.
    async fn life_cycle(&self, path: &str, create: Value, update: Value, kept: &str) {
        let (status, created) = self.post(path, create.clone()).await;
        assert_eq!(status, 200, "{path}: {created}");
        let id = created["id"].as_u64().expect("id");
        assert!(created["created_at"].is_string());
        let (status, shown) = self.get(&format!("{path}/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(shown, created);
        let (status, updated) = self.put(&format!("{path}/{id}"), update.clone()).await;
        assert_eq!(status, 200, "{path}: {updated}");
        for (key, value) in update.as_object().expect("object") {
            if !key.ends_with("_id") {
                assert_eq!(&updated[key], value, "{path}: {key} updated");
            }
        }
        assert_eq!(
            updated[kept], created[kept],
            "{path}: {kept} kept by the merge"
        );
        let (status, list) = self.get(&format!("{path}?ids={id}")).await;
        assert_eq!(status, 200);
        assert_eq!(list.as_array().map(Vec::len), Some(1));
        let (status, body) = self.delete(&format!("{path}/{id}")).await;
        assert_eq!((status, body), (204, Value::Null));
        let (status, _) = self.get(&format!("{path}/{id}")).await;
        assert_eq!(status, 404);
    }
}

#[tokio::test]
async fn authentication_with_token_or_bearer() {
    let m = M::start().await;
    let url = format!("{}/projects", m.sandbox.base_url());
    let (status, body) = status_json(send(&m.http, Method::GET, &url, None, None).await).await;
    assert_eq!(status, 401);
    assert!(body["message"].is_string());
    let wrong = Some(("Authorization", "Token token=wrong"));
    assert_eq!(
        send(&m.http, Method::GET, &url, wrong, None).await.status(),
        401
    );
    let bearer = format!("Bearer {}", m.sandbox.api_key());
    let ok = send(
        &m.http,
        Method::GET,
        &url,
        Some(("Authorization", &bearer)),
        None,
    )
    .await;
    assert_eq!(ok.status(), 200);
    let (status, session) = m.get("/session").await;
    assert_eq!(status, 200);
    assert_eq!(session["id"], 1);
    assert_eq!(m.sandbox.stats().unauthorized, 2);
    assert!(m.sandbox.base_url().ends_with("/api/v1"));
}

#[tokio::test]
async fn seed_data_is_there() {
    let m = M::start().await;
    let (_, user) = m.get("/users/1").await;
    assert_eq!(user["firstname"], "Sandbox");
    let (_, company) = m.get("/companies/1").await;
    assert_eq!(company["type"], "customer");
    let (_, project) = m.get("/projects/1").await;
    assert_eq!(project["customer"]["id"], 1);
    assert_eq!(project["leader"]["id"], 1);
    assert_eq!(project["tasks"][0]["id"], 1);
    let (_, task) = m.get("/projects/1/tasks/1").await;
    assert_eq!(task["name"], "Development");
}

#[tokio::test]
async fn every_resource_has_a_life_cycle() {
    let m = M::start().await;
    m.life_cycle(
        "/activities",
        json!({"date": "2024-05-02", "project_id": 1, "task_id": 1, "seconds": 3600, "description": "Review"}),
        json!({"seconds": 7200}),
        "description",
    )
    .await;
    m.life_cycle(
        "/companies",
        json!({"name": "Acme AG", "type": "supplier", "tags": ["Print"]}),
        json!({"name": "Acme GmbH"}),
        "tags",
    )
    .await;
    m.life_cycle(
        "/contacts/people",
        json!({"lastname": "Muster", "firstname": "Peter", "gender": "M", "company_id": 1}),
        json!({"job_position": "Head of Sales"}),
        "company",
    )
    .await;
    m.life_cycle(
        "/deals",
        json!({"name": "Relaunch", "currency": "EUR", "money": 25000, "reminder_date": "2024-12-01", "user_id": 1, "deal_category_id": 4}),
        json!({"status": "won"}),
        "money",
    )
    .await;
    m.life_cycle(
        "/projects",
        json!({"name": "Website", "currency": "EUR", "leader_id": 1, "customer_id": 1, "tags": ["Digital"]}),
        json!({"budget": 25000}),
        "tags",
    )
    .await;
    m.life_cycle(
        "/users",
        json!({"firstname": "Carmen", "lastname": "Sandiego", "email": "carmen@example.com", "unit_id": 3}),
        json!({"lastname": "Casanova"}),
        "email",
    )
    .await;
    m.life_cycle(
        "/projects/1/tasks",
        json!({"name": "Design / UX", "hourly_rate": 120}),
        json!({"budget": 5000}),
        "hourly_rate",
    )
    .await;
    m.life_cycle(
        "/account/web_hooks",
        json!({"target": "Activity", "event": "create", "hook": "http://127.0.0.1:9/never"}),
        json!({"hook": "http://127.0.0.1:9/v2"}),
        "signature_key",
    )
    .await;
    // Eight creates went through the API (the task and the web hook included).
    assert_eq!(m.sandbox.stats().created, 8);
}

#[tokio::test]
async fn activities_carry_their_references_and_tasks_show_on_projects() {
    let m = M::start().await;
    let (_, task) = m
        .post(
            "/projects/1/tasks",
            json!({"name": "Testing", "billable": false}),
        )
        .await;
    let (_, project) = m.get("/projects/1").await;
    assert_eq!(project["tasks"].as_array().map(Vec::len), Some(2));
    let (status, activity) = m
        .post(
            "/activities",
            json!({"date": "2024-05-02", "project_id": 1, "task_id": task["id"], "hours": 1.5}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(activity["seconds"], 5400);
    assert_eq!(activity["hours"], 1.5);
    assert_eq!(activity["billable"], false, "task is not billable");
    assert_eq!(activity["customer"]["id"], 1);
    assert_eq!(activity["user"]["id"], 1);
    let (status, body) = m.delete("/projects/1").await;
    assert_eq!(
        status, 422,
        "projects with activities cannot be deleted: {body}"
    );
    let (status, body) = m
        .post(
            "/activities",
            json!({"date": "2024-05-02", "project_id": 1, "task_id": 999}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["task_id"].is_array());
}

#[tokio::test]
async fn unknown_ids_are_404() {
    let m = M::start().await;
    for path in [
        "/activities/999",
        "/companies/999",
        "/contacts/people/999",
        "/deals/999",
        "/projects/999",
        "/projects/999/tasks",
        "/projects/1/tasks/999",
        "/users/999",
        "/account/web_hooks/999",
        "/projects/abc",
    ] {
        let (status, body) = m.get(path).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (status, _) = m.put("/deals/999", json!({"status": "won"})).await;
    assert_eq!(status, 404);
    let (status, _) = m.delete("/companies/999").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn missing_mandatory_fields_answer_a_field_map() {
    let m = M::start().await;
    let (status, body) = m.post("/activities", json!({"description": "x"})).await;
    assert_eq!(status, 422);
    let errors = body["errors"].as_object().expect("field map");
    for field in ["date", "project_id", "task_id"] {
        assert_eq!(errors[field], json!(["can't be blank"]), "{field}");
    }
    assert!(body["message"].is_string());

    let cases = [
        ("/companies", json!({"name": "No type"}), "type"),
        (
            "/companies",
            json!({"name": "C", "type": "customer"}),
            "currency",
        ),
        (
            "/companies",
            json!({"name": "C", "type": "partner"}),
            "type",
        ),
        (
            "/contacts/people",
            json!({"lastname": "L", "gender": "X"}),
            "gender",
        ),
        ("/contacts/people", json!({"gender": "F"}), "lastname"),
        (
            "/contacts/people",
            json!({"lastname": "L", "gender": "F", "birthday": "22.05.1959"}),
            "birthday",
        ),
        (
            "/deals",
            json!({"name": "D", "currency": "EUR", "money": 1, "reminder_date": "2024-01-01", "user_id": 1}),
            "deal_category_id",
        ),
        (
            "/deals",
            json!({"name": "D", "currency": "EUR", "money": "lots", "reminder_date": "2024-01-01", "user_id": 1, "deal_category_id": 1}),
            "money",
        ),
        (
            "/deals",
            json!({"name": "D", "currency": "EUR", "money": 1, "reminder_date": "2024-01-01", "user_id": 1, "deal_category_id": 1, "service_period_from": "2024-01-15"}),
            "service_period_from",
        ),
        (
            "/projects",
            json!({"name": "P", "currency": "EUR", "leader_id": 1}),
            "customer_id",
        ),
        (
            "/projects",
            json!({"name": "P", "currency": "EUR", "leader_id": 1, "customer_id": 1, "retainer": true}),
            "budget_monthly",
        ),
        (
            "/projects",
            json!({"name": "P", "currency": "EUR", "leader_id": 1, "customer_id": 77}),
            "customer_id",
        ),
        (
            "/users",
            json!({"firstname": "A", "lastname": "B", "email": "a@example.com"}),
            "unit_id",
        ),
        (
            "/users",
            json!({"firstname": "A", "lastname": "B", "email": "admin@sandbox.test", "unit_id": 1}),
            "email",
        ),
        (
            "/account/web_hooks",
            json!({"target": "Activity", "event": "create"}),
            "hook",
        ),
        (
            "/account/web_hooks",
            json!({"target": "Nothing", "event": "create", "hook": "http://x.test"}),
            "target",
        ),
        ("/projects/1/tasks", json!({"billable": true}), "name"),
        (
            "/activities",
            json!({"date": "2024-02-30", "project_id": 1, "task_id": 1}),
            "date",
        ),
    ];
    for (path, body, field) in cases {
        let (status, answer) = m.post(path, body.clone()).await;
        assert_eq!(status, 422, "{path} {body}: {answer}");
        assert!(
            answer["errors"][field].is_array(),
            "{path} {body}: expected an error on {field}, got {answer}"
        );
    }
    let (status, body) = m.put("/projects/1", json!({"name": ""})).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"]["name"], json!(["can't be blank"]));
    assert_eq!(m.sandbox.stats().created, 0);
}

fn header<'r>(response: &'r reqwest::Response, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn lists_are_paged_with_headers_and_a_next_link() {
    let m = M::start().await;
    m.sandbox.insert_bulk_activities(250);
    let first = m.raw(Method::GET, "/activities?project_id=1", None).await;
    assert_eq!(header(&first, "x-page"), Some("1"));
    assert_eq!(header(&first, "x-per-page"), Some("100"));
    assert_eq!(header(&first, "x-total"), Some("250"));
    let link = header(&first, "link").expect("Link header").to_owned();
    let next = link
        .strip_prefix('<')
        .and_then(|l| l.strip_suffix(">; rel=\"next\""))
        .expect("next link")
        .to_owned();
    assert!(next.starts_with("http://"), "{next}");
    assert!(
        next.contains("project_id=1") && next.contains("page=2"),
        "{next}"
    );
    let items: Value = first.json().await.expect("json");
    assert_eq!(items.as_array().map(Vec::len), Some(100));
    assert_eq!(items[0]["id"], 1);

    // Follow the link like a client would.
    let auth = m.auth();
    let second = send(
        &m.http,
        Method::GET,
        &next,
        Some(("Authorization", &auth)),
        None,
    )
    .await;
    assert_eq!(header(&second, "x-page"), Some("2"));
    let items: Value = second.json().await.expect("json");
    assert_eq!(items[0]["id"], 101);

    let last = m.raw(Method::GET, "/activities?page=3", None).await;
    assert_eq!(header(&last, "x-total"), Some("250"));
    assert!(header(&last, "link").is_none(), "last page has no next");
    let items: Value = last.json().await.expect("json");
    assert_eq!(items.as_array().map(Vec::len), Some(50));
    let beyond = m.raw(Method::GET, "/activities?page=9", None).await;
    assert!(header(&beyond, "link").is_none());
    assert_eq!(beyond.json::<Value>().await.expect("json"), json!([]));
}

#[tokio::test]
async fn configured_page_size_applies() {
    let m = M::with(SandboxConfig {
        per_page_moco: 2,
        ..SandboxConfig::default()
    })
    .await;
    for name in ["A", "B", "C"] {
        m.post("/companies", json!({"name": name, "type": "organization"}))
            .await;
    }
    let first = m.raw(Method::GET, "/companies", None).await;
    assert_eq!(header(&first, "x-per-page"), Some("2"));
    assert_eq!(header(&first, "x-total"), Some("4"));
    assert!(header(&first, "link").is_some());
    let second = m.raw(Method::GET, "/companies?page=2", None).await;
    assert!(header(&second, "link").is_none());
}

#[tokio::test]
async fn list_filters_and_sorting() {
    let m = M::start().await;
    for (date, seconds, billable) in [
        ("2024-03-01", 600, true),
        ("2024-03-15", 1200, false),
        ("2024-04-01", 1800, true),
    ] {
        let (status, _) = m
            .post(
                "/activities",
                json!({"date": date, "project_id": 1, "task_id": 1, "seconds": seconds, "billable": billable, "description": format!("work {date}")}),
            )
            .await;
        assert_eq!(status, 200);
    }
    let (_, march) = m.get("/activities?from=2024-03-01&to=2024-03-31").await;
    assert_eq!(march.as_array().map(Vec::len), Some(2));
    let (_, billable) = m.get("/activities?billable=false").await;
    assert_eq!(billable[0]["seconds"], 1200);
    let (_, sorted) = m.get("/activities?sort_by=seconds%20desc").await;
    assert_eq!(sorted[0]["seconds"], 1800);
    let (_, by_term) = m.get("/activities?term=2024-04").await;
    assert_eq!(by_term.as_array().map(Vec::len), Some(1));
    let (status, body) = m.get("/activities?from=March").await;
    assert_eq!(status, 422, "{body}");
    let (_, none) = m
        .get("/activities?updated_after=2999-01-01T00:00:00Z")
        .await;
    assert_eq!(none, json!([]));
    let (_, all) = m
        .get("/activities?updated_after=2000-01-01T00:00:00Z")
        .await;
    assert_eq!(all.as_array().map(Vec::len), Some(3));

    m.post(
        "/companies",
        json!({"name": "Supplies Ltd", "type": "supplier"}),
    )
    .await;
    let (_, suppliers) = m.get("/companies?type=supplier").await;
    assert_eq!(suppliers.as_array().map(Vec::len), Some(1));
    let (status, _) = m.put("/projects/1/archive", json!({})).await;
    assert_eq!(status, 200);
    let (_, active) = m.get("/projects").await;
    assert_eq!(active, json!([]));
    let (_, all) = m.get("/projects?include_archived=true&company_id=1").await;
    assert_eq!(all[0]["active"], false);
    let (_, unarchived) = m.put("/projects/1/unarchive", json!({})).await;
    assert_eq!(unarchived["active"], true);
}

/// Paging a large table by its headers (how fast lists stream is bench/run.sh row 3, not a test).
#[tokio::test]
async fn two_hundred_thousand_activities_page_by_headers() {
    let m = M::start().await;
    m.sandbox.insert_bulk_activities(200_000);
    let last = m.raw(Method::GET, "/activities?page=2000", None).await;
    assert_eq!(header(&last, "x-total"), Some("200000"));
    assert!(header(&last, "link").is_none());
    let items: Value = last.json().await.expect("json");
    assert_eq!(items.as_array().map(Vec::len), Some(100));
    assert_eq!(items[99]["id"], 200_000);
    let middle = m.raw(Method::GET, "/activities?page=1000", None).await;
    assert!(header(&middle, "link").is_some_and(|l| l.contains("page=1001")));
}

/// A local web hook receiver: every POST is forwarded as (headers, body).
async fn receiver() -> (String, mpsc::UnboundedReceiver<(HeaderMap, String)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, rx)
}

async fn next_delivery(
    rx: &mut mpsc::UnboundedReceiver<(HeaderMap, String)>,
) -> (HeaderMap, String) {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("a web hook arrives within 5 s")
        .expect("receiver open")
}

#[tokio::test]
async fn web_hooks_are_delivered_signed() {
    let m = M::start().await;
    let (url, mut rx) = receiver().await;
    let (status, hook) = m
        .post(
            "/account/web_hooks",
            json!({"target": "Activity", "event": "create", "hook": url}),
        )
        .await;
    assert_eq!(status, 200);
    let secret = hook["signature_key"]
        .as_str()
        .expect("signature_key")
        .to_owned();
    assert_eq!(secret.len(), 32);
    assert!(
        secret
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    m.post(
        "/account/web_hooks",
        json!({"target": "Project", "event": "update", "hook": url}),
    )
    .await;

    let (_, activity) = m
        .post(
            "/activities",
            json!({"date": "2024-05-02", "project_id": 1, "task_id": 1, "seconds": 60}),
        )
        .await;
    let (headers, body) = next_delivery(&mut rx).await;
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    assert_eq!(get("x-moco-target"), "Activity");
    assert_eq!(get("x-moco-event"), "create");
    assert_eq!(get("x-moco-user-id"), "1");
    assert!(
        get("x-moco-timestamp")
            .parse::<i64>()
            .is_ok_and(|t| t > 1_600_000_000_000)
    );
    assert!(get("x-moco-account-url").starts_with("http://"));
    assert_eq!(get("x-moco-signature"), sign_moco(&secret, body.as_bytes()));
    let delivered: Value = serde_json::from_str(&body).expect("entity JSON");
    assert_eq!(delivered["id"], activity["id"]);

    let (_, _) = m.put("/projects/1", json!({"budget": 100})).await;
    let (headers, body) = next_delivery(&mut rx).await;
    assert_eq!(headers["x-moco-target"], "Project");
    assert_eq!(headers["x-moco-event"], "update");
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("json")["budget"],
        100
    );

    // A disabled hook stays silent; enabling it again resumes deliveries.
    let hook_id = hook["id"].as_u64().expect("id");
    let (_, disabled) = m
        .put(&format!("/account/web_hooks/{hook_id}/disable"), json!({}))
        .await;
    assert_eq!(disabled["disabled"], true);
    assert!(disabled["disabled_at"].is_string());
    m.post(
        "/activities",
        json!({"date": "2024-05-03", "project_id": 1, "task_id": 1}),
    )
    .await;
    let (_, enabled) = m
        .put(&format!("/account/web_hooks/{hook_id}/enable"), json!({}))
        .await;
    assert_eq!(enabled["disabled"], false);
    let (_, third) = m
        .post(
            "/activities",
            json!({"date": "2024-05-04", "project_id": 1, "task_id": 1}),
        )
        .await;
    let (_, body) = next_delivery(&mut rx).await;
    let delivered: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        delivered["id"], third["id"],
        "the activity made while disabled was skipped"
    );
}
