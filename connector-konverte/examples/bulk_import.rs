//! Import contacts from JSON lines, one outcome per line (a bad line fails alone), as
//! `connector run konverte contacts.create --input @file` does.
//!
//! `KONVERTE_BASE_URL=... KONVERTE_API_TOKEN=... cargo run -p connector-konverte --example bulk_import < contacts.jsonl`

use connector_core::batch::{self, Outcome};
use connector_konverte::{Error, Konverte, Options};
use futures::{StreamExt, stream};
use serde_json::{Map, Value};

/// One outcome per line, in the lines' order.
pub async fn run(client: &Konverte, account_id: i64, lines: &str) -> Vec<Outcome> {
    let inputs = lines.lines().map(move |line| {
        let mut input: Map<String, Value> = serde_json::from_str(line)
            .map_err(|e| Error::validation("input", format!("not a JSON object: {e}")))?;
        input.insert("account_id".into(), account_id.into());
        Ok(input)
    });
    let options = Options::builder()
        .concurrency(4)
        .continue_on_fail(true)
        .build();
    batch::run(client, "contacts.create", stream::iter(inputs), &options)
        .collect()
        .await
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Konverte::from_env()?;
    let lines =
        std::io::read_to_string(std::io::stdin()).map_err(|e| Error::Config(e.to_string()))?;
    for outcome in run(&client, 1, &lines).await {
        println!("{}", outcome.into_json());
    }
    Ok(())
}
