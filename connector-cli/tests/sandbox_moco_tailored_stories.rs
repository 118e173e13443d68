//! Stories through the `connector` binary for the MOCO groups the derived stories skip
//! (`stories/skips.rs`), each in the shape the MOCO API docs give it: invoices, issued or
//! drafted, changed only in their status and deleted with a reason; their attachments and
//! reminders, an offer's attachments and purchase drafts, made and removed.

#[path = "stories/mod.rs"]
mod stories;
#[path = "../../tests/support/mod.rs"]
mod support;

use connector_sandbox::{SandboxConfig, seed};
use serde_json::{Value, json};
use stories::skips::MOCO as SKIPPED;
use stories::tailored::{self, Story, document, expect, id_of, ids, ok, refused, run};
use support::*;

const TAILORED: &[(&str, Story)] = &[
    ("invoices", |cli| Box::pin(invoices(cli))),
    ("invoice_attachments", |cli| {
        Box::pin(invoice_attachments(cli))
    }),
    ("invoice_reminders", |cli| Box::pin(invoice_reminders(cli))),
    ("offer_attachments", |cli| Box::pin(offer_attachments(cli))),
    ("purchase_drafts", |cli| Box::pin(purchase_drafts(cli))),
];

/// Records per page of every MOCO list in the story sandbox.
const PER_PAGE: usize = 2;

#[test]
fn every_group_the_derived_stories_skip_has_a_tailored_story() {
    tailored::check_coverage(&SKIPPED, TAILORED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_skipped_moco_groups_live_in_their_own_shape() {
    let sandbox = moco_sandbox(SandboxConfig {
        per_page_moco: PER_PAGE,
        ..SandboxConfig::default()
    })
    .await;
    let cli = Cli::new().moco(&sandbox);
    tailored::tell(&cli, TAILORED).await;
    assert_eq!(sandbox.stats().unserved, 0);
}

/// The create input of an invoice to the seed customer (the starred fields of
/// `POST /invoices`), with `extra` fields.
fn invoice_input(title: &str, extra: Value) -> Value {
    let mut input = json!({
        "customer_id": seed::MOCO_COMPANY_ID,
        "recipient_address": "Sandbox Customer\nMain Street 1\n10115 Berlin",
        "date": "2026-11-02",
        "due_date": "2026-12-02",
        "title": title,
        "tax": 19.0,
        "currency": "EUR",
        "items": [{"type": "item", "title": "Consulting", "quantity": 3, "unit": "h",
            "unit_price": 120.0}],
    });
    if let (Some(input), Value::Object(extra)) = (input.as_object_mut(), extra) {
        input.extend(extra);
    }
    input
}

/// Creates records through `run moco ACTION` (one JSON line each); their ids.
async fn create_all(cli: &Cli, action: &str, inputs: &[Value]) -> Result<Vec<String>, String> {
    let lines: String = inputs.iter().map(|i| format!("{i}\n")).collect();
    let created = cli
        .run_with_stdin(
            &["run", "moco", action, "--input", "-", "--rate-limit", "off"],
            lines,
        )
        .await;
    expect(created.code == 0, || {
        format!("{action}: {}{}", created.stdout, created.stderr)
    })?;
    let made: Vec<String> = created
        .lines()
        .iter()
        .map(|outcome| id_of(&outcome["response"]))
        .collect::<Result<_, _>>()?;
    expect(made.len() == inputs.len(), || {
        format!("{action}: {} made: {}", inputs.len(), created.stdout)
    })?;
    Ok(made)
}

/// `moco GROUP list ARGS --all` (or the first page) as records.
async fn list(cli: &Cli, group: &str, args: &[&str], all: bool) -> Result<Vec<Value>, String> {
    let mut full = vec!["moco", group, "list", "--output", "jsonl"];
    full.extend_from_slice(args);
    if all {
        full.push("--all");
    }
    Ok(ok(cli, &full).await?.lines())
}

/// `moco GROUP get --id ID`: the record, or `None` for a 404.
async fn get(cli: &Cli, group: &str, id: &str) -> Result<Option<Value>, String> {
    let got = run(cli, &["moco", group, "get", "--id", id]).await;
    if got.code != 0 {
        return if got.stderr.contains("404") {
            Ok(None)
        } else {
            Err(format!("get {id}: exit {}: {}", got.code, got.stderr))
        };
    }
    document(&got).map(Some)
}

/// Checked against moco-api/sections/invoices.md: `POST /invoices` (the starred fields;
/// status `created` unless `draft`), `GET /invoices` (paged like every list, entities.md),
/// `GET /invoices/{id}`, `PUT /invoices/{id}/update_status` ("created", "sent", "overdue",
/// "ignored"; only for actual invoices, not drafts) and `DELETE /invoices/{id}` (a reason,
/// which only a draft may leave out).
async fn invoices(cli: &Cli) -> Result<(), String> {
    let inputs = [
        invoice_input("Invoice story 1", json!({})),
        invoice_input("Invoice story 2", json!({})),
        invoice_input("Invoice story 3", json!({"status": "draft"})),
    ];
    let made = create_all(cli, "invoices.create", &inputs).await?;
    let all = ids(&list(cli, "invoices", &[], true).await?);
    expect(made.iter().all(|id| all.contains(id)), || {
        format!("list --all: {all:?}, created {made:?}")
    })?;
    let first = list(cli, "invoices", &[], false).await?;
    expect(first.len() == PER_PAGE, || {
        format!("first page of {} invoices", first.len())
    })?;

    let (issued, draft) = (&made[0], &made[2]);
    let invoice = get(cli, "invoices", issued)
        .await?
        .ok_or("issued invoice gone")?;
    expect(
        invoice["status"] == "created" && invoice["title"] == "Invoice story 1",
        || format!("a new invoice: {invoice}"),
    )?;
    ok(
        cli,
        &[
            "moco",
            "invoices",
            "update_status",
            "--id",
            issued,
            "--status",
            "sent",
        ],
    )
    .await?;
    let invoice = get(cli, "invoices", issued)
        .await?
        .ok_or("sent invoice gone")?;
    expect(invoice["status"] == "sent", || {
        format!("after update_status: {invoice}")
    })?;
    let on_draft = run(
        cli,
        &[
            "moco",
            "invoices",
            "update_status",
            "--id",
            draft,
            "--status",
            "sent",
        ],
    )
    .await;
    refused(&on_draft, "422")?;
    let unchanged = get(cli, "invoices", draft).await?.ok_or("draft gone")?;
    expect(unchanged["status"] == "draft", || {
        format!("the draft: {unchanged}")
    })?;

    let without_reason = run(cli, &["moco", "invoices", "delete", "--id", issued]).await;
    refused(&without_reason, "422")?;
    expect(get(cli, "invoices", issued).await?.is_some(), || {
        "deleted without a reason".into()
    })?;
    ok(
        cli,
        &[
            "moco",
            "invoices",
            "delete",
            "--id",
            issued,
            "--reason",
            "Wrong customer",
        ],
    )
    .await?;
    ok(cli, &["moco", "invoices", "delete", "--id", draft]).await?;
    for id in [issued, draft] {
        if let Some(invoice) = get(cli, "invoices", id).await? {
            return Err(format!("{id} still there after delete: {invoice}"));
        }
    }
    let all = ids(&list(cli, "invoices", &[], true).await?);
    expect(!all.contains(issued) && all.contains(&made[1]), || {
        format!("list after delete: {all:?}")
    })
}

/// Ids in numeric order (a `run` batch creates its records concurrently).
fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort_by_key(|id| id.parse::<u64>().unwrap_or(u64::MAX));
    ids
}

/// A small PDF in the CLI's home, for `--attachment @PATH`.
fn pdf(cli: &Cli, name: &str) -> String {
    let path = cli.write_file(
        name,
        b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
    );
    format!("@{}", path.display())
}

/// Attaches two PDFs to the record in `parent_flag`, lists them, detaches one and lists the
/// other alone.
async fn attachments(
    cli: &Cli,
    group: &str,
    parent_flag: &str,
    parent: &str,
) -> Result<(), String> {
    let mut made = Vec::new();
    for n in 1..=2 {
        let file = pdf(cli, &format!("{group}-{n}.pdf"));
        let attached = ok(
            cli,
            &[
                "moco",
                group,
                "create",
                parent_flag,
                parent,
                "--attachment",
                &file,
            ],
        )
        .await?;
        made.push(id_of(&document(&attached)?)?);
    }
    let listed = ids(&list(cli, group, &[parent_flag, parent], false).await?);
    expect(listed == made, || {
        format!("listed {listed:?}, attached {made:?}")
    })?;
    ok(
        cli,
        &[
            "moco",
            group,
            "delete",
            parent_flag,
            parent,
            "--id",
            &made[0],
        ],
    )
    .await?;
    let listed = ids(&list(cli, group, &[parent_flag, parent], false).await?);
    expect(listed == made[1..], || {
        format!("listed after detaching {}: {listed:?}", made[0])
    })
}

/// Checked against moco-api/sections/invoices.md: `GET /invoices/{id}/attachments`,
/// `POST /invoices/{invoice_id}/attachments` (`attachment` with filename and base64) and
/// `DELETE /invoices/{invoice_id}/attachments/{id}`; no get, no update.
async fn invoice_attachments(cli: &Cli) -> Result<(), String> {
    let invoice = create_all(
        cli,
        "invoices.create",
        &[invoice_input("Attached", json!({}))],
    )
    .await?;
    attachments(cli, "invoice_attachments", "--invoice_id", &invoice[0]).await
}

/// Checked against moco-api/sections/offers.md: `POST /offers` (recipient_address, date,
/// due_date, title, tax, items, a company), `GET /offers/{id}/attachments`,
/// `POST /offers/{id}/attachments` and `DELETE /offers/{offer_id}/attachments/{id}`.
async fn offer_attachments(cli: &Cli) -> Result<(), String> {
    let mut offer = invoice_input("Offer story", json!({"company_id": seed::MOCO_COMPANY_ID}));
    if let Some(offer) = offer.as_object_mut() {
        offer.remove("customer_id");
    }
    let offer = create_all(cli, "offers.create", &[offer]).await?;
    attachments(cli, "offer_attachments", "--offer_id", &offer[0]).await
}

/// Checked against moco-api/sections/invoice_reminders.md: `POST /invoice_reminders`
/// (invoice_id starred; title, text, fee, date, due_date), `GET /invoice_reminders` (with
/// `invoice_id`), `GET /invoice_reminders/{id}` and `DELETE /invoice_reminders/{id}`.
async fn invoice_reminders(cli: &Cli) -> Result<(), String> {
    let invoice = create_all(
        cli,
        "invoices.create",
        &[invoice_input("Reminded", json!({}))],
    )
    .await?;
    let invoice = &invoice[0];
    let invoice_id: u64 = invoice
        .parse()
        .map_err(|_| format!("invoice id {invoice}"))?;
    let reminders: Vec<Value> = (1..=PER_PAGE + 1)
        .map(|n| {
            json!({"invoice_id": invoice_id, "title": format!("Reminder {n}"), "fee": 5,
                "date": "2026-12-10", "due_date": "2026-12-24"})
        })
        .collect();
    let made = create_all(cli, "invoice_reminders.create", &reminders).await?;
    let of_invoice = ["--invoice_id", invoice.as_str()];
    let listed = sorted(ids(
        &list(cli, "invoice_reminders", &of_invoice, true).await?
    ));
    expect(listed == sorted(made.clone()), || {
        format!("listed {listed:?}, issued {made:?}")
    })?;
    let reminder = get(cli, "invoice_reminders", &made[1])
        .await?
        .ok_or("reminder gone")?;
    expect(reminder["title"] == "Reminder 2", || {
        format!("get: {reminder}")
    })?;
    ok(
        cli,
        &["moco", "invoice_reminders", "delete", "--id", &made[1]],
    )
    .await?;
    if let Some(reminder) = get(cli, "invoice_reminders", &made[1]).await? {
        return Err(format!("still there after delete: {reminder}"));
    }
    let listed = sorted(ids(
        &list(cli, "invoice_reminders", &of_invoice, true).await?
    ));
    expect(
        listed == sorted(vec![made[0].clone(), made[2].clone()]),
        || format!("listed after delete: {listed:?}"),
    )
}

/// Checked against moco-api/sections/purchase_drafts.md: `POST /purchases/drafts` (title,
/// an optional file), `GET /purchases/drafts` (paged), `GET /purchases/drafts/{id}` and
/// `DELETE /purchases/drafts/{id}`; no update.
async fn purchase_drafts(cli: &Cli) -> Result<(), String> {
    let drafts: Vec<Value> = (1..=PER_PAGE + 1)
        .map(|n| json!({"title": format!("Supplier invoice {n}")}))
        .collect();
    let made = create_all(cli, "purchase_drafts.create", &drafts).await?;
    let listed = ids(&list(cli, "purchase_drafts", &[], true).await?);
    expect(made.iter().all(|id| listed.contains(id)), || {
        format!("list --all: {listed:?}, created {made:?}")
    })?;
    let first = list(cli, "purchase_drafts", &[], false).await?;
    expect(first.len() == PER_PAGE, || {
        format!("first page of {}", first.len())
    })?;
    let draft = get(cli, "purchase_drafts", &made[0])
        .await?
        .ok_or("draft gone")?;
    expect(draft["title"] == "Supplier invoice 1", || {
        format!("get: {draft}")
    })?;
    ok(
        cli,
        &["moco", "purchase_drafts", "delete", "--id", &made[0]],
    )
    .await?;
    if let Some(draft) = get(cli, "purchase_drafts", &made[0]).await? {
        return Err(format!("still there after delete: {draft}"));
    }
    let listed = ids(&list(cli, "purchase_drafts", &[], true).await?);
    expect(
        !listed.contains(&made[0]) && listed.contains(&made[1]),
        || format!("list after delete: {listed:?}"),
    )
}
