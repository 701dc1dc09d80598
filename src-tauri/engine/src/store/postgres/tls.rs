//! How a connection to a directory's PostgreSQL server is secured: the address's options
//! (`sslmode`, `sslrootcert`), the rustls connector that verifies the server, and a refused
//! certificate in a person's words.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{CertificateError, ClientConfig, RootCertStore};
use rustls_platform_verifier::BuilderVerifierExt;
use serde::{Deserialize, Serialize};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{Error, Result};

/// What the address's options may say, for the messages that refuse anything else.
const ACCEPTED: &str = "Roster takes sslmode=disable|require|verify-full and sslrootcert=/path/to/ca.pem";

/// Characters written percent-encoded in an option's value: those that would end it or the
/// address, and quotes, so that the address can be pasted into a shell between quotes.
const OPTION_VALUE: &AsciiSet = &CONTROLS.add(b' ').add(b'%').add(b'&').add(b'#').add(b'\'').add(b'"');

/// Whether the connection uses TLS. Roster never sends a password over a connection whose
/// server it has not verified, so there is no mode that encrypts without verifying: libpq's
/// `require` is verified as `verify-full` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    /// No TLS: the default for a server on this computer, elsewhere only when written out.
    Disable,
    /// TLS, the server's certificate chain checked up to a trusted CA and its host name matched.
    VerifyFull,
}

impl FromStr for SslMode {
    type Err = Error;

    fn from_str(mode: &str) -> Result<SslMode> {
        match mode {
            "disable" => Ok(SslMode::Disable),
            "require" | "verify-full" => Ok(SslMode::VerifyFull),
            other => Err(Error::Invalid(format!(
                "sslmode={other} is not supported: {ACCEPTED} (a server is always verified before it gets the password)"
            ))),
        }
    }
}

impl std::fmt::Display for SslMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SslMode::Disable => "disable",
            SslMode::VerifyFull => "verify-full",
        })
    }
}

/// The TLS options of an address's query (`sslmode=…&sslrootcert=…`, values percent-encoded as
/// libpq reads them). Without `sslmode`, a server on this computer (`local`) is reached without
/// TLS and any other with `verify-full`; a CA file asks for TLS wherever the server is.
pub(super) fn options(query: &str, local: bool) -> Result<(SslMode, Option<PathBuf>)> {
    let (mut mode, mut ca_file) = (None, None);
    for option in query.split('&').filter(|option| !option.is_empty()) {
        let (key, value) = option.split_once('=').unwrap_or((option, ""));
        // The value is never repeated in a message: a mistyped option could hold a secret.
        let value = percent_decode_str(value)
            .decode_utf8()
            .map_err(|_| Error::Invalid(format!("the value of the address's option {key} is not UTF-8")))?;
        let repeated = match key {
            "sslmode" => mode.replace(value.parse::<SslMode>()?).is_some(),
            // Kept absolute: the app and the command line do not share a working directory.
            "sslrootcert" => ca_file
                .replace(std::path::absolute(&*value).map_err(|_| Error::Invalid("sslrootcert names no file".into()))?)
                .is_some(),
            "password" => return Err(super::holds_password()),
            other => return Err(Error::Invalid(format!("the address's option {other} is not supported: {ACCEPTED}"))),
        };
        if repeated {
            return Err(Error::Invalid(format!("the address gives {key} twice")));
        }
    }
    match (mode, ca_file) {
        (Some(SslMode::Disable), Some(_)) => Err(Error::Invalid(
            "sslrootcert names a CA to verify the server with, and sslmode=disable turns TLS off: give one or the other".into(),
        )),
        (Some(mode), ca_file) => Ok((mode, ca_file)),
        (None, None) if local => Ok((SslMode::Disable, None)),
        (None, ca_file) => Ok((SslMode::VerifyFull, ca_file)),
    }
}

/// The options as an address's query, which [`options`] reads back to the same values.
pub(super) fn query(mode: SslMode, ca_file: Option<&Path>) -> String {
    match ca_file {
        Some(file) => format!("sslmode={mode}&sslrootcert={}", utf8_percent_encode(&file.to_string_lossy(), OPTION_VALUE)),
        None => format!("sslmode={mode}"),
    }
}

/// A TLS connector that trusts the CA(s) in `ca_file`, or else the OS trust store (the same
/// platform verifier as the HTTP sources': a company's CA added there is trusted). Host names are
/// always checked.
pub(super) fn connector(ca_file: Option<&Path>) -> Result<MakeRustlsConnect> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Invalid(format!("TLS cannot be set up: {e}")))?;
    let config = match ca_file {
        Some(file) => builder.with_root_certificates(authorities(file)?),
        None => builder.with_platform_verifier().map_err(|e| {
            Error::Invalid(format!(
                "this computer's trust store cannot be used ({e}): give the server's CA file with sslrootcert=/path/to/ca.pem in the address"
            ))
        })?,
    };
    Ok(MakeRustlsConnect::new(config.with_no_client_auth()))
}

/// The certificates of the PEM file `file`, as the only CAs trusted.
fn authorities(file: &Path) -> Result<RootCertStore> {
    let unusable = |why: String| {
        Error::Invalid(format!(
            "the CA file {} (sslrootcert) {why}: give a PEM file with the certificate of the CA that signed the server's",
            file.display()
        ))
    };
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(file).map_err(|e| unusable(format!("cannot be read ({e})")))? {
        let cert = cert.map_err(|e| unusable(format!("is not valid PEM ({e})")))?;
        roots.add(cert).map_err(|e| unusable(format!("holds a certificate that cannot be used ({e})")))?;
    }
    if roots.is_empty() {
        return Err(unusable("holds no certificate".into()));
    }
    Ok(roots)
}

/// What failed TLS with the server, in a person's words, if that is what failed the connection.
pub(super) fn refusal(source: &postgres::Error) -> Option<String> {
    // tokio-postgres says "error performing TLS handshake" for its TLS errors alone, and has no
    // public kind to match instead.
    if !source.to_string().starts_with("error performing TLS handshake") {
        return None;
    }
    let mut cause = std::error::Error::source(source)?;
    // The handshake's rustls error comes wrapped in I/O errors, whose `source` skips it.
    while let Some(inner) = cause.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
        cause = inner;
    }
    Some(match cause.downcast_ref::<rustls::Error>() {
        Some(error @ rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        )) => format!(
            "the server's certificate is not for the host name in the address ({error}): write the address with a name the certificate holds"
        ),
        Some(error @ rustls::Error::InvalidCertificate(_)) => format!(
            "the server's certificate was not trusted ({error}); the password was not sent. Give the CA file with sslrootcert=/path/to/ca.pem in the address, or add the CA to this computer's trust store"
        ),
        Some(error) => format!("the TLS connection with the server failed ({error}); the password was not sent"),
        None if cause.to_string() == "server does not support TLS" => {
            "the server does not offer TLS: turn on ssl in its postgresql.conf, or, for a server on a network you trust, add sslmode=disable to the address".into()
        }
        None => format!("TLS with the server could not be set up ({cause}); the password was not sent"),
    })
}
