//! Help center: portals and their categories and articles.

use super::*;

impl App {
    /// `portals`, with categories and articles created under a portal.
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
                let body = c.body()?;
                let portal = records::create(st, Kind::Portal, acc, &body, Map::new())?;
                self.counters.created();
                ok(&st.portal_view(&portal))
            }
            ("PATCH", ["portals"]) => {
                let body = c.body()?;
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
                let portal = records::find(st, Kind::Portal, acc, id(portal, "Portal")?)?;
                ok(&st.portal_view(portal))
            }
            ("PATCH", ["portals", portal]) => {
                let body = c.body()?;
                let portal = records::update(st, Kind::Portal, acc, id(portal, "Portal")?, &body)?;
                ok(&st.portal_view(&portal))
            }
            ("POST", ["portals", portal, child @ ("categories" | "articles")]) => {
                let portal = id(portal, "Portal")?;
                records::find(st, Kind::Portal, acc, portal)?;
                let kind = if *child == "categories" {
                    Kind::Category
                } else {
                    Kind::Article
                };
                let body = c.body()?;
                if kind == Kind::Article
                    && let Some(category) = body.get("category_id").and_then(as_id)
                {
                    records::find(st, Kind::Category, acc, category)
                        .map_err(|_| invalid("category_id", "Category does not exist"))?;
                }
                let record =
                    records::create(st, kind, acc, &body, json_map(json!({"portal_id": portal})))?;
                self.counters.created();
                ok(&record)
            }
            _ => Err(route_not_found()),
        }
    }
}
