//! The backend descriptor: what the CLI knows of each backend (names, help, registry,
//! capabilities). A leaf: it depends on the backend crates only, never on the CLI's
//! other modules, so every module may use it.

use connector_core::{ActionSpec, Pagination};

/// A backend the CLI knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Konverte,
    Moco,
}

impl Backend {
    pub const ALL: [Backend; 2] = [Backend::Konverte, Backend::Moco];

    pub fn name(self) -> &'static str {
        match self {
            Backend::Konverte => "konverte",
            Backend::Moco => "moco",
        }
    }

    pub fn about(self) -> &'static str {
        match self {
            Backend::Konverte => "Konverte Digital (Chatwoot) API",
            Backend::Moco => "MOCO (mocoapp.com) API",
        }
    }

    /// How to configure it, for `--help`.
    pub fn credentials_help(self) -> &'static str {
        match self {
            Backend::Konverte => {
                "Credentials: KONVERTE_BASE_URL and, for the kinds of token the actions take, \
                 KONVERTE_API_TOKEN (a user's; or --token-file), KONVERTE_PLATFORM_TOKEN (a \
                 platform app's, for users, accounts, account_users, agent_bots), \
                 KONVERTE_AGENT_BOT_TOKEN (an agent bot's), KONVERTE_HMAC_TOKEN (an API inbox's, \
                 signs identifiers for the public API); tokens go in Api-Access-Token \
                 (KONVERTE_DASHED_HEADER=0: api_access_token). Or [profiles.NAME.konverte] in the \
                 config file (token_file, platform_token_file, agent_bot_token_file, \
                 hmac_token_file, ...). Base URL and tokens come together from the first of: \
                 --base-url with --token-file, a profile named with --profile, the environment, \
                 the default profile. An action none of whose token kinds is configured is \
                 refused before sending (exit 2)."
            }
            Backend::Moco => {
                "Credentials: MOCO_SUBDOMAIN or MOCO_BASE_URL, MOCO_API_KEY (or --token-file); \
                 or [profiles.NAME.moco] in the config file. Address and key come together \
                 from the first of: --base-url with --token-file, a profile named with \
                 --profile, the environment, the default profile. Requests are limited to \
                 120/2m (shared by the processes of this machine using the same key) unless \
                 --rate-limit says otherwise."
            }
        }
    }

    pub fn actions(self) -> &'static [ActionSpec] {
        match self {
            Backend::Konverte => connector_konverte::ACTIONS,
            Backend::Moco => connector_moco::ACTIONS,
        }
    }

    /// The action whose credentials a download from a URL the API handed out carries
    /// (only to the backend's own origin).
    pub fn credentials_action(self) -> &'static str {
        match self {
            Backend::Konverte => "profile.get",
            Backend::Moco => "session.get",
        }
    }

    pub fn from_name(name: &str) -> Option<Backend> {
        Backend::ALL.into_iter().find(|b| b.name() == name)
    }

    /// The credential kinds a raw `connector api` request to `path` carries: the kind the
    /// backend's declared actions under that path prefix take.
    pub fn raw_tokens(self, path: &str) -> &'static [&'static str] {
        match self {
            Backend::Konverte if path.starts_with("/platform/") => &["platform"],
            Backend::Konverte if path.starts_with("/public/") => &[],
            Backend::Konverte => &["user"],
            Backend::Moco => &["api_key"],
        }
    }

    /// How `connector api --all` pages, and where a page's items are: the backend's
    /// usual style (Konverte: `page=N`, items under `payload`; MOCO: `Link` headers).
    pub fn raw_paging(self) -> (Pagination, &'static str) {
        match self {
            Backend::Konverte => (
                Pagination::PageNumber {
                    param: "page",
                    total: "",
                    has_more: "",
                },
                "/payload",
            ),
            Backend::Moco => (Pagination::LinkHeader, ""),
        }
    }

    /// Whether requests can act as another user (`--impersonate`).
    pub fn impersonation(self) -> bool {
        matches!(self, Backend::Moco)
    }
}
