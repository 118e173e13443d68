//! The MOCO client against a real HTTP server (wiremock).

mod answers;
mod common;
mod limits;
mod models;
mod paging;
mod refusals;
mod register;
mod typed;
mod wire;
