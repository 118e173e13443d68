//! The sandbox restates every declared action as a route (it depends on no connector crate);
//! these tests hold the restatement to the registries: every action has a route with its
//! method, path, paging and kind of answer, every route is declared, every action is answered
//! by something other than `501 not in the sandbox`, and the sandbox's copies of enumerated
//! values equal the generated enums.

use connector_core::action::{ActionSpec, Pagination, ResponseKind};
use connector_sandbox::routes::{self, Handler, Paging, Route};
use connector_sandbox::{KonverteSandbox, MocoSandbox, SandboxConfig};

fn backends() -> [(&'static str, &'static [ActionSpec], &'static [Route]); 2] {
    [
        ("moco", connector_moco::ACTIONS, routes::moco::ROUTES),
        (
            "konverte",
            connector_konverte::ACTIONS,
            routes::konverte::ROUTES,
        ),
    ]
}

fn same_paging(declared: Pagination, served: Paging) -> bool {
    match (declared, served) {
        (Pagination::None, Paging::None) | (Pagination::LinkHeader, Paging::LinkHeader) => true,
        (Pagination::Cursor { .. }, Paging::Cursor) => true,
        (
            Pagination::PageNumber {
                total, has_more, ..
            },
            Paging::PageNumber {
                total: t,
                has_more: h,
            },
        ) => total == t && has_more == h,
        _ => false,
    }
}

#[test]
fn every_declared_action_has_a_sandbox_route() {
    let mut missing = Vec::new();
    for (backend, actions, table) in backends() {
        for action in actions {
            let route = table
                .iter()
                .find(|r| r.method.as_str() == action.method.as_str() && r.path == action.path);
            let Some(route) = route else {
                missing.push(format!(
                    "{backend} {} ({} {}): no route",
                    action.id,
                    action.method.as_str(),
                    action.path
                ));
                continue;
            };
            if !same_paging(action.pagination, route.paging) {
                missing.push(format!(
                    "{backend} {}: declared {:?}, served {:?}",
                    action.id, action.pagination, route.paging
                ));
            }
            if route.envelope != action.envelope {
                missing.push(format!(
                    "{backend} {}: envelope {:?}, served {:?}",
                    action.id, action.envelope, route.envelope
                ));
            }
            let file = route.handler == Handler::File;
            if file != (action.response == ResponseKind::Bytes) {
                missing.push(format!(
                    "{backend} {}: response {:?}, served by {:?}",
                    action.id, action.response, route.handler
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} actions differ from the sandbox's route table:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn every_sandbox_route_is_declared() {
    let mut stale = Vec::new();
    for (backend, actions, table) in backends() {
        for route in table {
            let declared = actions
                .iter()
                .any(|a| a.method.as_str() == route.method.as_str() && a.path == route.path);
            if !declared {
                stale.push(format!(
                    "{backend} {} {}",
                    route.method.as_str(),
                    route.path
                ));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "routes no action declares:\n{}",
        stale.join("\n")
    );
}

/// The action's path with every placeholder filled: ids with 1, the public inbox with the
/// seeded inbox identifier.
fn filled(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
        let name = &rest[open + 1..close];
        out.push_str(match name {
            "inbox_identifier" => connector_sandbox::seed::KONVERTE_INBOX_IDENTIFIER,
            "entity" => "Project",
            _ => "1",
        });
        rest = rest.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn every_declared_action_is_answered() {
    let config = SandboxConfig::default();
    let konverte = KonverteSandbox::start(config.clone())
        .await
        .expect("konverte");
    let moco = MocoSandbox::start(config).await.expect("moco");
    let client = reqwest::Client::new();
    let mut unserved = Vec::new();
    for (backend, actions, _) in backends() {
        for action in actions {
            let url = match backend {
                "moco" => format!("{}{}", moco.base_url(), filled(action.path)),
                _ => format!("{}{}", konverte.base_url(), filled(action.path)),
            };
            let method =
                reqwest::Method::from_bytes(action.method.as_str().as_bytes()).expect("a method");
            let mut request = client
                .request(method, &url)
                .header("api_access_token", konverte.token())
                .header("Authorization", format!("Token token={}", moco.api_key()));
            if action.method.as_str() != "GET" {
                request = request
                    .header("Content-Type", "application/json")
                    .body("{}");
            }
            let response = request.send().await.expect("the sandbox answers");
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            if status == 501 || body.contains("No such route") {
                unserved.push(format!("{backend} {} -> {status} {body}", action.id));
            }
        }
    }
    assert_eq!(
        konverte.stats().unserved + moco.stats().unserved,
        unserved.len() as u64
    );
    assert!(
        unserved.is_empty(),
        "{} declared actions are not served by the sandbox:\n{}",
        unserved.len(),
        unserved.join("\n")
    );
}

#[tokio::test]
async fn an_undeclared_path_answers_501_naming_it() {
    let moco = MocoSandbox::start(SandboxConfig::default())
        .await
        .expect("moco");
    let response = reqwest::Client::new()
        .get(format!("{}/no_such_thing", moco.base_url()))
        .header("Authorization", format!("Token token={}", moco.api_key()))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 501);
    let body = response.text().await.unwrap_or_default();
    assert!(
        body.contains("not in the sandbox: GET /api/v1/no_such_thing"),
        "{body}"
    );
}

#[test]
fn the_sandbox_enum_copies_equal_the_generated_enums() {
    use connector_sandbox::enums as sandbox;
    let sorted = |values: &[&str]| {
        let mut v: Vec<String> = values.iter().map(|s| (*s).to_owned()).collect();
        v.sort();
        v
    };
    let pairs: [(&str, &[&str], &[&str]); 7] = [
        (
            "MOCO remote services",
            sandbox::MOCO_REMOTE_SERVICES,
            connector_moco::enums::ActivitiesRemoteService::ALL,
        ),
        (
            "MOCO web hook targets",
            sandbox::MOCO_WEB_HOOK_TARGETS,
            connector_moco::enums::WebHooksTarget::ALL,
        ),
        (
            "MOCO web hook events",
            sandbox::MOCO_WEB_HOOK_EVENTS,
            connector_moco::enums::WebHooksEvent::ALL,
        ),
        (
            "Konverte webhook events",
            sandbox::KONVERTE_WEBHOOK_EVENTS,
            connector_konverte::enums::WebhookEvent::ALL,
        ),
        (
            "Konverte automation events",
            sandbox::KONVERTE_AUTOMATION_EVENTS,
            connector_konverte::enums::AutomationRuleEvent::ALL,
        ),
        (
            "Konverte message content types",
            sandbox::KONVERTE_MESSAGE_CONTENT_TYPES,
            connector_konverte::enums::MessageContentType::ALL,
        ),
        (
            "Konverte message types",
            sandbox::KONVERTE_MESSAGE_TYPES,
            connector_konverte::enums::MessageType::ALL,
        ),
    ];
    for (what, ours, generated) in pairs {
        assert_eq!(sorted(ours), sorted(generated), "{what}");
    }
    let tagged: Vec<&str> = sandbox::MOCO_TAGGED_ENTITIES
        .iter()
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(
        sorted(&tagged),
        sorted(connector_moco::enums::TaggingsEntity::ALL),
        "MOCO tagged entities"
    );
}
