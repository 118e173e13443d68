//! `--help` at every level of the tree as golden files (tests/snapshots/help_golden__*.snap):
//! the root, a backend, a resource, verbs (a create, a paged list, a get with a positional
//! id), `run`, `api`, `download` and the webhook helpers. A 100-column width (`COLUMNS`,
//! which clap reads when stdout is not a terminal) and no colours (`NO_COLOR`, a pipe)
//! make the text the same on every machine. After a deliberate change to the tree, review
//! the new text with `cargo insta review` (or `INSTA_UPDATE=always`) and commit it.

mod common;

use common::{code, connector, stderr, stdout};

fn help(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    let out = connector(home.path())
        .env("COLUMNS", "100")
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// Each snapshot's name and the command line whose `--help` it holds.
const LEVELS: &[(&str, &[&str])] = &[
    ("root", &[]),
    ("moco", &["moco"]),
    ("konverte", &["konverte"]),
    ("moco_activities", &["moco", "activities"]),
    ("moco_activities_create", &["moco", "activities", "create"]),
    ("moco_activities_list", &["moco", "activities", "list"]),
    ("moco_activities_get", &["moco", "activities", "get"]),
    ("konverte_contacts_get", &["konverte", "contacts", "get"]),
    ("run", &["run"]),
    ("api", &["api"]),
    ("moco_download", &["moco", "download"]),
    ("konverte_download", &["konverte", "download"]),
    ("moco_webhooks", &["moco", "webhooks"]),
    ("moco_webhooks_listen", &["moco", "webhooks", "listen"]),
    ("moco_webhooks_verify", &["moco", "webhooks", "verify"]),
    ("moco_webhooks_ensure", &["moco", "webhooks", "ensure"]),
    ("konverte_webhooks", &["konverte", "webhooks"]),
    (
        "konverte_webhooks_listen",
        &["konverte", "webhooks", "listen"],
    ),
    (
        "konverte_webhooks_verify",
        &["konverte", "webhooks", "verify"],
    ),
    (
        "konverte_webhooks_ensure",
        &["konverte", "webhooks", "ensure"],
    ),
];

#[test]
fn help_at_every_level_is_golden() {
    for (name, args) in LEVELS {
        insta::assert_snapshot!(*name, help(args));
    }
}

#[test]
fn help_does_not_depend_on_the_terminal_it_would_have_had() {
    // The width comes from COLUMNS only; a second run gives the same bytes.
    let args = ["moco", "activities", "create"];
    assert_eq!(help(&args), help(&args));
    let home = tempfile::tempdir().unwrap();
    let narrow = connector(home.path())
        .env("COLUMNS", "60")
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert_ne!(stdout(&narrow), help(&args), "COLUMNS sets the width");
    assert!(!stdout(&narrow).contains('\x1b'), "no colours in a pipe");
}
