//! What the generic tier does not know about invoices (moco-api/sections/invoices.md): a new
//! invoice is `created` unless it is a draft, only issued invoices change status (answered
//! with 204), and an issued invoice is deleted only with a reason; a reminder embeds its
//! invoice (invoice_reminders.md). The records stay in the generic tier's collections.

use super::*;
use crate::http::as_id;
use crate::server::lock;

/// `status` on create: `created` / `draft`, default `created` (`POST /invoices`); `sent`
/// is taken and gives `created`.
const CREATE_STATUSES: &[&str] = &["created", "draft", "sent"];

/// "The following states are valid" (`PUT /invoices/{id}/update_status`).
const SET_STATUSES: &[&str] = &["created", "sent", "overdue", "ignored"];

const COLLECTION: &str = "/invoices";

/// "The response returns an array with all the invoice information (see attributes), except
/// `salutation`, `footer`, `items`, `payments` and `reminders`" (`GET /invoices`).
pub(super) const LIST_OMITS: &[(&str, &[&str])] = &[(
    COLLECTION,
    &["salutation", "footer", "items", "payments", "reminders"],
)];

impl App {
    /// `POST /invoices`, `PUT /invoices/{id}/update_status` and `DELETE /invoices/{id}`; other
    /// invoice routes go to the generic tier.
    pub(super) fn invoices(&self, req: &Req<'_>, rest: &[&str]) -> Answer {
        match (req.method, rest) {
            ("POST", ["invoices"]) => {
                let mut body = req.body()?;
                let status = match body.get("status") {
                    None | Some(Value::Null) => "created".to_owned(),
                    Some(Value::String(s)) if CREATE_STATUSES.contains(&s.as_str()) => {
                        if s == "draft" { "draft" } else { "created" }.to_owned()
                    }
                    Some(_) => return Err(field_error("status", "is not included in the list")),
                };
                body.insert("status".to_owned(), json!(status));
                let invoice = self.generic.insert(COLLECTION, body, &[]);
                Ok(json(StatusCode::OK, &invoice))
            }
            ("PUT", ["invoices", id, "update_status"]) => {
                let status = req.body()?.get("status").cloned();
                let status = status
                    .as_ref()
                    .and_then(Value::as_str)
                    .filter(|s| SET_STATUSES.contains(s))
                    .ok_or_else(|| field_error("status", "is not included in the list"))?;
                let mut records = lock(&self.generic.records);
                let invoice = records
                    .collections
                    .get_mut(COLLECTION)
                    .zip(seg_id(id))
                    .and_then(|(c, id)| c.get_mut(&id))
                    .ok_or_else(|| not_found("Invoice"))?;
                // "Only works for actual invoices, not invoice drafts."
                if invoice["status"] == "draft" {
                    return Err(field_error("status", "cannot be changed on a draft"));
                }
                invoice["status"] = json!(status);
                invoice["updated_at"] = json!(iso_from_millis(unix_millis()));
                Ok(empty(StatusCode::NO_CONTENT))
            }
            ("DELETE", ["invoices", id]) => {
                let reason = req.body()?.get("reason").cloned();
                let records = lock(&self.generic.records);
                let invoice = records
                    .collections
                    .get(COLLECTION)
                    .zip(seg_id(id))
                    .and_then(|(c, id)| c.get(&id))
                    .ok_or_else(|| not_found("Invoice"))?;
                // "reason* ... can only be omitted if the invoice to be deleted is a draft."
                let given = reason
                    .as_ref()
                    .and_then(Value::as_str)
                    .is_some_and(|r| !r.trim().is_empty());
                if invoice["status"] != "draft" && !given {
                    return Err(field_error("reason", "can't be blank"));
                }
                Err(route_not_found())
            }
            // invoice_reminders.md: the representation holds "shortened invoice information"
            // (`invoice: {id, identifier, title}`) where the request gave `invoice_id`.
            ("POST", ["invoice_reminders"]) => {
                let mut body = req.body()?;
                let id = body.get("invoice_id").and_then(as_id);
                let invoice = {
                    let records = lock(&self.generic.records);
                    records
                        .collections
                        .get(COLLECTION)
                        .zip(id)
                        .and_then(|(c, id)| c.get(&id))
                        .map(|i| json!({"id": i["id"], "identifier": i["identifier"], "title": i["title"]}))
                };
                let invoice = invoice.ok_or_else(|| field_error("invoice", "must exist"))?;
                body.remove("invoice_id");
                body.insert("invoice".to_owned(), invoice);
                let reminder = self.generic.insert("/invoice_reminders", body, &[]);
                Ok(json(StatusCode::OK, &reminder))
            }
            _ => Err(route_not_found()),
        }
    }
}
