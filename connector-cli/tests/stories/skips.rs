//! The resource groups the derived stories (`tell_all`) leave out, each with why. Every one
//! has a story of its own shape in `sandbox_konverte_tailored_stories.rs` or
//! `sandbox_moco_tailored_stories.rs`; a test there fails when a group listed here has no
//! tailored story or a tailored story names a group not listed here.

/// The groups of one backend the derived stories skip.
pub struct Skips {
    /// Groups with the story's shape whose story the common pattern cannot tell.
    pub unfit: &'static [(&'static str, &'static str)],
    /// Resources with `create` and `delete` but not the story's shape (the derived test
    /// fails when the registry's list differs).
    pub without_the_shape: &'static [(&'static str, &'static str)],
}

impl Skips {
    /// Every skipped group, sorted.
    pub fn all(&self) -> Vec<&'static str> {
        let mut all: Vec<&'static str> = self
            .unfit
            .iter()
            .chain(self.without_the_shape)
            .map(|(resource, _)| *resource)
            .collect();
        all.sort_unstable();
        all
    }

    /// The resources without the shape, in the order listed.
    pub fn unshaped(&self) -> Vec<&'static str> {
        self.without_the_shape.iter().map(|(r, _)| *r).collect()
    }

    /// Whether the derived stories skip `resource` as unfit.
    pub fn is_unfit(&self, resource: &str) -> bool {
        self.unfit.iter().any(|(r, _)| *r == resource)
    }
}

pub const KONVERTE: Skips = Skips {
    unfit: &[(
        "messages",
        "delete keeps the message (its content becomes a deletion notice: \
         app/controllers/api/v1/accounts/conversations/messages_controller.rb), update sets \
         only the delivery status on API-channel inboxes, and the list walks by id cursor",
    )],
    without_the_shape: &[(
        "account_users",
        "a platform account's users are added and removed at the collection \
         (POST/DELETE .../account_users with a user_id), never changed",
    )],
};

pub const MOCO: Skips = Skips {
    unfit: &[],
    without_the_shape: &[
        (
            "invoice_attachments",
            "attached and detached, never changed; no get",
        ),
        ("invoice_reminders", "issued and removed, never changed"),
        (
            "invoices",
            "never updated: the status changes through update_status; delete needs a reason",
        ),
        (
            "offer_attachments",
            "attached and detached, never changed; no get",
        ),
        ("purchase_drafts", "started and removed, never changed"),
    ],
};
