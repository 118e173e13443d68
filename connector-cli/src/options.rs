//! The request-option flags every action (and `run`) takes, parsed once into one
//! [`Options`], plus the flags that say how to run (`--dry-run`, `--all`, `--output`).

use crate::out::{OUTPUT_FORMATS, OutputFormat};
use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Arg, ArgAction, ArgMatches, Command, ValueHint, value_parser};
use connector_core::options::{parse_duration, parse_rate_limit};
use connector_core::{Error, Options, ProxyConfig, RateLimit, RateLimitStore, Url};
use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

const CONNECTION: &str = "Connection";
const REQUEST: &str = "Request options";
const RUNNING: &str = "Running and output";

/// Long flag names the CLI itself uses below a backend. An action parameter with one of
/// these wire names gets the flag `--param-<name>` instead.
pub const RESERVED: &[&str] = &[
    "help",
    "version",
    "verbose",
    "quiet",
    "profile",
    "base-url",
    "token-file",
    "timeout",
    "total-timeout",
    "proxy",
    "no-proxy",
    "ignore-ssl-issues",
    "batch-size",
    "batch-interval",
    "concurrency",
    "retries",
    "rate-limit",
    "rate-limit-store",
    "continue-on-fail",
    "lenient",
    "dry-run",
    "all",
    "limit",
    "output",
    "fields",
    "jq",
    "impersonate",
    "input",
    "yes",
    "key",
    "retry-failed",
];

/// Everything the request-option flags say.
#[derive(Debug, Clone)]
pub struct RunFlags {
    pub options: Options,
    pub dry_run: bool,
    pub all: bool,
    pub limit: Option<usize>,
    pub output: Option<OutputFormat>,
    /// `--fields`: the columns of a table or csv, the keys kept in JSON.
    pub fields: Vec<String>,
    /// `--jq`: checked to compile when the flags were read.
    pub jq: Option<String>,
    /// The account of actions that take `account_id`, when the input has none.
    pub account_id: Option<i64>,
    pub base_url: Option<String>,
    pub token_file: Option<PathBuf>,
    pub impersonate: Option<i64>,
    /// `--proxy` carried a password (argv is readable by every user of the machine).
    pub proxy_password: bool,
    /// Where answers that are files go.
    pub files: crate::files::Target,
    /// `--rate-limit-store` (or its environment variable) was given: the profile's is not used.
    pub rate_limit_store_given: bool,
}

impl RunFlags {
    /// What the profile fills in where flags and environment left it open: the output
    /// format, the default `account_id` and the `rate_limit_store`.
    pub fn apply_profile(&mut self, profile: &crate::config::Profile) -> Result<(), Error> {
        if self.output.is_none() {
            if let Some(word) = &profile.output {
                self.output = Some(OutputFormat::parse(word).ok_or_else(|| {
                    Error::Config(format!(
                        "profile key `output`: expected one of {}",
                        OUTPUT_FORMATS.join(", ")
                    ))
                })?);
            } else if self.jq.is_some() {
                // Like `jq -c`: one result per line.
                self.output = Some(OutputFormat::Jsonl);
            }
        }
        self.account_id = profile.default_account_id()?;
        if self.rate_limit_store_given {
            return Ok(());
        }
        if let Some(text) = &profile.rate_limit_store {
            self.options.rate_limit_store = RateLimitStore::parse(text).map_err(|e| {
                Error::Config(format!(
                    "profile key `rate_limit_store`: {}",
                    strip_config(&e)
                ))
            })?;
        }
        Ok(())
    }
}

/// `account_id` from the profile or `KONVERTE_ACCOUNT_ID` for an action that takes
/// one, when the input has none (a given value always wins).
pub fn fill_defaults(
    account_id: Option<i64>,
    spec: &connector_core::ActionSpec,
    input: &mut serde_json::Map<String, serde_json::Value>,
) {
    if let Some(id) = account_id
        && !input.contains_key(ACCOUNT_ID)
        && spec.params.iter().any(|p| p.name == ACCOUNT_ID)
    {
        input.insert(ACCOUNT_ID.to_owned(), id.into());
    }
}

const ACCOUNT_ID: &str = "account_id";

fn duration_arg(s: &str) -> Result<Duration, String> {
    parse_duration(s).map_err(|e| strip_config(&e))
}

/// A duration that must be longer than zero (a zero timeout fails every call).
pub fn positive_duration_arg(s: &str) -> Result<Duration, String> {
    match duration_arg(s)? {
        d if d.is_zero() => Err("must be longer than 0".into()),
        d => Ok(d),
    }
}

/// Longer windows make no sense for a client-side limit, and far longer ones
/// overflow the limiter's arithmetic.
const MAX_RATE_WINDOW: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// `N/DURATION` or `off`, with a window of at most 7 days.
pub fn rate_limit_arg(s: &str) -> Result<Option<RateLimit>, String> {
    match parse_rate_limit(s).map_err(|e| strip_config(&e))? {
        Some(r) if r.per > MAX_RATE_WINDOW => {
            Err("the window must be at most 7 days (e.g. 120/2m)".into())
        }
        r => Ok(r),
    }
}

fn positive_arg(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// `--proxy URL`. Clap's own error would quote the value, password included, so the
/// error is built here with the password masked.
#[derive(Debug, Clone, Copy)]
struct ProxyParser;

impl TypedValueParser for ProxyParser {
    type Value = ProxyConfig;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<ProxyConfig, clap::Error> {
        let text = value.to_string_lossy();
        ProxyConfig::parse(&text).map_err(|e| masked_error(cmd, arg, "--proxy", &text, &e))
    }
}

/// A clap error for a URL-like value whose password must not be echoed.
fn masked_error(
    cmd: &Command,
    arg: Option<&Arg>,
    default_flag: &str,
    text: &str,
    e: &Error,
) -> clap::Error {
    let flag = arg.map_or_else(|| default_flag.to_owned(), ToString::to_string);
    clap::Error::raw(
        ErrorKind::ValueValidation,
        format!(
            "invalid value '{}' for '{flag}': {}\n",
            mask_password(text),
            strip_config(e)
        ),
    )
    .with_cmd(cmd)
}

/// `--rate-limit-store machine|process|redis://...`, with a password in the URL masked in errors.
#[derive(Debug, Clone, Copy)]
struct StoreParser;

impl TypedValueParser for StoreParser {
    type Value = RateLimitStore;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<RateLimitStore, clap::Error> {
        let text = value.to_string_lossy();
        RateLimitStore::parse(&text)
            .map_err(|e| masked_error(cmd, arg, "--rate-limit-store", &text, &e))
    }
}

/// `scheme://user:password@host` -> `scheme://user:***@host`.
fn mask_password(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let authority_end = url[start..].find('/').map_or(url.len(), |i| start + i);
    match url[start..authority_end].rfind('@') {
        Some(at) => {
            let userinfo = &url[start..start + at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..start],
                    &userinfo[..colon],
                    &url[start + at..]
                ),
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    }
}

fn strip_config(e: &Error) -> String {
    let text = e.to_string();
    text.strip_prefix("configuration: ")
        .unwrap_or(&text)
        .to_owned()
}

/// `--base-url` and `--token-file` (and MOCO's `--impersonate`), on each action, on
/// `run` and on `moco webhooks ensure`.
pub fn connection_args(impersonate: bool) -> Vec<Arg> {
    let mut args = vec![
        Arg::new("base-url")
            .long("base-url")
            .value_name("URL")
            .value_hint(ValueHint::Url)
            .help(
                "Base URL of the API (overrides the profile and the environment; the token \
                 then comes from --token-file, else from where it would have come)",
            )
            .help_heading(CONNECTION),
        Arg::new("token-file")
            .long("token-file")
            .value_name("PATH")
            .value_hint(ValueHint::FilePath)
            .value_parser(value_parser!(PathBuf))
            .help(
                "Read the API token from this file (first line); the base URL comes from \
                 --base-url, else from where it would have come",
            )
            .help_heading(CONNECTION),
    ];
    if impersonate {
        args.push(
            Arg::new("impersonate")
                .long("impersonate")
                .value_name("USER_ID")
                .value_parser(value_parser!(i64))
                .help("MOCO: act as this user (header X-IMPERSONATE-USER-ID)")
                .help_heading(CONNECTION),
        );
    }
    args
}

/// Flags that only mean something when the input can be many items.
const BATCH: &[&str] = &[
    "batch-size",
    "batch-interval",
    "concurrency",
    "continue-on-fail",
];

/// Flags that only mean something for a paged list.
const LIST: &[&str] = &["all", "limit"];

/// The format of what is printed on stdout.
const OUTPUT: &[&str] = &["output"];

/// What is picked out of the answer's records before printing.
const VIEW: &[&str] = &["fields", "jq"];

/// Flags that act on a request built from a declaration: its validation, or showing it
/// instead of sending it.
const DECLARED: &[&str] = &["dry-run", "lenient"];

/// Which of the running flags a command offers: a flag that would do nothing is not
/// offered at all (clap then refuses it, exit 2, and suggests nothing misleading).
#[derive(Debug, Clone, Copy)]
pub struct Takes {
    /// `--all`, `--limit`: the action is a paged list.
    pub list: bool,
    /// `--concurrency`, `--batch-size`, ...: the input can be many items.
    pub batch: bool,
    /// `-o/--output`: the command prints JSON data on stdout.
    pub output: bool,
    /// `--fields`, `--jq`: the command prints records they can pick from.
    pub view: bool,
    /// `--dry-run`, `--lenient`: the command sends a request built from input.
    pub declared: bool,
}

impl Takes {
    /// A declared action with one input, a paged list or not.
    pub fn action(list: bool) -> Takes {
        Takes {
            list,
            batch: false,
            output: true,
            view: true,
            declared: true,
        }
    }
}

/// The request-option and output flags that apply to a command taking `takes`.
pub fn request_args_for(takes: Takes) -> Vec<Arg> {
    let groups = [
        (takes.list, LIST),
        (takes.batch, BATCH),
        (takes.output, OUTPUT),
        (takes.view, VIEW),
        (takes.declared, DECLARED),
    ];
    request_args()
        .into_iter()
        .filter(|a| {
            let id = a.get_id().as_str();
            groups
                .iter()
                .all(|(offered, ids)| *offered || !ids.contains(&id))
        })
        .collect()
}

/// The request-option and output flags, on each action and on `run`.
pub fn request_args() -> Vec<Arg> {
    vec![
        Arg::new("timeout")
            .long("timeout")
            .value_name("DURATION")
            .value_parser(positive_duration_arg)
            .help("Deadline for one attempt, e.g. 30s or 1500ms [default: 30s]")
            .help_heading(REQUEST),
        Arg::new("total-timeout")
            .long("total-timeout")
            .value_name("DURATION")
            .value_parser(positive_duration_arg)
            .help("Deadline for a whole call, retries included")
            .help_heading(REQUEST),
        Arg::new("proxy")
            .long("proxy")
            .value_name("URL")
            .value_hint(ValueHint::Url)
            .value_parser(ProxyParser)
            .help(
                "Send requests through this proxy (http://, https://, socks5://); a password \
                 in the URL is visible to other users of this machine",
            )
            .help_heading(REQUEST),
        Arg::new("no-proxy")
            .long("no-proxy")
            .value_name("HOSTS")
            .requires("proxy")
            .help("Comma-separated hosts that bypass the proxy")
            .help_heading(REQUEST),
        Arg::new("ignore-ssl-issues")
            .long("ignore-ssl-issues")
            .action(ArgAction::SetTrue)
            .help("Accept any TLS certificate (only for hosts you trust)")
            .help_heading(REQUEST),
        Arg::new("batch-size")
            .long("batch-size")
            .value_name("N")
            .value_parser(positive_arg)
            .help("Items per batch (with --batch-interval between batches)")
            .help_heading(REQUEST),
        Arg::new("batch-interval")
            .long("batch-interval")
            .value_name("DURATION")
            .value_parser(duration_arg)
            .requires("batch-size")
            .help("Pause between batches of --batch-size items, e.g. 500ms")
            .help_heading(REQUEST),
        Arg::new("concurrency")
            .long("concurrency")
            .value_name("N")
            .value_parser(positive_arg)
            .help("Requests in flight at once [default: 4]")
            .help_heading(REQUEST),
        Arg::new("retries")
            .long("retries")
            .value_name("N")
            .value_parser(value_parser!(u32))
            .help("Re-tries after a failed attempt (throttling, 5xx, network) [default: 3]")
            .help_heading(REQUEST),
        Arg::new("rate-limit")
            .long("rate-limit")
            .value_name("N/DURATION|off")
            .value_parser(rate_limit_arg)
            .help(
                "Client-side rate limit, e.g. 120/2m, or off [default: 120/2m for moco; for \
                 konverte none is known, and the pace adapts to the server's 429s]",
            )
            .help_heading(REQUEST),
        Arg::new("rate-limit-store")
            .long("rate-limit-store")
            .value_name("machine|process|redis://HOST:PORT")
            .env("CONNECTOR_RATE_LIMIT_STORE")
            .value_parser(StoreParser)
            .help(
                "Where a fixed rate limit is kept, so that everyone with the same credentials \
                 shares it: machine (this machine's processes), process, or a Redis shared by \
                 machines (unreachable: nothing is sent, exit 2); profile key rate_limit_store \
                 [default: machine]",
            )
            .help_heading(REQUEST),
        Arg::new("continue-on-fail")
            .long("continue-on-fail")
            .action(ArgAction::SetTrue)
            .help("In a batch, go on after a failed item (else the rest is skipped)")
            .help_heading(REQUEST),
        Arg::new("lenient")
            .long("lenient")
            .action(ArgAction::SetTrue)
            .help(
                "Send fields and enum values the declaration does not know, as given, with a \
                 warning each (for what the API takes but its docs do not list); without it \
                 they are refused, so typos are caught",
            )
            .help_heading(REQUEST),
        Arg::new("dry-run")
            .long("dry-run")
            .action(ArgAction::SetTrue)
            .help("Validate and print each request (secrets as ***); send nothing")
            .help_heading(RUNNING),
        Arg::new("all")
            .long("all")
            .action(ArgAction::SetTrue)
            .help("Fetch every page of a list; one item per line (JSON Lines)")
            .help_heading(RUNNING),
        Arg::new("limit")
            .long("limit")
            .value_name("N")
            .value_parser(value_parser!(usize))
            .help("Stop a list after N items (implies paging, like --all)")
            .help_heading(RUNNING),
        Arg::new("output")
            .short('o')
            .long("output")
            .value_name("FORMAT")
            .env("CONNECTOR_OUTPUT")
            .value_parser(OUTPUT_FORMATS)
            .help(
                "json (the answer as it is; pretty on a terminal; lists and batches: one JSON \
                 array), jsonl (one compact line per item of a list, unwrapped from its \
                 envelope), table (fitted to the terminal), csv (RFC 4180, header row) or ids \
                 (one id per line); profile key output [default: json]",
            )
            .help_heading(RUNNING),
        Arg::new("fields")
            .long("fields")
            .value_name("A,B.C")
            .value_parser(crate::render::fields_arg)
            .help(
                "Fields to show, dotted paths into nested objects (company.name): the columns \
                 of a table or csv, the keys kept in JSON [default: the resource's columns]",
            )
            .help_heading(RUNNING),
        Arg::new("jq")
            .long("jq")
            .value_name("EXPR")
            .value_parser(crate::jq::arg)
            .help(
                "A jq filter (built in) applied to each item of a list, or to a single \
                 answer's record; its results are printed one per line unless --output says \
                 otherwise",
            )
            .help_heading(RUNNING),
    ]
}

/// The flags of `webhooks ensure`: one lookup and at most one write, no batch or list
/// flags; its answer is one small document, printed in the `--output` format as a whole
/// (no `--fields` or `--jq`).
pub fn ensure_args(impersonate: bool) -> Vec<Arg> {
    let mut args = connection_args(impersonate);
    args.extend(request_args_for(Takes {
        view: false,
        ..Takes::action(false)
    }));
    args
}

/// The flags of `download URL`: connection and transport only; it sends no declared
/// request (nothing to validate or show) and writes the file, not data, on stdout.
pub fn download_args(impersonate: bool) -> Vec<Arg> {
    let mut args = connection_args(impersonate);
    args.extend(request_args_for(Takes {
        list: false,
        batch: false,
        output: false,
        view: false,
        declared: false,
    }));
    args
}

/// Reads a command's request-option flags into [`RunFlags`]; `impersonation` says
/// whether the backend supports `--impersonate`.
pub fn from_matches(m: &ArgMatches, impersonation: bool) -> Result<RunFlags, Error> {
    let mut b = Options::builder();
    if let Some(t) = get::<Duration>(m, "timeout") {
        b = b.timeout(t);
    }
    if let Some(t) = get::<Duration>(m, "total-timeout") {
        b = b.total_timeout(t);
    }
    if let Some(mut proxy) = get::<ProxyConfig>(m, "proxy") {
        if let Some(hosts) = get::<String>(m, "no-proxy") {
            proxy = proxy.with_no_proxy(hosts);
        }
        b = b.proxy(proxy);
    }
    let ignore_ssl = flag(m, "ignore-ssl-issues");
    b = b.ignore_ssl_issues(ignore_ssl);
    if let Some(n) = get::<usize>(m, "batch-size") {
        b = b.batch_size(n);
    }
    if let Some(d) = get::<Duration>(m, "batch-interval") {
        b = b.batch_interval(d);
    }
    if let Some(n) = get::<usize>(m, "concurrency") {
        b = b.concurrency(n);
    }
    if let Some(n) = get::<u32>(m, "retries") {
        b = b.retries(n);
    }
    // Without the flag, the backend's own quota applies (MOCO: 120/2m; Konverte: none).
    if let Some(given) = get::<Option<RateLimit>>(m, "rate-limit") {
        b = b.rate_limit_opt(given);
    }
    let store = get::<RateLimitStore>(m, "rate-limit-store");
    if let Some(store) = store.clone() {
        b = b.rate_limit_store(store);
    }
    b = b.continue_on_fail(flag(m, "continue-on-fail"));
    b = b.lenient(flag(m, "lenient"));
    let impersonate = get::<i64>(m, "impersonate");
    if impersonate.is_some() && !impersonation {
        return Err(Error::validation(
            "impersonate",
            "only MOCO supports impersonation",
        ));
    }
    let output = get::<String>(m, "output").and_then(|s| OutputFormat::parse(&s));
    let limit = get::<usize>(m, "limit");
    Ok(RunFlags {
        options: b.build(),
        dry_run: flag(m, "dry-run"),
        all: flag(m, "all") || limit.is_some(),
        limit,
        output,
        fields: get::<Vec<String>>(m, "fields").unwrap_or_default(),
        jq: get::<String>(m, "jq"),
        account_id: None,
        base_url: get::<String>(m, "base-url"),
        token_file: get::<PathBuf>(m, "token-file"),
        impersonate,
        files: crate::files::Target::from_matches(m),
        proxy_password: m
            .try_get_raw("proxy")
            .ok()
            .flatten()
            .and_then(|mut v| v.next())
            .and_then(|v| Url::parse(&v.to_string_lossy()).ok())
            .is_some_and(|u| u.password().is_some()),
        rate_limit_store_given: store.is_some(),
    })
}

/// A value of an argument that may not exist on this command.
pub fn get<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Option<T> {
    m.try_get_one::<T>(id).ok().flatten().cloned()
}

/// A `SetTrue` flag that may not exist on this command.
pub fn flag(m: &ArgMatches, id: &str) -> bool {
    m.try_get_one::<bool>(id)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_passwords_are_masked() {
        assert_eq!(
            mask_password("http://bob:s3cret@proxy:3128/x"),
            "http://bob:***@proxy:3128/x"
        );
        assert_eq!(mask_password("bob:p@ss@proxy"), "bob:***@proxy");
        assert_eq!(mask_password("http://bob@proxy"), "http://bob@proxy");
        assert_eq!(mask_password("http://proxy/a@b"), "http://proxy/a@b");
    }
}
