//! Account webhooks (`webhooks_controller.rb`) and integration apps and hooks.

use super::*;

impl App {
    /// `webhooks`: app/views/api/v1/accounts/webhooks/*.json.jbuilder render
    /// `{payload: {webhooks|webhook}}`, each with its signing secret; a URL is unique in an account.
    pub(super) fn webhooks(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        let acc = Some(account);
        match (c.m(), rest) {
            ("GET", ["webhooks"]) => {
                let items: Vec<Value> = st
                    .in_account(Kind::Webhook, account)
                    .into_iter()
                    .cloned()
                    .collect();
                ok(&json!({"payload": {"webhooks": items}}))
            }
            ("POST", ["webhooks"]) => {
                let body = c.body()?;
                let url = body.get("url").and_then(Value::as_str).unwrap_or("");
                if st
                    .in_account(Kind::Webhook, account)
                    .iter()
                    .any(|h| get_str(h, "url") == url)
                {
                    return Err(invalid("url", "Url has already been taken"));
                }
                let mut extra = Map::new();
                extra.insert("secret".into(), Value::String(random_hex(24)));
                let record = records::create(st, Kind::Webhook, acc, &body, extra)?;
                self.counters.created();
                ok(&json!({"payload": {"webhook": record}}))
            }
            ("PATCH", ["webhooks", hook]) => {
                let body = c.body()?;
                let record = records::update(st, Kind::Webhook, acc, id(hook, "Webhook")?, &body)?;
                ok(&json!({"payload": {"webhook": record}}))
            }
            ("DELETE", ["webhooks", hook]) => {
                records::delete(st, Kind::Webhook, acc, id(hook, "Webhook")?)?;
                deleted()
            }
            _ => Err(route_not_found()),
        }
    }

    /// `integrations/apps` and `integrations/hooks`.
    pub(super) fn integrations(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        let acc = Some(account);
        match (c.m(), rest) {
            ("GET", ["integrations", "apps"]) => {
                let hooks = st.in_account(Kind::IntegrationHook, account);
                let apps: Vec<Value> = APPS
                    .iter()
                    .map(|(app, name, description, hook_type, multiple)| {
                        let app_hooks: Vec<Value> = hooks
                            .iter()
                            .filter(|h| get_str(h, "app_id") == *app)
                            .map(|h| (*h).clone())
                            .collect();
                        json!({
                            "id": app,
                            "name": name,
                            "description": description,
                            "hook_type": hook_type,
                            "enabled": !app_hooks.is_empty(),
                            "allow_multiple_hooks": multiple,
                            "hooks": app_hooks,
                        })
                    })
                    .collect();
                ok(&json!({"payload": apps}))
            }
            ("POST", ["integrations", "hooks"]) => {
                self.create_record(st, c, Kind::IntegrationHook, account)
            }
            ("PATCH", ["integrations", "hooks", hook]) => {
                let body = c.body()?;
                let hook = id(hook, "Integration hook")?;
                ok(&records::update(
                    st,
                    Kind::IntegrationHook,
                    acc,
                    hook,
                    &body,
                )?)
            }
            ("DELETE", ["integrations", "hooks", hook]) => {
                records::delete(
                    st,
                    Kind::IntegrationHook,
                    acc,
                    id(hook, "Integration hook")?,
                )?;
                deleted()
            }
            _ => Err(route_not_found()),
        }
    }
}
