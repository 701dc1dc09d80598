//! What the packages install beside the binary: a man page and shell completions, generated from
//! the same command definition the binary parses.

use crate::harness::Roster;

const COMMANDS: [&str; 8] = ["source", "sync", "preview", "field-mode", "filter", "employees", "device", "settings"];

#[test]
fn the_man_page_documents_every_command_and_needs_no_directory() {
    let roster = Roster::new();
    let man = roster.ok(&["generate", "man"]);
    assert!(man.contains(".TH roster 1"), "the man page is a roff page of section 1: {}", &man[..man.len().min(300)]);
    for command in COMMANDS {
        // roff writes a hyphen as `\-`.
        assert!(man.contains(&command.replace('-', "\\-")), "the man page lists the `{command}` command");
    }
    assert!(!man.contains("generate"), "the packaging command stays out of the user's manual");
    assert!(!roster.data_dir().join("roster.db").exists(), "generating files for a package opens no directory");
}

#[test]
fn every_page_the_man_page_refers_to_is_generated() {
    let roster = Roster::new();
    let dir = roster.data_dir().join("man1");
    std::fs::create_dir_all(&dir).unwrap();
    roster.ok(&["generate", "man", "--dir", dir.to_str().unwrap()]);
    let main = std::fs::read_to_string(dir.join("roster.1")).expect("the main page is written as roster.1");
    // The main page's SUBCOMMANDS section names each page as `roster\-sync(1)`.
    let referred: Vec<String> = main
        .split(|c: char| c.is_whitespace())
        .filter_map(|word| word.strip_suffix("(1)"))
        .map(|page| page.replace("\\-", "-"))
        .collect();
    assert!(referred.iter().any(|p| p == "roster-sync"), "the main page refers to the subcommands' pages: {referred:?}");
    for page in &referred {
        assert!(dir.join(format!("{page}.1")).is_file(), "{page}(1) is referred to and generated");
    }
    assert!(dir.join("roster-source-add.1").is_file(), "nested subcommands get their page too");
    assert!(!dir.join("roster-generate.1").exists(), "the packaging command stays out of the manual");
}

#[test]
fn completions_are_generated_for_bash_zsh_and_fish() {
    let roster = Roster::new();
    for (shell, marker) in [("bash", "complete -F _roster"), ("zsh", "#compdef roster"), ("fish", "complete -c roster")] {
        let script = roster.ok(&["generate", "completions", shell]);
        assert!(script.contains(marker), "the {shell} completion registers itself for `roster`");
        for command in COMMANDS {
            assert!(script.contains(command), "the {shell} completion offers `{command}`");
        }
    }
    let version = roster.ok(&["--version"]);
    assert_eq!(version.trim(), format!("roster {}", env!("CARGO_PKG_VERSION")), "--version names the release");
}
