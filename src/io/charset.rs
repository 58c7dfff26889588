//! Text encodings of CSV files: UTF-8, GB18030 and Big5. Detection, decoding and encoding.
//!
//! **Detection.** Bytes that are valid UTF-8 (with or without a BOM) are UTF-8. Other bytes
//! are read as GB18030 and as Big5, and each reading that has no invalid sequence is scored
//! by how much it looks like Chinese text: the share of its non-ASCII characters that are
//! *common* hanzi. Common is what the two standards themselves call common: the first level
//! of GB2312 (3,755 hanzi in everyday use, simplified, rows 16–55) and the 常用字 block of
//! Big5 (5,401 frequently used characters, traditional, `A440`–`C67E`); both sets are taken
//! from the decoders' own tables, so no word list is shipped. The right reading of Chinese
//! text scores near 1 (domain text such as 事项名称, 实施主体, 四川省成都市… is made of common
//! characters); the wrong one turns byte pairs into characters from all over the other
//! table (kana, Greek, box drawing, rare hanzi) and scores about 1/3. Almost every Big5 file
//! also decodes as GB18030 without an error, which is why a score is needed at all.
//!
//! GB18030 is preferred: Big5 is chosen only when its reading scores higher, or when it is
//! the only reading. The choice is **uncertain** (the faces warn, naming the other encoding)
//! when both readings are valid and their scores are less than [`CLEAR_MARGIN`] apart, the
//! better one scores below [`CHINESE_LIKE`], or there are fewer than [`MIN_EVIDENCE`]
//! non-ASCII characters to judge by — unless the bytes have the shape of GB2312 text: the
//! character score is weakest for GB2312 text read as Big5 (GB2312's common rows fall on
//! Big5's common block), but Big5 puts about two in five characters on a trail byte
//! 40–7E (63 of the 157 trail values of each row), which GB2312 never uses; at least
//! [`PATTERN_EVIDENCE`] two-byte characters none of which has such a trail byte are then
//! GB18030 with no doubt. The score looks at the first [`SAMPLE`] bytes only; the whole
//! file is then decoded strictly in the chosen encoding (falling back to the other when the
//! chosen one fails later in the file).
//!
//! `--encoding` forces one; forcing the wrong one is an error where it can be told (invalid
//! sequences, UTF-8 text read as GB18030 or Big5), and a warning where the other legacy
//! encoding clearly reads the file better.

use std::sync::OnceLock;

use encoding_rs::DecoderResult;

use crate::i18n::Lang;

/// A CSV text encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Encoding {
    /// UTF-8; a leading BOM is skipped on reading and written on export.
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// GB18030 (a superset of GBK and GB2312), as Excel on Chinese Windows writes CSV.
    #[value(name = "gb18030", alias = "gbk")]
    Gb18030,
    /// Big5 (traditional Chinese, as written in Taiwan and Hong Kong; the WHATWG table,
    /// with the HKSCS extensions).
    #[value(name = "big5", alias = "big-5")]
    Big5,
}

impl Encoding {
    /// Every encoding, in `--encoding` order.
    pub const ALL: [Encoding; 3] = [Encoding::Utf8, Encoding::Gb18030, Encoding::Big5];

    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Gb18030 => "GB18030",
            Self::Big5 => "Big5",
        }
    }

    /// The `--encoding` spelling.
    pub fn option(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::Gb18030 => "gb18030",
            Self::Big5 => "big5",
        }
    }

    fn codec(self) -> &'static encoding_rs::Encoding {
        match self {
            Self::Utf8 => encoding_rs::UTF_8,
            Self::Gb18030 => encoding_rs::GB18030,
            Self::Big5 => encoding_rs::BIG5,
        }
    }

    /// The other legacy (non-UTF-8) encoding.
    fn other_legacy(self) -> Encoding {
        match self {
            Self::Big5 => Self::Gb18030,
            _ => Self::Big5,
        }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bytes from the start of a file that detection scores.
pub const SAMPLE: usize = 64 * 1024;
/// Scores closer than this leave the choice uncertain.
pub const CLEAR_MARGIN: f64 = 0.25;
/// A reading whose score is below this does not look like Chinese text.
pub const CHINESE_LIKE: f64 = 0.5;
/// Fewer non-ASCII characters than this are too few to judge by.
pub const MIN_EVIDENCE: usize = 4;
/// Two-byte characters without a trail byte 40–7E that make Big5 improbable (real Big5
/// text has none among eight about once in sixty: 0.6⁸).
pub const PATTERN_EVIDENCE: usize = 8;

/// First and last code point of the CJK Unified Ideographs block, where every common
/// character lies.
const CJK_FIRST: u32 = 0x4E00;
const CJK_LAST: u32 = 0x9FFF;

/// The common hanzi: GB2312 level 1 and Big5 常用字, as a bit set over the CJK block.
struct Common {
    bits: Vec<u64>,
}

impl Common {
    fn build() -> Common {
        let span = (CJK_LAST - CJK_FIRST + 1) as usize;
        let mut common = Common {
            bits: vec![0; span.div_ceil(64)],
        };
        // GB2312 level 1: rows 16–55 (lead bytes B0–D7), cells 1–94 (trail bytes A1–FE);
        // the five empty cells at the end of row 55 decode outside the CJK block
        for lead in 0xB0..=0xD7 {
            for trail in 0xA1..=0xFE {
                common.add(Encoding::Gb18030, [lead, trail]);
            }
        }
        // Big5 常用字: A440–C67E (trail bytes 40–7E and A1–FE)
        for lead in 0xA4..=0xC6u8 {
            for trail in (0x40..=0x7Eu8).chain(0xA1..=0xFE) {
                if lead < 0xC6 || trail <= 0x7E {
                    common.add(Encoding::Big5, [lead, trail]);
                }
            }
        }
        common
    }

    fn add(&mut self, encoding: Encoding, bytes: [u8; 2]) {
        let decoded = encoding
            .codec()
            .decode_without_bom_handling_and_without_replacement(&bytes);
        for c in decoded.iter().flat_map(|t| t.chars()) {
            if let Some(i) = Self::slot(c) {
                self.bits[i / 64] |= 1 << (i % 64);
            }
        }
    }

    fn slot(c: char) -> Option<usize> {
        let c = u32::from(c);
        (CJK_FIRST..=CJK_LAST)
            .contains(&c)
            .then(|| (c - CJK_FIRST) as usize)
    }

    fn contains(&self, c: char) -> bool {
        Self::slot(c).is_some_and(|i| {
            self.bits
                .get(i / 64)
                .is_some_and(|w| w >> (i % 64) & 1 == 1)
        })
    }
}

fn common() -> &'static Common {
    static COMMON: OnceLock<Common> = OnceLock::new();
    COMMON.get_or_init(Common::build)
}

/// Whether `c` is a common hanzi (GB2312 level 1 or Big5 常用字).
pub fn is_common_hanzi(c: char) -> bool {
    common().contains(c)
}

/// How much a text looks like Chinese: of its non-ASCII characters, how many are common
/// hanzi.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Likeness {
    /// Common hanzi.
    pub common: usize,
    /// Non-ASCII characters.
    pub of: usize,
}

impl Likeness {
    /// The likeness of `text`.
    pub fn of(text: &str) -> Likeness {
        let table = common();
        let mut l = Likeness::default();
        for c in text.chars().filter(|c| !c.is_ascii()) {
            l.of += 1;
            l.common += usize::from(table.contains(c));
        }
        l
    }

    /// The share of common hanzi, 0 for a text without non-ASCII characters.
    pub fn share(self) -> f64 {
        if self.of == 0 {
            0.0
        } else {
            self.common as f64 / self.of as f64
        }
    }
}

/// How the encoding of a file was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detection {
    /// The encoding the text was read in.
    pub encoding: Encoding,
    /// `--encoding` named it; otherwise it was detected.
    pub forced: bool,
    /// Another encoding reads the bytes too and may be the right one: the choice is
    /// uncertain (detected), or the other encoding clearly reads better (forced).
    pub doubt: Option<Encoding>,
}

impl Detection {
    fn detected(encoding: Encoding, doubt: Option<Encoding>) -> Self {
        Self {
            encoding,
            forced: false,
            doubt,
        }
    }

    /// The encoding as a face shows it beside "detect": `GB18030`, or with a doubt
    /// `GB18030？也可能是 Big5` / `GB18030? may be Big5`.
    pub fn label(self, lang: Lang) -> String {
        let name = self.encoding.name();
        match self.doubt {
            None => name.to_string(),
            Some(other) => lang.pick(
                format!("{name}？也可能是 {}", other.name()),
                format!("{name}? may be {}", other.name()),
            ),
        }
    }

    /// What to tell the user about how the file `place` was read: nothing for UTF-8 read
    /// without doubt; otherwise the encoding and how it was chosen, and for a doubt a
    /// warning (`true`) with what to do.
    pub fn note(self, place: &str, lang: Lang) -> Option<(String, bool)> {
        let name = self.encoding.name();
        match (self.doubt, self.forced) {
            (None, _) if self.encoding == Encoding::Utf8 => None,
            (None, true) => Some((
                lang.pick(
                    format!("{place}：按 {name} 读取（--encoding）"),
                    format!("{place}: read as {name} (--encoding)"),
                ),
                false,
            )),
            (None, false) => Some((
                lang.pick(
                    format!("{place}：按 {name} 读取（自动检测）"),
                    format!("{place}: read as {name} (detected)"),
                ),
                false,
            )),
            (Some(other), false) => Some((
                lang.pick(
                    format!(
                        "{place}：编码不确定，按 {name} 读取，也可能是 {}；如有乱码，请用 --encoding {} 重新导入",
                        other.name(),
                        other.option()
                    ),
                    format!(
                        "{place}: the encoding is uncertain: read as {name}, but it may be {}; if the text looks garbled, import again with --encoding {}",
                        other.name(),
                        other.option()
                    ),
                ),
                true,
            )),
            (Some(other), true) => Some((
                lang.pick(
                    format!(
                        "{place}：按 {name} 读取（--encoding），但内容更像 {} 文本；如有乱码，请改用 --encoding {}",
                        other.name(),
                        other.option()
                    ),
                    format!(
                        "{place}: read as {name} (--encoding), but it reads more like {} text; if the text looks garbled, use --encoding {}",
                        other.name(),
                        other.option()
                    ),
                ),
                true,
            )),
        }
    }
}

/// The 1-based line of byte `offset` in `bytes`.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Strict decoding of `bytes` in a legacy encoding; `whole` false allows a character cut
/// at the end (a sample).
fn read_as(encoding: Encoding, bytes: &[u8], whole: bool) -> Option<String> {
    if whole {
        return encoding
            .codec()
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|text| text.into_owned());
    }
    let mut decoder = encoding.codec().new_decoder_without_bom_handling();
    let capacity = decoder.max_utf8_buffer_length_without_replacement(bytes.len())?;
    let mut text = String::with_capacity(capacity);
    let (result, _) = decoder.decode_to_string_without_replacement(bytes, &mut text, false);
    matches!(result, DecoderResult::InputEmpty).then_some(text)
}

/// The likelier legacy reading of a sample (the start of a file, or all of it when
/// `whole`), and the other encoding when the choice is uncertain; `None` when neither
/// GB18030 nor Big5 reads it.
fn judge(sample: &[u8], whole: bool) -> Option<(Encoding, Option<Encoding>)> {
    let score = |e: Encoding| read_as(e, sample, whole).map(|text| Likeness::of(&text));
    match (score(Encoding::Gb18030), score(Encoding::Big5)) {
        (None, None) => None,
        (Some(_), None) => Some((Encoding::Gb18030, None)),
        (None, Some(_)) => Some((Encoding::Big5, None)),
        (Some(gb), Some(big5)) => {
            // GB18030 unless Big5 reads more like Chinese
            let (chosen, better, other, worse) = if big5.share() > gb.share() {
                (Encoding::Big5, big5, Encoding::Gb18030, gb)
            } else {
                (Encoding::Gb18030, gb, Encoding::Big5, big5)
            };
            let clear = better.share() - worse.share() >= CLEAR_MARGIN
                && better.share() >= CHINESE_LIKE
                && better.of >= MIN_EVIDENCE;
            let gb2312_shaped = chosen == Encoding::Gb18030 && {
                let (pairs, low) = big5_trails(sample);
                pairs >= PATTERN_EVIDENCE && low == 0
            };
            Some((chosen, (!clear && !gb2312_shaped).then_some(other)))
        }
    }
}

/// Read as Big5: the two-byte characters, and how many of them have a trail byte 40–7E.
fn big5_trails(bytes: &[u8]) -> (usize, usize) {
    let (mut pairs, mut low) = (0, 0);
    let mut rest = bytes;
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        if b < 0x80 {
            continue;
        }
        let Some((&trail, tail)) = rest.split_first() else {
            break;
        };
        rest = tail;
        pairs += 1;
        low += usize::from((0x40..=0x7E).contains(&trail));
    }
    (pairs, low)
}

/// The first [`SAMPLE`] bytes and whether they are all of `bytes`.
fn sample(bytes: &[u8]) -> (&[u8], bool) {
    (&bytes[..bytes.len().min(SAMPLE)], bytes.len() <= SAMPLE)
}

/// For a file that is valid UTF-8: the legacy encoding that reads its start as Chinese
/// while UTF-8 does not (a few bytes of GB18030 can be valid UTF-8: 省 is `CA A1`, which
/// UTF-8 reads as ʡ).
fn utf8_doubt(body: &[u8]) -> Option<Encoding> {
    let (start, whole) = sample(body);
    let utf8 = match std::str::from_utf8(start) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&start[..e.valid_up_to()]).unwrap_or_default(),
    };
    if utf8.is_ascii() {
        return None;
    }
    let own = Likeness::of(utf8);
    if own.share() >= CHINESE_LIKE {
        return None;
    }
    let (legacy, _) = judge(start, whole)?;
    let theirs = Likeness::of(&read_as(legacy, start, whole)?);
    (theirs.share() >= CHINESE_LIKE && theirs.share() - own.share() >= CLEAR_MARGIN)
        .then_some(legacy)
}

/// Detects the legacy encoding of `body` (not UTF-8) and decodes it.
fn detect_legacy(body: &[u8]) -> Option<(String, Detection)> {
    let (start, whole) = sample(body);
    let (first, doubt) = judge(start, whole)?;
    if let Some(text) = read_as(first, body, true) {
        return Some((text, Detection::detected(first, doubt)));
    }
    // the chosen reading breaks later in the file: the other one is all there is
    let second = first.other_legacy();
    read_as(second, body, true).map(|text| (text, Detection::detected(second, None)))
}

/// What the start of a file says about its encoding, as [`decode`] would decide it (a face
/// shows it before reading the whole file): `None` when it is neither UTF-8, GB18030 nor
/// Big5. `complete` says that `start` is the whole file.
pub fn sniff(start: &[u8], complete: bool) -> Option<Detection> {
    let (body, had_bom) = match start.strip_prefix(BOM) {
        Some(rest) => (rest, true),
        None => (start, false),
    };
    let complete = complete && body.len() <= SAMPLE;
    let body = &body[..body.len().min(SAMPLE)];
    match std::str::from_utf8(body) {
        Ok(_) => return Some(Detection::detected(Encoding::Utf8, utf8_doubt(body))),
        // a character cut at the end of a sample is no error
        Err(e) if e.error_len().is_none() && !complete => {
            return Some(Detection::detected(Encoding::Utf8, utf8_doubt(body)));
        }
        Err(_) if had_bom => return None,
        Err(_) => {}
    }
    judge(body, complete).map(|(encoding, doubt)| Detection::detected(encoding, doubt))
}

/// Decodes a CSV file's bytes, detecting the encoding unless `forced`. Returns the text
/// and how its encoding was decided, or why the bytes cannot be read.
pub fn decode(
    bytes: &[u8],
    forced: Option<Encoding>,
    lang: Lang,
) -> Result<(String, Detection), String> {
    let (body, had_bom) = match bytes.strip_prefix(BOM) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let utf8 = std::str::from_utf8(body);
    match forced {
        None | Some(Encoding::Utf8) => match utf8 {
            Ok(text) => Ok((
                text.to_string(),
                Detection {
                    encoding: Encoding::Utf8,
                    forced: forced.is_some(),
                    doubt: utf8_doubt(body),
                },
            )),
            Err(e) => {
                let at = e.valid_up_to();
                let line = line_of(body, at);
                if forced.is_none()
                    && !had_bom
                    && let Some(found) = detect_legacy(body)
                {
                    return Ok(found);
                }
                Err(match forced {
                    Some(_) => {
                        let hint = hint(body, Encoding::Utf8, lang);
                        lang.pick(
                            format!("不是有效的 UTF-8（第 {line} 行，第 {at} 字节）{hint}"),
                            format!("not valid UTF-8 (line {line}, byte {at}){hint}"),
                        )
                    }
                    None => lang.pick(
                        format!(
                            "既不是 UTF-8（第 {line} 行第 {at} 字节无效），也不是 GB18030 或 Big5，无法读取；请另存为 UTF-8 或 GB18030 CSV"
                        ),
                        format!(
                            "neither UTF-8 (invalid at line {line}, byte {at}) nor GB18030 nor Big5; save it as UTF-8 or GB18030 CSV"
                        ),
                    ),
                })
            }
        },
        Some(legacy) => {
            let option = legacy.option();
            if had_bom {
                return Err(lang.pick(
                    format!(
                        "文件以 UTF-8 BOM 开头，却指定了 --encoding {option}；请改用 --encoding utf-8"
                    ),
                    format!(
                        "the file starts with a UTF-8 BOM but --encoding {option} was given; use --encoding utf-8"
                    ),
                ));
            }
            if let Ok(text) = utf8
                && !text.is_ascii()
            {
                let name = legacy.name();
                return Err(lang.pick(
                    format!(
                        "文件是有效的 UTF-8 中文文本，按 {name} 读取会成为乱码；请改用 --encoding utf-8"
                    ),
                    format!(
                        "the file is valid UTF-8 with non-ASCII text, which read as {name} would be mojibake; use --encoding utf-8"
                    ),
                ));
            }
            let Some(text) = read_as(legacy, body, true) else {
                let name = legacy.name();
                let hint = hint(body, legacy, lang);
                return Err(lang.pick(
                    format!("不是有效的 {name} 文本{hint}"),
                    format!("not valid {name} text{hint}"),
                ));
            };
            // the other legacy encoding reading the start clearly better is worth a warning
            let (start, whole) = sample(body);
            let doubt = match judge(start, whole) {
                Some((better, None)) if better != legacy => Some(better),
                _ => None,
            };
            Ok((
                text,
                Detection {
                    encoding: legacy,
                    forced: true,
                    doubt,
                },
            ))
        }
    }
}

/// `; it reads as GB18030: try --encoding gb18030` when an encoding other than `not`
/// reads the bytes, else nothing.
fn hint(body: &[u8], not: Encoding, lang: Lang) -> String {
    let other = if not != Encoding::Utf8 && std::str::from_utf8(body).is_ok() {
        Some(Encoding::Utf8)
    } else {
        detect_legacy(body)
            .map(|(_, d)| d.encoding)
            .filter(|e| *e != not)
    };
    match other {
        Some(e) => lang.pick(
            format!(
                "；它可以按 {} 读取，请改用 --encoding {}",
                e.name(),
                e.option()
            ),
            format!("; it reads as {}: try --encoding {}", e.name(), e.option()),
        ),
        None => String::new(),
    }
}

/// Characters an encoding cannot represent (Big5 has no simplified-only hanzi).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unencodable {
    /// The encoding asked for.
    pub encoding: Encoding,
    /// The first such character.
    pub first: char,
    /// Its 1-based line.
    pub line: usize,
    /// How many distinct characters cannot be represented.
    pub distinct: usize,
}

impl Unencodable {
    /// `数据元.csv 第 2 行：「区」（U+533A）等 12 个字符无法用 Big5 表示…`.
    pub fn describe(&self, place: &str, lang: Lang) -> String {
        self.describe_with(place, None, lang)
    }

    /// As [`Unencodable::describe`], also suggesting English headers (`english`: how to
    /// ask for them, e.g. `--headers en`) when the Chinese headers are what fails.
    pub fn describe_with(&self, place: &str, english: Option<&str>, lang: Lang) -> String {
        let (c, line, name) = (self.first, self.line, self.encoding.name());
        let code = format!("U+{:04X}", u32::from(c));
        let more = self.distinct.saturating_sub(1);
        lang.pick(
            format!(
                "{place} 第 {line} 行：字符「{c}」（{code}）{}无法用 {name} 表示；请改用 UTF-8 或 GB18030 导出{}",
                if more > 0 {
                    format!("等 {} 个字符", more + 1)
                } else {
                    String::new()
                },
                english
                    .map(|how| format!("，或用英文表头（{how}）"))
                    .unwrap_or_default()
            ),
            format!(
                "{place} line {line}: the character \"{c}\" ({code}){} cannot be written in {name}; export as UTF-8 or GB18030{}",
                if more > 0 {
                    format!(" and {more} other(s)")
                } else {
                    String::new()
                },
                english
                    .map(|how| format!(", or with English headers ({how})"))
                    .unwrap_or_default()
            ),
        )
    }
}

/// Encodes CSV text: UTF-8 with a BOM, GB18030 (every character), or Big5, which is
/// refused when a character has no Big5 code (never written as `&#…;` or `?`).
pub fn encode(text: &str, encoding: Encoding) -> Result<Vec<u8>, Unencodable> {
    match encoding {
        Encoding::Utf8 => Ok([BOM, text.as_bytes()].concat()),
        // GB18030 maps all of Unicode, so encoding cannot fail
        Encoding::Gb18030 => Ok(encoding_rs::GB18030.encode(text).0.into_owned()),
        Encoding::Big5 => {
            let (bytes, _, unmappable) = encoding_rs::BIG5.encode(text);
            if !unmappable {
                return Ok(bytes.into_owned());
            }
            // find them: the encoder writes an unmappable character as a numeric reference
            let mut missing = std::collections::BTreeSet::new();
            let mut first = None;
            let mut line = 1;
            let mut buf = [0u8; 4];
            for c in text.chars() {
                if c == '\n' {
                    line += 1;
                }
                if c.is_ascii() {
                    continue;
                }
                let (_, _, bad) = encoding_rs::BIG5.encode(c.encode_utf8(&mut buf));
                if bad {
                    first.get_or_insert((c, line));
                    missing.insert(c);
                }
            }
            let (first, line) = first.unwrap_or(('\u{FFFD}', 1));
            Err(Unencodable {
                encoding,
                first,
                line,
                distinct: missing.len().max(1),
            })
        }
    }
}

impl std::fmt::Display for Unencodable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe("CSV", Lang::En))
    }
}

impl std::error::Error for Unencodable {}

/// Encodes CSV text as it is written, a piece at a time, to the same bytes as [`encode`] of
/// the whole text: a CSV file of a million rows is never held whole. A Big5 export stops
/// writing at the first character Big5 lacks and reads on only to count them;
/// [`Encoder::finish`] then refuses it as [`encode`] would (the caller discards the file).
pub struct Encoder<'w> {
    out: &'w mut dyn std::io::Write,
    encoding: Encoding,
    /// The end of the bytes written last, when it is not a whole UTF-8 character yet.
    carry: Vec<u8>,
    /// The 1-based line the next piece starts on.
    line: usize,
    /// The first character Big5 lacks, and its line.
    first: Option<(char, usize)>,
    /// Every such character.
    missing: std::collections::BTreeSet<char>,
}

impl<'w> Encoder<'w> {
    /// An encoder writing to `out` (UTF-8 begins with its BOM).
    pub fn new(out: &'w mut dyn std::io::Write, encoding: Encoding) -> std::io::Result<Self> {
        if encoding == Encoding::Utf8 {
            out.write_all(BOM)?;
        }
        Ok(Encoder {
            out,
            encoding,
            carry: Vec::new(),
            line: 1,
            first: None,
            missing: std::collections::BTreeSet::new(),
        })
    }

    /// Encodes and writes `text`.
    fn put(&mut self, text: &str) -> std::io::Result<()> {
        match self.encoding {
            Encoding::Utf8 => self.out.write_all(text.as_bytes()),
            Encoding::Gb18030 => self.out.write_all(&encoding_rs::GB18030.encode(text).0),
            Encoding::Big5 => {
                let (bytes, _, unmappable) = encoding_rs::BIG5.encode(text);
                if unmappable {
                    self.find_missing(text);
                } else {
                    self.line += text.matches('\n').count();
                }
                match self.first {
                    None => self.out.write_all(&bytes),
                    Some(_) => Ok(()),
                }
            }
        }
    }

    /// Notes the characters of `text` Big5 lacks, counting its lines.
    fn find_missing(&mut self, text: &str) {
        let mut buf = [0u8; 4];
        for c in text.chars() {
            if c == '\n' {
                self.line += 1;
            }
            if c.is_ascii() {
                continue;
            }
            let (_, _, bad) = encoding_rs::BIG5.encode(c.encode_utf8(&mut buf));
            if bad {
                self.first.get_or_insert((c, self.line));
                self.missing.insert(c);
            }
        }
    }

    /// Ends the text: `Err` when a character could not be encoded (see [`encode`]).
    pub fn finish(self) -> Result<(), Unencodable> {
        let Some((first, line)) = self.first else {
            return Ok(());
        };
        Err(Unencodable {
            encoding: self.encoding,
            first,
            line,
            distinct: self.missing.len().max(1),
        })
    }
}

impl std::io::Write for Encoder<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.carry.extend_from_slice(buf);
        let whole = match std::str::from_utf8(&self.carry) {
            Ok(text) => text.len(),
            // a character cut at the end: the rest comes with the next piece
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        };
        let carry = std::mem::take(&mut self.carry);
        let (text, rest) = carry.split_at(whole);
        let text = std::str::from_utf8(text)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        self.put(text)?;
        self.carry = rest.to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests;
