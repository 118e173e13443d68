//! Activities (time entries).

use super::*;

pub(super) fn activity(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
    let store = ctx.store;
    v.required(&["date", "project_id", "task_id"]);
    v.date("date");
    v.strings(&["description", "tag", "remote_id", "remote_url"]);
    v.choice("remote_service", REMOTE_SERVICES);
    v.boolean_as("billable", "billable");
    let seconds = if v.given("seconds") {
        v.integer_as("seconds", "seconds")
    } else if v.given("hours") {
        v.number("hours").map(|h| (h * 3600.0).round() as i64)
    } else {
        None
    };
    if let Some(seconds) = seconds {
        if seconds < 0 {
            v.err("seconds", "must be greater than or equal to 0");
        }
        v.set("seconds", json!(seconds));
        v.set("worked_seconds", json!(seconds));
        v.set(
            "hours",
            number_value((seconds as f64 / 36.0).round() / 100.0),
        );
    }
    let current_project = v
        .out
        .get("project")
        .and_then(|p| p.get("id"))
        .and_then(as_id);
    let current_task = v.out.get("task").and_then(|t| t.get("id")).and_then(as_id);
    let project = match v.id("project_id") {
        Ok(Some(id)) => id,
        Ok(None) => current_project,
        Err(()) => return,
    };
    let task = match v.id("task_id") {
        Ok(Some(id)) => id,
        Ok(None) => current_task,
        Err(()) => return,
    };
    if v.given("project_id") || v.given("task_id") {
        let (Some(project), Some(task)) = (project, task) else {
            return;
        };
        let Some(project_row) = store.get(Res::Projects, project) else {
            v.err("project_id", "does not exist");
            return;
        };
        let project_map = project_row.value();
        let task_row = store
            .get(Res::Tasks, task)
            .filter(|t| t.idx.project_id == project);
        let Some(task_row) = task_row else {
            v.err("task_id", "does not exist on this project");
            return;
        };
        let task_map = task_row.value();
        let project_billable = project_map
            .get("billable")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let task_billable = task_map
            .get("billable")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        v.set(
            "project",
            json!({"id": project, "name": field(&project_map, "name"), "billable": project_billable}),
        );
        v.set(
            "task",
            json!({"id": task, "name": field(&task_map, "name"), "billable": task_billable}),
        );
        v.set("customer", field(&project_map, "customer"));
        let rate = task_map
            .get("hourly_rate")
            .and_then(Value::as_f64)
            .filter(|r| *r > 0.0)
            .or_else(|| project_map.get("hourly_rate").and_then(Value::as_f64))
            .unwrap_or(0.0);
        v.set("hourly_rate", number_value(rate));
        v.default("billable", json!(project_billable && task_billable));
    }
    activity_defaults(v, ctx);
}

/// The fields a activity has when the body leaves them out.
pub(super) fn activity_defaults(v: &mut V<'_>, ctx: &BuildCtx<'_>) {
    v.default("seconds", json!(0));
    v.default("worked_seconds", json!(0));
    v.default("hours", json!(0));
    v.default("description", json!(""));
    v.default("billed", json!(false));
    v.default("invoice_id", Value::Null);
    v.default("billable", json!(true));
    v.default("tag", json!(""));
    v.default("remote_service", Value::Null);
    v.default("remote_id", Value::Null);
    v.default("remote_url", Value::Null);
    let user = ctx.user.and_then(|u| user_ref(ctx.store, u));
    v.default("user", user.unwrap_or(Value::Null));
    v.default("hourly_rate", json!(0));
    v.default("timer_started_at", Value::Null);
}
