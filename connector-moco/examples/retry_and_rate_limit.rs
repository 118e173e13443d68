//! A client of its own pace: five retries (a 429 waits as long as `Retry-After` asks, 5xx
//! back off), a 20-second timeout per attempt, and at most 10 requests per second.
//!
//! `MOCO_SUBDOMAIN=acme MOCO_API_KEY=... cargo run -p connector-moco --example retry_and_rate_limit`

use connector_core::options::RateLimit;
use connector_moco::{Error, Moco, Options};
use std::time::Duration;

pub fn client(base_url: &str, api_key: &str) -> Result<Moco, Error> {
    let options = Options::builder()
        .retries(5)
        .timeout(Duration::from_secs(20))
        .build();
    Moco::builder()
        .base_url(base_url)
        .api_key(api_key.to_owned())
        .options(options)
        .rate_limit(Some(RateLimit::new(10, Duration::from_secs(1))?))
        .build()
}

/// Fetches the first page of projects `times` times; answers how many projects the last had.
pub async fn run(client: &Moco, times: usize) -> Result<usize, Error> {
    let mut last = 0;
    for _ in 0..times {
        last = client.projects().list().send().await?.len();
    }
    Ok(last)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let from_env = Moco::from_env()?;
    let base_url = from_env.connector().base_url().to_string();
    let key = connector_moco::env::var(connector_moco::env::API_KEY).unwrap_or_default();
    let client = client(&base_url, &key)?;
    println!("{} projects", run(&client, 3).await?);
    Ok(())
}
