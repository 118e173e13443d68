//! After a request: the events it raised (store/events.rs) and the event its route raises
//! (`deliver::event_of`), sent to their receivers once the request has succeeded.

use super::*;

impl App {
    /// Sends what the request raised when `response` is a success, and hands it back.
    pub(super) async fn announce(
        &self,
        method: &Method,
        path: &str,
        response: Response,
    ) -> Response {
        let mut raised = lock(&self.store).take_raised();
        if !response.status().is_success() {
            return response;
        }
        let event = routes::find(routes::konverte::ROUTES, method.as_str(), path)
            .and_then(|m| deliver::event_of(&m.route.key()));
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let account = match segments.as_slice() {
            ["public", "api", "v1", "inboxes", identifier, ..] => {
                self.account_of_inbox_identifier(identifier)
            }
            [_, _, "accounts", account, ..] => seg_id(account),
            _ => None,
        };
        let response = match (event, account) {
            (Some(event), Some(account)) => {
                let (response, record) = self.record_event(event, account, response).await;
                raised.extend(record);
                response
            }
            _ => response,
        };
        self.deliver(&raised);
        response
    }

    /// The route's message `event` about the message in `response` (the response is handed
    /// back unchanged). A message is sent as its `webhook_data`, whichever view the route answered
    /// with, and not at all when it is an activity (`webhook_sendable?`).
    async fn record_event(
        &self,
        event: &'static str,
        account: u64,
        response: Response,
    ) -> (Response, Option<Raised>) {
        let (parts, body) = response.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
            return (Response::from_parts(parts, axum::body::Body::empty()), None);
        };
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let record = answer
            .get("payload")
            .filter(|p| p.is_object())
            .unwrap_or(&answer);
        let raised = {
            let st = lock(&self.store);
            let message = match (get_u64(record, "conversation_id"), get_u64(record, "id")) {
                (Some(conversation), Some(message)) => st
                    .messages
                    .get(&(conversation, message))
                    .map(|m| (conversation, m)),
                _ => None,
            };
            message
                .filter(|(_, m)| webhook_sendable(m))
                .map(|(conversation, m)| Raised {
                    account,
                    event,
                    conversation: Some(conversation),
                    payload: match st.message_webhook_data(m) {
                        Value::Object(map) => map,
                        _ => Map::new(),
                    },
                })
        };
        (
            Response::from_parts(parts, axum::body::Body::from(bytes)),
            raised,
        )
    }

    /// Sends each raised event to its receivers.
    fn deliver(&self, raised: &[Raised]) {
        if raised.is_empty() {
            return;
        }
        let deliveries: Vec<_> = {
            let st = lock(&self.store);
            raised
                .iter()
                .flat_map(|r| deliver::deliveries(&st, r))
                .collect()
        };
        deliver::send(&self.hooks, deliveries, &self.deliveries);
    }
}
