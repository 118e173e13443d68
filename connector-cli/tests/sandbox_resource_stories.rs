//! Stories through the `connector` binary for every plain MOCO resource group (25 today), found in the
//! registry rather than listed by hand: a resource whose actions include `create`
//! (`POST /R`), `list` (`GET /R`), `get`, `update` and `delete` (`/R/{id}`). For each: create
//! three records from the declared required inputs (one `run` batch), list them back across pages of two, get
//! one, update it, delete it and see it gone.

#[path = "../../tests/support/mod.rs"]
mod support;

use connector_core::action::{ActionSpec, Location, Method, ParamSpec, ParamType};
use connector_sandbox::SandboxConfig;
use futures::StreamExt;
use serde_json::Value;
use support::*;

/// Resources the registry offers as plain groups whose story needs inputs a generated value
/// cannot give; each with the reason (the test fails when one is listed without need).
const NEEDS_MORE_THAN_DECLARED: &[(&str, &str)] = &[];

/// Values for parameters whose type says too little (an ISO currency code, a URL).
const BY_NAME: &[(&str, &str)] = &[
    ("currency", "EUR"),
    ("hook", "https://hooks.example.test/moco"),
];

/// Inputs the server requires only under a condition the declaration leaves to it
/// (a customer needs a currency: moco-api/sections/companies.md), so they are not `required`.
const CONDITIONAL: &[(&str, &[&str])] = &[("companies", &["--currency", "EUR"])];

/// The plain resource groups: (resource, create, update).
fn plain_groups(
    actions: &'static [ActionSpec],
) -> Vec<(&'static str, &'static ActionSpec, &'static ActionSpec)> {
    let find = |resource: &str, verb: &str| {
        actions
            .iter()
            .find(|a| a.resource == resource && a.verb == verb)
    };
    let mut groups = Vec::new();
    for list in actions
        .iter()
        .filter(|a| a.verb == "list" && a.method == Method::Get)
    {
        let item = format!("{}/{{id}}", list.path);
        let (Some(create), Some(get), Some(update), Some(delete)) = (
            find(list.resource, "create"),
            find(list.resource, "get"),
            find(list.resource, "update"),
            find(list.resource, "delete"),
        ) else {
            continue;
        };
        let plain = !list.path.contains('{')
            && create.path == list.path
            && create.method == Method::Post
            && [get, update, delete].iter().all(|a| a.path == item);
        if plain {
            groups.push((list.resource, create, update));
        }
    }
    groups
}

/// A value the declaration accepts for a required parameter (`n` tells records apart).
fn value_for(param: &ParamSpec, n: usize) -> String {
    if let Some((_, value)) = BY_NAME.iter().find(|(name, _)| *name == param.name) {
        return (*value).to_owned();
    }
    match param.ty {
        ParamType::Integer => "1".into(),
        ParamType::Number => "10".into(),
        ParamType::Boolean => "true".into(),
        ParamType::Date => "2026-11-20".into(),
        ParamType::DateTime => "2026-11-20T09:00:00Z".into(),
        ParamType::Enum { values } => values[0].into(),
        ParamType::Email => format!("story{n}@example.test"),
        ParamType::Object | ParamType::Json => "{}".into(),
        ParamType::Array { items } => match items {
            ParamType::Integer => "[1]".into(),
            ParamType::String | ParamType::Enum { .. } => "[\"a\"]".into(),
            _ => {
                "[{\"type\": \"item\", \"title\": \"Story\", \"quantity\": 1, \"unit_price\": 10}]"
                    .into()
            }
        },
        _ => format!("story {n}"),
    }
}

/// The string parameter the story renames through `update`.
fn text_param(update: &ActionSpec) -> Option<&'static str> {
    ["name", "title", "description"].into_iter().find(|name| {
        update
            .params
            .iter()
            .any(|p| p.name == *name && p.location == Location::Body && p.ty == ParamType::String)
    })
}

fn create_args(resource: &str, create: &ActionSpec, n: usize, text: Option<&str>) -> Vec<String> {
    let mut args = vec!["moco".to_owned(), resource.to_owned(), "create".to_owned()];
    for param in create
        .params
        .iter()
        .filter(|p| p.required && p.location == Location::Body)
    {
        args.push(format!("--{}", param.name));
        args.push(value_for(param, n));
    }
    for (_, extra) in CONDITIONAL.iter().filter(|(r, _)| *r == resource) {
        args.extend(extra.iter().map(|a| (*a).to_owned()));
    }
    if let Some(text) = text
        && !args.contains(&format!("--{text}"))
    {
        args.push(format!("--{text}"));
        args.push(format!("story {n}"));
    }
    args
}

/// The `--flag value` pairs after `moco R create` as one JSON input line: a value that reads
/// as JSON (a number, `true`, an array) is that, anything else the text itself.
fn create_input(args: &[String]) -> Value {
    let fields = args[3..].chunks(2).map(|pair| {
        let value =
            serde_json::from_str(&pair[1]).unwrap_or_else(|_| Value::String(pair[1].clone()));
        (pair[0].trim_start_matches("--").to_owned(), value)
    });
    Value::Object(fields.collect())
}

/// `connector ARGS --rate-limit off`: the sandbox has no quota, and MOCO's known one
/// (120 per 2 minutes, shared on the machine) would pace the stories to a crawl.
async fn unpaced(cli: &Cli, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--rate-limit", "off"]);
    cli.run(&all).await
}

/// stdout as one JSON document, `null` when it is not one.
trait Answer {
    fn value(&self) -> Value;
}

impl Answer for Run {
    fn value(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or(Value::Null)
    }
}

fn id_of(record: &Value) -> String {
    record["id"]
        .as_u64()
        .map(|id| id.to_string())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_plain_moco_group_lives_through_create_list_get_update_delete() {
    let groups = plain_groups(connector_moco::ACTIONS);
    assert!(
        groups.len() >= 10,
        "plain groups: {:?}",
        groups.iter().map(|g| g.0).collect::<Vec<_>>()
    );
    let sandbox = moco_sandbox(SandboxConfig {
        per_page_moco: 2,
        ..SandboxConfig::default()
    })
    .await;
    let cli = Cli::new().moco(&sandbox);
    // Four groups at a time: each story is seven short CLI processes.
    let stories = groups
        .iter()
        .filter(|(resource, ..)| !NEEDS_MORE_THAN_DECLARED.iter().any(|(r, _)| r == resource))
        .map(|(resource, create, update)| {
            let cli = &cli;
            async move {
                story(cli, resource, create, update)
                    .await
                    .map_err(|failure| format!("{resource}: {failure}"))
            }
        });
    let failures: Vec<String> = futures::stream::iter(stories)
        .buffer_unordered(4)
        .filter_map(|result| async move { result.err() })
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "{} of {} groups failed:\n{}",
        failures.len(),
        groups.len(),
        failures.join("\n")
    );
    for (resource, reason) in NEEDS_MORE_THAN_DECLARED {
        assert!(
            groups.iter().any(|g| g.0 == *resource),
            "{resource} ({reason}) is no plain group"
        );
    }
    assert_eq!(sandbox.stats().unserved, 0);
}

async fn story(
    cli: &Cli,
    resource: &str,
    create: &ActionSpec,
    update: &ActionSpec,
) -> Result<(), String> {
    let text = text_param(update);
    // The three creates in one batch (`run`, JSON Lines): the same flags as input fields.
    let lines: Vec<String> = (1..=3)
        .map(|n| create_input(&create_args(resource, create, n, text)).to_string())
        .collect();
    let action = format!("{resource}.create");
    let created = cli
        .run_with_stdin(
            &[
                "run",
                "moco",
                &action,
                "--input",
                "-",
                "--rate-limit",
                "off",
            ],
            lines.join("\n"),
        )
        .await;
    if created.code != 0 {
        return Err(format!(
            "{lines:?}: exit {}: {}",
            created.code, created.stderr
        ));
    }
    let ids: Vec<String> = created
        .lines()
        .iter()
        .map(|outcome| id_of(&outcome["response"]))
        .collect();
    if ids.len() != 3 || ids.iter().any(String::is_empty) {
        return Err(format!("three created: {}", created.stdout));
    }
    let listed = unpaced(cli, &["moco", resource, "list", "--all"]).await;
    if listed.code != 0 {
        return Err(format!("list: {}", listed.stderr));
    }
    let listed: Vec<String> = listed.lines().iter().map(id_of).collect();
    if !ids.iter().all(|id| listed.contains(id)) {
        return Err(format!(
            "list --all across pages of two: {listed:?}, created {ids:?}"
        ));
    }
    let got = unpaced(cli, &["moco", resource, "get", "--id", &ids[1]]).await;
    if got.code != 0 || id_of(&got.value()) != ids[1] {
        return Err(format!("get {}: {}", ids[1], got.stderr));
    }
    if let Some(text) = text {
        let flag = format!("--{text}");
        let updated = unpaced(
            cli,
            &[
                "moco", resource, "update", "--id", &ids[1], &flag, "renamed",
            ],
        )
        .await;
        if updated.code != 0 {
            return Err(format!("update: {}", updated.stderr));
        }
        let got = unpaced(cli, &["moco", resource, "get", "--id", &ids[1]]).await;
        if got.value()[text] != "renamed" {
            return Err(format!("{text} after update: {}", got.value()[text]));
        }
    }
    let deleted = unpaced(cli, &["moco", resource, "delete", "--id", &ids[1]]).await;
    if deleted.code != 0 {
        return Err(format!("delete: {}", deleted.stderr));
    }
    let gone = unpaced(cli, &["moco", resource, "get", "--id", &ids[1]]).await;
    if gone.code == 0 {
        return Err(format!("{} still there after delete", ids[1]));
    }
    Ok(())
}
