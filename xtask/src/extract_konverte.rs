//! `cargo xtask extract-konverte SPEC OUT_DIR`: bootstraps `connector-konverte/manifest/`
//! from the Konverte Digital (Chatwoot) OpenAPI 3 description.
//!
//! Taken from the spec (facts): each operation's method and path (verbatim, trailing
//! slashes included), every parameter's wire name, location, type, enum values and
//! required flag (with `$ref`s to `#/components/schemas`, `#/components/parameters` and
//! `allOf` resolved), the security schemes (as token kinds) and which lists take a `page`.
//!
//! Ours (words and judgement): the ids, names and summaries in [`OPS`], the parameter
//! help in [`help`], the response pointers in [`PAGED`], the typed outputs in
//! [`OUTPUTS`], and the corrections in [`TYPE_FIXES`], [`EXTRA_VALUES`] and [`RELAXED`], the
//! skipped file uploads in [`type_of`] and the token rule in [`token_kinds`], each with
//! its reason. The spec's prose is never copied.
//!
//! The bootstrap ran once; since then the manifest is the source of truth and is edited
//! by hand. Running this again overwrites the manifest files it writes.

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// One operation of the spec, found by `(method, path)`, and the words we give it.
struct Op {
    method: &'static str,
    path: &'static str,
    id: &'static str,
    name: &'static str,
    summary: &'static str,
}

const fn op(
    method: &'static str,
    path: &'static str,
    id: &'static str,
    name: &'static str,
    summary: &'static str,
) -> Op {
    Op {
        method,
        path,
        id,
        name,
        summary,
    }
}

/// Every operation, grouped by resource (one manifest file each), in the order the
/// actions are listed.
#[rustfmt::skip]
const OPS: &[Op] = &[
    // Platform API (platform app token): accounts, their users, agent bots, users.
    op("POST", "/platform/api/v1/accounts", "accounts.create", "Create an account", "Create a new account on the installation."),
    op("GET", "/platform/api/v1/accounts/{account_id}", "accounts.get", "Get an account", "Fetch one account by its id."),
    op("PATCH", "/platform/api/v1/accounts/{account_id}", "accounts.update", "Update an account", "Rename an account."),
    op("DELETE", "/platform/api/v1/accounts/{account_id}", "accounts.delete", "Delete an account", "Remove an account and everything in it."),
    op("GET", "/platform/api/v1/accounts/{account_id}/account_users", "account_users.list", "List account users", "List the users that belong to an account, with their roles."),
    op("POST", "/platform/api/v1/accounts/{account_id}/account_users", "account_users.create", "Add a user to an account", "Give a platform user access to an account, as agent or administrator."),
    op("DELETE", "/platform/api/v1/accounts/{account_id}/account_users", "account_users.delete", "Remove a user from an account", "Take a user's access to an account away; the user itself stays."),
    op("GET", "/platform/api/v1/agent_bots", "agent_bots.list", "List platform agent bots", "List the agent bots the platform app manages."),
    op("POST", "/platform/api/v1/agent_bots", "agent_bots.create", "Create a platform agent bot", "Register a bot that every account on the installation can use."),
    op("GET", "/platform/api/v1/agent_bots/{id}", "agent_bots.get", "Get a platform agent bot", "Fetch one platform agent bot by its id."),
    op("PATCH", "/platform/api/v1/agent_bots/{id}", "agent_bots.update", "Update a platform agent bot", "Change a platform agent bot's name, description or webhook URL."),
    op("DELETE", "/platform/api/v1/agent_bots/{id}", "agent_bots.delete", "Delete a platform agent bot", "Remove a platform agent bot."),
    op("POST", "/platform/api/v1/users", "users.create", "Create a user", "Create a platform user with a name, e-mail, password and custom attributes."),
    op("GET", "/platform/api/v1/users/{id}", "users.get", "Get a user", "Fetch one platform user by its id."),
    op("PATCH", "/platform/api/v1/users/{id}", "users.update", "Update a user", "Change a platform user's name, e-mail, password or custom attributes."),
    op("DELETE", "/platform/api/v1/users/{id}", "users.delete", "Delete a user", "Remove a platform user."),
    op("GET", "/platform/api/v1/users/{id}/login", "users.login_link", "Get a user's login link", "Get a one-time single sign-on URL that logs the user in."),
    // Public client API (no token; the inbox and contact identifiers are the credentials).
    op("GET", "/public/api/v1/inboxes/{inbox_identifier}", "inbox_api.get", "Get a public inbox", "Read an API-channel inbox's public settings: name, time zone, working hours."),
    op("POST", "/public/api/v1/inboxes/{inbox_identifier}/contacts", "contacts_api.create", "Create a contact (public API)", "Create a contact in an API-channel inbox; the answer holds the contact's source id."),
    op("GET", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}", "contacts_api.get", "Get a contact (public API)", "Read a contact through the public API of its inbox."),
    op("PATCH", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}", "contacts_api.update", "Update a contact (public API)", "Change a contact's details through the public API of its inbox."),
    op("GET", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations", "conversations_api.list", "List a contact's conversations (public API)", "List the conversations a contact has in the inbox."),
    op("POST", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations", "conversations_api.create", "Start a conversation (public API)", "Open a new conversation for the contact in the inbox."),
    op("GET", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations/{conversation_id}/messages", "messages_api.list", "List messages (public API)", "List the messages of one of the contact's conversations."),
    op("POST", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations/{conversation_id}/messages", "messages_api.create", "Send a message (public API)", "Post a message from the contact into the conversation."),
    op("PATCH", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations/{conversation_id}/messages/{message_id}", "messages_api.update", "Answer a message (public API)", "Submit the contact's answers to an interactive message such as a form."),
    op("GET", "/survey/responses/{conversation_uuid}", "csat_survey.get", "Get the CSAT survey page", "Fetch the satisfaction survey page of a conversation."),
    // Application API (user token; some also accept an agent bot token).
    op("GET", "/api/v1/profile", "profile.get", "Get my profile", "Fetch the user the token belongs to; a cheap way to check a token."),
    op("GET", "/api/v1/accounts/{account_id}/agent_bots", "account_agent_bots.list", "List agent bots", "List the agent bots an account can use."),
    op("POST", "/api/v1/accounts/{account_id}/agent_bots", "account_agent_bots.create", "Create an agent bot", "Register a bot that belongs to this account only."),
    op("GET", "/api/v1/accounts/{account_id}/agent_bots/{id}", "account_agent_bots.get", "Get an agent bot", "Fetch one of the account's agent bots."),
    op("PATCH", "/api/v1/accounts/{account_id}/agent_bots/{id}", "account_agent_bots.update", "Update an agent bot", "Change an account agent bot's name, description or webhook URL."),
    op("DELETE", "/api/v1/accounts/{account_id}/agent_bots/{id}", "account_agent_bots.delete", "Delete an agent bot", "Remove one of the account's agent bots."),
    op("GET", "/api/v1/accounts/{account_id}/agents", "agents.list", "List agents", "List every agent of the account."),
    op("POST", "/api/v1/accounts/{account_id}/agents", "agents.create", "Add an agent", "Invite a person to the account as an agent or administrator."),
    op("PATCH", "/api/v1/accounts/{account_id}/agents/{id}", "agents.update", "Update an agent", "Change an agent's role, availability or auto-offline setting."),
    op("DELETE", "/api/v1/accounts/{account_id}/agents/{id}", "agents.delete", "Remove an agent", "Take an agent out of the account."),
    op("GET", "/api/v1/accounts/{account_id}/automation_rules", "automation_rules.list", "List automation rules", "List the account's automation rules, page by page."),
    op("POST", "/api/v1/accounts/{account_id}/automation_rules", "automation_rules.create", "Create an automation rule", "Add a rule that runs actions when an event matches its conditions."),
    op("GET", "/api/v1/accounts/{account_id}/automation_rules/{id}", "automation_rules.get", "Get an automation rule", "Fetch one automation rule."),
    op("PATCH", "/api/v1/accounts/{account_id}/automation_rules/{id}", "automation_rules.update", "Update an automation rule", "Change an automation rule's event, conditions, actions or state."),
    op("DELETE", "/api/v1/accounts/{account_id}/automation_rules/{id}", "automation_rules.delete", "Delete an automation rule", "Remove an automation rule."),
    op("GET", "/api/v1/accounts/{account_id}/canned_responses", "canned_responses.list", "List canned responses", "List the account's saved reply snippets."),
    op("POST", "/api/v1/accounts/{account_id}/canned_responses", "canned_responses.create", "Create a canned response", "Save a reply snippet under a short code."),
    op("PATCH", "/api/v1/accounts/{account_id}/canned_responses/{id}", "canned_responses.update", "Update a canned response", "Change a canned response's text or short code."),
    op("DELETE", "/api/v1/accounts/{account_id}/canned_responses/{id}", "canned_responses.delete", "Delete a canned response", "Remove a canned response."),
    op("GET", "/api/v1/accounts/{account_id}/contacts", "contacts.list", "List contacts", "List the account's contacts that have an e-mail, phone number or identifier, page by page."),
    op("POST", "/api/v1/accounts/{account_id}/contacts", "contacts.create", "Create a contact", "Add a contact, optionally linked to an inbox."),
    op("GET", "/api/v1/accounts/{account_id}/contacts/search", "contacts.search", "Search contacts", "Find contacts by name, e-mail, phone number or identifier, page by page."),
    op("POST", "/api/v1/accounts/{account_id}/contacts/filter", "contacts.filter", "Filter contacts", "List the contacts matching a set of attribute conditions, page by page."),
    op("GET", "/api/v1/accounts/{account_id}/contacts/{id}", "contacts.get", "Get a contact", "Fetch one contact with its details."),
    op("PUT", "/api/v1/accounts/{account_id}/contacts/{id}", "contacts.update", "Update a contact", "Change a contact's details or custom attributes."),
    op("DELETE", "/api/v1/accounts/{account_id}/contacts/{id}", "contacts.delete", "Delete a contact", "Remove a contact."),
    op("GET", "/api/v1/accounts/{account_id}/contacts/{id}/conversations", "contacts.conversations", "List a contact's conversations", "List every conversation the contact took part in."),
    op("GET", "/api/v1/accounts/{account_id}/contacts/{id}/contactable_inboxes", "contacts.contactable_inboxes", "List contactable inboxes", "List the inboxes through which the contact can be reached."),
    op("POST", "/api/v1/accounts/{account_id}/contacts/{id}/contact_inboxes", "contacts.create_contact_inbox", "Link a contact to an inbox", "Make the contact reachable through an inbox; returns the source id to start conversations with."),
    op("GET", "/api/v1/accounts/{account_id}/conversations", "conversations.list", "List conversations", "List conversations by status, assignee, inbox, team or labels, page by page."),
    op("GET", "/api/v1/accounts/{account_id}/conversations/meta", "conversations.meta", "Count conversations", "Count the conversations that match the filters, per assignee group."),
    op("POST", "/api/v1/accounts/{account_id}/conversations/filter", "conversations.filter", "Filter conversations", "List the conversations matching a set of attribute conditions, page by page."),
    op("POST", "/api/v1/accounts/{account_id}/conversations", "conversations.create", "Create a conversation", "Start a conversation with a contact in an inbox, optionally with a first message."),
    op("GET", "/api/v1/accounts/{account_id}/conversations/{conversation_id}", "conversations.get", "Get a conversation", "Fetch one conversation with its metadata."),
    op("POST", "/api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status", "conversations.toggle_status", "Change a conversation's status", "Set a conversation's status, or switch it between open and resolved."),
    op("POST", "/api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_priority", "conversations.toggle_priority", "Change a conversation's priority", "Set a conversation's priority."),
    op("POST", "/api/v1/accounts/{account_id}/conversations/{conversation_id}/assignments", "conversations.assign", "Assign a conversation", "Hand a conversation to an agent or a team."),
    op("GET", "/api/v1/accounts/{account_id}/conversations/{conversation_id}/labels", "conversations.labels", "List a conversation's labels", "List the labels a conversation carries."),
    op("POST", "/api/v1/accounts/{account_id}/conversations/{conversation_id}/labels", "conversations.add_labels", "Set a conversation's labels", "Replace the labels of a conversation with the given list."),
    op("GET", "/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages", "messages.list", "List messages", "List the messages of a conversation."),
    op("POST", "/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages", "messages.create", "Send a message", "Post a message or private note into a conversation."),
    op("DELETE", "/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages/{message_id}", "messages.delete", "Delete a message", "Remove a message from a conversation."),
    op("GET", "/api/v1/accounts/{account_id}/custom_attribute_definitions", "custom_attributes.list", "List custom attributes", "List the custom attribute definitions for conversations or contacts."),
    op("POST", "/api/v1/accounts/{account_id}/custom_attribute_definitions", "custom_attributes.create", "Create a custom attribute", "Define a new custom attribute for conversations or contacts."),
    op("GET", "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}", "custom_attributes.get", "Get a custom attribute", "Fetch one custom attribute definition."),
    op("PATCH", "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}", "custom_attributes.update", "Update a custom attribute", "Change a custom attribute definition."),
    op("DELETE", "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}", "custom_attributes.delete", "Delete a custom attribute", "Remove a custom attribute definition."),
    op("GET", "/api/v1/accounts/{account_id}/custom_filters", "custom_filters.list", "List saved filters", "List the current user's saved filters of one kind."),
    op("POST", "/api/v1/accounts/{account_id}/custom_filters", "custom_filters.create", "Save a filter", "Save a named filter query for later use."),
    op("GET", "/api/v1/accounts/{account_id}/custom_filters/{custom_filter_id}", "custom_filters.get", "Get a saved filter", "Fetch one saved filter."),
    op("PATCH", "/api/v1/accounts/{account_id}/custom_filters/{custom_filter_id}", "custom_filters.update", "Update a saved filter", "Change a saved filter's name, kind or query."),
    op("DELETE", "/api/v1/accounts/{account_id}/custom_filters/{custom_filter_id}", "custom_filters.delete", "Delete a saved filter", "Remove a saved filter."),
    op("GET", "/api/v1/accounts/{account_id}/portals", "portals.list", "List help center portals", "List the account's help center portals."),
    op("POST", "/api/v1/accounts/{account_id}/portals", "portals.create", "Create a help center portal", "Add a help center portal with its look, domain and locales."),
    op("PATCH", "/api/v1/accounts/{account_id}/portals", "portals.update", "Update a help center portal", "Change a help center portal's settings."),
    op("POST", "/api/v1/accounts/{account_id}/portals/{portal_id}/categories", "portals.create_category", "Create a help center category", "Add a category to a help center portal."),
    op("POST", "/api/v1/accounts/{account_id}/portals/{portal_id}/articles", "portals.create_article", "Create a help center article", "Add an article to a help center portal."),
    op("GET", "/api/v1/accounts/{account_id}/inboxes", "inboxes.list", "List inboxes", "List the account's inboxes."),
    op("POST", "/api/v1/accounts/{account_id}/inboxes/", "inboxes.create", "Create an inbox", "Add an inbox, e.g. a website live-chat widget."),
    op("GET", "/api/v1/accounts/{account_id}/inboxes/{id}/", "inboxes.get", "Get an inbox", "Fetch one inbox with its settings."),
    op("PATCH", "/api/v1/accounts/{account_id}/inboxes/{id}", "inboxes.update", "Update an inbox", "Change an inbox's name, auto-assignment or channel settings."),
    op("GET", "/api/v1/accounts/{account_id}/inboxes/{id}/agent_bot", "inboxes.agent_bot", "Get an inbox's agent bot", "Show which agent bot, if any, answers in the inbox."),
    op("POST", "/api/v1/accounts/{account_id}/inboxes/{id}/set_agent_bot", "inboxes.set_agent_bot", "Set an inbox's agent bot", "Connect an agent bot to the inbox, or disconnect it."),
    op("GET", "/api/v1/accounts/{account_id}/inbox_members/{inbox_id}", "inboxes.members", "List an inbox's agents", "List the agents who work in an inbox."),
    op("POST", "/api/v1/accounts/{account_id}/inbox_members", "inboxes.add_members", "Add agents to an inbox", "Give more agents access to an inbox."),
    op("PATCH", "/api/v1/accounts/{account_id}/inbox_members", "inboxes.update_members", "Set an inbox's agents", "Replace the agents of an inbox with the given list."),
    op("DELETE", "/api/v1/accounts/{account_id}/inbox_members", "inboxes.remove_members", "Remove agents from an inbox", "Take agents out of an inbox."),
    op("GET", "/api/v1/accounts/{account_id}/integrations/apps", "integrations.list_apps", "List integrations", "List the integration apps available to the account and their hooks."),
    op("POST", "/api/v1/accounts/{account_id}/integrations/hooks", "integrations.create_hook", "Create an integration hook", "Connect an integration app to the account or to one inbox."),
    op("PATCH", "/api/v1/accounts/{account_id}/integrations/hooks/{hook_id}", "integrations.update_hook", "Update an integration hook", "Change an integration hook's settings."),
    op("DELETE", "/api/v1/accounts/{account_id}/integrations/hooks/{hook_id}", "integrations.delete_hook", "Delete an integration hook", "Disconnect an integration hook."),
    op("GET", "/api/v2/accounts/{account_id}/reports", "reports.metric", "Report one metric over time", "Get one metric, such as conversations or resolutions, as a time series."),
    op("GET", "/api/v2/accounts/{account_id}/reports/summary", "reports.summary", "Report summary", "Get the totals of every metric for a period, with the previous period for comparison."),
    op("GET", "/api/v2/accounts/{account_id}/reports/conversations", "reports.conversations", "Account conversation figures", "Count the account's open, unattended and unassigned conversations."),
    op("GET", "/api/v2/accounts/{account_id}/reports/conversations/", "reports.agent_conversations", "Agent conversation figures", "Count open and unattended conversations per agent."),
    op("GET", "/api/v1/accounts/{account_id}/teams", "teams.list", "List teams", "List the account's teams."),
    op("POST", "/api/v1/accounts/{account_id}/teams", "teams.create", "Create a team", "Add a team that conversations can be assigned to."),
    op("GET", "/api/v1/accounts/{account_id}/teams/{team_id}", "teams.get", "Get a team", "Fetch one team."),
    op("PATCH", "/api/v1/accounts/{account_id}/teams/{team_id}", "teams.update", "Update a team", "Change a team's name, description or auto-assignment."),
    op("DELETE", "/api/v1/accounts/{account_id}/teams/{team_id}", "teams.delete", "Delete a team", "Remove a team."),
    op("GET", "/api/v1/accounts/{account_id}/teams/{team_id}/team_members", "teams.members", "List a team's agents", "List the agents in a team."),
    op("POST", "/api/v1/accounts/{account_id}/teams/{team_id}/team_members", "teams.add_members", "Add agents to a team", "Put more agents into a team."),
    op("PATCH", "/api/v1/accounts/{account_id}/teams/{team_id}/team_members", "teams.update_members", "Set a team's agents", "Replace the agents of a team with the given list."),
    op("DELETE", "/api/v1/accounts/{account_id}/teams/{team_id}/team_members", "teams.remove_members", "Remove agents from a team", "Take agents out of a team."),
    op("GET", "/api/v1/accounts/{account_id}/webhooks", "webhooks.list", "List webhooks", "List the account's webhooks."),
    op("POST", "/api/v1/accounts/{account_id}/webhooks", "webhooks.create", "Create a webhook", "Send the chosen account events to a URL."),
    op("PATCH", "/api/v1/accounts/{account_id}/webhooks/{webhook_id}", "webhooks.update", "Update a webhook", "Change a webhook's URL or events."),
    op("DELETE", "/api/v1/accounts/{account_id}/webhooks/{webhook_id}", "webhooks.delete", "Delete a webhook", "Stop sending events to a webhook."),
];

/// Paged lists: (id, JSON pointer to the items, JSON pointer to the total or "").
/// The pointers follow what the server sends: contacts answer `{meta: {count}, payload:
/// [..]}`, the conversation list `{data: {meta: {all_count}, payload: [..]}}`, the
/// conversation filter `{meta: {all_count}, payload: [..]}` (the spec shows the list's
/// shape), automation rules a bare array. `all_count` counts every assignee group, so
/// it is an upper bound: paging then ends on the first empty page.
const PAGED: &[(&str, &str, &str)] = &[
    ("contacts.list", "/payload", "/meta/count"),
    ("contacts.search", "/payload", "/meta/count"),
    ("contacts.filter", "/payload", "/meta/count"),
    (
        "conversations.list",
        "/data/payload",
        "/data/meta/all_count",
    ),
    ("conversations.filter", "/payload", "/meta/all_count"),
    ("automation_rules.list", "", ""),
];

/// Typed outputs where the 2xx answer is one of our models (204s and wrappers stay JSON).
const OUTPUTS: &[(&str, &str)] = &[
    ("accounts.create", "models::Account"),
    ("accounts.get", "models::Account"),
    ("accounts.update", "models::Account"),
    ("agent_bots.create", "models::AgentBot"),
    ("agent_bots.get", "models::AgentBot"),
    ("agent_bots.update", "models::AgentBot"),
    ("users.create", "models::User"),
    ("users.get", "models::User"),
    ("users.update", "models::User"),
    ("profile.get", "models::User"),
    ("account_agent_bots.create", "models::AgentBot"),
    ("account_agent_bots.get", "models::AgentBot"),
    ("account_agent_bots.update", "models::AgentBot"),
    ("agents.create", "models::Agent"),
    ("agents.update", "models::Agent"),
    ("automation_rules.create", "models::AutomationRule"),
    ("automation_rules.get", "models::AutomationRule"),
    ("automation_rules.update", "models::AutomationRule"),
    ("canned_responses.create", "models::CannedResponse"),
    ("canned_responses.update", "models::CannedResponse"),
    ("conversations.create", "models::Conversation"),
    ("conversations.get", "models::Conversation"),
    ("conversations.assign", "models::User"),
    ("messages.create", "models::Message"),
    ("custom_attributes.create", "models::CustomAttribute"),
    ("custom_attributes.get", "models::CustomAttribute"),
    ("custom_attributes.update", "models::CustomAttribute"),
    ("custom_filters.create", "models::CustomFilter"),
    ("custom_filters.get", "models::CustomFilter"),
    ("custom_filters.update", "models::CustomFilter"),
    ("portals.create", "models::Portal"),
    ("portals.update", "models::Portal"),
    ("inboxes.create", "models::Inbox"),
    ("inboxes.get", "models::Inbox"),
    ("inboxes.update", "models::Inbox"),
    ("teams.create", "models::Team"),
    ("teams.get", "models::Team"),
    ("teams.update", "models::Team"),
    ("webhooks.create", "models::Webhook"),
    ("webhooks.update", "models::Webhook"),
];

/// The type of one streamed item of a paged list.
const ITEMS: &[(&str, &str)] = &[
    ("contacts.list", "models::Contact"),
    ("contacts.search", "models::Contact"),
    ("contacts.filter", "models::Contact"),
    ("conversations.list", "models::Conversation"),
    ("conversations.filter", "models::Conversation"),
    ("automation_rules.list", "models::AutomationRule"),
];

/// Read-only POSTs: safe to re-send.
const IDEMPOTENT: &[&str] = &["contacts.filter", "conversations.filter"];

/// Types we declare differently from the spec: (id, wire name, our type). Reasons:
/// the survey's `conversation_uuid` is a UUID although the spec says integer; user
/// passwords and e-mails are checked before sending (the spec only says string).
const TYPE_FIXES: &[(&str, &str, &str)] = &[
    ("csat_survey.get", "conversation_uuid", "string"),
    ("users.create", "email", "email"),
    ("users.update", "email", "email"),
    ("users.create", "password", "password"),
    ("users.update", "password", "password"),
    ("agents.create", "email", "email"),
];

/// Enum values the server accepts that the spec leaves out: (id, wire name, value).
/// Chatwoot's conversation lists take `status=all` (every status at once).
const EXTRA_VALUES: &[(&str, &str, &str)] = &[
    ("conversations.list", "status", "all"),
    ("conversations.meta", "status", "all"),
];

/// Fields the spec lists as required that the server defaults or does without; we let
/// the server decide (it answers 422) rather than refuse them ourselves.
const RELAXED: &[(&str, &str)] = &[
    // A contact can exist without an inbox.
    ("contacts.create", "inbox_id"),
    // `contact_id` with `inbox_id` works too.
    ("conversations.create", "source_id"),
    // Without a status the conversation toggles between open and resolved.
    ("conversations.toggle_status", "status"),
    // Partial updates.
    ("inboxes.update", "enable_auto_assignment"),
    ("agents.update", "role"),
    // `null` disconnects the bot, so the field must accept null.
    ("inboxes.set_agent_bot", "agent_bot"),
    // The role defaults to agent.
    ("agents.create", "role"),
    ("account_users.create", "role"),
    // Defaults to conversation attributes.
    ("custom_attributes.list", "attribute_model"),
];

/// The token kinds an operation accepts, from its `security` (or the spec's global one).
/// The public client API and the survey page take no token, though two public list
/// operations inherit the global user scheme in the spec: they are checked by inbox and
/// contact identifiers, not by `api_access_token`.
fn token_kinds(spec: &Value, path: &str, operation: &Value) -> Result<Vec<String>, String> {
    if path.starts_with("/public/") || path.starts_with("/survey/") {
        return Ok(Vec::new());
    }
    let security = operation
        .get("security")
        .or_else(|| spec.get("security"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut kinds = Vec::new();
    for requirement in &security {
        let Some(obj) = requirement.as_object() else {
            continue;
        };
        for scheme in obj.keys() {
            let kind = match scheme.as_str() {
                "userApiKey" => "user",
                "agentBotApiKey" => "agent_bot",
                "platformAppApiKey" => "platform",
                other => return Err(format!("{path}: unknown security scheme {other}")),
            };
            if !kinds.iter().any(|k| k == kind) {
                kinds.push(kind.to_owned());
            }
        }
    }
    Ok(kinds)
}

/// A parameter's declared type in manifest terms.
#[derive(Debug, Clone)]
struct Ty {
    ty: String,
    values: Vec<String>,
    items: Option<String>,
}

impl Ty {
    fn plain(ty: &str) -> Self {
        Ty {
            ty: ty.to_owned(),
            values: Vec::new(),
            items: None,
        }
    }
}

#[derive(Debug, Clone)]
struct Param {
    name: String,
    location: &'static str,
    ty: Ty,
    required: bool,
    help: String,
}

fn resolve<'a>(spec: &'a Value, mut v: &'a Value) -> Result<&'a Value, String> {
    for _ in 0..16 {
        let Some(reference) = v.get("$ref").and_then(Value::as_str) else {
            return Ok(v);
        };
        let pointer = reference
            .strip_prefix('#')
            .ok_or_else(|| format!("only local $refs are supported: {reference}"))?;
        v = spec
            .pointer(pointer)
            .ok_or_else(|| format!("$ref {reference} points nowhere"))?;
    }
    Err("$ref chain too long".into())
}

/// Maps a schema to our types; `None` for file uploads (`format: binary`, the avatars):
/// this connector sends JSON only, and `avatar_url` covers contacts.
fn type_of(spec: &Value, schema: &Value) -> Result<Option<Ty>, String> {
    let schema = resolve(spec, schema)?;
    if schema.get("allOf").is_some() {
        return Ok(Some(Ty::plain("object")));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values = values
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        return Ok(Some(Ty {
            ty: "enum".into(),
            values,
            items: None,
        }));
    }
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let ty = match schema.get("type").and_then(Value::as_str) {
        Some("string") => match format {
            "binary" => return Ok(None),
            "date" | "date-time" | "email" | "password" => format,
            _ => "string",
        },
        Some("integer") => "integer",
        Some("number") => "number",
        Some("boolean") => "boolean",
        Some("object") => "object",
        Some("array") => {
            let items = schema.get("items").unwrap_or(&Value::Null);
            let item = match type_of(spec, items)? {
                Some(t) if t.ty == "array" => Ty::plain("json"),
                Some(t) => t,
                None => Ty::plain("string"),
            };
            return Ok(Some(Ty {
                ty: "array".into(),
                values: item.values,
                items: Some(item.ty),
            }));
        }
        _ => "json",
    };
    Ok(Some(Ty::plain(ty)))
}

/// A body schema's properties (name, schema) and its required names.
type Fields<'a> = (Vec<(&'a String, &'a Value)>, Vec<String>);

/// The properties and required names of a body schema, `allOf` parts merged.
fn body_fields<'a>(spec: &'a Value, schema: &'a Value) -> Result<Fields<'a>, String> {
    let schema = resolve(spec, schema)?;
    let mut props = Vec::new();
    let mut required = Vec::new();
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for part in parts {
            let (p, r) = body_fields(spec, part)?;
            props.extend(p);
            required.extend(r);
        }
    }
    if let Some(obj) = schema.get("properties").and_then(Value::as_object) {
        props.extend(obj.iter());
    }
    if let Some(req) = schema.get("required").and_then(Value::as_array) {
        required.extend(req.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    Ok((props, required))
}

/// What `id` in a path names, per resource.
fn noun(resource: &str) -> &'static str {
    match resource {
        "users" => "platform user",
        "agent_bots" | "account_agent_bots" => "agent bot",
        "agents" => "agent (a user id)",
        "automation_rules" => "automation rule",
        "canned_responses" => "canned response",
        "contacts" => "contact",
        "custom_attributes" => "custom attribute definition",
        "inboxes" => "inbox",
        _ => "record",
    }
}

/// Our one-line help for a parameter: specific to the action or resource first, then
/// by wire name and location, then by wire name.
fn help(id: &str, name: &str, location: &str) -> Result<String, String> {
    let resource = id.split_once('.').map_or(id, |(r, _)| r);
    let specific: Option<&str> = match (id, name) {
        ("contacts.create", "inbox_id") => {
            Some("Inbox to link the new contact to; leave out for a contact without one.")
        }
        ("contacts.create_contact_inbox", "inbox_id") => {
            Some("Numeric id of the inbox to link the contact to.")
        }
        ("contacts.create_contact_inbox", "source_id") => Some(
            "The contact's id in that channel, e.g. a phone number or e-mail; generated when left out.",
        ),
        ("conversations.create", "inbox_id") => {
            Some("Id of the inbox the conversation takes place in.")
        }
        ("conversations.create", "source_id") => {
            Some("The contact's source id in that inbox (see contacts.contactable_inboxes).")
        }
        ("conversations.create", "status") => Some("Status the conversation starts in."),
        ("conversations.create", "assignee_id") => {
            Some("Id of the agent to assign the conversation to.")
        }
        ("conversations.create", "team_id") => {
            Some("Id of the team to assign the conversation to.")
        }
        ("conversations.create", "additional_attributes") => {
            Some("Extra context as a JSON object, e.g. browser details.")
        }
        ("conversations.create", "message") => {
            Some("The first message as a JSON object, e.g. {\"content\": \"Hello\"}.")
        }
        ("conversations.assign", "assignee_id") => {
            Some("Id of the agent to assign; wins over team_id.")
        }
        ("conversations.assign", "team_id") => {
            Some("Id of the team to assign when no assignee_id is given.")
        }
        ("conversations.toggle_status", "status") => Some(
            "Status to set; when left out, an open conversation is resolved and a resolved one reopened.",
        ),
        ("conversations.add_labels", "labels") => {
            Some("Every label the conversation should carry afterwards.")
        }
        ("integrations.create_hook", "inbox_id") => {
            Some("Id of the inbox, for integrations that attach to one inbox.")
        }
        ("reports.agent_conversations", "type") => {
            Some("Report scope; only agent is accepted here.")
        }
        ("reports.conversations", "type") => Some("Report scope; only account is accepted here."),
        ("custom_attributes.list", "attribute_model") => Some(
            "Which definitions to list: 0 for conversation attributes, 1 for contact attributes.",
        ),
        ("portals.create_category", "name") => Some("Name of the category."),
        ("portals.create_category", "slug") => {
            Some("Short name of the category used in its web address.")
        }
        ("portals.create_category", "description") => {
            Some("Short text that introduces the category.")
        }
        ("portals.create_category", "position") => {
            Some("Sort position among the portal's categories.")
        }
        ("portals.create_article", "slug") => {
            Some("Short name of the article used in its web address.")
        }
        ("portals.create_article", "position") => Some("Sort position within its category."),
        ("messages_api.update", "message_id") => {
            Some("Numeric id of the interactive message being answered.")
        }
        _ => None,
    };
    if let Some(text) = specific {
        return Ok(text.to_owned());
    }
    let by_resource: Option<&str> = match (resource, name) {
        ("users", "name") => Some("Full name of the user."),
        ("users", "email") => Some("E-mail address the user signs in with."),
        ("accounts", "name") => Some("Name of the account."),
        ("agent_bots" | "account_agent_bots", "name") => Some("Name the bot is shown with."),
        ("agent_bots" | "account_agent_bots", "description") => {
            Some("What the bot does, in a sentence.")
        }
        ("agents", "name") => Some("Full name of the agent."),
        ("agents", "email") => Some("E-mail address the invitation is sent to."),
        ("agents" | "account_users", "role") => {
            Some("Role in the account: agent or administrator.")
        }
        ("contacts" | "contacts_api", "name") => Some("Name of the contact."),
        ("contacts" | "contacts_api", "email") => Some("E-mail address of the contact."),
        ("teams", "name") => Some("Name of the team."),
        ("teams", "description") => Some("What the team takes care of."),
        ("inboxes", "name") => Some("Name of the inbox."),
        ("inboxes", "inbox_id") => Some("Numeric id of the inbox whose agents change."),
        ("custom_filters", "name") => Some("Name of the saved filter."),
        ("custom_filters", "type") => {
            Some("Kind of saved filter: conversation, contact or report.")
        }
        ("automation_rules", "name") => Some("Name of the rule."),
        ("automation_rules", "description") => Some("Longer explanation of what the rule is for."),
        ("messages", "content") => Some("Text of the message."),
        ("messages_api", "content") => Some("Text of the message."),
        ("canned_responses", "content") => Some("Text that the short code expands to."),
        ("conversations", "q") => Some("Text to look for in the conversations' messages."),
        ("conversations", "inbox_id") => Some("Only conversations in this inbox."),
        ("conversations", "team_id") => Some("Only conversations assigned to this team."),
        ("conversations", "status") => Some("Only conversations with this status."),
        ("conversations", "labels") => Some("Only conversations carrying these labels."),
        ("contacts", "q") => {
            Some("Text to look for in names, e-mail addresses, phone numbers and identifiers.")
        }
        ("portals", "name") => Some("Name of the portal as readers see it."),
        ("portals", "slug") => Some("Short name of the portal used in its web address."),
        ("portals", "content") => Some("Body text of the article."),
        ("portals", "status") => Some("Publication state: 0 draft, 1 published, 2 archived."),
        ("reports", "type") => {
            Some("What the report covers: the account, or one agent, inbox, label or team.")
        }
        ("reports", "id") => {
            Some("Id of the agent, inbox, label or team; not needed for the account.")
        }
        _ => None,
    };
    if let Some(text) = by_resource {
        return Ok(text.to_owned());
    }
    if location == "path" && name == "id" {
        return Ok(format!("Numeric id of the {}.", noun(resource)));
    }
    let general: Option<&str> = match name {
        "account_id" if location == "path" => Some("Numeric id of the account."),
        "account_id" => Some("Numeric id of the account; the path's value is sent."),
        "portal_id" if location == "path" => Some("Numeric id of the help center portal."),
        "portal_id" => Some("Numeric id of the portal; the path's value is sent."),
        "conversation_id" => Some("Numeric id of the conversation."),
        "message_id" => Some("Numeric id of the message."),
        "team_id" => Some("Numeric id of the team."),
        "inbox_id" => Some("Numeric id of the inbox."),
        "hook_id" => Some("Numeric id of the integration hook."),
        "custom_filter_id" => Some("Numeric id of the saved filter."),
        "webhook_id" => Some("Numeric id of the webhook."),
        "inbox_identifier" => {
            Some("Public identifier of an API-channel inbox, from its settings page.")
        }
        "contact_identifier" => {
            Some("The contact's source id, as returned when the contact was created.")
        }
        "conversation_uuid" => Some("UUID of the conversation the survey belongs to."),
        "page" => Some("Page to fetch, counting from 1."),
        "sort" => Some("Field to sort by; a leading minus sorts descending."),
        "assignee_type" => Some("Whose conversations: me, unassigned, assigned or all."),
        "filter_type" => Some("Kind of saved filters: conversation, contact or report."),
        "metric" => Some("The figure to report."),
        "since" => Some("Start of the period, as a Unix timestamp in seconds."),
        "until" => Some("End of the period, as a Unix timestamp in seconds."),
        "user_id" if location == "query" => Some("Only this agent's figures."),
        "user_id" => Some("Numeric id of the user."),
        "user_ids" => Some("Numeric ids of the agents (user ids)."),
        "password" => Some(
            "Password: 6 to 128 characters with an upper-case and a lower-case letter, a digit and a special character.",
        ),
        "custom_attributes" => Some("Custom attributes as a JSON object of keys and values."),
        "outgoing_url" => Some("URL the bot receives events at."),
        "availability_status" | "availability" => Some("Availability: available, busy or offline."),
        "auto_offline" => Some("Mark the agent offline automatically when away."),
        "event_name" => Some("Event that triggers the rule."),
        "active" => Some("Whether the rule is switched on."),
        "actions" => {
            Some("What to do when the conditions hold: objects with action_name and action_params.")
        }
        "conditions" => Some(
            "When the rule applies: objects with attribute_key, filter_operator, values and query_operator.",
        ),
        "short_code" => Some("Keyword agents type to insert the response."),
        "attribute_display_name" => Some("Label shown for the attribute."),
        "attribute_display_type" => Some(
            "Input kind: 0 text, 1 number, 2 currency, 3 percent, 4 link, 5 date, 6 list, 7 checkbox.",
        ),
        "attribute_description" => Some("Explanation shown with the attribute."),
        "attribute_key" => Some("Stable key the values are stored under."),
        "attribute_values" => Some("The choices, for list attributes."),
        "attribute_model" => Some("What the attribute belongs to: 0 conversations, 1 contacts."),
        "phone_number" => Some("Phone number, best in international form such as +4930123456."),
        "avatar_url" => Some("URL of a JPEG or PNG image to use as the avatar."),
        "identifier" => Some("Your own id for the contact, e.g. from another system."),
        "identifier_hash" => Some("HMAC of the identifier, for inboxes that verify identities."),
        "payload" => Some(
            "Conditions: objects with attribute_key, filter_operator, values and query_operator.",
        ),
        "contact_id" => Some("Id of the contact the conversation is with."),
        "priority" => Some("Priority to set."),
        "channel" => {
            Some("Channel settings as a JSON object, e.g. type, website_url, welcome_title.")
        }
        "enable_auto_assignment" => {
            Some("Assign new conversations to the inbox's agents automatically.")
        }
        "agent_bot" => Some("Id of the agent bot to connect; null disconnects the current one."),
        "message_type" => {
            Some("Direction: outgoing (from the team) or incoming (from the contact).")
        }
        "private" => Some("Post as a private note that only agents see."),
        "content_type" => Some("Kind of interactive message; leave out for plain text."),
        "content_attributes" => Some("Settings the chosen content_type needs, as a JSON object."),
        "template_params" => {
            Some("WhatsApp template as a JSON object: name, category, language, processed_params.")
        }
        "app_id" => Some("Id of the integration app, e.g. slack or dialogflow."),
        "settings" => Some("Settings the integration needs, as a JSON object."),
        "allow_auto_assign" => {
            Some("Hand conversations assigned to the team to its members automatically.")
        }
        "url" => Some("Address the events are posted to."),
        "subscriptions" => Some("Events to send."),
        "query" => Some("The saved conditions as a JSON object."),
        "echo_id" => Some("Your temporary id for the message, echoed back over the websocket."),
        "submitted_values" => Some("The contact's answers as a JSON object."),
        "archived" => Some("Take the portal offline without deleting it."),
        "color" => Some("Header color as a hex string, e.g. #1f93ff."),
        "config" => Some("Locale settings as a JSON object: allowed_locales, default_locale."),
        "custom_domain" => Some("Own domain the help center is served on."),
        "header_text" => Some("Headline at the top of the help center."),
        "homepage_link" => Some("Link back to your main website."),
        "page_title" => Some("Browser title of the portal's pages."),
        "locale" => Some("Language code, e.g. en or es."),
        "associated_category_id" => {
            Some("Category in another language that covers the same topic.")
        }
        "parent_category_id" => Some("Category this one sits under."),
        "meta" => Some("Search metadata as a JSON object: tags, title, description."),
        "title" => Some("Headline of the article."),
        "views" => Some("View count to store with the article."),
        "author_id" => Some("Id of the user credited as the author."),
        "category_id" => Some("Id of the category the article belongs to."),
        "folder_id" => Some("Id of the folder the article is filed in."),
        "associated_article_id" => {
            Some("Article in another language or version that covers the same topic.")
        }
        _ => None,
    };
    general.map(str::to_owned).ok_or_else(|| {
        format!("{id}: no help text for `{name}` ({location}); add one to the glossary")
    })
}

/// The parameters of one operation: path (in path order), query, then body.
fn params_of(spec: &Value, o: &Op, operation: &Value) -> Result<Vec<Param>, String> {
    let mut path_params = Vec::new();
    let mut others = Vec::new();
    for p in operation
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let p = resolve(spec, p)?;
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{}: parameter without a name", o.id))?;
        let location: &'static str = match p.get("in").and_then(Value::as_str) {
            Some("path") => "path",
            Some("query") => "query",
            Some("header") => "header",
            other => return Err(format!("{}: `{name}` is in {other:?}", o.id)),
        };
        let ty = type_of(spec, p.get("schema").unwrap_or(&Value::Null))?
            .ok_or_else(|| format!("{}: `{name}` is a file", o.id))?;
        let param = Param {
            name: name.to_owned(),
            location,
            ty,
            required: location == "path"
                || p.get("required").and_then(Value::as_bool).unwrap_or(false),
            help: help(o.id, name, location)?,
        };
        if location == "path" {
            path_params.push(param);
        } else {
            others.push(param);
        }
    }
    let order: Vec<String> = crate::codegen::placeholders(o.path);
    path_params.sort_by_key(|p| order.iter().position(|n| n == &p.name));

    if let Some(body) = operation.get("requestBody") {
        let body = resolve(spec, body)?;
        let content = body
            .get("content")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{}: request body without content", o.id))?;
        let (_, media) = content
            .iter()
            .find(|(k, _)| k.starts_with("application/json"))
            .ok_or_else(|| format!("{}: request body is not JSON", o.id))?;
        let (props, required) = body_fields(spec, media.get("schema").unwrap_or(&Value::Null))?;
        for (name, schema) in props {
            let Some(ty) = type_of(spec, schema)? else {
                continue;
            };
            others.push(Param {
                name: name.clone(),
                location: "body",
                ty,
                required: required.contains(name),
                help: help(o.id, name, "body")?,
            });
        }
    }

    let mut params = path_params;
    params.extend(others);
    for p in &mut params {
        // The spec calls some ids `number`; they are whole numbers, and a float setter
        // would send `5.0`.
        let is_id = p.name == "id" || p.name.ends_with("_id") || p.name == "agent_bot";
        if p.ty.ty == "number" && is_id {
            p.ty = Ty::plain("integer");
        }
        if let Some((_, _, ty)) = TYPE_FIXES
            .iter()
            .find(|(id, n, _)| *id == o.id && *n == p.name)
        {
            p.ty = Ty::plain(ty);
        }
        if p.location != "path" && RELAXED.contains(&(o.id, p.name.as_str())) {
            p.required = false;
        }
        for (_, _, value) in EXTRA_VALUES
            .iter()
            .filter(|(id, n, _)| *id == o.id && *n == p.name)
        {
            p.ty.values.push((*value).to_owned());
        }
    }
    Ok(params)
}

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    )
}

fn lookup<'a>(table: &'a [(&str, &str)], id: &str) -> Option<&'a str> {
    table.iter().find(|(k, _)| *k == id).map(|(_, v)| *v)
}

fn render_action(out: &mut String, o: &Op, params: &[Param], tokens: &[String]) {
    let _ = writeln!(out, "[[actions]]");
    let _ = writeln!(out, "id = {}", q(o.id));
    let _ = writeln!(out, "name = {}", q(o.name));
    let _ = writeln!(out, "summary = {}", q(o.summary));
    let _ = writeln!(out, "method = {}", q(o.method));
    let _ = writeln!(out, "path = {}", q(o.path));
    let _ = writeln!(out, "tokens = {}", list(tokens));
    if IDEMPOTENT.contains(&o.id) {
        let _ = writeln!(out, "idempotent = true");
    }
    if let Some(t) = lookup(OUTPUTS, o.id) {
        let _ = writeln!(out, "output = {}", q(t));
    }
    if let Some(t) = lookup(ITEMS, o.id) {
        let _ = writeln!(out, "item = {}", q(t));
    }
    if let Some((_, items, total)) = PAGED.iter().find(|(id, _, _)| *id == o.id) {
        let _ = writeln!(
            out,
            "pagination = {{ style = \"page_number\", param = \"page\", items = {}, total = {} }}",
            q(items),
            q(total)
        );
    }
    for p in params {
        let _ = writeln!(out, "\n[[actions.params]]");
        let _ = writeln!(out, "name = {}", q(&p.name));
        let _ = writeln!(out, "in = {}", q(p.location));
        let _ = writeln!(out, "type = {}", q(&p.ty.ty));
        if let Some(items) = &p.ty.items {
            let _ = writeln!(out, "items = {}", q(items));
        }
        if !p.ty.values.is_empty() {
            let _ = writeln!(out, "values = {}", list(&p.ty.values));
        }
        if p.required {
            let _ = writeln!(out, "required = true");
        }
        let _ = writeln!(out, "help = {}", q(&p.help));
    }
    out.push('\n');
}

/// Reads the spec and writes one manifest file per resource, plus `backend.toml`.
pub fn run(spec_path: &Path, out_dir: &Path) -> Result<(), String> {
    let text =
        std::fs::read_to_string(spec_path).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let spec: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let paths = spec
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("the spec has no paths")?;

    // Every operation of the spec must have exactly one entry in OPS, and back.
    let mut in_spec: Vec<(String, String)> = Vec::new();
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                in_spec.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    for (method, path) in &in_spec {
        let n = OPS
            .iter()
            .filter(|o| o.method == method && o.path == path)
            .count();
        if n != 1 {
            return Err(format!(
                "{method} {path}: {n} entries in OPS (need exactly 1)"
            ));
        }
    }
    if OPS.len() != in_spec.len() {
        return Err(format!(
            "OPS has {} entries, the spec {} operations",
            OPS.len(),
            in_spec.len()
        ));
    }

    let mut files: BTreeMap<&str, String> = BTreeMap::new();
    for o in OPS {
        let operation: &Map<String, Value> = paths
            .get(o.path)
            .and_then(|item| item.get(o.method.to_lowercase()))
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{}: {} {} is not in the spec", o.id, o.method, o.path))?;
        let operation = Value::Object(operation.clone());
        let params = params_of(&spec, o, &operation)?;
        let has_page = params
            .iter()
            .any(|p| p.name == "page" && p.location == "query");
        let paged = PAGED.iter().any(|(id, _, _)| *id == o.id);
        if has_page != paged {
            return Err(format!(
                "{}: takes a page parameter: {has_page}, declared paged: {paged}",
                o.id
            ));
        }
        let tokens = token_kinds(&spec, o.path, &operation)?;
        let resource = o.id.split_once('.').map_or(o.id, |(r, _)| r);
        let file = files.entry(resource).or_insert_with(|| {
            format!(
                "# Konverte `{resource}` actions. Bootstrapped from the OpenAPI description by\n# `cargo xtask extract-konverte`; this file is now the source of truth.\n\n"
            )
        });
        render_action(file, o, &params, &tokens);
    }

    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let backend = "# Konverte Digital (a Chatwoot installation). Base URL: the installation's address,\n# e.g. https://chat.example.com; there is no default host.\n# Token kinds: \"user\" (a user's access token), \"agent_bot\" (an agent bot's token),\n# \"platform\" (a platform app's token); all travel in the `api_access_token` header.\nbackend = \"konverte\"\nclient = \"Konverte\"\n";
    let write = |name: &str, text: &str| {
        let path = out_dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write("backend.toml", backend)?;
    for (resource, text) in &files {
        write(
            &format!("{resource}.toml"),
            &format!("{}\n", text.trim_end()),
        )?;
    }
    eprintln!(
        "wrote {} actions into {} files under {}",
        OPS.len(),
        files.len() + 1,
        out_dir.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_follow_schemas() {
        let spec =
            json!({"components": {"schemas": {"s": {"type": "string", "enum": ["a", "b"]}}}});
        let t = type_of(&spec, &json!({"$ref": "#/components/schemas/s"}))
            .unwrap()
            .unwrap();
        assert_eq!((t.ty.as_str(), t.values.len()), ("enum", 2));
        let t = type_of(
            &spec,
            &json!({"type": "array", "items": {"type": "integer"}}),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (t.ty.as_str(), t.items.as_deref()),
            ("array", Some("integer"))
        );
        assert!(
            type_of(&spec, &json!({"type": "string", "format": "binary"}))
                .unwrap()
                .is_none()
        );
        let t = type_of(&spec, &json!({"type": "string", "format": "date-time"}))
            .unwrap()
            .unwrap();
        assert_eq!(t.ty, "date-time");
    }

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut ids: Vec<&str> = OPS.iter().map(|o| o.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert!(OPS.iter().all(|o| o.id.split_once('.').is_some()));
    }

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(q("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
    }
}
