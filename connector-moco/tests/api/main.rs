//! The MOCO client against a real HTTP server (wiremock).

mod common;
mod limits;
mod paging;
mod refusals;
mod register;
mod typed;
mod wire;
