//! Reports (v2): time series, summary and conversation metrics, computed from the stored
//! conversations and messages.

use super::*;

const DAY: i64 = 86_400;

const METRICS: &[&str] = &[
    "conversations_count",
    "incoming_messages_count",
    "outgoing_messages_count",
    "avg_first_response_time",
    "avg_resolution_time",
    "resolutions_count",
];

/// The conversations a report covers (`type` + `id` of the query) and its time span.
struct Report<'s> {
    st: &'s Store,
    account: u64,
    since: i64,
    until: i64,
    conversations: Vec<&'s Value>,
}

/// Whether `conversation` is about the report's subject (`type` + `id`).
fn about(conversation: &Value, report_type: &str, subject: Option<&str>) -> bool {
    let Some(subject) = subject else {
        return true;
    };
    let field_is =
        |key: &str| get_u64(conversation, key).map(|a| a.to_string()).as_deref() == Some(subject);
    match report_type {
        "agent" => field_is("assignee_id"),
        "inbox" => field_is("inbox_id"),
        "team" => field_is("team_id"),
        "label" => conversation
            .get("labels")
            .and_then(Value::as_array)
            .is_some_and(|l| l.iter().any(|x| x.as_str() == Some(subject))),
        _ => true,
    }
}

fn stamp(record: &Value, key: &str) -> i64 {
    record.get(key).and_then(Value::as_i64).unwrap_or(0)
}

impl<'s> Report<'s> {
    fn new(st: &'s Store, account: u64, q: &Query) -> Result<Self, Fail> {
        let report_type = q.get("type").unwrap_or("account");
        if !["account", "agent", "inbox", "label", "team"].contains(&report_type) {
            return Err(invalid(
                "type",
                "type must be one of account, agent, inbox, label, team",
            ));
        }
        let subject = q.get("id");
        let until = q
            .get("until")
            .and_then(|u| u.parse::<i64>().ok())
            .unwrap_or_else(unix_now);
        let since = q
            .get("since")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(until - 7 * DAY);
        let conversations = st
            .conversations
            .values()
            .filter(|cv| get_u64(cv, "account_id") == Some(account))
            .filter(|cv| about(cv, report_type, subject))
            .collect();
        Ok(Self {
            st,
            account,
            since,
            until,
            conversations,
        })
    }

    /// `metric` counted over `[from, to)`; the average times are always 0 here.
    fn count(&self, metric: &str, from: i64, to: i64) -> usize {
        let span = from..to;
        match metric {
            "conversations_count" => self
                .conversations
                .iter()
                .filter(|cv| span.contains(&stamp(cv, "created_at")))
                .count(),
            "resolutions_count" => self
                .conversations
                .iter()
                .filter(|cv| get_str(cv, "status") == "resolved")
                .filter(|cv| span.contains(&stamp(cv, "updated_at")))
                .count(),
            "incoming_messages_count" | "outgoing_messages_count" => {
                let wanted = if metric.starts_with("incoming") {
                    "incoming"
                } else {
                    "outgoing"
                };
                self.conversations
                    .iter()
                    .flat_map(|cv| self.st.messages_of(get_u64(cv, "id").unwrap_or(0)))
                    .filter(|m| get_str(m, "message_type") == wanted)
                    .filter(|m| span.contains(&stamp(m, "created_at")))
                    .count()
            }
            _ => 0,
        }
    }

    /// One `{value, timestamp}` point per day from the day of `since` to `until`.
    fn timeseries(&self, q: &Query) -> Answer {
        let metric = q.get("metric").unwrap_or("conversations_count");
        if !METRICS.contains(&metric) {
            return Err(invalid(
                "metric",
                format!("metric must be one of {}", METRICS.join(", ")),
            ));
        }
        let start = self.since - self.since.rem_euclid(DAY);
        let days = ((self.until - start) / DAY + 1).clamp(1, 400);
        let points: Vec<Value> = (0..days)
            .map(|d| {
                let from = start + d * DAY;
                json!({
                    "value": self.count(metric, from, from + DAY).to_string(),
                    "timestamp": from,
                })
            })
            .collect();
        ok(&Value::Array(points))
    }

    /// The counts of the span, with the span before it under `previous`.
    fn summary(&self) -> Answer {
        let span = (self.until - self.since).max(1);
        let summary = |from: i64, to: i64| {
            json!({
                "avg_first_response_time": "0",
                "avg_resolution_time": "0",
                "conversations_count": self.count("conversations_count", from, to),
                "incoming_messages_count": self.count("incoming_messages_count", from, to),
                "outgoing_messages_count": self.count("outgoing_messages_count", from, to),
                "resolutions_count": self.count("resolutions_count", from, to),
            })
        };
        let mut current = summary(self.since, self.until + 1);
        merge(
            &mut current,
            json_map(json!({"previous": summary(self.since - span, self.since)})),
        );
        ok(&current)
    }

    /// Open conversations without an outgoing message.
    fn unattended(&self, conversations: &[&&Value]) -> usize {
        conversations
            .iter()
            .filter(|cv| {
                !self
                    .st
                    .messages_of(get_u64(cv, "id").unwrap_or(0))
                    .any(|m| get_str(m, "message_type") == "outgoing")
            })
            .count()
    }

    /// `conversations`: open, unattended and unassigned counts of the account.
    fn open_counts(&self) -> Answer {
        let open: Vec<&&Value> = self
            .conversations
            .iter()
            .filter(|cv| get_str(cv, "status") == "open")
            .collect();
        let unassigned = open
            .iter()
            .filter(|cv| get_u64(cv, "assignee_id").is_none())
            .count();
        ok(
            &json!({"open": open.len(), "unattended": self.unattended(&open), "unassigned": unassigned}),
        )
    }

    /// `conversations/`: the open and unattended counts per agent (or of `user_id`).
    fn agent_counts(&self, q: &Query) -> Answer {
        let wanted = q.get("user_id").and_then(seg_id);
        let agents: Vec<Value> = self
            .st
            .members
            .keys()
            .filter(|(a, u)| *a == self.account && wanted.is_none_or(|w| w == *u))
            .filter_map(|(_, user)| {
                let agent = self.st.agent_view(self.account, *user)?;
                let mine: Vec<&&Value> = self
                    .conversations
                    .iter()
                    .filter(|cv| {
                        get_u64(cv, "assignee_id") == Some(*user) && get_str(cv, "status") == "open"
                    })
                    .collect();
                Some(json!({
                    "id": user,
                    "name": agent.get("name"),
                    "email": agent.get("email"),
                    "thumbnail": "",
                    "availability": agent.get("availability_status"),
                    "metric": {"open": mine.len(), "unattended": self.unattended(&mine)},
                }))
            })
            .collect();
        ok(&Value::Array(agents))
    }
}

pub(super) fn reports(st: &Store, c: &Ctx<'_>, account: u64, rest: &[&str]) -> Answer {
    let report = Report::new(st, account, &c.query)?;
    match rest {
        [] => report.timeseries(&c.query),
        ["summary"] => report.summary(),
        ["conversations"] if !c.trailing_slash => report.open_counts(),
        ["conversations"] => report.agent_counts(&c.query),
        _ => Err(route_not_found()),
    }
}
