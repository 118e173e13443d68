//! Help center: portals and their categories and articles. A portal is named by its slug in
//! paths (`Current.account.portals.find_by(slug:)`: portals_controller.rb,
//! categories_controller.rb, articles_controller.rb; the sandbox also takes its id); the
//! record's fields may come under `portal`, `category` or `article`
//! (`params.require(:portal)`) or flat (Rails' wrap_parameters).

use super::*;

/// Categories per page: Limits::CATEGORIES_PER_PAGE (app/models/category.rb, lib/limits.rb).
const CATEGORIES_PAGE: usize = 1000;
/// Articles per page: `.page(...)` with Kaminari's default (articles_controller.rb#index).
const ARTICLES_PAGE: usize = 25;

impl App {
    /// `portals`, with categories and articles under a portal.
    pub(super) fn portals(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        let acc = Some(account);
        match (c.m(), rest) {
            ("GET", ["portals"]) => {
                let portals: Vec<Value> = st
                    .in_account(Kind::Portal, account)
                    .into_iter()
                    .map(|p| st.portal_view(p))
                    .collect();
                let count = portals.len();
                ok(
                    &json!({"payload": portals, "meta": {"current_page": 1, "portals_count": count}}),
                )
            }
            ("POST", ["portals"]) => {
                let body = fields_under(c.body()?, "portal");
                let portal = records::create(st, Kind::Portal, acc, &body, Map::new())?;
                self.counters.created();
                ok(&st.portal_view(&portal))
            }
            ("PATCH", ["portals"]) => {
                let body = fields_under(c.body()?, "portal");
                let portals = st.in_account(Kind::Portal, account);
                let target = body
                    .get("id")
                    .and_then(as_id)
                    .and_then(|pid| portals.iter().find(|p| get_u64(p, "id") == Some(pid)))
                    .or_else(|| {
                        body.get("slug")
                            .and_then(Value::as_str)
                            .and_then(|slug| portals.iter().find(|p| get_str(p, "slug") == slug))
                    })
                    .or_else(|| portals.last())
                    .and_then(|p| get_u64(p, "id"))
                    .ok_or_else(|| not_found("Portal"))?;
                let portal = records::update(st, Kind::Portal, acc, target, &body)?;
                ok(&st.portal_view(&portal))
            }
            ("GET", ["portals", portal]) => {
                let portal = find_portal(st, account, portal)?;
                ok(&st.portal_view(records::find(st, Kind::Portal, acc, portal)?))
            }
            ("PATCH", ["portals", portal]) => {
                let portal = find_portal(st, account, portal)?;
                let body = fields_under(c.body()?, "portal");
                let portal = records::update(st, Kind::Portal, acc, portal, &body)?;
                ok(&st.portal_view(&portal))
            }
            ("DELETE", ["portals", portal]) => {
                let portal = find_portal(st, account, portal)?;
                records::delete(st, Kind::Portal, acc, portal)?;
                for kind in [Kind::Category, Kind::Article] {
                    st.records(kind)
                        .retain(|_, r| get_u64(r, "portal_id") != Some(portal));
                }
                deleted()
            }
            (
                _,
                [
                    "portals",
                    portal,
                    child @ ("categories" | "articles"),
                    item @ ..,
                ],
            ) => {
                let portal = find_portal(st, account, portal)?;
                let kind = if *child == "categories" {
                    Kind::Category
                } else {
                    Kind::Article
                };
                self.portal_child(st, c, account, portal, kind, item)
            }
            _ => Err(route_not_found()),
        }
    }

    /// The categories or articles of `portal`: list, create, get, update, delete.
    fn portal_child(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        portal: u64,
        kind: Kind,
        item: &[&str],
    ) -> Answer {
        let acc = Some(account);
        let of_portal = |st: &Store, id: u64| {
            records::find(st, kind, acc, id)
                .ok()
                .filter(|r| get_u64(r, "portal_id") == Some(portal))
                .cloned()
                .ok_or_else(|| not_found(kind.label()))
        };
        let key = if kind == Kind::Category {
            "category"
        } else {
            "article"
        };
        match (c.m(), item) {
            ("GET", []) => {
                let all: Vec<Value> = st
                    .in_account(kind, account)
                    .into_iter()
                    .filter(|r| get_u64(r, "portal_id") == Some(portal))
                    .cloned()
                    .collect();
                let (size, count_key) = if kind == Kind::Category {
                    (CATEGORIES_PAGE, "categories_count")
                } else {
                    (ARTICLES_PAGE, "articles_count")
                };
                let page = c.query.page();
                let payload: Vec<Value> = all
                    .iter()
                    .skip((page - 1).saturating_mul(size))
                    .take(size)
                    .cloned()
                    .collect();
                let mut meta = json!({"current_page": page, count_key: all.len()});
                if kind == Kind::Article {
                    meta["all_articles_count"] = json!(all.len());
                }
                ok(&json!({"payload": payload, "meta": meta}))
            }
            ("POST", []) => {
                let body = fields_under(c.body()?, key);
                if kind == Kind::Article
                    && let Some(category) = body.get("category_id").and_then(as_id)
                {
                    records::find(st, Kind::Category, acc, category)
                        .ok()
                        .filter(|r| get_u64(r, "portal_id") == Some(portal))
                        .ok_or_else(|| invalid("category_id", "Category does not exist"))?;
                }
                let record =
                    records::create(st, kind, acc, &body, json_map(json!({"portal_id": portal})))?;
                self.counters.created();
                ok(&json!({"payload": record}))
            }
            ("GET", [record]) => ok(&json!({"payload": of_portal(st, id(record, key)?)?})),
            ("PATCH", [record]) => {
                let record = id(record, key)?;
                of_portal(st, record)?;
                let body = fields_under(c.body()?, key);
                let updated = records::update(st, kind, acc, record, &body)?;
                ok(&json!({"payload": updated}))
            }
            ("DELETE", [record]) => {
                let record = id(record, key)?;
                of_portal(st, record)?;
                records::delete(st, kind, acc, record)?;
                deleted()
            }
            _ => Err(route_not_found()),
        }
    }
}

/// The portal of `account` named by `segment`: its slug, or its id.
fn find_portal(st: &Store, account: u64, segment: &str) -> Result<u64, Fail> {
    st.in_account(Kind::Portal, account)
        .into_iter()
        .find(|p| get_str(p, "slug") == segment || get_u64(p, "id") == seg_id(segment))
        .and_then(|p| get_u64(p, "id"))
        .ok_or_else(|| not_found("Portal"))
}

/// The record's fields from a body that has them under `key` (then the other top-level
/// fields too, as `inbox_id` beside `portal`), or flat.
fn fields_under(mut body: Map<String, Value>, key: &str) -> Map<String, Value> {
    match body.remove(key) {
        Some(Value::Object(mut fields)) => {
            for (name, value) in body {
                fields.entry(name).or_insert(value);
            }
            fields
        }
        Some(other) => {
            body.insert(key.to_owned(), other);
            body
        }
        None => body,
    }
}
