//! Packaging aids: the man page and the shell completions, generated from the same clap
//! definition the binary parses, so they never drift from it. `.ci/package` puts them in the
//! `.deb`.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::Subcommand;
use clap_complete::{Generator, Shell};

#[derive(Subcommand)]
pub enum Generate {
    /// The man page, in roff, on standard output; with `--dir`, it and one page per subcommand
    /// (`roster-sync.1`, …, which the main page refers to) written into DIR.
    Man {
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Completions for `shell` on standard output.
    Completions { shell: Shell },
}

pub fn write(what: &Generate, mut command: clap::Command, out: &mut impl Write) -> io::Result<()> {
    match what {
        Generate::Man { dir: None } => clap_mangen::Man::new(command).render(out),
        Generate::Man { dir: Some(dir) } => clap_mangen::generate_to(command, dir),
        Generate::Completions { shell } => {
            // `try_generate`, not `clap_complete::generate`, which panics when the reader goes away.
            let name = command.get_name().to_owned();
            command.set_bin_name(name);
            command.build();
            shell.try_generate(&command, out)
        }
    }
}
