//! Stories through the `connector` binary for the Konverte groups the derived stories skip
//! (`stories/skips.rs`), each in the shape Chatwoot 4.15.1 gives it: a conversation's
//! messages, walked by cursor, changed only in their delivery status and blanked out rather
//! than removed; a platform account's users, added and removed at the collection.

#[path = "stories/mod.rs"]
mod stories;
#[path = "../../tests/support/mod.rs"]
mod support;

use serde_json::{Value, json};
use stories::skips::KONVERTE as SKIPPED;
use stories::tailored::{self, Story, document, expect, id_of, ids, ok, refused, run};
use support::*;

const TAILORED: &[(&str, Story)] = &[
    ("messages", |cli| Box::pin(messages(cli))),
    ("account_users", |cli| Box::pin(account_users(cli))),
];

/// Messages per page of `messages.list` without a cursor, and before one
/// (app/finders/message_finder.rb: `limit(20)`).
const MESSAGE_PAGE: usize = 20;

#[test]
fn every_group_the_derived_stories_skip_has_a_tailored_story() {
    tailored::check_coverage(&SKIPPED, TAILORED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_skipped_konverte_groups_live_in_their_own_shape() {
    let sandbox = konverte_sandbox().await;
    let cli = Cli::new().konverte(&sandbox);
    tailored::tell(&cli, TAILORED).await;
    assert_eq!(sandbox.stats().unserved, 0);
}

/// A new conversation with a new contact in inbox `inbox`; its display id.
async fn conversation_in(cli: &Cli, inbox: &str, name: &str) -> Result<String, String> {
    let contact = ok(
        cli,
        &[
            "konverte",
            "contacts",
            "create",
            "--account_id",
            "1",
            "--inbox_id",
            inbox,
            "--name",
            name,
        ],
    )
    .await?;
    let contact = document(&contact)?;
    let source_id = contact["payload"]["contact_inbox"]["source_id"]
        .as_str()
        .ok_or(format!("no contact inbox: {contact}"))?
        .to_owned();
    let conversation = ok(
        cli,
        &[
            "konverte",
            "conversations",
            "create",
            "--account_id",
            "1",
            "--inbox_id",
            inbox,
            "--source_id",
            &source_id,
        ],
    )
    .await?;
    id_of(&document(&conversation)?)
}

/// `konverte messages ACTION --account_id 1 --conversation_id C ARGS`.
async fn on_messages(cli: &Cli, conversation: &str, verb: &str, args: &[&str]) -> support::Run {
    let mut all = vec![
        "konverte",
        "messages",
        verb,
        "--account_id",
        "1",
        "--conversation_id",
        conversation,
    ];
    all.extend_from_slice(args);
    run(cli, &all).await
}

/// Checked against app/controllers/api/v1/accounts/conversations/messages_controller.rb
/// (`ensure_api_inbox` before `update`; `destroy` updates content, content_type and
/// content_attributes and removes the attachments), app/finders/message_finder.rb (the latest
/// 20, 20 before `before`), app/services/messages/status_update_service.rb (known statuses,
/// never read → delivered, external_error only with failed), app/models/message.rb (the
/// status enum; external_error kept in content_attributes), config/locales/en.yml
/// (`conversations.messages.deleted`) and the messages views (index renders `payload`;
/// update and destroy render the message).
async fn messages(cli: &Cli) -> Result<(), String> {
    let conversation = conversation_in(cli, "1", "Message story").await?;
    // More than a page: the list's `--all` walks back with `before` until a page is empty.
    let count = MESSAGE_PAGE + 5;
    let lines: String = (1..=count)
        .map(|n| {
            let message = json!({"account_id": 1, "conversation_id": conversation,
                "content": format!("story message {n}")});
            format!("{message}\n")
        })
        .collect();
    let sent = cli
        .run_with_stdin(
            &[
                "run",
                "konverte",
                "messages.create",
                "--input",
                "-",
                "--rate-limit",
                "off",
            ],
            lines,
        )
        .await;
    expect(sent.code == 0, || format!("create: {}", sent.stderr))?;
    let created: Vec<String> = sent
        .lines()
        .iter()
        .map(|outcome| id_of(&outcome["response"]))
        .collect::<Result<_, _>>()?;
    expect(created.len() == count, || {
        format!("{count} sent: {}", sent.stdout)
    })?;

    let first = on_messages(cli, &conversation, "list", &["--output", "jsonl"]).await;
    expect(first.code == 0, || format!("list: {}", first.stderr))?;
    expect(first.lines().len() == MESSAGE_PAGE, || {
        format!("first page: {} messages", first.lines().len())
    })?;
    let listed = list_all(cli, &conversation).await?;
    let listed_ids = ids(&listed);
    for id in &created {
        let times = listed_ids.iter().filter(|l| *l == id).count();
        expect(times == 1, || {
            format!("message {id} listed {times} times: {listed_ids:?}")
        })?;
    }
    expect(listed_ids.len() == count, || {
        format!("{} listed, {count} in the conversation", listed_ids.len())
    })?;

    // The delivery status, and only forward from read.
    let message = &created[3];
    for (status, expected) in [
        ("delivered", "delivered"),
        ("read", "read"),
        ("delivered", "read"),
    ] {
        let updated = on_messages(
            cli,
            &conversation,
            "update",
            &["--message_id", message, "--status", status],
        )
        .await;
        expect(updated.code == 0, || format!("update: {}", updated.stderr))?;
        let answer = document(&updated)?;
        expect(answer["status"] == expected, || {
            format!("status {status} gives {}, not {expected}", answer["status"])
        })?;
    }
    let failed = on_messages(
        cli,
        &conversation,
        "update",
        &[
            "--message_id",
            &created[4],
            "--status",
            "failed",
            "--external_error",
            "channel down",
        ],
    )
    .await;
    expect(failed.code == 0, || format!("update: {}", failed.stderr))?;
    let failed = document(&failed)?;
    expect(
        failed["status"] == "failed"
            && failed["content_attributes"]["external_error"] == "channel down",
        || format!("failed with an error: {failed}"),
    )?;
    let read = find(&list_all(cli, &conversation).await?, message)?;
    expect(read["status"] == "read", || {
        format!("listed after update: {read}")
    })?;

    // Outside an API-channel inbox the status is not the agent's to set.
    let widget = ok(
        cli,
        &[
            "konverte",
            "inboxes",
            "create",
            "--account_id",
            "1",
            "--name",
            "Story website",
            "--channel",
            r#"{"type": "web_widget", "website_url": "https://shop.example.test"}"#,
        ],
    )
    .await?;
    let widget = id_of(&document(&widget)?)?;
    let elsewhere = conversation_in(cli, &widget, "Website visitor").await?;
    let reply = on_messages(cli, &elsewhere, "create", &["--content", "Hello"]).await;
    expect(reply.code == 0, || format!("create: {}", reply.stderr))?;
    let reply = id_of(&document(&reply)?)?;
    let forbidden = on_messages(
        cli,
        &elsewhere,
        "update",
        &["--message_id", &reply, "--status", "read"],
    )
    .await;
    refused(&forbidden, "403")?;

    // Deleting keeps the message, blanked out.
    let doomed = &created[7];
    let deleted = on_messages(cli, &conversation, "delete", &["--message_id", doomed]).await;
    expect(deleted.code == 0, || format!("delete: {}", deleted.stderr))?;
    blanked(&document(&deleted)?)?;
    let listed = list_all(cli, &conversation).await?;
    expect(listed.len() == count, || {
        format!("{} listed after delete, {count} before", listed.len())
    })?;
    blanked(&find(&listed, doomed)?)?;
    let kept = find(&listed, &created[8])?;
    expect(kept["content"] == "story message 9", || {
        format!("another message: {kept}")
    })
}

/// The whole list of a conversation's messages (`--all`).
async fn list_all(cli: &Cli, conversation: &str) -> Result<Vec<Value>, String> {
    let all = on_messages(cli, conversation, "list", &["--all", "--output", "jsonl"]).await;
    expect(all.code == 0, || format!("list --all: {}", all.stderr))?;
    Ok(all.lines())
}

fn find(records: &[Value], id: &str) -> Result<Value, String> {
    records
        .iter()
        .find(|r| r["id"].as_u64().is_some_and(|n| n.to_string() == id))
        .cloned()
        .ok_or(format!("{id} not among {:?}", ids(records)))
}

/// A message as `destroy` leaves it.
fn blanked(message: &Value) -> Result<(), String> {
    expect(
        message["content"] == "This message was deleted"
            && message["content_type"] == "text"
            && message["content_attributes"] == json!({"deleted": true}),
        || format!("a deleted message: {message}"),
    )
}

/// `konverte account_users ARGS --account_id 1`.
async fn memberships(cli: &Cli, verb: &str, args: &[&str]) -> support::Run {
    let mut all = vec!["konverte", "account_users", verb, "--account_id", "1"];
    all.extend_from_slice(args);
    run(cli, &all).await
}

/// The memberships of account 1 that belong to `user`.
async fn memberships_of(cli: &Cli, user: &str) -> Result<Vec<Value>, String> {
    let listed = memberships(cli, "list", &["--output", "jsonl"]).await;
    expect(listed.code == 0, || format!("list: {}", listed.stderr))?;
    Ok(listed
        .lines()
        .into_iter()
        .filter(|m| m["user_id"].as_u64().is_some_and(|u| u.to_string() == user))
        .collect())
}

/// Checked against config/routes.rb (`resources :account_users, only: [:index, :create]`
/// with `delete :destroy` on the collection), app/controllers/platform/api/v1/
/// account_users_controller.rb (`find_or_initialize_by(user_id:)` then `update!` with
/// user_id and role; `destroy` finds by user_id, destroys if found, `head :ok`) and
/// app/models/account_user.rb (role defaults to agent).
async fn account_users(cli: &Cli) -> Result<(), String> {
    // A password is never an argument: the user comes from a `run` input line.
    let input = json!({"name": "Member story", "email": "member-story@example.test",
        "password": "Story-pass-1!"});
    let made = cli
        .run_with_stdin(
            &[
                "run",
                "konverte",
                "users.create",
                "--input",
                "-",
                "--rate-limit",
                "off",
            ],
            format!("{input}\n"),
        )
        .await;
    expect(made.code == 0, || {
        format!("users.create: {}{}", made.stdout, made.stderr)
    })?;
    let outcome = made.lines().first().cloned().unwrap_or_default();
    let user = id_of(&outcome["response"])?;
    expect(memberships_of(cli, &user).await?.is_empty(), || {
        format!("user {user} is a member before being added")
    })?;

    let added = memberships(cli, "create", &["--user_id", &user]).await;
    expect(added.code == 0, || format!("create: {}", added.stderr))?;
    let added = document(&added)?;
    expect(added["role"] == "agent", || {
        format!("a new member without a role: {added}")
    })?;
    let listed = memberships_of(cli, &user).await?;
    expect(listed.len() == 1 && listed[0]["role"] == "agent", || {
        format!("listed once, as agent: {listed:?}")
    })?;

    // Adding again changes the role of the one membership.
    let promoted = memberships(
        cli,
        "create",
        &["--user_id", &user, "--role", "administrator"],
    )
    .await;
    expect(promoted.code == 0, || {
        format!("create: {}", promoted.stderr)
    })?;
    let listed = memberships_of(cli, &user).await?;
    expect(
        listed.len() == 1 && listed[0]["role"] == "administrator",
        || format!("listed once, as administrator: {listed:?}"),
    )?;

    let removed = memberships(cli, "delete", &["--user_id", &user]).await;
    expect(removed.code == 0, || format!("delete: {}", removed.stderr))?;
    let listed = memberships_of(cli, &user).await?;
    expect(listed.is_empty(), || {
        format!("listed after removal: {listed:?}")
    })?;
    let again = memberships(cli, "delete", &["--user_id", &user]).await;
    expect(again.code == 0, || {
        format!("removing a non-member succeeds: {}", again.stderr)
    })?;
    // The user itself stays.
    ok(cli, &["konverte", "users", "get", "--id", &user])
        .await
        .map(|_| ())
}
