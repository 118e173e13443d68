//! Stories through the `connector` binary for every MOCO resource group with the story's
//! shape, found in the registry rather than listed by hand: `create` at a collection (`/R`, or
//! nested under a parent as `/projects/{project_id}/tasks`), `update` and `delete` at its
//! record, `get` or `list` to read back. For each: its parent created first, three records
//! created from the declared required inputs (one `run` batch), listed back across pages of
//! two, got, changed and read back, deleted and gone.

#[path = "stories/mod.rs"]
mod stories;
#[path = "../../tests/support/mod.rs"]
mod support;

use connector_sandbox::SandboxConfig;
use stories::skips::MOCO as SKIPPED;
use stories::{Backend, groups};
use support::*;

const MOCO: Backend = Backend {
    name: "moco",
    ambient: &[],
    // Parameters whose type says too little (an ISO currency code, a URL).
    values: &[
        ("*", "currency", "EUR"),
        ("*", "hook", "https://hooks.example.test/moco"),
        // users.md shows a long password; the sandbox refuses fewer than 8 characters.
        ("users", "password", "Story-pass-{n}"),
    ],
    // A customer needs a currency (moco-api/sections/companies.md).
    conditional: &[("companies", "currency", "EUR")],
    references: &[],
    // A web hook's only string is its URL; employments and contracts have no string.
    updates: &[
        (
            "web_hooks",
            "hook",
            "https://hooks.example.test/moco/renamed",
        ),
        ("employments", "from", "2026-12-01"),
        ("project_contracts", "active", "false"),
    ],
    page_sizes: &[],
    any_page: Some(PER_PAGE),
    whole_page: 100,
};

/// Records per page of every MOCO list in the story sandbox.
const PER_PAGE: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_moco_group_lives_through_create_list_get_update_delete() {
    let (groups, misfits) = groups(connector_moco::ACTIONS, &[]);
    let names: Vec<&str> = groups.iter().map(|g| g.resource).collect();
    let unshaped: Vec<&str> = misfits.iter().map(|(r, _)| *r).collect();
    assert_eq!(unshaped, SKIPPED.unshaped(), "{misfits:?}");
    assert!(
        groups.iter().filter(|g| g.parents.is_empty()).count() >= 20,
        "plain groups: {names:?}"
    );
    assert!(
        groups
            .iter()
            .any(|g| g.parents == [("project_id", "projects")]),
        "nested groups: {names:?}"
    );
    for (resource, reason) in SKIPPED.unfit {
        assert!(
            names.contains(resource),
            "{resource} ({reason}) is no group with the shape"
        );
    }
    let sandbox = moco_sandbox(SandboxConfig {
        per_page_moco: PER_PAGE,
        ..SandboxConfig::default()
    })
    .await;
    let cli = Cli::new().moco(&sandbox);
    let told: Vec<_> = groups
        .iter()
        .enumerate()
        .filter(|(_, g)| !SKIPPED.is_unfit(g.resource))
        .collect();
    stories::tell_all(&cli, &MOCO, &groups, &told).await;
    assert_eq!(sandbox.stats().unserved, 0);
}
