//! A throw-away certificate authority, as a company's own, and the server certificates it issues
//! for a test cluster with TLS.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

pub struct Authority {
    key: KeyPair,
    cert: rcgen::Certificate,
}

/// A server's certificate and its private key, PEM-encoded.
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
}

impl Authority {
    /// A new CA named `name`, with a fresh key.
    pub fn new(name: &str) -> Authority {
        let key = KeyPair::generate().expect("a key for the test CA");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("the test CA's parameters");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.self_signed(&key).expect("the test CA signs itself");
        Authority { key, cert }
    }

    /// The CA's certificate, PEM-encoded: what a client trusts.
    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    /// A server certificate for `names` (host names or IP addresses), signed by this CA.
    pub fn issue(&self, names: &[&str]) -> Issued {
        let key = KeyPair::generate().expect("a key for the test server");
        let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        let cert = CertificateParams::new(names)
            .expect("the server certificate's names")
            .signed_by(&key, &self.cert, &self.key)
            .expect("the test CA signs the server's certificate");
        Issued { cert_pem: cert.pem(), key_pem: key.serialize_pem() }
    }
}
