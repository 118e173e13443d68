//! Download an invoice's PDF to a file (streamed, never held whole) and attach a PDF to it.
//!
//! `MOCO_SUBDOMAIN=acme MOCO_API_KEY=... cargo run -p connector-moco --example pdf_and_attachment -- 123 terms.pdf`

use connector_core::Attachment;
use connector_moco::{Error, Moco};
use std::path::Path;

/// Saves invoice `id` as `out`, then uploads `attachment` to it; answers the bytes written.
pub async fn run(client: &Moco, id: i64, out: &Path, attachment: &Path) -> Result<u64, Error> {
    let written = client
        .invoices()
        .pdf(id)
        .send()
        .await?
        .write_to(out)
        .await?;
    client
        .invoice_attachments()
        .create(id, Attachment::from_path(attachment))
        .send()
        .await?;
    Ok(written)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let id: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let attachment = args.next().unwrap_or_else(|| "terms.pdf".into());
    let client = Moco::from_env()?;
    let out = format!("invoice-{id}.pdf");
    let written = run(&client, id, Path::new(&out), Path::new(&attachment)).await?;
    println!("{out}: {written} bytes; {attachment} attached");
    Ok(())
}
