//! The public survey of a conversation (`/public/api/v1/csat_survey/{conversation_uuid}`,
//! `app/controllers/public/api/v1/csat_survey_controller.rb`): no token, the conversation's
//! UUID is the key. The survey itself is in store/csat.rs.

use super::*;
use crate::konverte::store::Survey;

impl App {
    pub(super) fn csat_survey(&self, st: &mut Store, c: &Ctx<'_>, uuid: &str) -> Answer {
        let survey = st
            .survey_by_uuid(uuid)
            .ok_or_else(|| not_found("Resource"))?;
        match c.m() {
            "GET" => ok(&st.survey_view(&survey)),
            "PUT" | "PATCH" => {
                let body = c.body()?;
                let message = Input::new(&body, false).object("message")?.ok_or_else(|| {
                    bad_request("param is missing or the value is empty: message")
                })?;
                let submitted = message.get("submitted_values");
                update_survey(st, &survey, submitted.map(permitted_submitted_values))?;
                ok(&st.survey_view(&survey))
            }
            _ => Err(route_not_found()),
        }
    }
}

/// What both survey routes do with an answer (`csat_survey_controller.rb#update`,
/// `inboxes/messages_controller.rb#update`): refuse it after the survey's 14 days, store the
/// permitted `submitted_values` when there are any, change nothing when there are none.
pub(super) fn update_survey(
    st: &mut Store,
    survey: &Survey,
    submitted: Option<Value>,
) -> Result<(), Fail> {
    if !st.survey_open(survey, unix_now()) {
        return Err(Fail::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"error": "You cannot update the CSAT survey after 14 days"}),
        ));
    }
    if let Some(submitted) = submitted {
        st.answer_survey(survey, submitted);
    }
    Ok(())
}
