//! Seed records, `POST activities/bulk` and the benchmark preload of activities.

use super::*;

impl App {
    pub(super) fn seed(&self) {
        // The seed goes through the same validation as API requests.
        let seeds = [
            (
                Res::Users,
                json!({"firstname": "Sandbox", "lastname": "Admin", "email": "admin@sandbox.test", "unit_id": 1}),
                None,
            ),
            (
                Res::Companies,
                json!({"name": "Sandbox Customer AG", "type": "customer", "currency": "EUR"}),
                None,
            ),
            (
                Res::Projects,
                json!({"name": "Sandbox Project", "currency": "EUR", "leader_id": 1, "customer_id": 1}),
                None,
            ),
            (
                Res::Tasks,
                json!({"name": "Development", "hourly_rate": 120}),
                Some(1),
            ),
        ];
        for (res, body, project) in seeds {
            let body = match body {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            let mut store = self.write();
            if let Err(fail) = insert(&mut store, res, &body, Some(1), project) {
                tracing::error!(body = %fail.body, "sandbox seed record rejected");
            }
        }
    }

    /// Validates every activity first so that a bad entry creates nothing.
    pub(super) fn bulk_activities(&self, req: &Req<'_>) -> Answer {
        let headers = req.headers;
        let parse = || req.body();
        let body = parse()?;
        let Some(Value::Array(items)) = body.get("activities") else {
            return Err(field_error("activities", "must be a list of activities"));
        };
        let mut store = self.write();
        let user = self.acting_user(&store, headers);
        // Validate everything first so that a bad entry creates nothing.
        for item in items {
            let Value::Object(map) = item else {
                return Err(field_error("activities", "must contain objects"));
            };
            let ctx = BuildCtx {
                store: &store,
                existing: None,
                id: store.table(Res::Activities).peek_id(),
                user,
            };
            build(Res::Activities, map, &ctx)?;
        }
        let mut created = Vec::new();
        let mut deliveries = Vec::new();
        for item in items {
            if let Value::Object(map) = item {
                let row = insert(&mut store, Res::Activities, map, user, None)?;
                self.counters.created();
                deliveries.extend(self.hooks_for(&store, Res::Activities, "create", &row.raw));
                created.push(row.raw);
            }
        }
        drop(store);
        self.deliver(deliveries, user);
        Ok(raw_json(StatusCode::OK, join_array(&created)))
    }

    /// Preloads `n` activities on project 1 / task 1 (user 1) without HTTP, webhooks or
    /// counters; ids continue the activity sequence.
    pub(crate) fn insert_bulk_activities(&self, n: usize) {
        let mut store = self.write();
        let project = store.get(Res::Projects, 1).map(Row::value);
        let task = store.get(Res::Tasks, 1).map(Row::value);
        let project_json = json!({
            "id": 1,
            "name": project.as_ref().and_then(|p| p.get("name")).cloned().unwrap_or(json!("Sandbox Project")),
            "billable": true,
        })
        .to_string();
        let task_json = json!({
            "id": 1,
            "name": task.as_ref().and_then(|t| t.get("name")).cloned().unwrap_or(json!("Development")),
            "billable": true,
        })
        .to_string();
        let customer = project
            .as_ref()
            .and_then(|p| p.get("customer").cloned())
            .unwrap_or(json!({"id": 1, "name": "Sandbox Customer AG"}));
        let company_id = customer.get("id").and_then(Value::as_u64).unwrap_or(0);
        let customer_json = customer.to_string();
        let user_json = user_ref(&store, 1)
            .unwrap_or(json!({"id": 1, "firstname": "Sandbox", "lastname": "Admin"}))
            .to_string();
        let now = unix_millis();
        let stamp = iso_from_millis(now);
        let base = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
        let table = store.table_mut(Res::Activities);
        table.reserve(n);
        for i in 0..n {
            let id = table.alloc_id();
            let date = base + chrono::Days::new((i % 730) as u64);
            let seconds = 900 * (1 + (i % 16) as u64);
            let description = format!("Bulk activity {id}");
            let raw = format!(
                concat!(
                    "{{\"id\":{id},\"date\":\"{date}\",\"hours\":{hours},\"seconds\":{seconds},",
                    "\"worked_seconds\":{seconds},\"description\":{description},\"billed\":false,",
                    "\"invoice_id\":null,\"billable\":true,\"tag\":\"\",\"remote_service\":null,",
                    "\"remote_id\":null,\"remote_url\":null,\"project\":{project},\"task\":{task},",
                    "\"customer\":{customer},\"user\":{user},\"hourly_rate\":120,",
                    "\"timer_started_at\":null,\"created_at\":\"{stamp}\",\"updated_at\":\"{stamp}\"}}"
                ),
                id = id,
                date = date.format("%Y-%m-%d"),
                hours = seconds as f64 / 3600.0,
                seconds = seconds,
                description = json_str(&description),
                project = project_json,
                task = task_json,
                customer = customer_json,
                user = user_json,
                stamp = stamp,
            );
            let idx = crate::moco::store::Idx {
                updated_ms: now,
                date: Some(date),
                project_id: 1,
                task_id: 1,
                user_id: 1,
                company_id,
                billable: Some(true),
                billed: Some(false),
                active: true,
                text: description.to_lowercase().into_boxed_str(),
                ..Default::default()
            };
            table.put(
                id,
                Row {
                    raw: Arc::from(raw),
                    idx,
                },
            );
        }
    }
}
