//! Declarations and helpers shared by the core's integration tests.
#![allow(dead_code)]

use connector_core::{
    ActionSpec, HttpConnector, Method, Pagination, ParamSpec, ParamType, SecretString, TokenAuth,
};
use serde_json::{Map, Value};

pub const TOKEN: &str = "tok-Zq81-very-secret";

pub static ACTIONS: &[ActionSpec] = &[
    ActionSpec {
        id: "items.get",
        resource: "items",
        verb: "get",
        name: "Get an item",
        summary: "",
        method: Method::Get,
        path: "/items/{id}",
        params: &[ParamSpec::path("id", ParamType::Integer)],
        pagination: Pagination::None,
        idempotent: true,
        tokens: &["user"],
        ..ActionSpec::BLANK
    },
    ActionSpec {
        id: "items.create",
        resource: "items",
        verb: "create",
        name: "Create an item",
        summary: "",
        method: Method::Post,
        path: "/items",
        params: &[
            ParamSpec::body("name", ParamType::String).required(),
            ParamSpec::body("password", ParamType::Password),
            ParamSpec::body("custom_attributes", ParamType::Object),
        ],
        pagination: Pagination::None,
        idempotent: false,
        tokens: &["user"],
        ..ActionSpec::BLANK
    },
    ActionSpec {
        id: "items.list",
        resource: "items",
        verb: "list",
        name: "List items",
        summary: "",
        method: Method::Get,
        path: "/items",
        params: &[ParamSpec::query("page", ParamType::Integer)],
        pagination: Pagination::LinkHeader,
        idempotent: true,
        tokens: &["user"],
        ..ActionSpec::BLANK
    },
    ActionSpec {
        id: "contacts.list",
        resource: "contacts",
        verb: "list",
        name: "List contacts",
        summary: "",
        method: Method::Get,
        path: "/contacts",
        params: &[ParamSpec::query("page", ParamType::Integer)],
        pagination: Pagination::PageNumber {
            param: "page",
            total: "/meta/count",
            has_more: "",
        },
        envelope: "/payload",
        idempotent: true,
        tokens: &["user"],
        ..ActionSpec::BLANK
    },
];

pub fn auth() -> TokenAuth {
    TokenAuth::new("api_access_token", "")
        .unwrap()
        .with_token("user", SecretString::from(TOKEN))
}

pub fn connector(base: &str) -> HttpConnector {
    HttpConnector::builder("test", ACTIONS)
        .base_url(base)
        .auth(auth())
        .build()
        .unwrap()
}

pub fn input(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}
