//! Packaging aids: the man page and the shell completions, generated from the same clap
//! definition the binary parses, so they never drift from it. `.ci/package` puts them in the
//! `.deb`.

use std::io::{self, Write};

use clap::Subcommand;
use clap_complete::{Generator, Shell};

#[derive(Subcommand)]
pub enum Generate {
    /// The man page, in roff, on standard output.
    Man,
    /// Completions for `shell` on standard output.
    Completions { shell: Shell },
}

pub fn write(what: &Generate, mut command: clap::Command, out: &mut impl Write) -> io::Result<()> {
    match what {
        Generate::Man => clap_mangen::Man::new(command).render(out),
        Generate::Completions { shell } => {
            // `try_generate`, not `clap_complete::generate`, which panics when the reader goes away.
            let name = command.get_name().to_owned();
            command.set_bin_name(name);
            command.build();
            shell.try_generate(&command, out)
        }
    }
}
