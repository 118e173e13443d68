//! Which collections the hand-written tier keeps, so the generic tier can answer 404 for a
//! nested route under a parent that does not exist.

use super::*;

/// Whether the hand-written collection at `collection` (a concrete path) holds `segment`
/// (an id, a portal slug, an inbox identifier or a contact's source id); `None` when the
/// generic tier keeps the collection.
pub(super) fn owns(st: &Store, collection: &str, segment: &str) -> Option<bool> {
    let parts: Vec<&str> = collection.split('/').filter(|s| !s.is_empty()).collect();
    let id = seg_id(segment);
    let account_of = |a: &str| seg_id(a).filter(|a| st.accounts.contains_key(a));
    Some(match parts.as_slice() {
        ["platform", "api", "v1", "accounts"] | ["api", "v1" | "v2", "accounts"] => {
            id.is_some_and(|a| st.accounts.contains_key(&a))
        }
        ["platform", "api", "v1", "users"] => id.is_some_and(|u| st.users.contains_key(&u)),
        ["platform", "api", "v1", "agent_bots"] => {
            id.is_some_and(|b| st.record(Kind::PlatformBot, b).is_some())
        }
        ["public", "api", "v1", "inboxes"] => public_inbox(st, segment).is_some(),
        ["public", "api", "v1", "inboxes", identifier, "contacts"] => public_inbox(st, identifier)
            .is_some_and(|inbox| {
                st.contact_inboxes
                    .iter()
                    .any(|ci| ci.inbox_id == inbox && ci.source_id == segment)
            }),
        [
            "public",
            "api",
            "v1",
            "inboxes",
            identifier,
            "contacts",
            source,
            "conversations",
        ] => {
            let Some(inbox) = public_inbox(st, identifier) else {
                return Some(false);
            };
            let contact = st
                .contact_inboxes
                .iter()
                .find(|ci| ci.inbox_id == inbox && ci.source_id == *source)
                .map(|ci| ci.contact_id);
            id.and_then(|c| st.conversations.get(&c))
                .is_some_and(|c| contact.is_some() && get_u64(c, "contact_id") == contact)
        }
        ["api", "v1", "accounts", account, rest @ ..] => {
            let Some(account) = account_of(account) else {
                return Some(false);
            };
            return in_account(st, account, rest, segment);
        }
        ["api", "v2", "accounts", account, ..] => return account_of(account).map(|_| true),
        _ => return None,
    })
}

fn public_inbox(st: &Store, identifier: &str) -> Option<u64> {
    st.inboxes
        .values()
        .find(|i| get_str(i, "inbox_identifier") == identifier)
        .and_then(|i| get_u64(i, "id"))
}

/// A collection under `/api/v1/accounts/{account}`.
fn in_account(st: &Store, account: u64, rest: &[&str], segment: &str) -> Option<bool> {
    let acc = Some(account);
    let id = seg_id(segment);
    let record = |kind: Kind| id.is_some_and(|r| records::find(st, kind, acc, r).is_ok());
    let kind = match rest {
        ["contacts"] => return Some(find_contact(st, account, segment).is_ok()),
        ["conversations"] => {
            return Some(super::conversations::find_conversation(st, account, segment).is_ok());
        }
        ["inboxes"] => return Some(find_inbox(st, account, segment).is_ok()),
        ["agents"] => return Some(id.is_some_and(|u| st.is_agent(account, u))),
        ["conversations", conversation, "messages"] => {
            return Some(
                seg_id(conversation)
                    .zip(id)
                    .is_some_and(|key| st.messages.contains_key(&key)),
            );
        }
        ["portals"] => {
            return Some(
                st.in_account(Kind::Portal, account)
                    .iter()
                    .any(|p| get_u64(p, "id") == id || get_str(p, "slug") == segment),
            );
        }
        ["portals", _, "categories"] => Kind::Category,
        ["portals", _, "articles"] => Kind::Article,
        ["agent_bots"] => Kind::AccountBot,
        ["teams"] => Kind::Team,
        ["canned_responses"] => Kind::Canned,
        ["custom_attribute_definitions"] => Kind::CustomAttribute,
        ["custom_filters"] => Kind::CustomFilter,
        ["webhooks"] => Kind::Webhook,
        ["automation_rules"] => Kind::AutomationRule,
        ["integrations", "hooks"] => Kind::IntegrationHook,
        _ => return None,
    };
    Some(record(kind))
}
