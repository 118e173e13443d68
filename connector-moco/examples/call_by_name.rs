//! Call actions by their id with JSON input, as `connector run moco <id> --input JSON`
//! does; references may be names (`"Sandbox Project"`), looked up before sending.
//!
//! `MOCO_SUBDOMAIN=acme MOCO_API_KEY=... cargo run -p connector-moco --example call_by_name`

use connector_moco::{Error, Moco};
use serde_json::{Value, json};

/// Books half an hour on a project and task named, not numbered; answers the activity.
pub async fn run(client: &Moco, project: &str, task: &str) -> Result<Value, Error> {
    client
        .execute_json(
            "activities.create",
            json!({
                "date": "2024-05-02",
                "project_id": project,
                "task_id": task,
                "seconds": 1800,
                "description": "Booked by name",
            }),
        )
        .await
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Moco::from_env()?;
    let activity = run(&client, "Sandbox Project", "Development").await?;
    println!("{activity:#}");
    Ok(())
}
