//! What particular HR systems need beyond the API key, kept as data so that more can be added.

/// A provider's known requirement: the permissions without which Roster misses people.
pub struct Requirement {
    /// Kombo's tool id.
    pub tool: &'static str,
    pub display_name: &'static str,
    /// The permission on the provider's API key without which future starters are not returned.
    pub future_permission: &'static str,
    /// The same for people who have left.
    pub departed_permission: &'static str,
    pub where_to_enable: &'static str,
}

pub const REQUIREMENTS: &[Requirement] = &[Requirement {
    tool: "lucca",
    display_name: "Lucca",
    future_permission: "View future employees",
    departed_permission: "View departed employees",
    where_to_enable: "in Lucca, Settings > API Keys, edit the key's permissions",
}];

pub fn requirement(tool: &str) -> Option<&'static Requirement> {
    REQUIREMENTS.iter().find(|r| r.tool.eq_ignore_ascii_case(tool))
}

/// Whom a source returned none of, though any company has some: each points at its own permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unseen {
    FutureStarters,
    DepartedPeople,
}

/// The warning for a source whose full read returned none of `unseen`, with the provider's own
/// permission name when Roster knows the provider.
pub fn missing_permission_warning(source_name: &str, tool: Option<&str>, unseen: Unseen) -> String {
    let (whom, consequence) = match unseen {
        Unseen::FutureStarters => ("no future starters", "onboardings will only appear once people have started"),
        Unseen::DepartedPeople => ("no departed employees", "people who leave may be reported missing instead of departed"),
    };
    match tool.and_then(requirement) {
        Some(r) => {
            let permission = match unseen {
                Unseen::FutureStarters => r.future_permission,
                Unseen::DepartedPeople => r.departed_permission,
            };
            format!(
                "{source_name} returned {whom} at all: the {} API key probably lacks the permission \"{permission}\"; enable it {} ({consequence} until then)",
                r.display_name, r.where_to_enable
            )
        }
        None => format!(
            "{source_name} returned {whom} at all: the HR system's API key probably lacks the permission to see them; ask its administrator to allow it ({consequence} until then)"
        ),
    }
}
