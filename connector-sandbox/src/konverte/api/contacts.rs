//! Contacts: lists, search, filter, create, get, update, delete, their conversations and
//! contact inboxes (`contacts_controller.rb`, `contacts/contact_inboxes_controller.rb`).

use super::contact_avatar::avatar_of;
use super::filter::{filter_matches, filter_payload};
use super::*;

impl App {
    /// `contacts`, `contacts/search`, `contacts/filter`: paged lists.
    pub(super) fn contact_lists(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        let acc = Some(account);
        match (c.m(), rest) {
            ("GET", ["contacts"]) => {
                let mut contacts: Vec<&Value> = st
                    .contacts
                    .values()
                    .filter(|ct| get_u64(ct, "account_id") == acc)
                    .collect();
                sort_contacts(&mut contacts, c.query.get("sort"));
                contact_page(st, &contacts, c.query.page())
            }
            ("GET", ["contacts", "search"]) => {
                let q = c.query.get("q").unwrap_or("").to_lowercase();
                let mut contacts: Vec<&Value> = st
                    .contacts
                    .values()
                    .filter(|ct| get_u64(ct, "account_id") == acc)
                    .filter(|ct| {
                        ["name", "email", "phone_number", "identifier"]
                            .iter()
                            .any(|k| get_str(ct, k).to_lowercase().contains(&q))
                    })
                    .collect();
                sort_contacts(&mut contacts, c.query.get("sort"));
                contact_page(st, &contacts, c.query.page())
            }
            ("POST", ["contacts", "filter"]) => {
                let body = c.body()?;
                let conditions = filter_payload(&body)?;
                let mut contacts = Vec::new();
                for contact in st.contacts.values() {
                    if get_u64(contact, "account_id") == acc
                        && filter_matches(contact, &conditions)?
                    {
                        contacts.push(contact);
                    }
                }
                contact_page(st, &contacts, c.query.page())
            }
            _ => Err(route_not_found()),
        }
    }

    /// One contact and what hangs off it.
    pub(super) fn contact_records(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        let acc = Some(account);
        match (c.m(), rest) {
            ("POST", ["contacts"]) => self.create_contact(st, c, account),
            ("GET", ["contacts", contact]) => {
                let contact = find_contact(st, account, contact)?;
                ok(&st.contact_single(&st.contacts[&contact]))
            }
            ("PUT" | "PATCH", ["contacts", contact]) => {
                let contact = find_contact(st, account, contact)?;
                let (body, files) = c.form()?;
                let avatar = avatar_of(files)?;
                update_contact(st, account, contact, &body)?;
                self.keep_avatar(st, contact, avatar);
                ok(&st.contact_single(&st.contacts[&contact]))
            }
            // contacts_controller.rb#avatar: the avatar purged, the contact without its inboxes.
            ("DELETE", ["contacts", contact, "avatar"]) => {
                let contact = find_contact(st, account, contact)?;
                if let Some(record) = st.contacts.get_mut(&contact) {
                    merge(record, json_map(json!({"thumbnail": ""})));
                }
                let mut view = st.contact_flat(&st.contacts[&contact]);
                if let Value::Object(map) = &mut view {
                    map.remove("contact_inboxes");
                }
                ok(&json!({"payload": view}))
            }
            ("DELETE", ["contacts", contact]) => {
                let contact = find_contact(st, account, contact)?;
                st.delete_contact(contact);
                deleted()
            }
            ("GET", ["contacts", contact, "conversations"]) => {
                let contact = find_contact(st, account, contact)?;
                let conversations: Vec<Value> = st
                    .conversations
                    .values()
                    .filter(|cv| get_u64(cv, "contact_id") == Some(contact))
                    .map(|cv| st.conversation_view(cv, false))
                    .collect();
                ok(&Value::Array(conversations))
            }
            ("GET", ["contacts", contact, "contactable_inboxes"]) => {
                let contact = find_contact(st, account, contact)?;
                let mut entries = Vec::new();
                for inbox in st
                    .inboxes
                    .values()
                    .filter(|i| get_u64(i, "account_id") == acc)
                {
                    let inbox_id = get_u64(inbox, "id").unwrap_or(0);
                    let source_id = st
                        .contact_inboxes
                        .iter()
                        .find(|ci| ci.contact_id == contact && ci.inbox_id == inbox_id)
                        .map(|ci| ci.source_id.clone())
                        .unwrap_or_else(crate::http::random_uuid);
                    entries.push(json!({"source_id": source_id, "inbox": st.inbox_view(inbox)}));
                }
                let first = entries.first().cloned().unwrap_or(json!({}));
                ok(&json!({
                    "source_id": first.get("source_id"),
                    "inbox": first.get("inbox"),
                    "payload": entries,
                }))
            }
            ("POST", ["contacts", contact, "contact_inboxes"]) => {
                let contact = find_contact(st, account, contact)?;
                let body = c.body()?;
                let input = Input::new(&body, true);
                let inbox = input.required_id("inbox_id")?;
                if find_inbox(st, account, &inbox.to_string()).is_err() {
                    return Err(invalid("inbox_id", "Inbox does not exist in this account"));
                }
                let source_id = input.str("source_id")?.filter(|s| !s.is_empty());
                if let Some(source) = &source_id
                    && st.contact_inboxes.iter().any(|ci| {
                        ci.inbox_id == inbox && ci.source_id == *source && ci.contact_id != contact
                    })
                {
                    return Err(invalid("source_id", "Source has already been taken"));
                }
                let ci = st.ensure_contact_inbox(contact, inbox, source_id);
                self.counters.created();
                ok(&st.contact_inbox_view(&ci))
            }
            _ => Err(route_not_found()),
        }
    }

    fn create_contact(&self, st: &mut Store, c: &Ctx<'_>, account: u64) -> Answer {
        let (body, files) = c.form()?;
        let avatar = avatar_of(files)?;
        let input = Input::new(&body, true);
        // contacts_controller.rb#build_contact_inbox: a blank inbox_id makes no contact inbox;
        // another account's or an unknown inbox is `inboxes.find`'s RecordNotFound, a 404.
        let inbox = match input.raw("inbox_id") {
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(_) => Some(input.required_id("inbox_id")?),
            None => None,
        };
        if let Some(inbox) = inbox {
            find_inbox(st, account, &inbox.to_string())?;
        }
        let mut fields = contact_fields(st, account, &input, None)?;
        // Enterprise permits company_id (blank clears it).
        if let Some(raw) = input.raw("company_id") {
            let company = match raw {
                Value::String(s) if s.trim().is_empty() => None,
                _ => Some(input.required_id("company_id")?),
            };
            fields.insert("company_id".into(), json!(company));
        }
        let id = st.next_id("contact");
        let mut contact = json!({
            "id": id,
            "account_id": account,
            "name": "",
            "email": null,
            "phone_number": null,
            "identifier": null,
            "thumbnail": "",
            "additional_attributes": {},
            "custom_attributes": {},
            "availability_status": "offline",
            "blocked": false,
            "created_at": unix_now(),
            "last_activity_at": null,
        });
        merge(&mut contact, fields);
        let source_id = input.str("source_id")?.filter(|s| !s.is_empty());
        st.put_contact(id, contact);
        self.keep_avatar(st, id, avatar);
        st.raise_contact_created(id);
        if let Some(inbox) = inbox {
            st.ensure_contact_inbox(id, inbox, source_id);
        }
        self.counters.created();
        let mut view = st.contact_single(&st.contacts[&id]);
        // create.json.jbuilder renders contact_inbox's inbox and source_id, null without one.
        if let Some(slot @ Value::Null) = view.pointer_mut("/payload/contact_inbox") {
            *slot = json!({"inbox": null, "source_id": null});
        }
        ok(&view)
    }
}

/// E.164 phone numbers, as the real server requires.
fn check_phone(phone: &str) -> Result<(), Fail> {
    let digits = phone.strip_prefix('+').unwrap_or("");
    let valid = !digits.is_empty()
        && digits.len() <= 15
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    if valid {
        Ok(())
    } else {
        Err(invalid(
            "phone_number",
            "Phone number should be in e164 format (for example +4930123456)",
        ))
    }
}

pub(super) fn find_contact(st: &Store, account: u64, segment: &str) -> Result<u64, Fail> {
    let contact = id(segment, "Contact")?;
    st.contacts
        .get(&contact)
        .filter(|c| get_u64(c, "account_id") == Some(account))
        .map(|_| contact)
        .ok_or_else(|| not_found("Contact"))
}

fn sort_contacts(contacts: &mut [&Value], sort: Option<&str>) {
    let Some(sort) = sort else {
        return;
    };
    let (key, descending) = match sort.strip_prefix('-') {
        Some(key) => (key, true),
        None => (sort, false),
    };
    if ![
        "name",
        "email",
        "phone_number",
        "last_activity_at",
        "created_at",
    ]
    .contains(&key)
    {
        return;
    }
    contacts.sort_by(|a, b| {
        let ordering = match (a.get(key), b.get(key)) {
            (Some(Value::Number(x)), Some(Value::Number(y))) => x
                .as_f64()
                .partial_cmp(&y.as_f64())
                .unwrap_or(std::cmp::Ordering::Equal),
            _ => get_str(a, key)
                .to_lowercase()
                .cmp(&get_str(b, key).to_lowercase()),
        };
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
}

fn contact_page(st: &Store, contacts: &[&Value], page: usize) -> Answer {
    let payload: Vec<Value> = page_of(contacts, page)
        .into_iter()
        .map(|ct| st.contact_flat(ct))
        .collect();
    ok(&json!({
        "meta": {"count": contacts.len(), "current_page": page},
        "payload": payload,
    }))
}

/// Validated contact fields from a create or update body.
pub(super) fn contact_fields(
    st: &Store,
    account: u64,
    input: &Input<'_>,
    except: Option<u64>,
) -> Result<Map<String, Value>, Fail> {
    let mut out = Map::new();
    if let Some(name) = input.str("name")? {
        out.insert("name".into(), json!(name));
    }
    if let Some(email) = input.str("email")? {
        if !email.is_empty() {
            check_email("email", &email)?;
            if !email_is_free_for_contact(st, account, &email, except) {
                return Err(invalid("email", "Email has already been taken"));
            }
        }
        out.insert("email".into(), json!(email));
    }
    if let Some(phone) = input.str("phone_number")? {
        if !phone.is_empty() {
            check_phone(&phone)?;
        }
        out.insert("phone_number".into(), json!(phone));
    }
    if let Some(identifier) = input.str("identifier")? {
        let taken = !identifier.is_empty()
            && st.contacts.values().any(|c| {
                get_u64(c, "account_id") == Some(account)
                    && get_u64(c, "id") != except
                    && get_str(c, "identifier") == identifier
            });
        if taken {
            return Err(invalid("identifier", "Identifier has already been taken"));
        }
        out.insert("identifier".into(), json!(identifier));
    }
    // The server fetches avatar_url in the background (Avatar::AvatarFromUrlJob) and shows
    // its copy as the thumbnail; the sandbox shows the address at once.
    if let Some(url) = input.str("avatar_url")?.filter(|u| !u.is_empty()) {
        out.insert("thumbnail".into(), json!(url));
    }
    if let Some(custom) = input.object("custom_attributes")? {
        out.insert("custom_attributes".into(), Value::Object(custom));
    }
    if let Some(additional) = input.object("additional_attributes")? {
        out.insert("additional_attributes".into(), Value::Object(additional));
    }
    if let Some(blocked) = input.bool("blocked")? {
        out.insert("blocked".into(), json!(blocked));
    }
    Ok(out)
}

/// Applies an update body to a contact; custom and additional attributes are merged. Raises
/// `contact_updated` when something changed (app/models/contact.rb#dispatch_update_event).
pub(super) fn update_contact(
    st: &mut Store,
    account: u64,
    contact: u64,
    body: &Map<String, Value>,
) -> Result<(), Fail> {
    let input = Input::new(body, false);
    let mut fields = contact_fields(st, account, &input, Some(contact))?;
    let record = st
        .contacts
        .get_mut(&contact)
        .ok_or_else(|| not_found("Contact"))?;
    let before = record.clone();
    for key in ["custom_attributes", "additional_attributes"] {
        if let Some(Value::Object(new)) = fields.remove(key) {
            let mut merged = record
                .get(key)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            merged.extend(new);
            fields.insert(key.into(), Value::Object(merged));
        }
    }
    merge(record, fields);
    st.index_contact(contact);
    st.raise_contact_updated(contact, &before);
    Ok(())
}
