//! Search keys: one string per element holding its code, names, full pinyin and pinyin
//! initials, lower-cased, parts separated by [`SEP`].

use pinyin::ToPinyinMulti;

/// Separates the parts of a key; never typed by a user.
pub const SEP: char = '\u{1F}';

/// At most this many reading combinations per name (heteronyms multiply).
const MAX_READINGS: usize = 8;

/// The readings of one character: its plain pinyin syllables, or the character itself.
fn char_readings(c: char) -> Vec<String> {
    match c.to_pinyin_multi() {
        Some(multi) => {
            let mut out: Vec<String> = Vec::new();
            for p in multi {
                let plain = p.plain().to_string();
                if !out.contains(&plain) {
                    out.push(plain);
                }
            }
            out
        }
        None => vec![c.to_lowercase().collect()],
    }
}

/// The usual full pinyin of `name` (the first of [`readings`]), without the others.
pub fn usual_reading(name: &str) -> String {
    let mut out = String::new();
    for c in name
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation())
    {
        match c.to_pinyin_multi() {
            Some(multi) => out.extend(multi.into_iter().next().map(|p| p.plain())),
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Full pinyin and initials of `name`, one pair per reading combination (first = usual).
pub fn readings(name: &str) -> Vec<(String, String)> {
    let per_char: Vec<Vec<String>> = name
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation())
        .map(char_readings)
        .filter(|r| !r.is_empty())
        .collect();
    if per_char.is_empty() {
        return Vec::new();
    }
    // enumerate combinations in mixed radix, the usual reading of every char first
    let mut out = Vec::new();
    let mut counter = vec![0usize; per_char.len()];
    loop {
        let mut full = String::new();
        let mut initials = String::new();
        for (readings, &i) in per_char.iter().zip(&counter) {
            full.push_str(&readings[i]);
            initials.extend(readings[i].chars().next());
        }
        if !out.iter().any(|(f, _)| *f == full) {
            out.push((full, initials));
        }
        if out.len() >= MAX_READINGS {
            break;
        }
        // next combination, varying the first character fastest
        let mut pos = 0;
        loop {
            if pos == counter.len() {
                return out;
            }
            counter[pos] += 1;
            if counter[pos] < per_char[pos].len() {
                break;
            }
            counter[pos] = 0;
            pos += 1;
        }
    }
    out
}

/// The search key of an element, in two halves so a query scans only the one it can match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// The code, then every reading (full pinyin, initials) of every name: what a query typed
    /// in Latin letters matches. An empty part ([`SEP`] twice) ends the readings of the
    /// element's own name when synonyms follow, so that an exact name can rank above an exact
    /// synonym; no query matches an empty part.
    pub latin: String,
    /// The names themselves (name, then synonyms), lower-cased: what a Chinese query matches.
    pub names: String,
}

/// Builds the key of an element from its code and names (name first, then synonyms).
pub fn build_key<'a>(code: &str, names: impl IntoIterator<Item = &'a str>) -> Key {
    let mut latin = code.to_lowercase();
    let mut all_names = String::new();
    for (i, name) in names.into_iter().enumerate() {
        if i == 1 {
            // the readings of the element's name end here: an empty part (see `Key::latin`)
            latin.push(SEP);
        }
        if i > 0 {
            all_names.push(SEP);
        }
        all_names.push_str(&name.to_lowercase());
        for (full, initials) in readings(name) {
            latin.push(SEP);
            latin.push_str(&full);
            if initials != full {
                latin.push(SEP);
                latin.push_str(&initials);
            }
        }
    }
    Key {
        latin,
        names: all_names,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_give_full_pinyin_and_initials() {
        assert_eq!(
            readings("身份证号码")[0],
            ("shenfenzhenghaoma".to_string(), "sfzhm".to_string())
        );
    }

    #[test]
    fn the_usual_reading_is_the_first_of_the_readings() {
        let catalog = crate::sample::generate(1);
        let names = catalog.elements.values().map(|e| e.name.as_str());
        for name in names.chain(["重庆市 长安街", "Email地址", "（2）", ""]) {
            let first = readings(name).into_iter().next().map(|(full, _)| full);
            assert_eq!(usual_reading(name), first.unwrap_or_default(), "{name}");
        }
        assert_eq!(usual_reading("重庆"), "zhongqing");
    }

    #[test]
    fn heteronyms_give_every_reading() {
        for (name, expected) in [
            ("长", "zhang"),
            ("长", "chang"),
            ("行", "hang"),
            ("行", "xing"),
            ("重", "chong"),
            ("重", "zhong"),
            ("调", "diao"),
            ("调", "tiao"),
        ] {
            assert!(
                readings(name).iter().any(|(full, _)| full == expected),
                "{name}: {expected}"
            );
        }
        let r = readings("银行行长");
        assert!(r.iter().any(|(f, _)| f == "yinhanghangzhang"), "{r:?}");
        assert!(r.len() <= MAX_READINGS);
    }

    #[test]
    fn latin_and_digits_stay_themselves() {
        assert_eq!(
            readings("ID号")[0],
            ("idhao".to_string(), "idh".to_string())
        );
        // the usual reading comes first; rarer readings follow
        let key = build_key("DE01", ["身份证", "ID号"]);
        assert!(
            key.latin
                .starts_with("de01\u{1f}shenfenzheng\u{1f}sfz\u{1f}"),
            "{key:?}"
        );
        assert!(key.latin.contains("\u{1f}idhao\u{1f}idh\u{1f}"), "{key:?}");
        assert_eq!(key.names, "身份证\u{1f}id号");
    }

    #[test]
    fn an_empty_part_ends_the_readings_of_the_name() {
        let key = build_key("DE01", ["姓名", "申请人姓名"]);
        let parts: Vec<&str> = key.latin.split(SEP).collect();
        let end = parts.iter().position(|p| p.is_empty()).unwrap_or(0);
        assert_eq!(parts[..3], ["de01", "xingming", "xm"], "{parts:?}");
        assert!(
            parts[..end].iter().all(|p| !p.starts_with("sqr")),
            "{parts:?}"
        );
        assert!(parts[end + 1..].contains(&"sqrxm"), "{parts:?}");
        // no synonym, no marker
        assert!(
            !build_key("DE01", ["姓名"])
                .latin
                .split(SEP)
                .any(str::is_empty)
        );
    }
}
