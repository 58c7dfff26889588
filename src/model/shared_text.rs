//! Text that many records repeat, held once.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::{Arc, LazyLock};

use serde::de::{Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A text that many records repeat — an element's definition, an item's legal basis and
/// agency, a form field's key, label and bound element — or that most leave unset (an
/// element's parent): immutable and cheap to clone. Texts decoded or made while a [`Sharing`]
/// guard lives on the thread (the store's loader and imports hold one) share one copy of each
/// distinct text:
/// a million elements hold a few hundred distinct definitions. An edit replaces the text,
/// never the shared copy. Compares, orders and hashes as its text; stored and exchanged as a
/// plain string. Every empty text is one process-wide copy, and an `Option<SharedText>` is
/// as small as a `SharedText`: one pointer (8 bytes), as the text's length lives with the
/// shared copy, not in every record that holds it (a million elements hold four each).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedText(Arc<Box<str>>);

/// The one empty text.
static EMPTY: LazyLock<Arc<Box<str>>> = LazyLock::new(|| Arc::new(Box::from("")));

/// A shared copy as the [`Sharing`] set holds it: found by its text.
#[derive(PartialEq, Eq, Hash)]
struct Held(Arc<Box<str>>);

impl std::borrow::Borrow<str> for Held {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Default for SharedText {
    fn default() -> Self {
        Self(EMPTY.clone())
    }
}

impl SharedText {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `self` and `other` are one shared copy (not merely equal); empty texts share.
    pub fn shares(&self, other: &SharedText) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The text, shared with an equal one made or decoded before it if a [`Sharing`] guard
    /// lives on this thread.
    fn decoded(text: &str) -> Self {
        if text.is_empty() {
            return Self::default();
        }
        SHARING.with(|sharing| match sharing.borrow_mut().as_mut() {
            Some(texts) => match texts.get(text) {
                Some(shared) => Self(shared.0.clone()),
                None => {
                    let shared: Arc<Box<str>> = Arc::new(Box::from(text));
                    texts.insert(Held(shared.clone()));
                    Self(shared)
                }
            },
            None => Self(Arc::new(Box::from(text))),
        })
    }
}

thread_local! {
    /// The distinct texts decoded on this thread while a [`Sharing`] guard lives.
    static SHARING: RefCell<Option<HashSet<Held>>> = const { RefCell::new(None) };
}

/// While it lives, [`SharedText`]s decoded on this thread share one copy of each distinct
/// text; dropping it forgets the copies (the texts keep them). A guard taken while another
/// lives on the same thread does nothing.
pub struct Sharing {
    /// Whether this guard started the sharing (and ends it).
    outer: bool,
    /// Bound to the thread whose sharing it started.
    _thread: PhantomData<*const ()>,
}

impl Sharing {
    /// Starts sharing the texts decoded on this thread.
    pub fn start() -> Self {
        let outer = SHARING.with(|sharing| {
            let mut sharing = sharing.borrow_mut();
            let outer = sharing.is_none();
            if outer {
                *sharing = Some(HashSet::new());
            }
            outer
        });
        Self {
            outer,
            _thread: PhantomData,
        }
    }
}

impl Drop for Sharing {
    fn drop(&mut self) {
        if self.outer {
            SHARING.with(|sharing| sharing.borrow_mut().take());
        }
    }
}

impl Deref for SharedText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SharedText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for SharedText {
    /// The text, shared with an equal one made or decoded before it while a [`Sharing`]
    /// guard lives on this thread (an import's table rows share their texts as decoded
    /// records do).
    fn from(text: &str) -> Self {
        Self::decoded(text)
    }
}

impl From<String> for SharedText {
    fn from(text: String) -> Self {
        Self::from(text.as_str())
    }
}

impl From<&String> for SharedText {
    fn from(text: &String) -> Self {
        Self::from(text.as_str())
    }
}

impl From<SharedText> for String {
    fn from(text: SharedText) -> Self {
        text.as_str().to_string()
    }
}

impl fmt::Display for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<str> for SharedText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// `SharedText == other text`, for each owned or borrowed text type a record holds.
macro_rules! eq_text {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for SharedText {
            fn eq(&self, other: &$other) -> bool {
                self.as_str() == other.as_str()
            }
        }
    )*};
}

eq_text!(
    String,
    &String,
    compact_str::CompactString,
    &compact_str::CompactString
);

impl Serialize for SharedText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SharedText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl Visitor<'_> for TextVisitor {
            type Value = SharedText;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SharedText, E> {
                Ok(SharedText::decoded(v))
            }
        }

        deserializer.deserialize_str(TextVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str) -> SharedText {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_shared_text_reads_compares_and_orders_as_its_text() {
        let texts = [
            "",
            "a",
            "b",
            "ab",
            "人的生理性别",
            "《中华人民共和国食品安全法》第三十五条",
        ];
        for a in texts {
            let text = SharedText::from(a);
            assert_eq!(text.as_str(), a);
            assert_eq!(&*text, a);
            assert_eq!(text.to_string(), a);
            assert_eq!(format!("{text:?}"), format!("{a:?}"));
            assert!(text == a);
            assert_eq!(SharedText::from(a.to_string()), text);
            assert_eq!(
                serde_json::to_string(&text).unwrap(),
                serde_json::to_string(a).unwrap()
            );
            assert_eq!(decode(&serde_json::to_string(a).unwrap()), text);
            for b in texts {
                let other = SharedText::from(b);
                assert_eq!(text.cmp(&other), a.cmp(b), "{a} vs {b}");
                assert_eq!(text == other, a == b, "{a} vs {b}");
            }
        }
        assert_eq!(SharedText::default(), SharedText::from(""));
    }

    #[test]
    fn equal_texts_decoded_while_sharing_are_one_copy() {
        let json = "\"《中华人民共和国食品安全法》第三十五条\"";
        // not sharing: each text is its own copy
        assert!(!decode(json).shares(&decode(json)));
        let sharing = Sharing::start();
        let (a, b) = (decode(json), decode(json));
        assert!(a.shares(&b));
        // a text made from a string (an import's table cell) shares too
        assert!(SharedText::from("《中华人民共和国食品安全法》第三十五条").shares(&a));
        assert!(!a.shares(&decode("\"其他\"")));
        // a nested guard changes nothing
        drop(Sharing::start());
        assert!(a.shares(&decode(json)));
        drop(sharing);
        assert!(!a.shares(&decode(json)));
        assert_eq!(a, decode(json));
        // the empty text is one copy
        assert!(decode("\"\"").shares(&SharedText::default()));
        assert!(SharedText::from("").shares(&SharedText::from(String::new())));
        assert_eq!(std::mem::size_of::<Option<SharedText>>(), 8);
    }

    #[test]
    fn sharing_is_per_thread() {
        let json = "\"人的生理性别\"";
        let _sharing = Sharing::start();
        let here = decode(json);
        let there = std::thread::spawn(move || decode(json)).join().unwrap();
        assert!(!here.shares(&there));
        assert!(here.shares(&decode(json)));
    }
}
