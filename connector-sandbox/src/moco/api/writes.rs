//! Get, create, update, archive and delete of entities, with their web hook events.

use super::*;

impl App {
    pub(super) fn show(&self, res: Res, id: u64, project: Option<u64>) -> Answer {
        let store = self.read();
        let row = store
            .get(res, id)
            .filter(|r| project.is_none_or(|p| r.idx.project_id == p))
            .ok_or_else(|| not_found(res.label()))?;
        Ok(raw_json(StatusCode::OK, row.raw.to_string()))
    }

    pub(super) fn create(
        &self,
        res: Res,
        body: &Map<String, Value>,
        project: Option<u64>,
        headers: &HeaderMap,
    ) -> Answer {
        let mut store = self.write();
        let user = self.acting_user(&store, headers);
        let row = insert(&mut store, res, body, user, project)?;
        self.counters.created();
        let deliveries = self.hooks_for(&store, res, "create", &row.raw);
        drop(store);
        self.deliver(deliveries, user);
        Ok(raw_json(StatusCode::OK, row.raw.to_string()))
    }

    pub(super) fn update(
        &self,
        res: Res,
        id: u64,
        body: &Map<String, Value>,
        project: Option<u64>,
        headers: &HeaderMap,
    ) -> Answer {
        let mut store = self.write();
        let user = self.acting_user(&store, headers);
        let existing = store
            .get(res, id)
            .filter(|r| project.is_none_or(|p| r.idx.project_id == p))
            .ok_or_else(|| not_found(res.label()))?
            .value();
        let ctx = BuildCtx {
            store: &store,
            existing: Some(&existing),
            id,
            user,
        };
        let mut map = build(res, body, &ctx)?;
        let now = unix_millis();
        map.insert("id".into(), json!(id));
        map.insert("updated_at".into(), json!(iso_from_millis(now)));
        let row = store_row(&mut store, res, id, &map, now, project);
        let deliveries = self.hooks_for(&store, res, "update", &row.raw);
        drop(store);
        self.deliver(deliveries, user);
        Ok(raw_json(StatusCode::OK, row.raw.to_string()))
    }

    /// Applies a fixed patch (archive / unarchive) and fires `event`.
    pub(super) fn patch_entity(
        &self,
        res: Res,
        id: u64,
        patch: Value,
        event: &'static str,
        headers: &HeaderMap,
    ) -> Answer {
        let mut store = self.write();
        let user = self.acting_user(&store, headers);
        let mut map = store
            .get(res, id)
            .ok_or_else(|| not_found(res.label()))?
            .value();
        if let Value::Object(patch) = patch {
            map.extend(patch);
        }
        let now = unix_millis();
        map.insert("updated_at".into(), json!(iso_from_millis(now)));
        let row = store_row(&mut store, res, id, &map, now, None);
        let deliveries = self.hooks_for(&store, res, event, &row.raw);
        drop(store);
        self.deliver(deliveries, user);
        Ok(raw_json(StatusCode::OK, row.raw.to_string()))
    }

    pub(super) fn delete(
        &self,
        res: Res,
        id: u64,
        project: Option<u64>,
        headers: &HeaderMap,
    ) -> Answer {
        let mut store = self.write();
        let user = self.acting_user(&store, headers);
        store
            .get(res, id)
            .filter(|r| project.is_none_or(|p| r.idx.project_id == p))
            .ok_or_else(|| not_found(res.label()))?;
        let blocked = match res {
            Res::Projects => store
                .table(Res::Activities)
                .rows()
                .any(|(_, a)| a.idx.project_id == id)
                .then_some("project has activities and cannot be deleted"),
            Res::Tasks => store
                .table(Res::Activities)
                .rows()
                .any(|(_, a)| a.idx.task_id == id)
                .then_some("task has tracked hours and cannot be deleted"),
            _ => None,
        };
        if let Some(reason) = blocked {
            let mut errors = BTreeMap::new();
            errors.insert("base".to_owned(), vec![reason.to_owned()]);
            return Err(unprocessable(errors));
        }
        let row = store
            .table_mut(res)
            .remove(id)
            .ok_or_else(|| not_found(res.label()))?;
        if res == Res::Projects {
            let tasks: Vec<u64> = store
                .table(Res::Tasks)
                .rows()
                .filter(|(_, t)| t.idx.project_id == id)
                .map(|(tid, _)| tid)
                .collect();
            for task in tasks {
                store.table_mut(Res::Tasks).remove(task);
            }
        }
        if res == Res::Tasks {
            refresh_project_tasks(&mut store, row.idx.project_id);
        }
        let deliveries = self.hooks_for(&store, res, "delete", &row.raw);
        drop(store);
        self.deliver(deliveries, user);
        Ok(empty(StatusCode::NO_CONTENT))
    }
}

pub(super) fn join_array(raws: &[Arc<str>]) -> String {
    let mut body = String::with_capacity(2 + raws.iter().map(|r| r.len() + 1).sum::<usize>());
    body.push('[');
    for (i, raw) in raws.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(raw);
    }
    body.push(']');
    body
}

/// Validates and stores a new entity; returns its row.
pub(super) fn insert(
    store: &mut MStore,
    res: Res,
    body: &Map<String, Value>,
    user: Option<u64>,
    project: Option<u64>,
) -> Result<Row, Fail> {
    let id = store.table(res).peek_id();
    let ctx = BuildCtx {
        store,
        existing: None,
        id,
        user,
    };
    let fields = build(res, body, &ctx)?;
    let id = store.table_mut(res).alloc_id();
    let now = unix_millis();
    let stamp = iso_from_millis(now);
    let mut map = Map::new();
    map.insert("id".into(), json!(id));
    map.extend(fields);
    map.insert("created_at".into(), json!(stamp));
    map.insert("updated_at".into(), json!(stamp));
    Ok(store_row(store, res, id, &map, now, project))
}

/// Stores a representation (keeping a task's project) and refreshes dependent entities.
pub(super) fn store_row(
    store: &mut MStore,
    res: Res,
    id: u64,
    map: &Map<String, Value>,
    now: i64,
    project: Option<u64>,
) -> Row {
    let mut row = make_row(res, map, now);
    if res == Res::Tasks {
        row.idx.project_id = project
            .or_else(|| store.get(Res::Tasks, id).map(|r| r.idx.project_id))
            .unwrap_or(0);
    }
    store.table_mut(res).put(id, row.clone());
    if res == Res::Tasks {
        refresh_project_tasks(store, row.idx.project_id);
    }
    row
}

/// Re-renders the `tasks` list embedded in a project.
pub(super) fn refresh_project_tasks(store: &mut MStore, project: u64) {
    let Some(project_row) = store.get(Res::Projects, project) else {
        return;
    };
    let updated_ms = project_row.idx.updated_ms;
    let mut map = project_row.value();
    let tasks: Vec<Value> = store
        .table(Res::Tasks)
        .rows()
        .filter(|(_, t)| t.idx.project_id == project)
        .map(|(_, t)| {
            let task = t.value();
            json!({
                "id": task.get("id"),
                "name": task.get("name"),
                "billable": task.get("billable"),
                "active": task.get("active"),
                "budget": task.get("budget"),
                "hourly_rate": task.get("hourly_rate"),
                "description": task.get("description"),
            })
        })
        .collect();
    map.insert("tasks".into(), Value::Array(tasks));
    let row = make_row(Res::Projects, &map, updated_ms);
    store.table_mut(Res::Projects).put(project, row);
}
