//! Where the descriptions and the server (Chatwoot 4.15.1) disagree, for the actions
//! Prism would refuse or where our request deliberately differs. (The full list per
//! action, responses included, is longer; these are the ones a request shows.)

use super::{Deviation, Expect, NotDeclared, Spec};
use Expect::{Differs, Refused};
use Spec::{Bundled, Latest};

const fn d(
    spec: Spec,
    action: &'static str,
    description: &'static str,
    server: &'static str,
    file: &'static str,
) -> Deviation {
    Deviation {
        spec,
        action,
        expect: Refused,
        description,
        server,
        file,
    }
}

#[rustfmt::skip]
pub const DEVIATIONS: &[Deviation] = &[
    // action | what the description says | what the server does | file
    d(Bundled, "account_users.delete", "user_id in a JSON body", "params[:user_id] from the query or the body; we send the query (a DELETE body may be dropped)", "app/controllers/platform/api/v1/account_users_controller.rb"),
    d(Bundled, "agents.update", "availability is available, busy or offline", "availability is online, busy or offline", "app/models/account_user.rb"),
    d(Bundled, "articles.create", "{portal_id} is an integer", "the portal is found by its slug", "app/controllers/api/v1/accounts/articles_controller.rb"),
    d(Bundled, "categories.create", "{portal_id} is an integer", "the portal is found by its slug", "app/controllers/api/v1/accounts/categories_controller.rb"),
    d(Bundled, "conversations.create", "inbox_id, contact_id, assignee_id, team_id are strings", "they are record ids, numbers", "app/controllers/api/v1/accounts/conversations_controller.rb"),
    d(Bundled, "custom_attributes.list", "attribute_model is 0 or 1", "the names conversation_attribute, contact_attribute, company_attribute", "app/models/custom_attribute_definition.rb"),
    d(Bundled, "custom_attributes.create", "attribute_display_type and attribute_model are integers", "Rails enums, set by name (text, list, ...; contact_attribute, ...)", "app/models/custom_attribute_definition.rb"),
    d(Bundled, "custom_attributes.update", "attribute_display_type and attribute_model are integers", "Rails enums, set by name", "app/models/custom_attribute_definition.rb"),
    d(Bundled, "inboxes.create", "POST /inboxes/ (with a trailing slash)", "Rails routes POST /inboxes and strips a trailing slash", "config/routes.rb"),
    d(Bundled, "inboxes.get", "GET /inboxes/{id}/ (with a trailing slash)", "Rails routes GET /inboxes/{id} and strips a trailing slash", "config/routes.rb"),
    d(Bundled, "inboxes.add_members", "inbox_id is a string", "inbox_id is found with find (a number)", "app/controllers/api/v1/accounts/inbox_members_controller.rb"),
    d(Bundled, "inboxes.update_members", "inbox_id is a string", "inbox_id is found with find (a number)", "app/controllers/api/v1/accounts/inbox_members_controller.rb"),
    d(Bundled, "inboxes.remove_members", "inbox_id is a string", "inbox_id is found with find (a number)", "app/controllers/api/v1/accounts/inbox_members_controller.rb"),
    d(Bundled, "integrations.create_hook", "inbox_id is a string", "inbox_id is a record id, a number", "app/controllers/api/v1/accounts/integrations/hooks_controller.rb"),
    d(Bundled, "messages.create", "content_type is one of input_email, cards, input_select, form, article", "text (the default) and the other content types of the model are taken too", "app/models/message.rb"),
    d(Bundled, "messages.create_from_uploads", "content_type is one of input_email, cards, input_select, form, article", "text (the default) and the other content types of the model are taken too", "app/models/message.rb"),
    d(Bundled, "reports.agent_conversations", "type is account (one route, one answer)", "type agent lists each agent with their counts", "app/controllers/api/v2/accounts/reports_controller.rb"),
    d(Latest, "account_agent_bots.create", "bot_type is an integer", "a Rails enum (webhook: 0), set by name", "app/models/agent_bot.rb"),
    d(Latest, "account_agent_bots.update", "bot_type is an integer", "a Rails enum (webhook: 0), set by name", "app/models/agent_bot.rb"),
    d(Latest, "conversations_api.toggle_typing", "typing_status is a required query parameter", "params[:typing_status] from the query or the body; we send the body, as the other typing action", "app/controllers/public/api/v1/inboxes/conversations_controller.rb"),
    d(Latest, "custom_attributes.list", "attribute_model is 0 or 1", "the names conversation_attribute, contact_attribute, company_attribute", "app/models/custom_attribute_definition.rb"),
    d(Latest, "custom_attributes.create", "attribute_display_type and attribute_model are integers", "Rails enums, set by name", "app/models/custom_attribute_definition.rb"),
    d(Latest, "custom_attributes.update", "attribute_display_type and attribute_model are integers", "Rails enums, set by name", "app/models/custom_attribute_definition.rb"),
    d(Latest, "inboxes.update_members", "inbox_id is a string", "inbox_id is found with find (a number)", "app/controllers/api/v1/accounts/inbox_members_controller.rb"),
    d(Latest, "inboxes.remove_members", "inbox_id is a string", "inbox_id is found with find (a number)", "app/controllers/api/v1/accounts/inbox_members_controller.rb"),
    d(Latest, "integrations.create_hook", "app_id and status are integers", "app_id is the app's key (dialogflow, ...), status enabled or disabled", "app/models/integrations/hook.rb"),
    d(Latest, "integrations.update_hook", "status is an integer", "status is enabled or disabled (a Rails enum, set by name)", "app/models/integrations/hook.rb"),
    Deviation { spec: Bundled, action: "portals.create", expect: Differs, description: "portal fields flat at the top level", server: "params.require(:portal): we nest them under portal, with inbox_id and blob_id at the top", file: "app/controllers/api/v1/accounts/portals_controller.rb" },
    Deviation { spec: Latest, action: "portals.create", expect: Differs, description: "portal fields flat at the top level", server: "params.require(:portal): we nest them under portal, with inbox_id and blob_id at the top", file: "app/controllers/api/v1/accounts/portals_controller.rb" },
    Deviation { spec: Latest, action: "portals.update", expect: Differs, description: "portal fields flat at the top level", server: "params.require(:portal): we nest them under portal, with inbox_id and blob_id at the top", file: "app/controllers/api/v1/accounts/portals_controller.rb" },
    d(Latest, "reports.agent_conversations", "type is account (one route, one answer)", "type agent lists each agent with their counts", "app/controllers/api/v2/accounts/reports_controller.rb"),
];

/// Described operations no action declares, and why.
#[rustfmt::skip]
pub const NOT_DECLARED: &[NotDeclared] = &[
    NotDeclared { spec: Bundled, method: "GET", path: "/survey/responses/{conversation_uuid}", why: "an HTML page (survey/responses#show); its data is csat_survey.get" },
    NotDeclared { spec: Bundled, method: "PATCH", path: "/api/v1/accounts/{account_id}/portals", why: "no such route: a portal is updated at /portals/{portal_slug} (portals.update)" },
    NotDeclared { spec: Latest, method: "GET", path: "/survey/responses/{conversation_uuid}", why: "an HTML page (survey/responses#show); its data is csat_survey.get" },
    NotDeclared { spec: Latest, method: "GET", path: "/accounts/{account_id}/conversations/{conversation_id}/messages", why: "no such route: the path lacks /api/v1 (messages.list is the real one)" },
];
