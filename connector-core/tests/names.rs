//! Names for ids over real HTTP: a lookup through the declared list action (every page),
//! cached per client and scope, nothing written when a name is unknown or ambiguous.

mod common;

use common::{auth, input};
use connector_core::{
    ActionSpec, Connector, Error, HttpConnector, Method, Options, Pagination, ParamSpec, ParamType,
    RefSpec,
};
use futures::StreamExt;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

static TEAM: RefSpec = RefSpec {
    action: "teams.list",
    scope: &[],
    items: "",
    id: "id",
    matches: &["name"],
};
static USER: RefSpec = RefSpec {
    action: "users.list",
    scope: &[],
    items: "",
    id: "id",
    matches: &["email", "{firstname} {lastname}"],
};
static PROJECT: RefSpec = RefSpec {
    action: "projects.list",
    scope: &[],
    items: "",
    id: "id",
    matches: &["identifier", "name"],
};
static TASK: RefSpec = RefSpec {
    action: "projects.get",
    scope: &[("id", "project_id")],
    items: "/tasks",
    id: "id",
    matches: &["name"],
};
static INT: ParamType = ParamType::Integer;

static ACTIONS: &[ActionSpec] = &[
    ActionSpec {
        params: &[ParamSpec::query("page", ParamType::Integer)],
        pagination: Pagination::LinkHeader,
        tokens: &["user"],
        ..ActionSpec::new("teams.list", Method::Get, "/teams")
    },
    ActionSpec {
        tokens: &["user"],
        ..ActionSpec::new("users.list", Method::Get, "/users")
    },
    ActionSpec {
        tokens: &["user"],
        ..ActionSpec::new("projects.list", Method::Get, "/projects")
    },
    ActionSpec {
        params: &[ParamSpec::path("id", ParamType::Integer)],
        tokens: &["user"],
        ..ActionSpec::new("projects.get", Method::Get, "/projects/{id}")
    },
    ActionSpec {
        params: &[
            ParamSpec::body("team_id", ParamType::Integer).reference(&TEAM),
            ParamSpec::body("user_ids", ParamType::Array { items: &INT }).reference(&USER),
            ParamSpec::body("date", ParamType::Date),
        ],
        tokens: &["user"],
        ..ActionSpec::new("assignments.create", Method::Post, "/assignments")
    },
    ActionSpec {
        params: &[
            ParamSpec::body("project_id", ParamType::Integer)
                .required()
                .reference(&PROJECT),
            ParamSpec::body("task_id", ParamType::Integer)
                .required()
                .reference(&TASK),
        ],
        tokens: &["user"],
        ..ActionSpec::new("activities.create", Method::Post, "/activities")
    },
    ActionSpec {
        params: &[ParamSpec::query("user_id", ParamType::Integer).reference(&USER)],
        tokens: &["user"],
        ..ActionSpec::new("activities.list", Method::Get, "/activities")
    },
];

fn connector(base: &str) -> HttpConnector {
    HttpConnector::builder("test", ACTIONS)
        .base_url(base)
        .auth(auth())
        .build()
        .unwrap()
}

async fn teams(server: &MockServer, expect: u64) {
    let next = format!("<{}/teams?page=2>; rel=\"next\"", server.uri());
    Mock::given(method("GET"))
        .and(path("/teams"))
        .and(wiremock::matchers::query_param_is_missing("page"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"id": 1, "name": "Support"}, {"id": 2, "name": "Sales"}]))
                .insert_header("link", next.as_str()),
        )
        .expect(expect)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/teams"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 3, "name": "Billing"}, {"id": 4, "name": "Twins"}, {"id": 5, "name": "twins "}
        ])))
        .expect(expect)
        .mount(server)
        .await;
}

async fn writes(server: &MockServer, path_: &str, expect: u64) {
    Mock::given(method("POST"))
        .and(path(path_))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .expect(expect)
        .mount(server)
        .await;
}

fn body_of(r: &wiremock::Request) -> serde_json::Value {
    serde_json::from_slice(&r.body).unwrap()
}

#[tokio::test]
async fn a_name_on_a_later_page_resolves_and_later_calls_use_the_cache() {
    let server = MockServer::start().await;
    teams(&server, 1).await;
    writes(&server, "/assignments", 3).await;
    let api = connector(&server.uri());
    let o = Options::default();
    for team in ["billing", "  Billing ", "Support"] {
        api.execute("assignments.create", input(json!({"team_id": team})), &o)
            .await
            .unwrap();
    }
    let posted: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| body_of(&r)["team_id"].clone())
        .collect();
    assert_eq!(posted, [json!(3), json!(3), json!(1)]);
    assert_eq!(api.lookups_fetched(), 1);
}

#[tokio::test]
async fn concurrent_items_naming_one_team_make_one_lookup() {
    let server = MockServer::start().await;
    teams(&server, 1).await;
    writes(&server, "/assignments", 40).await;
    let api = connector(&server.uri());
    let o = Options::builder().concurrency(16).build();
    let inputs = futures::stream::iter((0..40).map(|_| Ok(input(json!({"team_id": "Sales"})))));
    let outcomes: Vec<_> =
        connector_core::batch::run(&api, "assignments.create", inputs.boxed(), &o)
            .collect()
            .await;
    assert_eq!(outcomes.len(), 40);
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o.result, connector_core::OutcomeResult::Ok(_)))
    );
}

#[tokio::test]
async fn unknown_and_ambiguous_names_write_nothing() {
    let server = MockServer::start().await;
    teams(&server, 1).await;
    writes(&server, "/assignments", 0).await;
    let api = connector(&server.uri());
    let o = Options::default();
    let err = api
        .execute(
            "assignments.create",
            input(json!({"team_id": "Suport"})),
            &o,
        )
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("team_id"));
    let text = err.to_string();
    assert!(
        text.contains("\"Suport\"") && text.contains("\"Support\" (id 1)"),
        "{text}"
    );
    let err = api
        .execute("assignments.create", input(json!({"team_id": "TWINS"})), &o)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("2 records") && text.contains("(id 4)") && text.contains("(id 5)"),
        "{text}"
    );
    assert!(matches!(err, Error::Validation { .. }));
}

#[tokio::test]
async fn ids_are_never_looked_up_and_prefixes_force_a_reading() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/teams"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 9, "name": "12"}])))
        .expect(1)
        .mount(&server)
        .await;
    writes(&server, "/assignments", 4).await;
    let api = connector(&server.uri());
    let o = Options::default();
    for given in [json!(12), json!("12"), json!("id:12"), json!("name:12")] {
        api.execute("assignments.create", input(json!({"team_id": given})), &o)
            .await
            .unwrap();
    }
    let posted: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| body_of(&r)["team_id"].clone())
        .collect();
    assert_eq!(posted, [json!(12), json!(12), json!(12), json!(9)]);
}

#[tokio::test]
async fn a_bad_other_field_is_refused_before_any_lookup() {
    let server = MockServer::start().await;
    let api = connector(&server.uri());
    let err = api
        .execute(
            "assignments.create",
            input(json!({"team_id": "Sales", "date": "2026-13-01"})),
            &Options::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("date"));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn lists_of_names_and_templates_resolve_each_item() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 7, "firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com"},
            {"id": 8, "firstname": "Grace", "lastname": "Hopper", "email": "grace@example.com"}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    writes(&server, "/assignments", 1).await;
    let api = connector(&server.uri());
    let resolved = api
        .resolve(
            "assignments.create",
            input(json!({"user_ids": ["grace hopper", 5, "ADA@example.com"]})),
            &Options::default(),
        )
        .await
        .unwrap();
    assert_eq!(resolved.input["user_ids"], json!([8, 5, 7]));
    assert_eq!(resolved.lookups.len(), 2);
    assert!(resolved.lookups[0].fetched && !resolved.lookups[1].fetched);
    api.execute("assignments.create", resolved.input, &Options::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_task_is_found_within_its_project_given_by_name() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/projects"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 100, "identifier": "P001", "name": "Website"},
            {"id": 200, "identifier": "P002", "name": "App"}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/projects/200"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 200, "tasks": [{"id": 1, "name": "Design"}, {"id": 2, "name": "Build"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    writes(&server, "/activities", 5).await;
    let api = connector(&server.uri());
    for _ in 0..5 {
        api.execute(
            "activities.create",
            input(json!({"project_id": "p002", "task_id": "build"})),
            &Options::default(),
        )
        .await
        .unwrap();
    }
    let last = server.received_requests().await.unwrap().pop().unwrap();
    assert_eq!(body_of(&last), json!({"project_id": 200, "task_id": 2}));
    assert_eq!(api.lookups_fetched(), 2);
}

#[tokio::test]
async fn a_list_filtered_by_a_name_resolves_it_first() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/users"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"id": 7, "email": "ada@example.com"}])),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/activities"))
        .and(query_param("user_id", "7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}, {"id": 2}])))
        .expect(1)
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let o = Options::default();
    let items: Vec<_> = api
        .stream(
            "activities.list",
            input(json!({"user_id": "ada@example.com"})),
            &o,
            None,
        )
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(Result::is_ok));
}
