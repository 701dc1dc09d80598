//! A person's groups as one [`Field::Groups`](crate::model::Field::Groups) value. The source's
//! group ids are opaque and may hold a `,`: each id's `\` and `,` are escaped with a `\` before
//! the ids are joined with `,`, so that splitting gives back exactly the ids joined.

/// The value for `ids`: sorted and deduplicated, so that the same groups always read the same.
pub fn join<S: AsRef<str>>(ids: impl IntoIterator<Item = S>) -> String {
    let mut ids: Vec<S> = ids.into_iter().collect();
    ids.sort_by(|a, b| a.as_ref().cmp(b.as_ref()));
    ids.dedup_by(|a, b| a.as_ref() == b.as_ref());
    ids.iter().map(|id| id.as_ref().replace('\\', r"\\").replace(',', r"\,")).collect::<Vec<_>>().join(",")
}

/// The group ids a value names.
pub fn split(value: &str) -> Vec<String> {
    let mut ids = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        let current = ids.last_mut().expect("there is always a current id");
        match c {
            '\\' => current.extend(chars.next()),
            ',' => ids.push(String::new()),
            c => current.push(c),
        }
    }
    ids.retain(|id| !id.is_empty());
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_holding_commas_and_backslashes_split_back_as_they_were_joined() {
        let ids = ["eng,ops", r"a\b", "plain", r"ends\", ",", "eng"];
        let mut expected: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
        expected.sort();
        assert_eq!(split(&join(ids)), expected, "every id comes back whole, in sorted order");
        assert_eq!(join(["b", "a", "b"]), "a,b", "ids without commas read as before: sorted, once each");
        assert!(split("").is_empty(), "an empty value names no group");
    }
}
