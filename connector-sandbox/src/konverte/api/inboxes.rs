//! Inboxes, their agent bot and members (inbox members and team members share
//! [`App::members_of`]).

use super::*;

impl App {
    /// `inboxes`: list, create, get, update, delete, agent bot.
    pub(super) fn inboxes(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        let acc = Some(account);
        match (c.m(), rest) {
            ("GET", ["inboxes"]) => {
                let inboxes: Vec<Value> = st
                    .inboxes
                    .values()
                    .filter(|i| get_u64(i, "account_id") == acc)
                    .map(|i| st.inbox_view(i))
                    .collect();
                // inboxes/index.json.jbuilder renders the list under `payload`.
                ok(&json!({ "payload": inboxes }))
            }
            ("POST", ["inboxes"]) => self.create_inbox(st, c, account),
            ("GET", ["inboxes", inbox]) => {
                let inbox = find_inbox(st, account, inbox)?;
                ok(&st.inbox_view(st.inboxes.get(&inbox).unwrap_or(&Value::Null)))
            }
            ("PATCH" | "PUT", ["inboxes", inbox]) => {
                let inbox = find_inbox(st, account, inbox)?;
                self.update_inbox(st, c, inbox)
            }
            ("DELETE", ["inboxes", inbox]) => {
                let inbox = find_inbox(st, account, inbox)?;
                st.inboxes.remove(&inbox);
                st.inbox_members.retain(|(i, _)| *i != inbox);
                st.inbox_bots.remove(&inbox);
                // inboxes_controller.rb#destroy: the deletion job is queued, and it says so.
                ok(
                    &json!({"message": "Your inbox deletion request will be processed in some time."}),
                )
            }
            ("GET", ["inboxes", inbox, "agent_bot"]) => {
                let inbox = find_inbox(st, account, inbox)?;
                let bot = st.inbox_bots.get(&inbox).and_then(|b| {
                    st.record(Kind::AccountBot, *b)
                        .or_else(|| st.record(Kind::PlatformBot, *b))
                });
                match bot {
                    Some(bot) => ok(bot),
                    None => Ok(empty(StatusCode::NO_CONTENT)),
                }
            }
            ("POST", ["inboxes", inbox, "set_agent_bot"]) => {
                let inbox = find_inbox(st, account, inbox)?;
                let body = c.body()?;
                if !body.contains_key("agent_bot") {
                    return Err(blank("agent_bot"));
                }
                match Input::new(&body, false).id("agent_bot")? {
                    None => {
                        st.inbox_bots.remove(&inbox);
                    }
                    Some(bot) => {
                        let usable = records::find(st, Kind::AccountBot, acc, bot).is_ok()
                            || st.record(Kind::PlatformBot, bot).is_some();
                        if !usable {
                            return Err(not_found("Agent bot"));
                        }
                        st.inbox_bots.insert(inbox, bot);
                    }
                }
                Ok(empty(StatusCode::NO_CONTENT))
            }
            _ => Err(route_not_found()),
        }
    }

    /// `inbox_members`: list, add, replace, remove.
    pub(super) fn inbox_members(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        match (c.m(), rest) {
            ("GET", ["inbox_members", inbox]) => {
                let inbox = find_inbox(st, account, inbox)?;
                ok(&json!({ "payload": inbox_agents(st, account, inbox) }))
            }
            (_, ["inbox_members"]) => {
                let body = c.body()?;
                let input = Input::new(&body, true);
                let inbox = input.required_id("inbox_id")?;
                find_inbox(st, account, &inbox.to_string())?;
                self.members_of(st, c, account, inbox, MemberSet::Inbox)
            }
            _ => Err(route_not_found()),
        }
    }

    pub(super) fn create_inbox(&self, st: &mut Store, c: &Ctx<'_>, account: u64) -> Answer {
        let body = c.body()?;
        let input = Input::new(&body, true);
        let name = input.required_str("name")?.unwrap_or_default();
        let channel = input.object("channel")?.unwrap_or_default();
        let channel_input = Input::new(&channel, false);
        let channel_type = channel_input
            .choice("type", &["web_widget", "api", "email"])?
            .unwrap_or_else(|| "api".to_owned());
        if channel_type == "web_widget"
            && let Some(url) = channel_input.str("website_url")?
            && !url.is_empty()
            && !crate::http::looks_like_url(&url)
        {
            return Err(invalid("website_url", "Website url is invalid"));
        }
        let id = st.next_id("inbox");
        let record = inbox_record(id, account, &name, &channel_type, &random_hex(24), &channel);
        st.inboxes.insert(id, record.clone());
        st.raise_inbox_created(id);
        self.counters.created();
        ok(&st.inbox_view(&record))
    }
    fn update_inbox(&self, st: &mut Store, c: &Ctx<'_>, inbox: u64) -> Answer {
        let body = c.body()?;
        // Only the given attributes change (inboxes_controller.rb#update).
        let input = Input::new(&body, false);
        let mut patch = Map::new();
        if let Some(name) = input.required_str("name")? {
            patch.insert("name".into(), json!(name));
        }
        for key in [
            "enable_auto_assignment",
            "greeting_enabled",
            "working_hours_enabled",
            "csat_survey_enabled",
            "enable_email_collect",
            "allow_messages_after_resolved",
        ] {
            if let Some(b) = input.bool(key)? {
                patch.insert(key.into(), json!(b));
            }
        }
        for key in ["greeting_message", "timezone"] {
            if let Some(s) = input.str(key)? {
                patch.insert(key.into(), json!(s));
            }
        }
        if let Some(config) = input.object("csat_config")? {
            patch.insert("csat_config".into(), csat_config(&config));
        }
        if let Some(channel) = input.object("channel")? {
            let channel_input = Input::new(&channel, false);
            for key in [
                "website_url",
                "webhook_url",
                "welcome_title",
                "welcome_tagline",
                "widget_color",
            ] {
                if let Some(s) = channel_input.str(key)? {
                    patch.insert(key.into(), json!(s));
                }
            }
        }
        let record = st
            .inboxes
            .get_mut(&inbox)
            .ok_or_else(|| not_found("Inbox"))?;
        let before = record.clone();
        merge(record, patch);
        let record = record.clone();
        st.raise_inbox_updated(inbox, &before);
        ok(&st.inbox_view(&record))
    }
    pub(super) fn members_of(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        group: u64,
        set: MemberSet,
    ) -> Answer {
        let listing = |st: &Store| match set {
            MemberSet::Inbox => inbox_agents(st, account, group),
            MemberSet::Team => st
                .team_members
                .iter()
                .filter(|(t, _)| *t == group)
                .filter_map(|(_, u)| st.agent_view(account, *u))
                .collect(),
        };
        // inbox_members/{show,create,update}.json.jbuilder render the agents under
        // `payload`; team_members' views render a bare array.
        let render = |agents: Vec<Value>| match set {
            MemberSet::Inbox => ok(&json!({ "payload": agents })),
            MemberSet::Team => ok(&Value::Array(agents)),
        };
        if c.m() == "GET" {
            return render(listing(st));
        }
        let body = c.body()?;
        let input = Input::new(&body, true);
        let users = input.ids("user_ids")?.ok_or_else(|| blank("user_ids"))?;
        if let Some(missing) = users.iter().find(|u| !st.is_agent(account, **u)) {
            return Err(invalid(
                "user_ids",
                format!("User must exist (user {missing} is not an agent of this account)"),
            ));
        }
        let members = match set {
            MemberSet::Inbox => &mut st.inbox_members,
            MemberSet::Team => &mut st.team_members,
        };
        match c.m() {
            "POST" => {
                for user in &users {
                    members.insert((group, *user));
                }
                self.counters.created();
            }
            "PATCH" | "PUT" => {
                members.retain(|(g, _)| *g != group);
                for user in &users {
                    members.insert((group, *user));
                }
            }
            "DELETE" => {
                for user in &users {
                    members.remove(&(group, *user));
                }
                return deleted();
            }
            _ => return Err(route_not_found()),
        }
        render(listing(st))
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) enum MemberSet {
    Inbox,
    Team,
}

pub(super) fn find_inbox(st: &Store, account: u64, segment: &str) -> Result<u64, Fail> {
    let inbox = id(segment, "Inbox")?;
    st.inboxes
        .get(&inbox)
        .filter(|i| get_u64(i, "account_id") == Some(account))
        .map(|_| inbox)
        .ok_or_else(|| not_found("Inbox"))
}

pub(super) fn inbox_agents(st: &Store, account: u64, inbox: u64) -> Vec<Value> {
    st.inbox_members
        .range((inbox, 0)..=(inbox, u64::MAX))
        .filter_map(|(_, u)| st.agent_view(account, *u))
        .collect()
}

/// `format_csat_config`: the permitted survey settings with the controller's defaults.
fn csat_config(given: &Map<String, Value>) -> Value {
    let text = |key: &str, default: &str| {
        given
            .get(key)
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or(json!(default))
    };
    let rules = given.get("survey_rules");
    let mut config = json!({
        "display_type": text("display_type", "emoji"),
        "message": text("message", ""),
        "survey_rules": {
            "operator": rules.and_then(|r| r.get("operator")).filter(|v| !v.is_null()).cloned().unwrap_or(json!("contains")),
            "values": rules.and_then(|r| r.get("values")).filter(|v| !v.is_null()).cloned().unwrap_or(json!([])),
        },
        "button_text": text("button_text", "Please rate us"),
        "language": text("language", "en"),
    });
    if let Some(template) = given.get("template").filter(|t| t.is_object()) {
        config["template"] = template.clone();
    }
    config
}
