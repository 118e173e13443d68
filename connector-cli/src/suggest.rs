//! "did you mean": the closest known word to a mistyped one.

/// The candidate closest to `word`, when it is close enough to be a likely typo
/// (Jaro-Winkler similarity, the measure clap uses for subcommands).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `"; did you mean `x`?"`, or nothing.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_finds_its_word_and_nonsense_finds_none() {
        let ids = ["projects.get", "projects.list", "users.get"];
        assert_eq!(closest("projects.gett", ids), Some("projects.get"));
        assert_eq!(closest("projets.list", ids), Some("projects.list"));
        assert_eq!(closest("zzz", ids), None);
    }
}
