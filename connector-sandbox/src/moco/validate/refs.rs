//! The embedded representations of referenced entities.

use super::*;

pub(super) fn field(map: &Map<String, Value>, key: &str) -> Value {
    map.get(key).cloned().unwrap_or(Value::Null)
}

pub(crate) fn user_ref(store: &MStore, id: u64) -> Option<Value> {
    let user = store.get(Res::Users, id)?.value();
    Some(
        json!({"id": id, "firstname": field(&user, "firstname"), "lastname": field(&user, "lastname")}),
    )
}

pub(super) fn company_ref(store: &MStore, id: u64) -> Option<Value> {
    let company = store.get(Res::Companies, id)?.value();
    Some(json!({"id": id, "type": field(&company, "type"), "name": field(&company, "name")}))
}

pub(super) fn customer_ref(store: &MStore, id: u64) -> Option<Value> {
    let company = store.get(Res::Companies, id)?.value();
    Some(json!({"id": id, "name": field(&company, "name")}))
}

pub(super) fn contact_ref(store: &MStore, id: u64) -> Option<Value> {
    let contact = store.get(Res::Contacts, id)?.value();
    Some(
        json!({"id": id, "firstname": field(&contact, "firstname"), "lastname": field(&contact, "lastname")}),
    )
}

pub(super) fn person_ref(store: &MStore, id: u64) -> Option<Value> {
    let contact = store.get(Res::Contacts, id)?.value();
    let name = format!(
        "{} {}",
        contact
            .get("firstname")
            .and_then(Value::as_str)
            .unwrap_or(""),
        contact
            .get("lastname")
            .and_then(Value::as_str)
            .unwrap_or("")
    );
    Some(json!({"id": id, "name": name.trim()}))
}

pub(super) fn deal_ref(store: &MStore, id: u64) -> Option<Value> {
    let deal = store.get(Res::Deals, id)?.value();
    Some(json!({"id": id, "name": field(&deal, "name")}))
}
