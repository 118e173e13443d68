//! Stories through the `connector` binary for every Konverte resource group with the story's
//! shape, found in the registry rather than listed by hand: `create` at a collection (account
//! scoped, nested under a parent, or on the platform API), `update` and `delete` at its
//! record, `get` or `list` to read back. For each: its parent created first (a contact for
//! contact notes, a portal for articles), records created from the declared required inputs
//! in one `run` batch (one more than a page where Chatwoot pages the list), listed whole and
//! by first page, got, changed and read back, deleted and gone (`404`).

#[path = "stories/mod.rs"]
mod stories;
#[path = "../../tests/support/mod.rs"]
mod support;

use connector_sandbox::seed;
use stories::skips::KONVERTE as SKIPPED;
use stories::{Backend, groups, pages_by_cursor};
use support::*;

const KONVERTE: Backend = Backend {
    name: "konverte",
    ambient: &[("account_id", "1")],
    values: &[
        ("*", "url", "https://hooks.example.test/konverte/{n}"),
        ("*", "outgoing_url", "https://bots.example.test/{n}"),
        ("*", "slug", "story-{n}"),
        // Label titles: letters, digits, `-` and `_` (app/models/label.rb).
        ("labels", "title", "story_{n}"),
        ("canned_responses", "short_code", "story{n}"),
        ("custom_attributes", "attribute_key", "story_{n}"),
        ("articles", "author_id", "1"),
        ("campaigns", "inbox_id", "1"),
    ],
    conditional: &[
        // Devise's validatable and password_has_required_content (app/models/user.rb).
        ("users", "password", "Story-pass-{n}!"),
        // With contact_id, the conversation's contact inbox is built in inbox_id
        // (app/controllers/api/v1/accounts/conversations_controller.rb#create).
        ("conversations", "inbox_id", "1"),
        // The controller hands `role` to AgentBuilder as given, nil overriding its default
        // (app/controllers/api/v1/accounts/agents_controller.rb, app/builders/agent_builder.rb).
        ("agents", "role", "agent"),
    ],
    // A conversation starts with a contact in an inbox (the contact_id branch of
    // app/controllers/api/v1/accounts/conversations_controller.rb#create).
    references: &[("conversations", "contact_id", "contacts")],
    updates: &[],
    page_sizes: &[
        // RESULTS_PER_PAGE: app/controllers/api/v1/accounts/contacts_controller.rb
        ("contacts", 15),
        // RESULTS_PER_PAGE: enterprise/app/controllers/api/v1/accounts/companies_controller.rb
        ("companies", 25),
        // CONVERSATION_RESULTS_PER_PAGE (25): app/finders/conversation_finder.rb
        ("conversations", 25),
        // Kaminari's default of 25: app/controllers/api/v1/accounts/articles_controller.rb
        ("articles", 25),
        // Limits::CATEGORIES_PER_PAGE (1000): app/models/category.rb, lib/limits.rb
        ("categories", 1000),
    ],
    any_page: None,
    whole_page: 100,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_konverte_group_lives_through_create_list_get_update_delete() {
    assert_eq!(seed::KONVERTE_ACCOUNT_ID.to_string(), KONVERTE.ambient[0].1);
    let (groups, misfits) = groups(connector_konverte::ACTIONS, &["account_id"]);
    let names: Vec<&str> = groups.iter().map(|g| g.resource).collect();
    let unshaped: Vec<&str> = misfits.iter().map(|(r, _)| *r).collect();
    assert_eq!(unshaped, SKIPPED.unshaped(), "{misfits:?}");
    for (resource, reason) in SKIPPED.unfit {
        assert!(
            names.contains(resource),
            "{resource} ({reason}) is no group with the shape"
        );
    }
    let sandbox = konverte_sandbox().await;
    let cli = Cli::new().konverte(&sandbox);
    let told: Vec<_> = groups
        .iter()
        .enumerate()
        .filter(|(_, g)| !SKIPPED.is_unfit(g.resource))
        .collect();
    for (_, group) in &told {
        assert!(
            !pages_by_cursor(group),
            "{} pages by cursor",
            group.resource
        );
    }
    stories::tell_all(&cli, &KONVERTE, &groups, &told).await;
    assert!(told.len() >= 20, "groups told: {}", told.len());
    assert_eq!(sandbox.stats().unserved, 0);
}
