//! `connector api BACKEND METHOD PATH [-f key=value ...] [--input JSON|@FILE]`: any route
//! of the backend, through the same pipeline as every declared action (credentials,
//! retries, rate limit, timeout, proxy, TLS, `--dry-run`, `--all`).
//!
//! The route is not declared, so a request is described at run time: an [`ActionSpec`]
//! with no parameters, sent leniently (every field as given: the query for GET and
//! DELETE, else the JSON body). It is leaked once per invocation, as the pipeline holds
//! `'static` declarations.

use super::context::{Ctx, fail};
use crate::backend::Backend;
use crate::backends;
use crate::config;
use crate::exit;
use crate::options;
use crate::out::Out;
use clap::ArgMatches;
use connector_core::futures::StreamExt;
use connector_core::{
    ActionSpec, Error, HttpConnector, Method, Pagination, ParamSpec, ParamType, Url, paginate,
};
use serde_json::{Map, Value};

pub async fn run(ctx: &Ctx, m: &ArgMatches) -> u8 {
    let Some(backend) = m
        .get_one::<String>("backend")
        .and_then(|b| Backend::from_name(b))
    else {
        return exit::USAGE;
    };
    let mut flags = match options::from_matches(m, backend.impersonation()) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let method = match parse_method(m.get_one::<String>("method").map_or("", String::as_str)) {
        Ok(method) => method,
        Err(e) => return fail(&e),
    };
    let input = match input(m) {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    let profile = match config::load_profile(ctx.profile.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    if let Err(e) = flags.apply_profile(&profile) {
        return fail(&e);
    }
    let (http, redactor) = match backends::http(backend, &profile, &flags) {
        Ok(h) => h,
        Err(e) => return fail(&e),
    };
    super::action::warn_about_flags(ctx, &flags);
    let mut out = Out::new(redactor).with_view(&flags.fields, flags.jq.as_deref());
    let given = m.get_one::<String>("path").map_or("", String::as_str);
    let (path, mut input) = match route(http.base_url(), given, input) {
        Ok(r) => r,
        Err(e) => return out.fail(&e),
    };
    let (pagination, envelope) = backend.raw_paging();
    // The page parameter is the one field the pager itself sets, so it is declared.
    let params: &'static [ParamSpec] = match pagination {
        Pagination::PageNumber { param, .. } if flags.all => {
            Box::leak(Box::new([ParamSpec::query(param, ParamType::Integer)]))
        }
        _ => &[],
    };
    let spec: &'static ActionSpec = Box::leak(Box::new(ActionSpec {
        params,
        tokens: backend.raw_tokens(&path),
        pagination: if flags.all {
            pagination
        } else {
            Pagination::None
        },
        envelope: if flags.all { envelope } else { "" },
        ..ActionSpec::new("api.raw", method, Box::leak(path.into_boxed_str()))
    }));
    // Nothing about the route is declared: every field is sent as given.
    flags.options.lenient = true;
    let options = flags.options.clone();
    if flags.dry_run {
        let shown = http
            .prepare_action(spec, &input, true)
            .and_then(|req| http.describe(&req, &options));
        return match shown {
            Ok(v) => finish(out.document(&v, flags.output), &mut out),
            Err(e) => out.fail(&e),
        };
    }
    if flags.all {
        return stream(&http, spec, std::mem::take(&mut input), &flags, &mut out).await;
    }
    let answer = match http.prepare_action(spec, &input, true) {
        Ok(req) => http.send_prepared(&req, &options).await,
        Err(e) => return out.fail(&e),
    };
    match answer.and_then(|resp| {
        if resp.body.is_empty() {
            Ok(Value::Null)
        } else {
            resp.json()
        }
    }) {
        Ok(Value::Null) => exit::SUCCESS,
        // `--fields`/`--jq` pick from the answer's records (an array's items, or the record).
        Ok(v) if !flags.fields.is_empty() || flags.jq.is_some() => {
            finish(out.answer(spec, v, flags.output), &mut out)
        }
        Ok(v) => finish(out.document(&v, flags.output), &mut out),
        Err(e) => out.fail(&e),
    }
}

async fn stream(
    http: &HttpConnector,
    spec: &'static ActionSpec,
    input: Map<String, Value>,
    flags: &options::RunFlags,
    out: &mut Out,
) -> u8 {
    let options = flags.options.clone();
    let mut items = paginate::stream(http, spec, input, &options, flags.limit);
    if let Err(e) = out.begin_stream(flags.output) {
        return out.write_failed(&e);
    }
    let mut printed = 0usize;
    while let Some(item) = items.next().await {
        match item {
            Ok(v) => {
                if let Err(e) = out.line(v, flags.output) {
                    return out.write_failed(&e);
                }
                printed += 1;
            }
            Err(e) => {
                let _ = out.finish();
                if printed == 0 {
                    return out.fail(&e);
                }
                out.error(format!(
                    "the list is incomplete ({printed} items printed): {e}"
                ));
                return exit::FAILURE;
            }
        }
    }
    finish(Ok(()), out)
}

fn finish(written: std::io::Result<()>, out: &mut Out) -> u8 {
    match written.and_then(|()| out.finish()) {
        Ok(()) => exit::SUCCESS,
        Err(e) => out.write_failed(&e),
    }
}

fn parse_method(text: &str) -> Result<Method, Error> {
    Ok(match text.to_ascii_uppercase().as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        _ => {
            return Err(Error::validation(
                "method",
                format!("`{text}`: one of GET, POST, PUT, PATCH, DELETE"),
            ));
        }
    })
}

/// `--input` (a JSON object, or @FILE holding one) and the `-f key=value` fields on top.
/// A field's value is JSON when it parses as JSON (`-f per_page=5`, `-f tags=[1,2]`), else
/// text.
fn input(m: &ArgMatches) -> Result<Map<String, Value>, Error> {
    let mut input = match m.get_one::<String>("input") {
        None => Map::new(),
        Some(text) => {
            let text = match text.strip_prefix('@') {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| Error::validation("input", format!("cannot read {path}: {e}")))?,
                None => text.clone(),
            };
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(map)) => map,
                Ok(_) => return Err(Error::validation("input", "expected a JSON object")),
                Err(e) => return Err(Error::validation("input", format!("invalid JSON: {e}"))),
            }
        }
    };
    for field in m.get_many::<String>("field").into_iter().flatten() {
        let Some((key, value)) = field.split_once('=') else {
            return Err(Error::validation(
                "field",
                format!("`{field}`: expected key=value"),
            ));
        };
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into()));
        input.insert(key.to_owned(), value);
    }
    Ok(input)
}

/// The path relative to the base URL, and the input with the path's own query merged in.
/// A full URL is accepted only below the base URL; one to another origin is refused (the
/// credentials would go there).
fn route(
    base: &Url,
    given: &str,
    mut input: Map<String, Value>,
) -> Result<(String, Map<String, Value>), Error> {
    let relative = if given.contains("://") {
        let url =
            Url::parse(given).map_err(|e| Error::validation("path", format!("not a URL: {e}")))?;
        if url.origin() != base.origin() {
            return Err(Error::validation(
                "path",
                format!(
                    "{} is another origin than the API's ({}); the credentials go only to the API",
                    url.origin().ascii_serialization(),
                    base.origin().ascii_serialization()
                ),
            ));
        }
        let prefix = base.path().trim_end_matches('/');
        let Some(rest) = url.path().strip_prefix(prefix) else {
            return Err(Error::validation(
                "path",
                format!("{} is not below the base URL {base}", url.path()),
            ));
        };
        for (k, v) in url.query_pairs() {
            input
                .entry(k.into_owned())
                .or_insert(Value::String(v.into_owned()));
        }
        rest.to_owned()
    } else {
        let (path, query) = given.split_once('?').unwrap_or((given, ""));
        let query = Url::parse(&format!("http://query.invalid/?{query}"))
            .map_err(|e| Error::validation("path", format!("bad query: {e}")))?;
        for (k, v) in query.query_pairs() {
            input
                .entry(k.into_owned())
                .or_insert(Value::String(v.into_owned()));
        }
        path.to_owned()
    };
    let path = if relative.starts_with('/') {
        relative
    } else {
        format!("/{relative}")
    };
    if path.contains(['{', '}']) {
        return Err(Error::validation(
            "path",
            "give the route with its values, not a template",
        ));
    }
    Ok((path, input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_stay_on_the_apis_origin() {
        let base = Url::parse("https://x.example/api/v1").unwrap();
        let (p, q) = route(&base, "projects?page=2", Map::new()).unwrap();
        assert_eq!((p.as_str(), &q["page"]), ("/projects", &Value::from("2")));
        let (p, _) = route(&base, "https://x.example/api/v1/users/5", Map::new()).unwrap();
        assert_eq!(p, "/users/5");
        let e = route(&base, "https://evil.example/api/v1/users", Map::new()).unwrap_err();
        assert!(e.to_string().contains("another origin"), "{e}");
        assert!(route(&base, "http://x.example/api/v1/users", Map::new()).is_err());
    }
}
