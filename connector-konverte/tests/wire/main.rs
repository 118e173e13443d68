//! Exact wire shapes against wiremock, each naming the Chatwoot file its expectation
//! comes from: one request per resource, the families that page, unwrap, nest or sign,
//! the token each action gets, and inputs refused before anything is sent.

mod answers;
mod families;
mod refusals;
mod shapes;
mod support;
mod tokens;
