//! Long lists read from the cache files into vectors of exactly their length.
//!
//! serde reserves at most a megabyte of a list ahead and grows it as it reads, so a list of a
//! million entries went through a dozen ever larger vectors; each one freed stayed with the
//! allocator (pane 2's search index left about 20 MiB of them resident at a million
//! elements). The length a file states is trusted only up to [`MAX_AHEAD`] elements: a lying
//! one fails when its elements run out.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};

/// The most elements reserved ahead of reading them.
const MAX_AHEAD: usize = 1 << 24;

/// Deserializes a list into a vector reserved at once for the length the input states (for
/// `#[serde(deserialize_with = "...")]`).
pub(crate) fn exact<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Exact<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for Exact<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_AHEAD));
            while let Some(value) = seq.next_element()? {
                out.push(value);
            }
            Ok(out)
        }
    }

    deserializer.deserialize_seq(Exact(PhantomData))
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Lists {
        #[serde(deserialize_with = "super::exact")]
        numbers: Vec<u32>,
        #[serde(deserialize_with = "super::exact")]
        words: Vec<String>,
    }

    fn config() -> impl bincode::config::Config {
        bincode::config::standard()
    }

    #[test]
    fn a_long_list_reads_into_a_vector_of_its_length() {
        let lists = Lists {
            numbers: (0..1_000_000).collect(),
            words: vec!["一".into(), String::new(), "b".into()],
        };
        let bytes = bincode::serde::encode_to_vec(&lists, config()).unwrap();
        let (read, _): (Lists, usize) =
            bincode::serde::decode_from_slice(&bytes, config()).unwrap();
        assert_eq!(read, lists);
        assert_eq!(read.numbers.capacity(), 1_000_000, "reserved once");
        // a length larger than what follows fails instead of reserving it all
        let mut lying = bincode::serde::encode_to_vec(
            &Lists {
                numbers: vec![7],
                words: vec![],
            },
            config(),
        )
        .unwrap();
        lying[0] = 0xfc; // a u32 length follows
        lying.splice(1..1, u32::MAX.to_le_bytes());
        let read: Result<(Lists, usize), _> = bincode::serde::decode_from_slice(&lying, config());
        assert!(read.is_err());
    }
}
