//! A record code shared by every reverse reference the record makes.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// The code of a referring record, one allocation shared by all of its references: an item
/// with five references (parent, agency, region, materials) holds its code once, not five
/// times, and item codes (`0122621001-511603000000-000-11511603359813382X-1-02`) are too long
/// to sit inline. Compares, orders and hashes as the text.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedCode(Arc<str>);

impl SharedCode {
    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for SharedCode {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedCode {
    fn from(code: &str) -> Self {
        Self(code.into())
    }
}

impl From<String> for SharedCode {
    fn from(code: String) -> Self {
        Self(code.into())
    }
}

impl fmt::Display for SharedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SharedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl PartialEq<str> for SharedCode {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for SharedCode {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_code_reads_compares_and_orders_as_its_text() {
        let codes = [
            "",
            "F1",
            "F10",
            "F2",
            "0122621001-511603000000-000-1-02",
            "数据元",
        ];
        for a in codes {
            let shared = SharedCode::from(a);
            assert_eq!(shared.as_str(), a);
            assert_eq!(&*shared, a);
            assert_eq!(shared.to_string(), a);
            assert_eq!(format!("{shared:?}"), format!("{a:?}"));
            assert!(shared == a);
            assert_eq!(SharedCode::from(a.to_string()), shared);
            for b in codes {
                let other = SharedCode::from(b);
                assert_eq!(shared.cmp(&other), a.cmp(b), "{a} vs {b}");
                assert_eq!(shared == other, a == b, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn clones_share_one_allocation() {
        let code = SharedCode::from("0122621001-511603000000-000-11511603359813382X-1-02");
        let clone = code.clone();
        assert!(std::ptr::eq(code.as_str(), clone.as_str()));
    }
}
