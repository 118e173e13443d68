//! A monthly timesheet of another user: the key's user acts as them (impersonation, which
//! needs the Staff permission) and sums their hours per project.
//!
//! `MOCO_SUBDOMAIN=acme MOCO_API_KEY=... cargo run -p connector-moco --example monthly_timesheet -- 933590696 2024-05`

use connector_moco::{Error, Moco};
use futures::TryStreamExt;
use std::collections::BTreeMap;

/// Hours per project name of `user_id` in `month` (`YYYY-MM`), from every page of activities.
pub async fn run(client: &Moco, user_id: i64, month: &str) -> Result<BTreeMap<String, f64>, Error> {
    let as_user = client.impersonating(user_id);
    let (from, to) = (format!("{month}-01"), format!("{month}-31"));
    let activities: Vec<_> = as_user
        .activities()
        .list()
        .user_id(user_id)
        .from(from.as_str())
        .to(to.as_str())
        .stream(None)
        .try_collect()
        .await?;
    let mut hours = BTreeMap::new();
    for a in activities {
        let project = a.project.and_then(|p| p.name).unwrap_or_default();
        *hours.entry(project).or_insert(0.0) += a.hours.unwrap_or_default();
    }
    Ok(hours)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let user: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let month = args.next().unwrap_or_else(|| "2024-05".into());
    let client = Moco::from_env()?;
    for (project, hours) in run(&client, user, &month).await? {
        println!("{hours:>8.2}  {project}");
    }
    Ok(())
}
