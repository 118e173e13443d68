//! In-memory fake servers for the two business APIs this workspace talks to:
//! **Konverte Digital** (a Chatwoot API) and **MOCO** (mocoapp.com).
//!
//! Each sandbox is a real HTTP/1.1 server on a local port that keeps its data in memory,
//! behaves like the real API where it matters to a client (authentication, validation with
//! 422 answers, 404 for unknown ids, pagination, webhooks) and can inject faults
//! (latency, dropped connections, 5xx, 429 and a sliding-window rate limit), in the spirit of
//! stripe-mock or LocalStack.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use connector_sandbox::{KonverteSandbox, MocoSandbox, SandboxConfig};
//!
//! let konverte = KonverteSandbox::start(SandboxConfig::default()).await?;
//! let moco = MocoSandbox::start(SandboxConfig::default()).await?;
//! println!("konverte at {} (token {})", konverte.base_url(), konverte.token());
//! println!("moco at {} (key {})", moco.base_url(), moco.api_key());
//! konverte.shutdown().await;
//! moco.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Konverte (Chatwoot)
//!
//! [`KonverteSandbox::base_url`] is the server root (`http://127.0.0.1:PORT`); the API paths
//! `/api/v1/...`, `/api/v2/...`, `/platform/api/v1/...`, `/public/api/v1/...` and
//! `/survey/responses/...` hang off it.
//!
//! * **Authentication**: the header `api_access_token` or `Api-Access-Token` (header names are
//!   case-insensitive) must carry the configured token
//!   ([`SandboxConfig::konverte_token`], default `sandbox-konverte-token`). The sandbox accepts
//!   this **one token for the user, agent-bot and platform-app endpoints alike**. The request is
//!   made as user id 1. Missing or wrong tokens get `401` with a JSON `error` message. The public
//!   client API (`/public/api/v1/inboxes/{inbox_identifier}/...`), the CSAT survey API
//!   (`/public/api/v1/csat_survey/{conversation_uuid}`) and its page need no token.
//! * **Seed data** (with [`SeedData::Minimal`], the default, and [`SeedData::Demo`]; the ids
//!   are also constants in [`seed`]):
//!   * account **id 1**, named `"Sandbox Co"`;
//!   * user / agent **id 1** (`"Sandbox Admin"`, `admin@sandbox.test`), an `administrator` of
//!     account 1;
//!   * inbox **id 1** (`"Sandbox Website"`, an API channel) in account 1 with
//!     `inbox_identifier` **`sandbox-inbox-identifier`** for the public client API; user 1 is
//!     a member of it.
//! * Stateful resources (create, get, list, update, delete, server-assigned ids, 404 for unknown
//!   ids): platform users, accounts, account users, platform and account agent bots, agents,
//!   contacts (+ search, filter, conversations, contactable and contact inboxes), conversations
//!   (+ meta, filter, status, priority, assignments, labels), messages, teams and members,
//!   inboxes and members, canned responses, custom attribute definitions, custom filters,
//!   webhooks, automation rules, integration hooks, help-center portals / categories / articles
//!   and the public client API (contacts, conversations, messages). Resolving a conversation in
//!   an inbox with `csat_survey_enabled` adds its survey message (`input_csat`, once), which the
//!   CSAT survey API reads and answers (a rating of 1 to 5 stores the answer); the
//!   [`SeedData::Demo`] data has one, in the resolved conversation 1.
//!   Reports, profile, SSO link, inbox agent bot and the survey page answer well-formed,
//!   computed responses.
//! * Validation: weak passwords (fewer than 6 characters, or missing an upper-case letter, a
//!   lower-case letter, a digit or a special character), `custom_attributes` that are not JSON
//!   objects and missing required fields answer `422` with
//!   `{"message": ..., "attributes": [field], "errors": [{"field", "message", "code"}]}`.
//! * Pagination: contact lists, searches and filters and conversation lists are paged by
//!   `?page=N` (1-based), 15 per page. Contacts answer
//!   `{"meta": {"count": TOTAL, "current_page": N}, "payload": [...]}`, conversations
//!   `{"data": {"meta": {"mine_count", "unassigned_count", "assigned_count", "all_count"},
//!   "payload": [...]}}`. A conversation's messages page by message-id cursors as the server
//!   does: the newest 20, `?before=ID` the 20 before, `?after=ID` up to 100 after, oldest
//!   first, in `{"meta": {labels, additional_attributes, contact, assignee, agent_last_seen_at,
//!   assignee_last_seen_at}, "payload": [...]}` (messages/index.json.jbuilder).
//! * Webhooks answer in the server's envelopes (`{"payload": {"webhooks": [...]}}`,
//!   `{"payload": {"webhook": {...}}}`), each with its signing `secret`; a URL is unique in an
//!   account.
//! * Response shapes follow the OpenAPI document's response schemas. Where the document and the
//!   real server disagree, the sandbox answers a superset: a single contact is the flat contact
//!   object plus `payload` holding both the flat fields and `payload.contact` /
//!   `payload.contact_inbox`; `contactable_inboxes` answers the first entry's `source_id` and
//!   `inbox` plus all entries in `payload`; the conversation filter answers both `data.meta` /
//!   `data.payload` and top-level `meta` / `payload`. Operations whose documented success answer
//!   has no body (deletes, `toggle_priority`) answer `200` with an empty body; `set_agent_bot`
//!   and an inbox without agent bot answer `204`. Updating a contact (`PUT`) answers `200` with
//!   the contact rather than the documented `204`.
//! * Creating a conversation needs a `source_id` of one of the contact's contact inboxes (the
//!   contact-create answer carries one in `payload.contact_inbox.source_id`), or a `contact_id`
//!   (then the `source_id` is attached to that contact).
//! * Account webhooks are delivered for `message_created`, `message_updated`,
//!   `conversation_created`, `conversation_status_changed`, `conversation_updated`,
//!   `conversation_typing_on` / `_off`, `contact_created`, `contact_updated`, `inbox_created`
//!   and `inbox_updated` (as a server with `ENABLE_INBOX_EVENTS` set sends them: the
//!   presenter's settings and channel, `changed_attributes` of the inbox's own columns)
//!   raised through the API, signed as Chatwoot signs them
//!   (`X-Chatwoot-Signature: sha256=` + hex HMAC-SHA256 of `"{X-Chatwoot-Timestamp}.{body}"`
//!   keyed with the webhook's `secret`, plus an `X-Chatwoot-Delivery` id). Like the server, an
//!   account webhook is sent once, not retried.
//! * Conversation events carry the conversation's `webhook_data` (as
//!   `Conversations::EventDataPresenter` builds it) and `event`. A change of status, assignee
//!   (agent or agent bot), team, labels, custom attributes, priority or `snoozed_until`
//!   raises `conversation_updated` with `changed_attributes`
//!   (`[{"status": {"previous_value": "open", "current_value": "resolved"}}, ...]`, with
//!   `updated_at`); a status change also raises `conversation_status_changed`, whose
//!   `changed_attributes` is `null` as the server's is. `toggle_typing_status` raises
//!   `conversation_typing_on` / `_off` (`user`, `conversation`, `is_private`).
//! * Message events carry the message's `webhook_data` (`message_type` by name, `created_at`
//!   as a time, the conversation's `webhook_data`, the inbox, the sender's `webhook_data`);
//!   activity messages raise none. `contact_created` carries the contact's `webhook_data`;
//!   `contact_updated` adds `changed_attributes` and is not raised when nothing changed.
//! * A new message changes its conversation as the model's callbacks do: an incoming one
//!   reopens a resolved or snoozed conversation (`pending` when the inbox has an agent bot;
//!   not for a blocked contact) and sets `waiting_since` when it was blank; an agent's first
//!   public reply sets `first_reply_created_at` and clears `waiting_since`. Only API-channel
//!   inboxes take `message_type: incoming` (`422 {"error": "Incoming messages are only
//!   allowed in Api inboxes"}`; as a new conversation's first message, `500` and no
//!   conversation).
//! * A conversation given to a team (created with `team_id`, or `assignments` with `team_id`)
//!   loses an assignee outside the team; a team with `allow_auto_assign` then assigns the next
//!   of its members in the inbox who is online (availability `online`, `auto_offline: false`),
//!   round robin per inbox.
//! * An API-channel inbox's `channel.webhook_url` gets the message, conversation and typing
//!   events of its conversations, signed with the inbox's `secret` (in the inbox's
//!   representation), once. The agent bot a conversation is assigned to (`assignments` with
//!   `assignee_type: AgentBot`) and the inbox's agent bot (`set_agent_bot`), each once, get
//!   `message_created`, `message_updated`, `conversation_updated`,
//!   `conversation_status_changed` and `conversation_resolved` / `conversation_opened` (not
//!   typing, not `conversation_created`), signed with the bot's `secret`; a bot answering
//!   `429` or `500` gets the delivery again, 3 attempts 3 s apart, as `AgentBots::WebhookJob`
//!   retries. Messages sent through the public client API raise `message_created` too.
//!   [`KonverteSandbox::webhook_deliveries`] lists what was delivered, how often, and the answer.
//!
//! # MOCO
//!
//! [`MocoSandbox::base_url`] is `http://127.0.0.1:PORT/api/v1`; MOCO paths are relative to it.
//!
//! * **Authentication**: `Authorization: Token token=KEY` or `Authorization: Bearer KEY` with
//!   the configured key ([`SandboxConfig::moco_api_key`], default `sandbox-moco-key`);
//!   otherwise `401`. Requests act as user id 1 unless `X-IMPERSONATE-USER-ID` names another
//!   existing user.
//! * **Seed data** (unless [`SeedData::Empty`]): user **id 1** (Sandbox Admin), customer company **id 1**
//!   (`"Sandbox Customer AG"`), project **id 1** (`"Sandbox Project"`, customer 1, leader 1)
//!   with task **id 1** (`"Development"`).
//! * Resources: `activities`, `companies`, `contacts/people`, `deals`, `projects` (with
//!   `projects/{project_id}/tasks`, `archive`/`unarchive`), `users`, `account/web_hooks` (with
//!   `disable`/`enable`), plus `GET /session`. Create (`POST`, `200` with the entity), get, list,
//!   update (`PUT`, merging only the given fields) and delete (`204`).
//! * Validation follows the starred (mandatory) fields of the documentation, enum values and
//!   `YYYY-MM-DD` dates, answering `422` with
//!   `{"message": ..., "errors": {"field": ["can't be blank"]}}`. For projects the mandatory
//!   fields are `name`, `currency`, `leader_id` and `customer_id`; `start_date`, `finish_date`
//!   and `budget_monthly` become mandatory for retainer projects (as the documentation's note
//!   and example request describe). Companies of type `customer` also need a `currency`.
//! * Lists honour `ids`, `updated_after`, `sort_by` (`field [asc|desc]`) and per-resource
//!   filters (see the [`MocoSandbox`] docs), and are paged by `?page=N` with
//!   [`SandboxConfig::per_page_moco`] entries (default 100) and the headers `X-Page`,
//!   `X-Per-Page`, `X-Total` and `Link: <URL>; rel="next"` (only when a next page exists).
//!   The generic tier's lists filter by any field, and by `X_id` where a record embeds `X`.
//! * Invoices: a new one is `created` unless a `draft`; `update_status` answers `204` and
//!   refuses drafts; deleting an issued invoice needs a `reason`. A reminder embeds its
//!   invoice (`invoice: {id, identifier, title}`).
//! * Webhooks: every web hook gets a 32-character lower-case hex `signature_key` (the
//!   documentation shows the key but names no field for it; `signature_key` is the name its
//!   signature example uses) in its representation. When a
//!   matching entity (`Activity`, `Company`, `Contact`, `Deal`, `Project`, `Task`, `User`) is
//!   created, updated, deleted, archived or unarchived, the entity JSON is POSTed to the hook
//!   URL with `X-Moco-Target`, `X-Moco-Event`, `X-Moco-Timestamp` (ms), `X-Moco-User-Id`,
//!   `X-Moco-Account-Url` and `X-Moco-Signature` = [`sign_moco`]`(signature_key, body)`.
//!
//! # Every declared action
//!
//! Whatever the hand-written handlers above do not serve is served from the route tables in
//! [`routes`] (one entry per declared action of both backends) by a generic stateful tier:
//! records created are listed (paged in each API's style, in the declared envelope), fetched,
//! updated and deleted; nested records belong to their parent; binary actions answer a small
//! valid PDF (Konverte CSV exports: a CSV); multipart uploads are stored and served back from
//! `GET /sandbox/files/{id}`. As on the real servers, a nested route under a parent that does
//! not exist (`/projects/999/contracts`, `/contacts/abc/notes`) answers `404`, a body that is
//! JSON but not an object `422` and one that is not JSON `400`. A request no route matches answers
//! `501` with `not in the sandbox: METHOD PATH`. Requests per route are counted
//! ([`MocoSandbox::requests_to`], [`MocoSandbox::route_counts`], [`Stats::writes`]).
//!
//! In a test of your own, one line starts it:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
//! let moco = connector_sandbox::MocoSandbox::start(Default::default()).await?;
//! let units = reqwest::Client::new()
//!     .get(format!("{}/units", moco.base_url()))
//!     .header("Authorization", format!("Token token={}", moco.api_key()))
//!     .send()
//!     .await
//!     .map_err(std::io::Error::other)?;
//! assert_eq!(units.status(), 200);
//! assert_eq!(moco.requests_to("GET", "/units"), 1);
//! assert_eq!(moco.stats().writes, 0);
//! # Ok(()) }
//! ```
//!
//! # Seed data and the state file
//!
//! [`SandboxConfig::data`] chooses the records a sandbox starts with ([`SeedData`]):
//! `Minimal` (the default; the records above, ids in [`seed`]), `Demo` (those, renamed, plus a
//! small agency and support team: MOCO units, users, customers, contact people, projects with
//! tasks, the last four weeks of activities, an invoice and an offer; Konverte agents, teams, a
//! second inbox, labels, canned responses, contacts and conversations with messages; played
//! through the sandbox's own API from data files before it accepts connections) or `Empty`.
//!
//! With [`SandboxConfig::state_file`] the records are loaded from that JSON file at start when
//! it holds some for the backend (then `data` is not used), and written back by
//! [`MocoSandbox::shutdown`] / [`MocoSandbox::save_state`] (the same on [`KonverteSandbox`]);
//! ids continue after the saved ones. One file serves both backends (a section each, and a
//! format `version`, [`STATE_VERSION`]); a file that is not valid state fails the start with a
//! [`StateError`] message naming it. Dropping a sandbox without `shutdown` writes nothing.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
//! use connector_sandbox::{MocoSandbox, SandboxConfig, SeedData};
//!
//! let file = std::env::temp_dir().join(format!("moco-state-doc-{}.json", std::process::id()));
//! let config = SandboxConfig {
//!     data: SeedData::Demo,
//!     state_file: Some(file.clone()),
//!     ..SandboxConfig::default()
//! };
//! let moco = MocoSandbox::start(config.clone()).await?;
//! moco.shutdown_and_save().await?;
//! let again = MocoSandbox::start(config).await?; // the demo records, from the file
//! again.shutdown().await;
//! # std::fs::remove_file(file)?;
//! # Ok(()) }
//! ```
//!
//! # Faults
//!
//! [`Faults`] apply to every request of a sandbox before the API logic runs, decided by a
//! seeded random generator so that runs are reproducible. Counters are in [`Stats`].

mod config;
mod demo;
mod generic;
mod http;
mod konverte;
mod moco;
pub mod routes;
mod server;
mod state;
mod stats;

pub use config::{Faults, RateLimit, SandboxConfig, SeedData};
pub use konverte::{KonverteSandbox, WebhookDelivery, WebhookReceiver};
pub use moco::MocoSandbox;
pub use state::{STATE_VERSION, StateError};
pub use stats::Stats;

/// Ids of the seed records, present with [`SeedData::Minimal`] (the default) and
/// [`SeedData::Demo`].
pub mod seed {
    /// Konverte account `"Sandbox Co"`.
    pub const KONVERTE_ACCOUNT_ID: u64 = 1;
    /// Konverte user and agent (administrator of account 1); requests act as this user.
    pub const KONVERTE_USER_ID: u64 = 1;
    /// Konverte inbox (an API channel) of account 1.
    pub const KONVERTE_INBOX_ID: u64 = 1;
    /// The seeded inbox's `inbox_identifier` for the public client API.
    pub const KONVERTE_INBOX_IDENTIFIER: &str = "sandbox-inbox-identifier";
    /// MOCO user; requests act as this user unless impersonating.
    pub const MOCO_USER_ID: u64 = 1;
    /// MOCO customer company.
    pub const MOCO_COMPANY_ID: u64 = 1;
    /// MOCO project of customer 1, led by user 1.
    pub const MOCO_PROJECT_ID: u64 = 1;
    /// MOCO task of project 1.
    pub const MOCO_TASK_ID: u64 = 1;
}

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Signs a MOCO webhook body the way MOCO does: lower-case hex HMAC-SHA256 of `body`, keyed with
/// the ASCII bytes of the web hook's 32-character `secret` (its `signature_key`).
pub fn sign_moco(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::sign_moco;

    #[test]
    fn signs_like_the_documentation_example() {
        assert_eq!(
            sign_moco(
                "1d608b9d72219b90ff2393a1d3ee0ac0",
                br#"{"id":111,"description":"a description"}"#
            ),
            "bf027a86207ef1ca1cb76f5a536b41a14287ab1a0fd5b33bfe86924bc2f48fd1"
        );
    }
}

/// The sandbox's own copies of enumerated values it validates against, exported so that a test
/// outside this crate can compare them with the registries' generated enums.
pub mod enums {
    pub use crate::konverte::records::{
        AUTOMATION_EVENTS as KONVERTE_AUTOMATION_EVENTS,
        CONTENT_TYPES as KONVERTE_MESSAGE_CONTENT_TYPES, MESSAGE_TYPES as KONVERTE_MESSAGE_TYPES,
        WEBHOOK_EVENTS as KONVERTE_WEBHOOK_EVENTS,
    };
    pub use crate::moco::validate::{
        REMOTE_SERVICES as MOCO_REMOTE_SERVICES, TAGGED_ENTITIES as MOCO_TAGGED_ENTITIES,
        WEB_HOOK_EVENTS as MOCO_WEB_HOOK_EVENTS, WEB_HOOK_TARGETS as MOCO_WEB_HOOK_TARGETS,
    };
}
