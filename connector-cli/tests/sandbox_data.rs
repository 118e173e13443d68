//! `connector sandbox --data` and `--state`, through the real processes: the demo records are
//! listed, `empty` has none, and records written through the CLI survive a restart.

mod common;

use common::process::*;
use common::*;
use serde_json::Value;
use std::path::Path;

/// Runs `connector ARGS` against the sandbox whose exports are `env`; stdout's JSON lines.
fn json_lines(home: &Path, env: &[(String, String)], args: &[&str]) -> Vec<Value> {
    let out = with_env(home, env)
        .args(args)
        .args(["--rate-limit", "off"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    lines(&out)
}

fn names(records: &[Value], key: &str) -> Vec<String> {
    records
        .iter()
        .map(|r| r[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn demo_data_is_listed_and_empty_has_none() {
    let home = tempfile::tempdir().unwrap();
    let mut sandbox = Running::start(home.path(), &["sandbox", "--data", "demo"], &[]);
    let env = exports(&mut sandbox);
    let home = home.path();

    let projects = json_lines(home, &env, &["moco", "projects", "list", "--all"]);
    let projects = names(&projects, "name");
    assert!(
        projects.contains(&"Customer Portal".to_owned()),
        "{projects:?}"
    );
    assert_eq!(projects.len(), 3, "{projects:?}");
    let tasks = json_lines(
        home,
        &env,
        &[
            "moco",
            "project_tasks",
            "list",
            "--project_id",
            "2",
            "--all",
        ],
    );
    assert_eq!(names(&tasks, "name"), ["Concept", "Frontend", "Backend"]);
    let users = json_lines(home, &env, &["moco", "users", "list", "--all"]);
    assert_eq!(users.len(), 4, "{users:?}");
    let activities = json_lines(home, &env, &["moco", "activities", "list", "--all"]);
    assert!(activities.len() > 60, "{} activities", activities.len());
    let invoices = json_lines(home, &env, &["moco", "invoices", "list", "--all"]);
    assert_eq!(invoices.len(), 1, "{invoices:?}");
    assert_eq!(invoices[0]["customer_id"], 2);
    let offers = json_lines(home, &env, &["moco", "offers", "list", "--all"]);
    assert_eq!(offers.len(), 1, "{offers:?}");
    let units = json_lines(home, &env, &["moco", "units", "list", "--all"]);
    assert_eq!(
        names(&units, "name"),
        ["Management", "Design", "Development"]
    );

    let conversations = json_lines(
        home,
        &env,
        &[
            "konverte",
            "conversations",
            "list",
            "--account_id",
            "1",
            "--status",
            "all",
            "--all",
        ],
    );
    assert_eq!(conversations.len(), 6, "{conversations:?}");
    let labelled = conversations
        .iter()
        .find(|c| c["id"] == 2)
        .expect("conversation 2");
    assert_eq!(labelled["labels"], serde_json::json!(["bug", "vip"]));
    let messages = json_lines(
        home,
        &env,
        &[
            "konverte",
            "messages",
            "list",
            "--account_id",
            "1",
            "--conversation_id",
            "1",
            "--all",
        ],
    );
    assert!(messages.len() >= 4, "{messages:?}");
    let inboxes = json_lines(
        home,
        &env,
        &["konverte", "inboxes", "list", "--account_id", "1"],
    );
    let inboxes = inboxes[0]["payload"]
        .as_array()
        .expect("inboxes under payload");
    assert_eq!(names(inboxes, "name"), ["Sandbox Website", "Website Chat"]);
    let agents = json_lines(
        home,
        &env,
        &["konverte", "agents", "list", "--account_id", "1"],
    );
    let agents = agents[0].as_array().expect("the agents as one array");
    assert_eq!(
        names(agents, "name"),
        [
            "Katrin Albers",
            "Mara Jensen",
            "Jonas Becker",
            "Aylin Demir"
        ]
    );
    assert_eq!(sandbox.terminate(), 0);

    let empty: [&[&str]; 2] = [
        &["sandbox", "--data", "empty"],
        &["sandbox", "--empty", "--seed", "7"],
    ];
    for args in empty {
        let mut sandbox = Running::start(home, args, &[]);
        let env = exports(&mut sandbox);
        let projects = json_lines(home, &env, &["moco", "projects", "list", "--all"]);
        assert_eq!(projects, Vec::<Value>::new(), "{args:?}");
        let account = json_lines(
            home,
            &env,
            &["konverte", "accounts", "create", "--name", "A"],
        );
        assert_eq!(account[0]["id"], 1, "{args:?}: the first account");
        let conversations = json_lines(
            home,
            &env,
            &[
                "konverte",
                "conversations",
                "list",
                "--account_id",
                "1",
                "--all",
            ],
        );
        assert_eq!(conversations, Vec::<Value>::new(), "{args:?}");
        assert_eq!(sandbox.terminate(), 0);
    }
}

#[test]
fn records_survive_a_restart_with_state() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let state = home.join("sandbox-state.json");
    let state_arg = state.display().to_string();

    let mut sandbox = Running::start(home, &["sandbox", "--state", &state_arg], &[]);
    let env = exports(&mut sandbox);
    let create_company = |env: &[(String, String)], name: &str| {
        let created = json_lines(
            home,
            env,
            &[
                "moco",
                "companies",
                "create",
                "--name",
                name,
                "--type",
                "supplier",
            ],
        );
        created[0]["id"].as_u64().expect("a company id")
    };
    let kept = create_company(&env, "Kept GmbH");
    let unit = json_lines(
        home,
        &env,
        &["moco", "units", "create", "--name", "Kept unit"],
    );
    let contact = json_lines(
        home,
        &env,
        &[
            "konverte",
            "contacts",
            "create",
            "--account_id",
            "1",
            "--inbox_id",
            "1",
            "--name",
            "Kept Contact",
        ],
    );
    let contact_id = contact[0]["id"].as_u64().expect("a contact id");
    assert_eq!(sandbox.terminate(), 0);
    let file: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(file["version"], 1);

    // Started again, even with other seed data asked for: the file's records are there.
    let mut sandbox = Running::start(
        home,
        &["sandbox", "--state", &state_arg, "--data", "demo"],
        &[],
    );
    let env = exports(&mut sandbox);
    let id = kept.to_string();
    let got = json_lines(home, &env, &["moco", "companies", "get", &id]);
    assert_eq!(got[0]["name"], "Kept GmbH");
    assert_eq!(create_company(&env, "Next GmbH"), kept + 1, "ids continue");
    let units = json_lines(home, &env, &["moco", "units", "list", "--all"]);
    assert_eq!(units, unit, "the generic tier's records too");
    let next_unit = json_lines(home, &env, &["moco", "units", "create", "--name", "Next"]);
    assert_eq!(next_unit[0]["id"], unit[0]["id"].as_u64().unwrap() + 1);
    let contact_arg = contact_id.to_string();
    let got = json_lines(
        home,
        &env,
        &[
            "konverte",
            "contacts",
            "get",
            "--account_id",
            "1",
            &contact_arg,
        ],
    );
    assert_eq!(got[0]["name"], "Kept Contact");
    let next = json_lines(
        home,
        &env,
        &[
            "konverte",
            "contacts",
            "create",
            "--account_id",
            "1",
            "--inbox_id",
            "1",
            "--name",
            "Next Contact",
        ],
    );
    assert_eq!(next[0]["id"], contact_id + 1);
    assert_eq!(sandbox.terminate(), 0);

    // A corrupt file: a clear error naming it, and the file is left as it was.
    std::fs::write(&state, "{\"version\": 1, \"moco\": {").unwrap();
    let out = connector(home)
        .args(["sandbox", "--state", &state_arg])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is corrupt") && stderr(&out).contains(&state_arg),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        "{\"version\": 1, \"moco\": {"
    );
}
