//! One group's story through the `connector` binary: its parents created, records created in
//! one `run` batch, listed (across pages where the list pages), got, updated and read back,
//! deleted and gone.

use super::{Backend, Group, create_fields, key_field, update_field};
use crate::support::{Cli, Run};
use connector_core::action::ActionSpec;
use futures::StreamExt;
use serde_json::{Map, Value};

/// Path parameters and their values for every call of a story: the ambient ones and the
/// parents' keys.
type Scope = Vec<(String, String)>;

/// `connector BACKEND RESOURCE VERB --param value ... --rate-limit off`, with the scope's
/// parameters the action declares (the sandbox has no quota, and a known one would pace the
/// stories to a crawl).
async fn call(
    cli: &Cli,
    backend: &Backend,
    action: &ActionSpec,
    scope: &Scope,
    extra: &[(&str, &str)],
) -> Run {
    let mut args: Vec<String> = vec![
        backend.name.into(),
        action.resource.into(),
        action.verb.into(),
    ];
    let declared = |name: &str| action.params.iter().any(|p| p.name == name);
    let given = |name: &str| extra.iter().any(|(n, _)| *n == name);
    for (name, value) in scope.iter().filter(|(n, _)| declared(n) && !given(n)) {
        args.extend([format!("--{name}"), value.clone()]);
    }
    for (name, value) in extra {
        args.extend([format!("--{name}"), (*value).to_owned()]);
    }
    args.extend(["--rate-limit".into(), "off".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    cli.run(&args).await
}

/// stdout as one JSON document, `null` when it is not one.
fn document(run: &Run) -> Value {
    serde_json::from_str(run.stdout.trim()).unwrap_or(Value::Null)
}

/// A record's key (`id` or `slug`) as the CLI takes it.
fn key_of(record: &Value, field: &str) -> String {
    match &record[field] {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

/// Creates `count` records of `group` in one `run` batch (numbered from `first`) and returns
/// their keys.
async fn create_batch(
    cli: &Cli,
    backend: &Backend,
    group: &Group,
    scope: &Scope,
    first: usize,
    count: usize,
) -> Result<Vec<String>, String> {
    let lines: Vec<String> = (first..first + count)
        .map(|n| {
            let mut fields: Map<String, Value> = create_fields(backend, group, n);
            for (name, value) in scope {
                if group.create.params.iter().any(|p| p.name == *name) {
                    let value = serde_json::from_str(value).unwrap_or(Value::String(value.clone()));
                    fields.insert(name.clone(), value);
                }
            }
            Value::Object(fields).to_string()
        })
        .collect();
    let created = cli
        .run_with_stdin(
            &[
                "run",
                backend.name,
                group.create.id,
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
            "create {lines:?}: exit {}: {}{}",
            created.code, created.stdout, created.stderr
        ));
    }
    let field = group.key_field();
    let keys: Vec<String> = created
        .lines()
        .iter()
        .map(|outcome| {
            let response = &outcome["response"];
            let record = response.pointer(group.create.envelope).unwrap_or(response);
            key_of(record, field)
        })
        .collect();
    if keys.len() != count || keys.iter().any(String::is_empty) {
        return Err(format!("{count} created: {}", created.stdout));
    }
    Ok(keys)
}

/// The records of the whole list (`--all`), or of its first page.
async fn list(
    cli: &Cli,
    backend: &Backend,
    list: &ActionSpec,
    scope: &Scope,
    all: bool,
) -> Result<Vec<Value>, String> {
    let mut args = vec![backend.name, list.resource, list.verb];
    let mut owned = Vec::new();
    for (name, value) in scope {
        if list.params.iter().any(|p| p.name == *name) {
            owned.push((format!("--{name}"), value.clone()));
        }
    }
    for (flag, value) in &owned {
        args.extend([flag.as_str(), value.as_str()]);
    }
    if all && list.pagination.is_paged() {
        args.push("--all");
    }
    // JSON Lines: the items out of the declared envelope, one a line, for a page or all.
    args.extend(["--output", "jsonl", "--rate-limit", "off"]);
    let listed = cli.run(&args).await;
    if listed.code != 0 {
        return Err(format!("list: {}", listed.stderr));
    }
    Ok(listed.lines())
}

/// The record with key `key`: through `get`, or found in the whole list.
async fn read(
    cli: &Cli,
    backend: &Backend,
    group: &Group,
    scope: &Scope,
    key: &str,
) -> Result<Option<Value>, String> {
    if let Some(get) = group.get {
        let got = call(cli, backend, get, scope, &[(group.key, key)]).await;
        if got.code != 0 {
            return if got.stderr.contains("404") {
                Ok(None)
            } else {
                Err(format!("get {key}: exit {}: {}", got.code, got.stderr))
            };
        }
        let answer = document(&got);
        return Ok(Some(
            answer.pointer(get.envelope).cloned().unwrap_or(answer),
        ));
    }
    let list_action = group.list.ok_or("no get and no list")?;
    let field = group.key_field();
    Ok(list(cli, backend, list_action, scope, true)
        .await?
        .into_iter()
        .find(|record| key_of(record, field) == key))
}

/// The story of one group (`seq` tells its parents' records from other stories').
pub async fn story(
    cli: &Cli,
    backend: &Backend,
    groups: &[Group],
    group: &Group,
    seq: usize,
) -> Result<(), String> {
    let mut scope: Scope = backend
        .ambient
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    for (i, (param, parent)) in group.parents.iter().enumerate() {
        let parent = groups
            .iter()
            .find(|g| g.resource == *parent)
            .ok_or(format!("parent {parent} is no group"))?;
        if !parent.parents.is_empty() {
            return Err(format!("parent {} has parents of its own", parent.resource));
        }
        let mut made = create_batch(cli, backend, parent, &scope, 1000 + seq * 10 + i, 1)
            .await
            .map_err(|e| format!("parent {}: {e}", parent.resource))?;
        if key_field(param) != parent.key_field() {
            return Err(format!("{param} is not the key of {}", parent.resource));
        }
        scope.push(((*param).to_owned(), made.remove(0)));
    }
    let mut create_scope = scope.clone();
    for (i, (_, param, other)) in backend
        .references
        .iter()
        .filter(|(r, ..)| *r == group.resource)
        .enumerate()
    {
        let other = groups
            .iter()
            .find(|g| g.resource == *other && g.parents.is_empty())
            .ok_or(format!("{other} is no group without parents"))?;
        let mut made = create_batch(cli, backend, other, &scope, 2000 + seq * 10 + i, 1)
            .await
            .map_err(|e| format!("{param} ({}): {e}", other.resource))?;
        create_scope.push(((*param).to_owned(), made.remove(0)));
    }
    let page = backend.page_size(group)?;
    let count = page.map_or(3, |size| size + 1);
    let keys = create_batch(cli, backend, group, &create_scope, 1, count).await?;
    let field = group.key_field();
    if let Some(list_action) = group.list {
        let all: Vec<String> = list(cli, backend, list_action, &scope, true)
            .await?
            .iter()
            .map(|r| key_of(r, field))
            .collect();
        if !keys.iter().all(|k| all.contains(k)) {
            return Err(format!("list --all: {all:?}, created {keys:?}"));
        }
        // A paged list: its first page is as long as the server's pages (an unpaged one
        // answered everything above, in one page).
        if let Some(size) = page {
            let first = list(cli, backend, list_action, &scope, false).await?;
            if first.len() != size {
                return Err(format!(
                    "first page of {} records, the server's page holds {size}",
                    first.len()
                ));
            }
        }
    }
    let key = &keys[1];
    let (name, value) = update_field(backend, group).ok_or("no field for update to change")?;
    let updated = call(
        cli,
        backend,
        group.update,
        &scope,
        &[(group.key, key), (name, &value)],
    )
    .await;
    if updated.code != 0 {
        return Err(format!(
            "update {name}: exit {}: {}",
            updated.code, updated.stderr
        ));
    }
    // Read back (through `get` where there is one): the record, changed.
    let record = read(cli, backend, group, &scope, key)
        .await?
        .ok_or(format!("{key} not found after create and update"))?;
    if key_of(&record, field) != *key {
        return Err(format!("read {key}: {record}"));
    }
    let expected = serde_json::from_str(&value).unwrap_or(Value::String(value.clone()));
    if record[name] != expected {
        return Err(format!(
            "{name} after update to {value:?}: {}",
            record[name]
        ));
    }
    let deleted = call(cli, backend, group.delete, &scope, &[(group.key, key)]).await;
    if deleted.code != 0 {
        return Err(format!("delete: exit {}: {}", deleted.code, deleted.stderr));
    }
    if let Some(record) = read(cli, backend, group, &scope, key).await? {
        return Err(format!("{key} still there after delete: {record}"));
    }
    Ok(())
}

/// Tells the stories of `told`, eight at a time (each is a few short CLI processes, mostly
/// waiting), and fails naming every group whose story failed.
pub async fn tell_all(cli: &Cli, backend: &Backend, groups: &[Group], told: &[(usize, &Group)]) {
    let stories = told.iter().map(|(seq, group)| async move {
        story(cli, backend, groups, group, *seq)
            .await
            .map_err(|failure| format!("{}: {failure}", group.resource))
    });
    let failures: Vec<String> = futures::stream::iter(stories)
        .buffer_unordered(8)
        .filter_map(|result| async move { result.err() })
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "{} of {} groups failed:\n{}",
        failures.len(),
        told.len(),
        failures.join("\n")
    );
}
