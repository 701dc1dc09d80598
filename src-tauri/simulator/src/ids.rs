//! Kombo-style opaque ids: 24 characters of base58, drawn from a seeded generator
//! so that the same company always gets the same ids.

use rand::Rng;

const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

pub fn opaque_id(rng: &mut impl Rng) -> String {
    token(rng, 24)
}

/// A secret-looking token (API keys, activation tokens) of the given length.
pub fn token(rng: &mut impl Rng, len: usize) -> String {
    (0..len).map(|_| BASE58[rng.gen_range(0..BASE58.len())] as char).collect()
}
