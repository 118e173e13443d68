//! Names instead of ids, told through the real `connector` binary against an in-process MOCO
//! sandbox: a big batch names its projects by identifier and its tasks by name, and the
//! sandbox's own counters prove that each distinct list was fetched once; ambiguous and
//! unknown names stop before anything is written.

#[path = "support/mod.rs"]
mod support;

use connector_sandbox::SandboxConfig;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use support::{Cli, all_ok, moco_sandbox, to_json_lines};

const BATCH: usize = 500;

/// Creates a project through the CLI (its leader and customer named, not numbered) and
/// returns its id.
async fn project(cli: &Cli, name: &str, identifier: &str) -> u64 {
    let run = cli
        .run(&[
            "moco",
            "projects",
            "create",
            "--name",
            name,
            "--identifier",
            identifier,
            "--currency",
            "EUR",
            "--leader_id",
            "admin@sandbox.test",
            "--customer_id",
            "Sandbox Customer AG",
            "--output",
            "json",
        ])
        .await;
    run.expect_code(0).json()["id"]
        .as_u64()
        .expect("the project has an id")
}

/// Adds a task to a project named by its identifier and returns the task's id.
async fn task(cli: &Cli, project: &str, name: &str) -> u64 {
    let run = cli
        .run(&[
            "moco",
            "project_tasks",
            "create",
            "--project_id",
            project,
            "--name",
            name,
            "--output",
            "json",
        ])
        .await;
    run.expect_code(0).json()["id"]
        .as_u64()
        .expect("the task has an id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_activities_by_project_identifier_and_task_name() {
    let sandbox = moco_sandbox(SandboxConfig::default()).await;
    let cli = Cli::new().moco(&sandbox);
    // The seed project P001 has the task "Development"; two more projects share a task name,
    // so a task name only means something within its project.
    let alpha = project(&cli, "Alpha", "P-ALPHA").await;
    let beta = project(&cli, "Beta", "P-BETA").await;
    let mut tasks: BTreeMap<(&str, &str), (u64, u64)> = BTreeMap::new();
    tasks.insert(("P001", "development"), (1, 1));
    for (project_identifier, project_id, name) in [
        ("P-ALPHA", alpha, "Design"),
        ("P-ALPHA", alpha, "Build"),
        ("P-BETA", beta, "Design"),
        ("P-BETA", beta, "QA"),
    ] {
        let id = task(&cli, project_identifier, name).await;
        let key = (project_identifier, name);
        tasks.insert(key, (project_id, id));
    }
    let keys: Vec<(&str, &str)> = tasks.keys().copied().collect();
    let inputs: Vec<Value> = (0..BATCH)
        .map(|i| {
            let (project, task) = keys[i % keys.len()];
            // Names match whatever the case and surrounding blanks.
            let task = if i % 2 == 0 {
                task.to_uppercase()
            } else {
                format!("  {task} ")
            };
            json!({
                "date": format!("2026-11-{:02}", 1 + i % 30),
                "project_id": project,
                "task_id": task,
                "seconds": 900,
                "description": format!("named activity {i}"),
            })
        })
        .collect();
    let file = cli.write_file("named.jsonl", to_json_lines(&inputs));
    let input = format!("@{}", file.display());

    let before = sandbox.stats();
    let run = cli
        .run(&[
            "run",
            "moco",
            "activities.create",
            "--input",
            &input,
            "--rate-limit",
            "off",
            "--concurrency",
            "8",
        ])
        .await;
    run.expect_code(0);
    let created = all_ok(&run, BATCH);
    let after = sandbox.stats();

    for (i, activity) in created.iter().enumerate() {
        let (project, _) = keys[i % keys.len()];
        let (project_id, task_id) = tasks[&keys[i % keys.len()]];
        assert_eq!(
            activity["project"]["id"],
            json!(project_id),
            "item {i} ({project})"
        );
        assert_eq!(activity["task"]["id"], json!(task_id), "item {i}");
    }
    assert_eq!(after.created - before.created, BATCH as u64, "500 creates");
    // One projects list (one page) and one project fetched for its tasks per distinct project:
    // the lookups are shared by the concurrent items, not repeated per item.
    let distinct_projects = 3;
    assert_eq!(
        after.requests - before.requests,
        BATCH as u64 + 1 + distinct_projects,
        "500 creates, 1 projects list, 3 projects fetched for their tasks"
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ambiguous_or_unknown_name_writes_nothing() {
    let sandbox = moco_sandbox(SandboxConfig::default()).await;
    let cli = Cli::new().moco(&sandbox);
    let first = project(&cli, "Twin", "T-1").await;
    let second = project(&cli, "Twin", "T-2").await;

    let before = sandbox.stats();
    let ambiguous = cli
        .run(&[
            "moco",
            "activities",
            "create",
            "--date",
            "2026-11-03",
            "--project_id",
            "twin",
            "--task_id",
            "1",
        ])
        .await;
    ambiguous.expect_code(2);
    for id in [first, second] {
        assert!(
            ambiguous.stderr.contains(&format!("id {id}")),
            "both candidates are named with their ids: {}",
            ambiguous.stderr
        );
    }
    assert!(
        ambiguous.stderr.contains("project_id"),
        "{}",
        ambiguous.stderr
    );
    let after = sandbox.stats();
    assert_eq!(after.created, before.created, "nothing created");
    assert_eq!(
        after.requests - before.requests,
        1,
        "only the projects list"
    );

    let before = after;
    let unknown = cli
        .run(&[
            "moco",
            "activities",
            "create",
            "--date",
            "2026-11-03",
            "--project_id",
            "P001",
            "--task_id",
            "Devlopment",
        ])
        .await;
    unknown.expect_code(2);
    assert!(
        unknown.stderr.contains("\"Devlopment\"")
            && unknown.stderr.contains("\"Development\" (id 1)"),
        "names the value and the close candidate with its id: {}",
        unknown.stderr
    );
    let after = sandbox.stats();
    assert_eq!(after.created, before.created, "nothing created");
    assert_eq!(
        after.requests - before.requests,
        2,
        "only the projects list and the project's tasks"
    );

    // --dry-run looks names up (reads) and shows what it found, but writes nothing.
    let before = after;
    let dry = cli
        .run(&[
            "moco",
            "activities",
            "create",
            "--date",
            "2026-11-03",
            "--project_id",
            "T-2",
            "--task_id",
            "1",
            "--dry-run",
        ])
        .await;
    let shown = dry.expect_code(0).json();
    assert_eq!(shown["body"]["project_id"], json!(second));
    assert_eq!(shown["lookups"][0]["field"], "project_id");
    assert_eq!(shown["lookups"][0]["via"], "projects.list");
    let after = sandbox.stats();
    assert_eq!(after.created, before.created);
    assert_eq!(after.requests - before.requests, 1, "the lookup only");
    sandbox.shutdown().await;
}

/// Runs a Konverte command for account 1 and returns its JSON answer.
async fn konverte(cli: &Cli, args: &[&str]) -> Value {
    let mut all = vec!["konverte"];
    all.extend_from_slice(args);
    all.extend(["--account_id", "1", "--output", "json"]);
    cli.run(&all).await.expect_code(0).json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn konverte_agents_by_e_mail_teams_and_inboxes_by_name() {
    let sandbox = support::konverte_sandbox().await;
    let cli = Cli::new().konverte(&sandbox);
    let mut agents = Vec::new();
    for (name, email) in [
        ("Ada Lovelace", "ada@support.test"),
        ("Grace Hopper", "grace@support.test"),
    ] {
        let agent = konverte(
            &cli,
            &[
                "agents", "create", "--name", name, "--email", email, "--role", "agent",
            ],
        )
        .await;
        agents.push(agent["id"].as_u64().expect("an agent id"));
    }
    let team = konverte(&cli, &["teams", "create", "--name", "Billing"]).await;
    let team_id = team["id"].as_u64().expect("a team id");
    konverte(
        &cli,
        &[
            "contacts",
            "create",
            "--inbox_id",
            "Sandbox Website",
            "--name",
            "Lin",
            "--email",
            "lin@example.test",
        ],
    )
    .await;
    let conversation = konverte(
        &cli,
        &[
            "conversations",
            "create",
            "--inbox_id",
            "sandbox website",
            "--contact_id",
            "lin@example.test",
        ],
    )
    .await;
    let number = conversation["id"]
        .as_u64()
        .expect("a conversation number")
        .to_string();

    // The team first: a team change unassigns an agent who is not in the team
    // (assignment_handler.rb#ensure_assignee_is_from_team).
    let teamed = konverte(
        &cli,
        &[
            "conversations",
            "assign",
            "--conversation_id",
            &number,
            "--team_id",
            "billing",
        ],
    )
    .await;
    assert_eq!(teamed["id"], json!(team_id), "given to the team: {teamed}");
    let assigned = konverte(
        &cli,
        &[
            "conversations",
            "assign",
            "--conversation_id",
            &number,
            "--assignee_id",
            "ADA@support.test",
        ],
    )
    .await;
    assert_eq!(
        assigned["id"],
        json!(agents[0]),
        "assigned to Ada: {assigned}"
    );

    let shown = konverte(
        &cli,
        &["conversations", "get", "--conversation_id", &number],
    )
    .await;
    assert_eq!(shown["meta"]["assignee"]["id"], json!(agents[0]), "{shown}");
    assert_eq!(shown["meta"]["team"]["id"], json!(team_id), "{shown}");

    konverte(
        &cli,
        &[
            "inboxes",
            "add_members",
            "--inbox_id",
            "Sandbox Website",
            "--user_ids",
            "ada@support.test,Grace Hopper",
        ],
    )
    .await;
    let members = konverte(
        &cli,
        &["inboxes", "members", "--inbox_id", "Sandbox Website"],
    )
    .await;
    let member_ids: Vec<u64> = members["payload"]
        .as_array()
        .unwrap_or_else(|| panic!("members under payload: {members}"))
        .iter()
        .filter_map(|m| m["id"].as_u64())
        .collect();
    for id in &agents {
        assert!(
            member_ids.contains(id),
            "agent {id} is a member: {member_ids:?}"
        );
    }

    let before = sandbox.stats();
    let unknown = cli
        .run(&[
            "konverte",
            "conversations",
            "assign",
            "--account_id",
            "1",
            "--conversation_id",
            &number,
            "--assignee_id",
            "ada@support.tset",
        ])
        .await;
    unknown.expect_code(2);
    assert!(
        unknown.stderr.contains("assignee_id") && unknown.stderr.contains("ada@support.test"),
        "names the parameter and the close candidate: {}",
        unknown.stderr
    );
    let after = sandbox.stats();
    assert_eq!(after.writes, before.writes, "nothing written");
    assert_eq!(after.requests - before.requests, 1, "only the agents list");
    sandbox.shutdown().await;
}
