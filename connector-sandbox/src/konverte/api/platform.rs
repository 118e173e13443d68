//! The platform API: accounts, account users, agent bots and users.

use super::*;

impl App {
    pub(super) fn platform(&self, st: &mut Store, c: &Ctx<'_>, rest: &[&str]) -> Answer {
        match rest {
            ["accounts", _, "account_users"] => self.platform_account_users(st, c, rest),
            ["accounts", ..] => self.platform_accounts(st, c, rest),
            ["agent_bots", ..] => self.platform_agent_bots(st, c, rest),
            ["users", ..] => self.platform_users(st, c, rest),
            _ => Err(route_not_found()),
        }
    }

    fn platform_accounts(&self, st: &mut Store, c: &Ctx<'_>, rest: &[&str]) -> Answer {
        match (c.m(), rest) {
            // The accounts the platform app may act on (platform_app_permissibles): the
            // sandbox's one token is that app, and it is taken to hold every account
            // (app/controllers/platform/api/v1/accounts_controller.rb#index, a bare array).
            ("GET", ["accounts"]) => ok(&Value::Array(st.accounts.values().cloned().collect())),
            ("POST", ["accounts"]) => {
                let body = c.body()?;
                let input = Input::new(&body, true);
                let name = input.required_str("name")?.unwrap_or_default();
                let custom = input.object("custom_attributes")?;
                let id = st.next_id("account");
                let mut account = account_record(id, &name);
                for key in ["locale", "domain", "support_email"] {
                    if let Some(v) = input.str(key)? {
                        merge(&mut account, json_map(json!({ key: v })));
                    }
                }
                if let Some(custom) = custom {
                    merge(&mut account, json_map(json!({"custom_attributes": custom})));
                }
                st.accounts.insert(id, account.clone());
                self.counters.created();
                ok(&account)
            }
            ("GET", ["accounts", account]) => {
                let account = id(account, "Account")?;
                ok(st
                    .accounts
                    .get(&account)
                    .ok_or_else(|| not_found("Account"))?)
            }
            ("PATCH", ["accounts", account]) => {
                let account = id(account, "Account")?;
                st.check_account(account)?;
                let body = c.body()?;
                let input = Input::new(&body, false);
                let mut patch = Map::new();
                if let Some(name) = input.required_str("name")? {
                    patch.insert("name".into(), json!(name));
                }
                for key in ["locale", "domain", "support_email"] {
                    if let Some(v) = input.str(key)? {
                        patch.insert(key.into(), json!(v));
                    }
                }
                if let Some(status) = input.choice("status", &["active", "suspended"])? {
                    patch.insert("status".into(), json!(status));
                }
                if let Some(custom) = input.object("custom_attributes")? {
                    patch.insert("custom_attributes".into(), Value::Object(custom));
                }
                let record = st
                    .accounts
                    .get_mut(&account)
                    .ok_or_else(|| not_found("Account"))?;
                merge(record, patch);
                ok(record)
            }
            ("DELETE", ["accounts", account]) => {
                let account = id(account, "Account")?;
                st.accounts
                    .remove(&account)
                    .ok_or_else(|| not_found("Account"))?;
                st.members.retain(|(a, _), _| *a != account);
                deleted()
            }
            _ => Err(route_not_found()),
        }
    }

    fn platform_account_users(&self, st: &mut Store, c: &Ctx<'_>, rest: &[&str]) -> Answer {
        match (c.m(), rest) {
            ("GET", ["accounts", account, "account_users"]) => {
                let account = id(account, "Account")?;
                st.check_account(account)?;
                let users: Vec<Value> = st
                    .members
                    .iter()
                    .filter(|((a, _), _)| *a == account)
                    .map(|((a, u), m)| account_user_view(*a, *u, m))
                    .collect();
                ok(&Value::Array(users))
            }
            ("POST", ["accounts", account, "account_users"]) => {
                let account = id(account, "Account")?;
                st.check_account(account)?;
                let body = c.body()?;
                let input = Input::new(&body, true);
                let user = input.required_id("user_id")?;
                let role = input.choice("role", &["administrator", "agent"])?;
                // `belongs_to :user`: update! fails validation (render_record_invalid).
                if !st.users.contains_key(&user) {
                    return Err(Fail::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        json!({"message": "User must exist", "attributes": ["user"]}),
                    ));
                }
                // account_users_controller.rb#create: `find_or_initialize_by(user_id:)`, then
                // `update!`; a new member without a role gets the column's default, agent
                // (app/models/account_user.rb), a member keeps theirs.
                if !st.members.contains_key(&(account, user)) {
                    let member = st.new_member("agent", "online", true);
                    st.members.insert((account, user), member);
                }
                let member = st
                    .members
                    .get_mut(&(account, user))
                    .ok_or_else(|| not_found("User"))?;
                if let Some(role) = role {
                    member.role = role;
                }
                self.counters.created();
                // `render json: @account_user`: every column.
                ok(&account_user_view(account, user, member))
            }
            ("DELETE", ["accounts", account, "account_users"]) => {
                let account = id(account, "Account")?;
                st.check_account(account)?;
                // `params[:user_id]`, from the query or the body; `find_by(...)&.destroy!`
                // then `head :ok`, a member or not (account_users_controller.rb#destroy).
                let mut body = c.body()?;
                if let Some(user) = c.query.get("user_id") {
                    body.entry("user_id").or_insert(json!(user));
                }
                let user = Input::new(&body, true).required_id("user_id")?;
                st.members.remove(&(account, user));
                deleted()
            }
            _ => Err(route_not_found()),
        }
    }

    fn platform_agent_bots(&self, st: &mut Store, c: &Ctx<'_>, rest: &[&str]) -> Answer {
        match (c.m(), rest) {
            ("GET", ["agent_bots"]) => {
                let bots: Vec<Value> = st.records_ref(Kind::PlatformBot).cloned().collect();
                ok(&Value::Array(bots))
            }
            ("POST", ["agent_bots"]) => {
                let body = c.body()?;
                let bot = records::create(st, Kind::PlatformBot, None, &body, Map::new())?;
                self.counters.created();
                ok(&bot)
            }
            ("GET", ["agent_bots", bot]) => {
                let bot = id(bot, "Agent bot")?;
                ok(records::find(st, Kind::PlatformBot, None, bot)?)
            }
            ("PATCH", ["agent_bots", bot]) => {
                let bot = id(bot, "Agent bot")?;
                let body = c.body()?;
                ok(&records::update(st, Kind::PlatformBot, None, bot, &body)?)
            }
            ("DELETE", ["agent_bots", bot]) => {
                let bot = id(bot, "Agent bot")?;
                records::delete(st, Kind::PlatformBot, None, bot)?;
                st.inbox_bots.retain(|_, b| *b != bot);
                deleted()
            }
            _ => Err(route_not_found()),
        }
    }

    fn platform_users(&self, st: &mut Store, c: &Ctx<'_>, rest: &[&str]) -> Answer {
        match (c.m(), rest) {
            ("POST", ["users"]) => {
                let body = c.body()?;
                let input = Input::new(&body, true);
                let name = input.required_str("name")?.unwrap_or_default();
                let email = input.required_str("email")?.unwrap_or_default();
                check_email("email", &email)?;
                let password = input.required_str("password")?.unwrap_or_default();
                check_password(&password)?;
                let custom = input.object("custom_attributes")?.unwrap_or_default();
                if st.email_taken(&email, None) {
                    return Err(invalid("email", "Email has already been taken"));
                }
                let id = st.next_id("user");
                let user = user_record(id, &name, &email, custom);
                st.users.insert(id, user.clone());
                self.counters.created();
                ok(&st.user_view(&user))
            }
            ("GET", ["users", user]) => {
                let user = id(user, "User")?;
                let record = st.users.get(&user).ok_or_else(|| not_found("User"))?;
                ok(&st.user_view(record))
            }
            ("PATCH", ["users", user]) => {
                let user = id(user, "User")?;
                // `belongs_to :user`: update! fails validation (render_record_invalid).
                if !st.users.contains_key(&user) {
                    return Err(Fail::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        json!({"message": "User must exist", "attributes": ["user"]}),
                    ));
                }
                let body = c.body()?;
                let input = Input::new(&body, false);
                let mut patch = Map::new();
                if let Some(name) = input.required_str("name")? {
                    patch.insert("name".into(), json!(name));
                    patch.insert("available_name".into(), json!(name));
                    patch.insert("display_name".into(), json!(name));
                }
                if let Some(email) = input.required_str("email")? {
                    check_email("email", &email)?;
                    if st.email_taken(&email, Some(user)) {
                        return Err(invalid("email", "Email has already been taken"));
                    }
                    patch.insert("uid".into(), json!(email));
                    patch.insert("email".into(), json!(email));
                }
                if let Some(password) = input.required_str("password")? {
                    check_password(&password)?;
                }
                if let Some(custom) = input.object("custom_attributes")? {
                    patch.insert("custom_attributes".into(), Value::Object(custom));
                }
                let record = st.users.get_mut(&user).ok_or_else(|| not_found("User"))?;
                merge(record, patch);
                let record = record.clone();
                ok(&st.user_view(&record))
            }
            ("DELETE", ["users", user]) => {
                let user = id(user, "User")?;
                st.users.remove(&user).ok_or_else(|| not_found("User"))?;
                st.members.retain(|(_, u), _| *u != user);
                st.inbox_members.retain(|(_, u)| *u != user);
                st.team_members.retain(|(_, u)| *u != user);
                deleted()
            }
            ("GET", ["users", user, "login"]) => {
                let user = id(user, "User")?;
                let record = st.users.get(&user).ok_or_else(|| not_found("User"))?;
                let email =
                    url::form_urlencoded::byte_serialize(get_str(record, "email").as_bytes())
                        .collect::<String>();
                ok(&json!({
                    "url": format!(
                        "{}/app/login?email={email}&sso_auth_token={}",
                        self.base_url,
                        random_hex(32)
                    )
                }))
            }
            _ => Err(route_not_found()),
        }
    }
}

/// An `account_users` row as `render json:` writes it: every column.
fn account_user_view(account: u64, user: u64, member: &Member) -> Value {
    let created = rails_time(member.created_at);
    json!({
        "id": member.id,
        "account_id": account,
        "user_id": user,
        "role": member.role,
        "inviter_id": null,
        "created_at": created,
        "updated_at": created,
        "active_at": null,
        "availability": member.availability,
        "auto_offline": member.auto_offline,
        "custom_role_id": null,
    })
}
