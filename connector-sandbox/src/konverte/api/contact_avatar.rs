//! A contact's uploaded avatar (`avatar` in a multipart create or update), checked as
//! `app/models/concerns/avatarable.rb` checks it and kept like message attachments.

use super::*;

/// Avatarable's `ALLOWED_AVATAR_CONTENT_TYPES`.
const AVATAR_TYPES: &[&str] = &["image/jpeg", "image/png", "image/gif", "image/webp"];

/// Avatarable's size limit, 15 MB.
const MAX_AVATAR: usize = 15 * 1024 * 1024;

/// The `avatar` file of a multipart body, checked as `acceptable_avatar` checks it.
pub(super) fn avatar_of(files: Vec<Upload>) -> Result<Option<Upload>, Fail> {
    let Some(avatar) = files.into_iter().find(|f| f.field == "avatar") else {
        return Ok(None);
    };
    if avatar.data.as_ref().map_or(0, Vec::len) > MAX_AVATAR {
        return Err(invalid("avatar", "Avatar is too big"));
    }
    if !AVATAR_TYPES.contains(&avatar_type(&avatar).as_str()) {
        return Err(invalid("avatar", "Avatar filetype not supported"));
    }
    Ok(Some(avatar))
}

/// The avatar's content type: the part's, or for a generic one its file name's.
fn avatar_type(avatar: &Upload) -> String {
    let declared = avatar.content_type.to_ascii_lowercase();
    if declared != "application/octet-stream" && !declared.is_empty() {
        return declared;
    }
    let extension = avatar
        .filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        _ => "application/octet-stream",
    }
    .to_owned()
}

impl App {
    /// Keeps an uploaded avatar where `GET /sandbox/files/{id}` serves it, as the contact's
    /// `thumbnail` (`avatar_url` in the views).
    pub(super) fn keep_avatar(&self, st: &mut Store, contact: u64, avatar: Option<Upload>) {
        let Some(avatar) = avatar else {
            return;
        };
        let url = self.generic.keep_file(&self.base_url, avatar);
        if let Some(record) = st.contacts.get_mut(&contact) {
            merge(record, json_map(json!({"thumbnail": url})));
        }
    }
}
