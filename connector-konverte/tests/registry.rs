//! The registry: every operation of the Konverte API declared exactly once, with
//! well-formed ids and paths whose placeholders are all declared.

use connector_core::{Location, Method};
use connector_konverte::ACTIONS;
use std::collections::{BTreeMap, BTreeSet};

/// The 115 operations of the API description, as (method, path), facts copied
/// once from it so that this test does not depend on files outside the crate.
const OPERATIONS: &[(&str, &str)] = &[
    ("DELETE", "/api/v1/accounts/{account_id}/agent_bots/{id}"),
    ("GET", "/api/v1/accounts/{account_id}/agent_bots"),
    ("GET", "/api/v1/accounts/{account_id}/agent_bots/{id}"),
    ("PATCH", "/api/v1/accounts/{account_id}/agent_bots/{id}"),
    ("POST", "/api/v1/accounts/{account_id}/agent_bots"),
    (
        "DELETE",
        "/platform/api/v1/accounts/{account_id}/account_users",
    ),
    (
        "GET",
        "/platform/api/v1/accounts/{account_id}/account_users",
    ),
    (
        "POST",
        "/platform/api/v1/accounts/{account_id}/account_users",
    ),
    ("DELETE", "/platform/api/v1/accounts/{account_id}"),
    ("GET", "/platform/api/v1/accounts/{account_id}"),
    ("PATCH", "/platform/api/v1/accounts/{account_id}"),
    ("POST", "/platform/api/v1/accounts"),
    ("DELETE", "/platform/api/v1/agent_bots/{id}"),
    ("GET", "/platform/api/v1/agent_bots"),
    ("GET", "/platform/api/v1/agent_bots/{id}"),
    ("PATCH", "/platform/api/v1/agent_bots/{id}"),
    ("POST", "/platform/api/v1/agent_bots"),
    ("DELETE", "/api/v1/accounts/{account_id}/agents/{id}"),
    ("GET", "/api/v1/accounts/{account_id}/agents"),
    ("PATCH", "/api/v1/accounts/{account_id}/agents/{id}"),
    ("POST", "/api/v1/accounts/{account_id}/agents"),
    (
        "DELETE",
        "/api/v1/accounts/{account_id}/automation_rules/{id}",
    ),
    ("GET", "/api/v1/accounts/{account_id}/automation_rules"),
    ("GET", "/api/v1/accounts/{account_id}/automation_rules/{id}"),
    (
        "PATCH",
        "/api/v1/accounts/{account_id}/automation_rules/{id}",
    ),
    ("POST", "/api/v1/accounts/{account_id}/automation_rules"),
    ("GET", "/survey/responses/{conversation_uuid}"),
    (
        "PATCH",
        "/api/v1/accounts/{account_id}/canned_responses/{id}",
    ),
    (
        "DELETE",
        "/api/v1/accounts/{account_id}/canned_responses/{id}",
    ),
    ("GET", "/api/v1/accounts/{account_id}/canned_responses"),
    ("POST", "/api/v1/accounts/{account_id}/canned_responses"),
    (
        "GET",
        "/api/v1/accounts/{account_id}/contacts/{id}/contactable_inboxes",
    ),
    (
        "POST",
        "/api/v1/accounts/{account_id}/contacts/{id}/contact_inboxes",
    ),
    ("DELETE", "/api/v1/accounts/{account_id}/contacts/{id}"),
    ("GET", "/api/v1/accounts/{account_id}/contacts"),
    ("GET", "/api/v1/accounts/{account_id}/contacts/search"),
    ("GET", "/api/v1/accounts/{account_id}/contacts/{id}"),
    (
        "GET",
        "/api/v1/accounts/{account_id}/contacts/{id}/conversations",
    ),
    ("POST", "/api/v1/accounts/{account_id}/contacts"),
    ("POST", "/api/v1/accounts/{account_id}/contacts/filter"),
    ("PUT", "/api/v1/accounts/{account_id}/contacts/{id}"),
    (
        "GET",
        "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}",
    ),
    (
        "PATCH",
        "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}",
    ),
    ("POST", "/public/api/v1/inboxes/{inbox_identifier}/contacts"),
    (
        "POST",
        "/api/v1/accounts/{account_id}/conversations/{conversation_id}/assignments",
    ),
    (
        "GET",
        "/api/v1/accounts/{account_id}/conversations/{conversation_id}/labels",
    ),
    (
        "POST",
        "/api/v1/accounts/{account_id}/conversations/{conversation_id}/labels",
    ),
    ("GET", "/api/v1/accounts/{account_id}/conversations"),
    ("GET", "/api/v1/accounts/{account_id}/conversations/meta"),
    (
        "GET",
        "/api/v1/accounts/{account_id}/conversations/{conversation_id}",
    ),
    ("POST", "/api/v1/accounts/{account_id}/conversations"),
    ("POST", "/api/v1/accounts/{account_id}/conversations/filter"),
    (
        "POST",
        "/api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_priority",
    ),
    (
        "POST",
        "/api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status",
    ),
    (
        "GET",
        "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations",
    ),
    (
        "POST",
        "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations",
    ),
    (
        "DELETE",
        "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
    ),
    (
        "GET",
        "/api/v1/accounts/{account_id}/custom_attribute_definitions",
    ),
    (
        "GET",
        "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
    ),
    (
        "PATCH",
        "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
    ),
    (
        "POST",
        "/api/v1/accounts/{account_id}/custom_attribute_definitions",
    ),
    (
        "DELETE",
        "/api/v1/accounts/{account_id}/custom_filters/{custom_filter_id}",
    ),
    ("GET", "/api/v1/accounts/{account_id}/custom_filters"),
    (
        "GET",
        "/api/v1/accounts/{account_id}/custom_filters/{custom_filter_id}",
    ),
    (
        "PATCH",
        "/api/v1/accounts/{account_id}/custom_filters/{custom_filter_id}",
    ),
    ("POST", "/api/v1/accounts/{account_id}/custom_filters"),
    ("GET", "/api/v1/accounts/{account_id}/portals"),
    ("PATCH", "/api/v1/accounts/{account_id}/portals"),
    ("POST", "/api/v1/accounts/{account_id}/portals"),
    (
        "POST",
        "/api/v1/accounts/{account_id}/portals/{portal_id}/articles",
    ),
    (
        "POST",
        "/api/v1/accounts/{account_id}/portals/{portal_id}/categories",
    ),
    ("GET", "/public/api/v1/inboxes/{inbox_identifier}"),
    ("DELETE", "/api/v1/accounts/{account_id}/inbox_members"),
    (
        "GET",
        "/api/v1/accounts/{account_id}/inbox_members/{inbox_id}",
    ),
    ("GET", "/api/v1/accounts/{account_id}/inboxes"),
    ("GET", "/api/v1/accounts/{account_id}/inboxes/{id}/"),
    (
        "GET",
        "/api/v1/accounts/{account_id}/inboxes/{id}/agent_bot",
    ),
    ("PATCH", "/api/v1/accounts/{account_id}/inbox_members"),
    ("PATCH", "/api/v1/accounts/{account_id}/inboxes/{id}"),
    ("POST", "/api/v1/accounts/{account_id}/inbox_members"),
    ("POST", "/api/v1/accounts/{account_id}/inboxes/"),
    (
        "POST",
        "/api/v1/accounts/{account_id}/inboxes/{id}/set_agent_bot",
    ),
    (
        "DELETE",
        "/api/v1/accounts/{account_id}/integrations/hooks/{hook_id}",
    ),
    ("GET", "/api/v1/accounts/{account_id}/integrations/apps"),
    (
        "PATCH",
        "/api/v1/accounts/{account_id}/integrations/hooks/{hook_id}",
    ),
    ("POST", "/api/v1/accounts/{account_id}/integrations/hooks"),
    (
        "DELETE",
        "/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages/{message_id}",
    ),
    (
        "GET",
        "/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages",
    ),
    (
        "POST",
        "/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages",
    ),
    (
        "GET",
        "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations/{conversation_id}/messages",
    ),
    (
        "PATCH",
        "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations/{conversation_id}/messages/{message_id}",
    ),
    (
        "POST",
        "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations/{conversation_id}/messages",
    ),
    ("GET", "/api/v1/profile"),
    ("GET", "/api/v2/accounts/{account_id}/reports"),
    ("GET", "/api/v2/accounts/{account_id}/reports/conversations"),
    (
        "GET",
        "/api/v2/accounts/{account_id}/reports/conversations/",
    ),
    ("GET", "/api/v2/accounts/{account_id}/reports/summary"),
    ("DELETE", "/api/v1/accounts/{account_id}/teams/{team_id}"),
    (
        "DELETE",
        "/api/v1/accounts/{account_id}/teams/{team_id}/team_members",
    ),
    ("GET", "/api/v1/accounts/{account_id}/teams"),
    ("GET", "/api/v1/accounts/{account_id}/teams/{team_id}"),
    (
        "GET",
        "/api/v1/accounts/{account_id}/teams/{team_id}/team_members",
    ),
    ("PATCH", "/api/v1/accounts/{account_id}/teams/{team_id}"),
    (
        "PATCH",
        "/api/v1/accounts/{account_id}/teams/{team_id}/team_members",
    ),
    ("POST", "/api/v1/accounts/{account_id}/teams"),
    (
        "POST",
        "/api/v1/accounts/{account_id}/teams/{team_id}/team_members",
    ),
    ("DELETE", "/platform/api/v1/users/{id}"),
    ("GET", "/platform/api/v1/users/{id}"),
    ("GET", "/platform/api/v1/users/{id}/login"),
    ("PATCH", "/platform/api/v1/users/{id}"),
    ("POST", "/platform/api/v1/users"),
    (
        "DELETE",
        "/api/v1/accounts/{account_id}/webhooks/{webhook_id}",
    ),
    ("GET", "/api/v1/accounts/{account_id}/webhooks"),
    (
        "PATCH",
        "/api/v1/accounts/{account_id}/webhooks/{webhook_id}",
    ),
    ("POST", "/api/v1/accounts/{account_id}/webhooks"),
];

#[test]
fn there_are_exactly_115_actions() {
    assert_eq!(OPERATIONS.len(), 115);
    assert_eq!(ACTIONS.len(), 115);
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
fn each_operation_is_covered_exactly_once() {
    let mut declared: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for a in ACTIONS {
        declared
            .entry((a.method.as_str(), a.path))
            .or_default()
            .push(a.id);
    }
    let expected: BTreeSet<(&str, &str)> = OPERATIONS.iter().copied().collect();
    assert_eq!(expected.len(), 115, "the literal list has duplicates");
    for op in &expected {
        match declared.get(op) {
            Some(ids) if ids.len() == 1 => {}
            Some(ids) => panic!("{op:?} is declared {} times: {ids:?}", ids.len()),
            None => panic!("{op:?} is not declared"),
        }
    }
    for (op, ids) in &declared {
        assert!(
            expected.contains(op),
            "{ids:?} declare {op:?}, which the API does not have"
        );
    }
}

#[test]
fn trailing_slashes_are_kept() {
    let path = |id: &str| ACTIONS.iter().find(|a| a.id == id).unwrap().path;
    assert_eq!(
        path("inboxes.create"),
        "/api/v1/accounts/{account_id}/inboxes/"
    );
    assert_eq!(
        path("inboxes.get"),
        "/api/v1/accounts/{account_id}/inboxes/{id}/"
    );
    assert_eq!(
        path("inboxes.update"),
        "/api/v1/accounts/{account_id}/inboxes/{id}"
    );
    assert_eq!(
        path("reports.conversations"),
        "/api/v2/accounts/{account_id}/reports/conversations"
    );
    assert_eq!(
        path("reports.agent_conversations"),
        "/api/v2/accounts/{account_id}/reports/conversations/"
    );
}

#[test]
fn token_kinds_follow_the_api_families() {
    for a in ACTIONS {
        let expected: &[&str] = if a.path.starts_with("/platform/") {
            &["platform"]
        } else if a.path.starts_with("/public/") || a.path.starts_with("/survey/") {
            &[]
        } else {
            assert!(
                a.tokens.first() == Some(&"user"),
                "{}: {:?}",
                a.id,
                a.tokens
            );
            continue;
        };
        assert_eq!(a.tokens, expected, "{}", a.id);
    }
    let both = ACTIONS
        .iter()
        .filter(|a| a.tokens == ["user", "agent_bot"])
        .count();
    assert!(
        both >= 6,
        "the spec lets agent bots call several actions, found {both}"
    );
}

#[test]
fn custom_attributes_are_objects_and_passwords_are_checked() {
    for a in ACTIONS {
        if let Some(p) = a.param("custom_attributes") {
            assert_eq!(p.ty.name(), "object", "{}", a.id);
        }
    }
    for id in ["users.create", "users.update"] {
        let a = ACTIONS.iter().find(|a| a.id == id).unwrap();
        assert_eq!(a.param("password").unwrap().ty.name(), "password");
        assert!(a.param("password").unwrap().secret);
        assert_eq!(a.param("email").unwrap().ty.name(), "email");
        assert_eq!(
            a.method,
            if id == "users.create" {
                Method::Post
            } else {
                Method::Patch
            }
        );
    }
}

#[test]
fn paged_lists_name_their_page_param() {
    let paged: Vec<&str> = ACTIONS
        .iter()
        .filter(|a| a.pagination.is_paged())
        .map(|a| a.id)
        .collect();
    for id in [
        "contacts.list",
        "contacts.search",
        "contacts.filter",
        "conversations.list",
        "conversations.filter",
        "automation_rules.list",
    ] {
        assert!(paged.contains(&id), "{id} should page");
    }
    for a in ACTIONS.iter().filter(|a| a.pagination.is_paged()) {
        if let connector_core::Pagination::PageNumber { param, .. } = a.pagination {
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
    }
}
