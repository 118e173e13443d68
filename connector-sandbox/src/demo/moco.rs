//! The MOCO demo: `moco.json` (units, users, companies, contacts, projects with tasks, an
//! invoice and an offer) plus the working days of the last four weeks booked by the team.
//! Dates are relative to today: `{today}`, `{today-N}`, `{today+N}` (days) and
//! `{month_start-N}`, `{month_end+N}` (the first / last day of the month N months before or
//! after this one) in the data.

use chrono::{Datelike, Days, Local, Months, NaiveDate, Weekday};
use serde_json::{Value, json};

use super::{Step, steps};

/// Bookings of one user: (user, project, task, seconds, descriptions to rotate through).
type Booking = (u64, u64, u64, u64, &'static [&'static str]);

/// What the team books on every working day; ids are those `moco.json` creates.
const DAILY: &[Booking] = &[
    (
        1,
        1,
        1,
        3600,
        &["Code review", "Sprint planning", "Release check"],
    ),
    (
        2,
        2,
        3,
        14400,
        &["Wireframes", "Workshop preparation", "User interviews"],
    ),
    (2, 1, 2, 7200, &["Pick-up flow screens", "Icon set"]),
    (
        3,
        2,
        5,
        21600,
        &["API for meter readings", "Login via SSO", "Data import"],
    ),
    (3, 3, 6, 3600, &["Ticket triage", "Update dependencies"]),
    (
        4,
        2,
        4,
        25200,
        &[
            "Dashboard components",
            "Forms and validation",
            "Accessibility fixes",
        ],
    ),
];

/// Once a week, Mondays: the team meeting.
const WEEKLY: &[Booking] = &[
    (1, 3, 7, 1800, &["Team meeting"]),
    (3, 3, 7, 1800, &["Team meeting"]),
    (4, 3, 7, 1800, &["Team meeting"]),
];

/// All MOCO demo steps, dated relative to `today`.
pub(crate) fn moco(today: NaiveDate) -> Vec<Step> {
    let mut all = steps(include_str!("moco.json"));
    for step in &mut all {
        relative_dates(&mut step.body, today);
    }
    all.extend(activities(today));
    all
}

/// The demo as of the local date.
pub(crate) fn moco_today() -> Vec<Step> {
    moco(Local::now().date_naive())
}

fn activities(today: NaiveDate) -> Vec<Step> {
    let mut out = Vec::new();
    for back in (1..=28u64).rev() {
        let Some(date) = today.checked_sub_days(Days::new(back)) else {
            continue;
        };
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        let weekly = if date.weekday() == Weekday::Mon {
            WEEKLY
        } else {
            &[]
        };
        for (user, project, task, seconds, texts) in DAILY.iter().chain(weekly) {
            let day = date.num_days_from_ce().unsigned_abs() as usize;
            // Not every booking every day: a stable pattern by day and user.
            if (day + *user as usize).is_multiple_of(5) && texts.len() > 1 {
                continue;
            }
            out.push(Step {
                method: "POST".into(),
                path: "/api/v1/activities".into(),
                body: json!({
                    "date": date.format("%Y-%m-%d").to_string(),
                    "project_id": project,
                    "task_id": task,
                    "seconds": seconds,
                    "description": texts[day % texts.len()],
                }),
                user: Some(*user),
            });
        }
    }
    out
}

/// Replaces `{today}`, `{today-N}` and `{today+N}` in the strings of `value`.
fn relative_dates(value: &mut Value, today: NaiveDate) {
    match value {
        Value::String(text) => {
            if let Some(date) = relative_date(text, today) {
                *text = date.format("%Y-%m-%d").to_string();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| relative_dates(v, today)),
        Value::Object(map) => map.values_mut().for_each(|v| relative_dates(v, today)),
        _ => {}
    }
}

fn relative_date(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let inner = text.strip_prefix('{')?.strip_suffix('}')?;
    let at = inner.find(['+', '-']).unwrap_or(inner.len());
    let (anchor, offset) = inner.split_at(at);
    let n: i64 = match offset {
        "" => 0,
        _ => offset.parse().ok()?,
    };
    let shift_days = |date: NaiveDate| date.checked_add_signed(chrono::Duration::days(n));
    let shift_months = |date: NaiveDate| {
        let months = Months::new(n.unsigned_abs() as u32);
        if n < 0 {
            date.checked_sub_months(months)
        } else {
            date.checked_add_months(months)
        }
    };
    let month_start = today.with_day(1)?;
    match anchor {
        "today" => shift_days(today),
        "month_start" => shift_months(month_start),
        "month_end" => shift_months(month_start)?
            .checked_add_months(Months::new(1))?
            .pred_opt(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_relative_to_today() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let mut value = json!({
            "a": "{today-10}",
            "b": ["{today+1}", "{today}"],
            "c": "{today",
            "d": ["{month_start-1}", "{month_end+1}", "{month_end-1}"],
        });
        relative_dates(&mut value, today);
        assert_eq!(
            value,
            json!({
                "a": "2026-02-28",
                "b": ["2026-03-11", "2026-03-10"],
                "c": "{today",
                "d": ["2026-02-01", "2026-04-30", "2026-02-28"],
            })
        );
    }

    #[test]
    fn four_weeks_of_working_days_are_booked() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let booked = activities(today);
        let days: std::collections::BTreeSet<String> = booked
            .iter()
            .map(|s| s.body["date"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(days.len(), 20, "{days:?}");
        assert!(days.iter().all(|d| d.as_str() < "2026-03-10"));
        assert!(
            booked
                .iter()
                .all(|s| s.user.is_some_and(|u| (1..=4).contains(&u)))
        );
    }
}
