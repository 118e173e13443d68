//! Account agent bots and agents (`agents_controller.rb`, `agent_bots_controller.rb`).

use super::*;

impl App {
    /// `agent_bots` of an account.
    pub(super) fn agent_bots(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        let acc = Some(account);
        match (c.m(), rest) {
            ("GET", ["agent_bots"]) => {
                let bots: Vec<Value> = st
                    .in_account(Kind::AccountBot, account)
                    .into_iter()
                    .cloned()
                    .collect();
                ok(&Value::Array(bots))
            }
            ("POST", ["agent_bots"]) => {
                let body = c.body()?;
                let bot = records::create(st, Kind::AccountBot, acc, &body, Map::new())?;
                self.counters.created();
                ok(&bot)
            }
            ("GET", ["agent_bots", bot]) => ok(records::find(
                st,
                Kind::AccountBot,
                acc,
                id(bot, "Agent bot")?,
            )?),
            ("PATCH", ["agent_bots", bot]) => {
                let body = c.body()?;
                ok(&records::update(
                    st,
                    Kind::AccountBot,
                    acc,
                    id(bot, "Agent bot")?,
                    &body,
                )?)
            }
            ("DELETE", ["agent_bots", bot]) => {
                let bot = id(bot, "Agent bot")?;
                records::delete(st, Kind::AccountBot, acc, bot)?;
                st.inbox_bots.retain(|_, b| *b != bot);
                deleted()
            }
            _ => Err(route_not_found()),
        }
    }

    /// `agents` of an account: list, add, change role or availability, remove.
    pub(super) fn agents(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        let acc = Some(account);
        match (c.m(), rest) {
            ("GET", ["agents"]) => {
                let agents: Vec<Value> = st
                    .members
                    .keys()
                    .filter(|(a, _)| *a == account)
                    .filter_map(|(_, u)| st.agent_view(account, *u))
                    .collect();
                ok(&Value::Array(agents))
            }
            ("POST", ["agents"]) => self.add_agent(st, c, account),
            ("PATCH", ["agents", agent]) => {
                let agent = id(agent, "Agent")?;
                if !st.is_agent(account, agent) {
                    return Err(not_found("Agent"));
                }
                let body = c.body()?;
                let input = Input::new(&body, true);
                // Only the given attributes change (`.compact`): agents_controller.rb#update.
                let role = input.choice("role", &["agent", "administrator"])?;
                let availability =
                    match input.choice("availability", &["available", "busy", "offline"])? {
                        Some(a) => Some(a),
                        None => input
                            .choice("availability_status", &["available", "busy", "offline"])?,
                    };
                let auto_offline = input.bool("auto_offline")?;
                // The user's name (`@agent.update!(agent_params.slice(:name).compact)`).
                if let Some(name) = input.str("name")?
                    && let Some(user) = st.users.get_mut(&agent)
                {
                    merge(user, json_map(json!({"name": name})));
                }
                let member = st
                    .members
                    .get_mut(&(account, agent))
                    .ok_or_else(|| not_found("Agent"))?;
                if let Some(role) = role {
                    member.role = role;
                }
                if let Some(availability) = availability {
                    member.availability = if availability == "available" {
                        "online".to_owned()
                    } else {
                        availability
                    };
                }
                if let Some(auto_offline) = auto_offline {
                    member.auto_offline = auto_offline;
                }
                ok(&st.agent_view(account, agent).unwrap_or(Value::Null))
            }
            ("DELETE", ["agents", agent]) => {
                let agent = id(agent, "Agent")?;
                st.members
                    .remove(&(account, agent))
                    .ok_or_else(|| not_found("Agent"))?;
                let inboxes: BTreeSet<u64> = st
                    .inboxes
                    .values()
                    .filter(|i| get_u64(i, "account_id") == acc)
                    .filter_map(|i| get_u64(i, "id"))
                    .collect();
                st.inbox_members
                    .retain(|(i, u)| !(*u == agent && inboxes.contains(i)));
                let teams: BTreeSet<u64> = st
                    .in_account(Kind::Team, account)
                    .iter()
                    .filter_map(|t| get_u64(t, "id"))
                    .collect();
                st.team_members
                    .retain(|(t, u)| !(*u == agent && teams.contains(t)));
                deleted()
            }
            _ => Err(route_not_found()),
        }
    }

    fn add_agent(&self, st: &mut Store, c: &Ctx<'_>, account: u64) -> Answer {
        let body = c.body()?;
        let input = Input::new(&body, true);
        let name = input.required_str("name")?.unwrap_or_default();
        let email = input.required_str("email")?.unwrap_or_default();
        check_email("email", &email)?;
        if !input.has("role") {
            return Err(blank("role"));
        }
        let role = input
            .choice("role", &["agent", "administrator"])?
            .unwrap_or_default();
        let availability = input
            .choice("availability_status", &["available", "busy", "offline"])?
            .map(|a| {
                if a == "available" {
                    "online".to_owned()
                } else {
                    a
                }
            })
            .unwrap_or_else(|| "offline".to_owned());
        let auto_offline = input.bool("auto_offline")?.unwrap_or(true);
        let existing = st
            .users
            .values()
            .find(|u| get_str(u, "email").eq_ignore_ascii_case(&email))
            .and_then(|u| get_u64(u, "id"));
        let user = match existing {
            Some(user) if st.is_agent(account, user) => {
                return Err(invalid("email", "Email has already been taken"));
            }
            Some(user) => user,
            None => {
                let user = st.next_id("user");
                st.users
                    .insert(user, user_record(user, &name, &email, Map::new()));
                user
            }
        };
        let member = st.new_member(&role, &availability, auto_offline);
        st.members.insert((account, user), member);
        self.counters.created();
        ok(&st.agent_view(account, user).unwrap_or(Value::Null))
    }
}
