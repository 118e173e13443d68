//! The public survey of a conversation (`/public/api/v1/csat_survey/{conversation_uuid}`,
//! `app/controllers/public/api/v1/csat_survey_controller.rb`): no token, the conversation's
//! UUID is the key. The survey itself is in store/csat.rs.

use super::*;

impl App {
    pub(super) fn csat_survey(&self, st: &mut Store, c: &Ctx<'_>, uuid: &str) -> Answer {
        let survey = st
            .survey_by_uuid(uuid)
            .ok_or_else(|| not_found("Resource"))?;
        match c.m() {
            "GET" => ok(&st.survey_view(&survey)),
            "PUT" | "PATCH" => {
                if !st.survey_open(&survey, unix_now()) {
                    return Err(survey_locked());
                }
                let body = c.body()?;
                let message = Input::new(&body, false).object("message")?.ok_or_else(|| {
                    bad_request("param is missing or the value is empty: message")
                })?;
                let submitted = message
                    .get("submitted_values")
                    .map(permitted_submitted_values);
                st.answer_survey(&survey, submitted.unwrap_or(json!({})));
                ok(&st.survey_view(&survey))
            }
            _ => Err(route_not_found()),
        }
    }
}

/// The answer of both survey controllers to an answer after the survey's 14 days.
pub(super) fn survey_locked() -> Fail {
    Fail::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"error": "You cannot update the CSAT survey after 14 days"}),
    )
}
