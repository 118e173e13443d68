//! The registry: every Konverte action declared once, checked against the Chatwoot
//! server's source (each names the files), with well-formed ids, paths whose
//! placeholders are all declared, and the token kinds the server lets in.

use connector_core::{Location, Method, Pagination};
use connector_konverte::{ACTIONS, RESOURCES, TOKEN_KINDS};
use std::collections::{BTreeMap, BTreeSet};

fn action(id: &str) -> &'static connector_core::ActionSpec {
    ACTIONS
        .iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("{id} is not declared"))
}

#[test]
fn at_least_250_actions_in_every_resource() {
    assert!(ACTIONS.len() >= 250, "only {} actions", ACTIONS.len());
    let used: BTreeSet<&str> = ACTIONS.iter().map(|a| a.resource).collect();
    let declared: BTreeSet<&str> = RESOURCES.iter().map(|r| r.name).collect();
    assert_eq!(
        used, declared,
        "every resource has actions, every action a resource"
    );
    assert!(declared.len() >= 45, "{} resources", declared.len());
}

/// A file of the Chatwoot source tree: `config/`, `app/`, `lib/`, or the same under
/// `enterprise/`, with a Ruby, view or config extension.
fn is_chatwoot_path(path: &str) -> bool {
    let rest = path.strip_prefix("enterprise/").unwrap_or(path);
    let rooted = ["app/", "config/", "lib/"]
        .iter()
        .any(|root| rest.starts_with(root));
    let known_kind = [".rb", ".jbuilder", ".erb", ".yml", ".js"]
        .iter()
        .any(|ext| path.ends_with(ext));
    rooted
        && known_kind
        && !path.contains("..")
        && !path.contains("//")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_.-".contains(c))
}

#[test]
fn every_action_names_the_server_files_it_was_checked_against() {
    for a in ACTIONS {
        assert!(
            !a.checked_against.is_empty(),
            "{}: checked_against is empty",
            a.id
        );
        for file in a.checked_against {
            assert!(
                is_chatwoot_path(file),
                "{}: {file:?} is not a Chatwoot path",
                a.id
            );
        }
        assert!(
            a.checked_against.contains(&"config/routes.rb"),
            "{}: the route was not checked",
            a.id
        );
        assert!(
            a.checked_against
                .iter()
                .any(|f| f.contains("app/controllers/") && f.ends_with("_controller.rb")),
            "{}: no controller was checked",
            a.id
        );
    }
    assert!(is_chatwoot_path(
        "enterprise/app/views/api/v1/accounts/sla_policies/show.json.jbuilder"
    ));
    assert!(!is_chatwoot_path("docs/openapi.json"));
    assert!(!is_chatwoot_path("app/../secrets.rb"));
}

#[test]
fn ids_are_unique_lower_case_resource_dot_verb() {
    let mut seen = BTreeSet::new();
    for a in ACTIONS {
        assert!(seen.insert(a.id), "duplicate id {}", a.id);
        let (resource, verb) =
            a.id.split_once('.')
                .unwrap_or_else(|| panic!("{}: no dot", a.id));
        for part in [resource, verb] {
            assert!(
                !part.is_empty()
                    && part.starts_with(|c: char| c.is_ascii_lowercase())
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{} is not lower-case resource.verb",
                a.id
            );
        }
        assert_eq!((a.resource, a.verb), (resource, verb), "{}", a.id);
        assert!(
            !a.name.is_empty() && !a.summary.is_empty(),
            "{} needs a name and a summary",
            a.id
        );
    }
}

/// The ids of the 115 actions before they were checked against the server: users rely
/// on them, so every one is still there except the two nested creates that became
/// resources of their own.
const EARLIER_IDS: &str = include_str!("earlier_ids.txt");

#[test]
fn earlier_ids_are_kept_unless_their_route_moved() {
    let moved = BTreeMap::from([
        ("portals.create_category", "categories.create"),
        ("portals.create_article", "articles.create"),
    ]);
    let ids: Vec<&str> = EARLIER_IDS.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(ids.len(), 115);
    for id in ids {
        let now = moved.get(id).copied().unwrap_or(id);
        action(now);
        if moved.contains_key(id) {
            assert!(ACTIONS.iter().all(|a| a.id != id), "{id} was renamed");
        }
    }
}

#[test]
fn every_placeholder_is_a_declared_path_param_and_back() {
    for a in ACTIONS {
        let placeholders = a.path_placeholders();
        for p in &placeholders {
            assert!(
                a.params
                    .iter()
                    .any(|x| x.name == *p && x.location == Location::Path && x.required),
                "{}: {{{p}}} is not a declared path parameter",
                a.id
            );
        }
        for x in a.params_in(Location::Path) {
            assert!(
                placeholders.contains(&x.name),
                "{}: path param {} is not in the path",
                a.id,
                x.name
            );
        }
        assert!(a.path.starts_with('/'), "{}", a.id);
    }
}

#[test]
fn paths_are_rails_routes_without_trailing_slashes() {
    for a in ACTIONS {
        let route = a.path.split('?').next().unwrap_or_default();
        assert!(
            !route.ends_with('/'),
            "{}: Rails strips a trailing slash",
            a.id
        );
        assert!(
            [
                "/api/v1/",
                "/api/v2/",
                "/platform/api/v1/",
                "/public/api/v1/"
            ]
            .iter()
            .any(|p| route.starts_with(p)),
            "{}: {} is not under an API namespace",
            a.id,
            a.path
        );
    }
    // The two conversation reports share one route; the server tells them apart by `type`.
    assert_eq!(
        action("reports.conversations").path,
        "/api/v2/accounts/{account_id}/reports/conversations?type=account"
    );
    assert_eq!(
        action("reports.agent_conversations").path,
        "/api/v2/accounts/{account_id}/reports/conversations?type=agent"
    );
}

#[test]
fn one_route_one_action_except_where_the_input_shapes_differ() {
    let mut by_route: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for a in ACTIONS {
        by_route
            .entry((a.method.as_str(), a.path))
            .or_default()
            .push(a.id);
    }
    let shared: Vec<Vec<&str>> = by_route.into_values().filter(|ids| ids.len() > 1).collect();
    assert_eq!(
        shared,
        vec![vec!["messages.create", "messages.create_from_uploads"]],
        "files as parts, or signed ids of files uploaded before"
    );
}

/// `BOT_ACCESSIBLE_ENDPOINTS` of app/controllers/concerns/access_token_auth_helper.rb,
/// as our action ids.
const BOT_ACTIONS: [&str; 12] = [
    "conversations.get",
    "conversations.toggle_status",
    "conversations.toggle_typing_status",
    "conversations.toggle_priority",
    "conversations.create",
    "conversations.update",
    "conversations.set_custom_attributes",
    "messages.create",
    "messages.create_from_uploads",
    "conversations.assign",
    "conversations.labels",
    "conversations.add_labels",
];

#[test]
fn token_kinds_are_the_ones_the_server_lets_in() {
    let kinds: Vec<&str> = TOKEN_KINDS.iter().map(|k| k.name).collect();
    for a in ACTIONS {
        for t in a.tokens {
            assert!(kinds.contains(t), "{}: unknown token kind {t}", a.id);
        }
        let expected: &[&str] = if a.path.starts_with("/platform/") {
            &["platform"]
        } else if a.path.starts_with("/public/") {
            &[]
        } else if BOT_ACTIONS.contains(&a.id) {
            &["user", "agent_bot"]
        } else {
            &["user"]
        };
        assert_eq!(a.tokens, expected, "{}", a.id);
    }
    for id in BOT_ACTIONS {
        action(id);
    }
}

#[test]
fn identity_validation_is_declared_where_the_server_checks_it() {
    // app/controllers/public/api/v1/inboxes/contacts_controller.rb: `before_action
    // :process_hmac` on create, show and update, and nowhere else.
    let with_hash: BTreeSet<&str> = ACTIONS
        .iter()
        .filter(|a| a.param("identifier_hash").is_some())
        .map(|a| a.id)
        .collect();
    assert_eq!(
        with_hash,
        BTreeSet::from([
            "contacts_api.create",
            "contacts_api.get",
            "contacts_api.update"
        ])
    );
    for id in &with_hash {
        let a = action(id);
        assert!(a.param("identifier").is_some(), "{id}");
        assert!(
            a.param("identifier_hash").unwrap().secret,
            "{id}: the hash is a credential"
        );
    }
    assert_eq!(
        action("contacts_api.get")
            .param("identifier_hash")
            .unwrap()
            .location,
        Location::Query
    );
}

#[test]
fn custom_attributes_are_objects_and_passwords_are_checked() {
    for a in ACTIONS {
        if let Some(p) = a.param("custom_attributes")
            && !a.id.ends_with("destroy_custom_attributes")
        {
            assert_eq!(p.ty.name(), "object", "{}", a.id);
        }
    }
    for (id, method) in [
        ("users.create", Method::Post),
        ("users.update", Method::Patch),
    ] {
        let a = action(id);
        assert_eq!(a.param("password").unwrap().ty.name(), "password");
        assert!(a.param("password").unwrap().secret);
        assert_eq!(a.param("email").unwrap().ty.name(), "email");
        assert_eq!(a.method, method);
    }
}

#[test]
fn lists_page_the_way_the_server_does() {
    for id in [
        "contacts.list",
        "contacts.search",
        "contacts.filter",
        "conversations.list",
        "conversations.filter",
        "notifications.list",
        "companies.list",
        "articles.list",
    ] {
        assert!(
            matches!(action(id).pagination, Pagination::PageNumber { .. }),
            "{id} should page by number"
        );
    }
    // app/views/api/v1/accounts/contacts/search.json.jbuilder: `count` is the page's
    // size, `has_more` says whether another page follows.
    assert_eq!(
        action("contacts.search").pagination,
        Pagination::PageNumber {
            param: "page",
            total: "",
            has_more: "/meta/has_more"
        }
    );
    // app/finders/message_finder.rb: the newest 20, then 20 older before an id.
    assert_eq!(
        action("messages.list").pagination,
        Pagination::Cursor {
            before: "before",
            after: "after",
            id: "/id"
        }
    );
    assert!(matches!(
        action("messages_api.list").pagination,
        Pagination::Cursor { after: "", .. }
    ));
    assert_eq!(action("automation_rules.list").pagination, Pagination::None);
    for a in ACTIONS {
        match a.pagination {
            Pagination::PageNumber { param, .. } => {
                let p = a
                    .param(param)
                    .unwrap_or_else(|| panic!("{}: no {param} param", a.id));
                assert_eq!(
                    (p.location, p.ty.name()),
                    (Location::Query, "integer"),
                    "{}",
                    a.id
                );
            }
            Pagination::Cursor { before, after, .. } => {
                for name in [before, after].into_iter().filter(|n| !n.is_empty()) {
                    let p = a
                        .param(name)
                        .unwrap_or_else(|| panic!("{}: no {name}", a.id));
                    assert_eq!(
                        (p.location, p.ty.name()),
                        (Location::Query, "integer"),
                        "{}",
                        a.id
                    );
                }
            }
            Pagination::LinkHeader => panic!("{}: Chatwoot sends no Link headers", a.id),
            Pagination::None => {}
        }
    }
}

#[test]
fn envelopes_point_into_the_answer() {
    for (id, envelope) in [
        ("conversations.list", "/data/payload"),
        ("contacts.get", "/payload"),
        ("contacts.create", "/payload/contact"),
        ("webhooks.list", "/payload/webhooks"),
        ("webhooks.create", "/payload/webhook"),
        ("inboxes.list", "/payload"),
        ("messages.list", "/payload"),
        ("labels.get", ""),
    ] {
        assert_eq!(action(id).envelope, envelope, "{id}");
    }
    for a in ACTIONS {
        assert!(
            a.envelope.is_empty() || a.envelope.starts_with('/'),
            "{}: {:?} is not a JSON pointer",
            a.id,
            a.envelope
        );
    }
}

#[test]
fn slugs_and_uuids_are_text() {
    for (id, key) in [
        ("portals.get", "portal_slug"),
        ("articles.list", "portal_slug"),
        ("csat_survey.get", "conversation_uuid"),
        ("integrations.get_app", "app_id"),
    ] {
        assert_eq!(
            action(id).param(key).unwrap().ty.name(),
            "string",
            "{id} {key}"
        );
    }
}
