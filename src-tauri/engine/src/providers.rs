//! What particular HR systems need beyond the API key, kept as data so that more can be added.

/// A provider's known requirement: the permissions without which Roster misses people.
pub struct Requirement {
    /// Kombo's tool id.
    pub tool: &'static str,
    pub display_name: &'static str,
    /// Permissions to enable on the provider's API key for future and departed employees.
    pub permissions: &'static [&'static str],
    pub where_to_enable: &'static str,
}

pub const REQUIREMENTS: &[Requirement] = &[Requirement {
    tool: "lucca",
    display_name: "Lucca",
    permissions: &["View future employees", "View departed employees"],
    where_to_enable: "in Lucca, Settings > API Keys, edit the key's permissions",
}];

pub fn requirement(tool: &str) -> Option<&'static Requirement> {
    REQUIREMENTS.iter().find(|r| r.tool.eq_ignore_ascii_case(tool))
}

/// The warning for a source that returned no future and no departed employee at all.
pub fn missing_permission_warning(source_name: &str, tool: Option<&str>) -> String {
    match tool.and_then(requirement) {
        Some(r) => format!(
            "{source_name} returned no future and no departed employees at all: the {} API key probably lacks the permissions \"{}\"; enable them {}",
            r.display_name,
            r.permissions.join("\", \""),
            r.where_to_enable
        ),
        None => format!(
            "{source_name} returned no future and no departed employees at all: the HR system's API key probably lacks the permission to see them"
        ),
    }
}
