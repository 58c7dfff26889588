use super::*;
use crate::io::csv::write_table;
use crate::io::table;

/// Domain text in simplified characters (a GB18030 file) …
const SIMPLIFIED: &str = "事项编码,事项名称,层级,实施主体,行政区划,设定依据,承诺时限\n\
SX001,食品经营许可,主项,广安区市场监督管理局,四川省成都市武侯区,《中华人民共和国食品安全法》第三十五条,10\n\
SX002,建设工程规划许可证核发,子项,广安市自然资源和规划局,四川省广安市,《中华人民共和国城乡规划法》第四十条,20\n\
DE000005,身份证号码,公民身份号码,由公安机关签发\n";

/// … and the same in traditional characters (a Big5 file).
const TRADITIONAL: &str = "事項編碼,事項名稱,層級,實施主體,行政區劃,設定依據,承諾時限\n\
SX001,食品經營許可,主項,廣安區市場監督管理局,四川省成都市武侯區,《中華人民共和國食品安全法》第三十五條,10\n\
SX002,建設工程規劃許可證核發,子項,廣安市自然資源和規劃局,四川省廣安市,《中華人民共和國城鄉規劃法》第四十條,20\n\
DE000005,身份證號碼,公民身份號碼,由公安機關簽發\n";

fn detected(text: &str, encoding: Encoding) -> Detection {
    let bytes = encode(text, encoding).expect("encodable");
    let (read, how) = decode(&bytes, None, Lang::En).expect("readable");
    assert_eq!(read, text, "read back as {:?}", how.encoding);
    how
}

fn sure(encoding: Encoding) -> Detection {
    Detection::detected(encoding, None)
}

#[test]
fn the_common_set_is_gb2312_level_one_and_big5_common_characters() {
    let count = (CJK_FIRST..=CJK_LAST)
        .filter_map(char::from_u32)
        .filter(|c| is_common_hanzi(*c))
        .count();
    // 3,755 + 5,401, less the characters both standards share
    assert!((6_500..=7_000).contains(&count), "{count}");
    for c in "的是国事项区區實體们們".chars() {
        assert!(is_common_hanzi(c), "{c}");
    }
    // what a wrong reading is made of: kana, Greek, box drawing, rare hanzi
    for c in "カΘ┯﹚ㄆ糷".chars() {
        assert!(!is_common_hanzi(c), "{c}");
    }
}

#[test]
fn detects_utf8_bom_and_gb18030() {
    let text = "编码,名称\nDE1,身份证号码\n";
    assert_eq!(
        decode(text.as_bytes(), None, Lang::En),
        Ok((text.to_string(), sure(Encoding::Utf8)))
    );
    assert_eq!(
        decode(&encode(text, Encoding::Utf8).unwrap(), None, Lang::En),
        Ok((text.to_string(), sure(Encoding::Utf8)))
    );
    let gb = encode(text, Encoding::Gb18030).unwrap();
    assert_ne!(gb, text.as_bytes());
    assert_eq!(
        decode(&gb, None, Lang::En),
        Ok((text.to_string(), sure(Encoding::Gb18030)))
    );
}

#[test]
fn big5_domain_text_is_big5_and_gb18030_stays_the_default() {
    assert_eq!(
        detected(SIMPLIFIED, Encoding::Gb18030),
        sure(Encoding::Gb18030)
    );
    assert_eq!(detected(TRADITIONAL, Encoding::Big5), sure(Encoding::Big5));
    // the tester's file: `iconv -t big5` of one line, which GB18030 reads without an error
    let line = "四川省成都市區域\n";
    let big5 = encode(line, Encoding::Big5).unwrap();
    let gb = encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(&big5)
        .expect("Big5 bytes are valid GB18030 too");
    assert_ne!(gb, line);
    assert_eq!(detected(line, Encoding::Big5), sure(Encoding::Big5));
    // the scores: the right reading is made of common characters, the wrong one is not
    let right = Likeness::of(TRADITIONAL);
    let bytes = encode(TRADITIONAL, Encoding::Big5).unwrap();
    let wrong = Likeness::of(&read_as(Encoding::Gb18030, &bytes, true).expect("valid GB18030"));
    assert!(right.share() > 0.95, "{right:?}");
    assert!(wrong.share() < 0.5, "{wrong:?}");
    // traditional text in a GB18030 file is still GB18030: the Big5 reading is invalid
    assert_eq!(
        detected(TRADITIONAL, Encoding::Gb18030).encoding,
        Encoding::Gb18030
    );
}

#[test]
fn every_table_of_the_sample_in_gb18030_is_detected_as_gb18030() {
    let catalog = crate::sample::generate(1);
    for headers in [Lang::Zh, Lang::En] {
        for sheet in table::sheets(&catalog, &[], headers) {
            let text = write_table(&sheet);
            let how = detected(&text, Encoding::Gb18030);
            if text.is_ascii() {
                // the same bytes in every encoding
                assert_eq!(how, sure(Encoding::Utf8));
                continue;
            }
            assert_eq!(how.encoding, Encoding::Gb18030, "{:?}", sheet.table);
            if headers == Lang::Zh {
                assert_eq!(how.doubt, None, "{:?}", sheet.table);
            }
        }
    }
}

#[test]
fn too_little_or_too_similar_text_is_uncertain() {
    // one character: GB18030 (the default), but Big5 reads it too
    let how = detected("code,name\nR1,男\n", Encoding::Gb18030);
    assert_eq!(
        how,
        Detection::detected(Encoding::Gb18030, Some(Encoding::Big5))
    );
    let (note, warning) = how.note("r.csv", Lang::En).expect("a note");
    assert!(warning);
    assert!(note.contains("--encoding big5"), "{note}");
    assert_eq!(how.label(Lang::Zh), "GB18030？也可能是 Big5");
    // ASCII only is UTF-8, and nothing is said about it
    let how = detected("code,name\nR1,x\n", Encoding::Gb18030);
    assert_eq!(how, sure(Encoding::Utf8));
    assert_eq!(how.note("r.csv", Lang::En), None);
}

#[test]
fn notes_say_how_a_file_was_read() {
    let note = |d: Detection| d.note("数据元.csv", Lang::Zh).map(|(n, _)| n);
    assert_eq!(
        note(sure(Encoding::Big5)).as_deref(),
        Some("数据元.csv：按 Big5 读取（自动检测）")
    );
    let forced = Detection {
        encoding: Encoding::Gb18030,
        forced: true,
        doubt: None,
    };
    assert_eq!(
        forced.note("x.csv", Lang::En),
        Some(("x.csv: read as GB18030 (--encoding)".into(), false))
    );
}

#[test]
fn forcing_the_wrong_encoding_is_an_error_or_a_warning() {
    let text = "编码,名称\nDE1,身份证号码\n";
    let gb = encode(text, Encoding::Gb18030).unwrap();
    let e = decode(&gb, Some(Encoding::Utf8), Lang::En).unwrap_err();
    assert!(
        e.contains("not valid UTF-8") && e.contains("--encoding gb18030"),
        "{e}"
    );
    for legacy in [Encoding::Gb18030, Encoding::Big5] {
        let e = decode(text.as_bytes(), Some(legacy), Lang::En).unwrap_err();
        assert!(e.contains("mojibake"), "{e}");
        let e = decode(
            &encode(text, Encoding::Utf8).unwrap(),
            Some(legacy),
            Lang::Zh,
        )
        .unwrap_err();
        assert!(e.contains("BOM"), "{e}");
    }
    // simplified GB18030 text is no valid Big5; the hint names GB18030
    let e = decode(
        &encode(SIMPLIFIED, Encoding::Gb18030).unwrap(),
        Some(Encoding::Big5),
        Lang::En,
    )
    .unwrap_err();
    assert!(
        e.contains("not valid Big5") && e.contains("--encoding gb18030"),
        "{e}"
    );
    // Big5 forced to GB18030 reads (the user asked for it), with a warning
    let big5 = encode(TRADITIONAL, Encoding::Big5).unwrap();
    let (_, how) = decode(&big5, Some(Encoding::Gb18030), Lang::En).unwrap();
    assert_eq!(how.doubt, Some(Encoding::Big5));
    let (note, warning) = how.note("x.csv", Lang::En).unwrap();
    assert!(warning && note.contains("reads more like Big5"), "{note}");
    // forced to the right one: no doubt
    let (read, how) = decode(&big5, Some(Encoding::Big5), Lang::En).unwrap();
    assert_eq!((read.as_str(), how.doubt), (TRADITIONAL, None));
    // bytes that are none of them
    let e = decode(b"\xff\xff\xff", None, Lang::En).unwrap_err();
    assert!(e.contains("neither UTF-8") && e.contains("Big5"), "{e}");
}

#[test]
fn big5_export_refuses_characters_big5_lacks() {
    let e = encode("编码,名称\nR1,臺北市\nR2,广安区\n", Encoding::Big5).unwrap_err();
    assert_eq!((e.first, e.line, e.distinct), ('编', 1, 4));
    assert_eq!(
        e.describe("regions.csv", Lang::En),
        "regions.csv line 1: the character \"编\" (U+7F16) and 3 other(s) cannot be written in Big5; export as UTF-8 or GB18030"
    );
    assert!(
        e.describe("行政区划.csv", Lang::Zh)
            .contains("等 4 个字符无法用 Big5 表示"),
        "{}",
        e.describe("行政区划.csv", Lang::Zh)
    );
    let bytes = encode(TRADITIONAL, Encoding::Big5).unwrap();
    assert_eq!(
        decode(&bytes, Some(Encoding::Big5), Lang::En).unwrap().0,
        TRADITIONAL
    );
}

#[test]
fn sniffing_the_start_of_a_file_agrees_with_decoding_it() {
    // a start cut inside a character
    let mut long = String::new();
    while long.len() < 3 * SAMPLE {
        long.push_str(TRADITIONAL);
    }
    let big5 = encode(&long, Encoding::Big5).unwrap();
    let cut = (SAMPLE - 1..SAMPLE + 1)
        .find(|&i| big5[i - 1] >= 0x80)
        .expect("a multi-byte character near the cut");
    assert_eq!(sniff(&big5[..cut], false), Some(sure(Encoding::Big5)));
    assert_eq!(
        decode(&big5, None, Lang::En).unwrap().1,
        sure(Encoding::Big5)
    );
    let utf8 = long.as_bytes();
    let cut = (1..40)
        .find(|&i| std::str::from_utf8(&utf8[..i]).is_err())
        .unwrap();
    assert_eq!(sniff(&utf8[..cut], false), Some(sure(Encoding::Utf8)));
    let gb = encode(SIMPLIFIED, Encoding::Gb18030).unwrap();
    assert_eq!(sniff(&gb, true), Some(sure(Encoding::Gb18030)));
    assert_eq!(sniff(b"\xEF\xBB\xBFcode\xff", true), None);
}

#[test]
fn every_name_of_the_sample_alone_in_a_file_is_never_taken_for_big5() {
    // the hardest case: one short name under an ASCII header, in GB18030
    let catalog = crate::sample::generate(1);
    let mut names: Vec<&str> = catalog.items.values().map(|i| i.name.as_str()).collect();
    names.extend(catalog.elements.values().map(|e| e.name.as_str()));
    names.extend(catalog.agencies.values().map(|a| a.name.as_str()));
    names.sort_unstable();
    names.dedup();
    assert!(names.len() > 500, "{}", names.len());
    for name in names {
        let text = format!("code,name\nX1,{name}\n");
        let bytes = encode(&text, Encoding::Gb18030).unwrap();
        let (read, how) = decode(&bytes, None, Lang::En).unwrap();
        if how.encoding == Encoding::Utf8 {
            // 省 alone is `CA A1`, valid UTF-8 (ʡ): read as UTF-8, with the doubt said
            assert_eq!(how.doubt, Some(Encoding::Gb18030), "{name}");
            continue;
        }
        assert_eq!(
            (read.as_str(), how.encoding),
            (text.as_str(), Encoding::Gb18030)
        );
        // a doubt only where a name is too short to tell
        if how.doubt.is_some() {
            assert!(name.chars().count() < PATTERN_EVIDENCE, "{name}");
        }
    }
    // and every cell of the traditional text alone is Big5, in doubt only when very short
    for cell in TRADITIONAL.split([',', '\n']).filter(|c| !c.is_ascii()) {
        let how = detected(&format!("code,name\nX1,{cell}\n"), Encoding::Big5);
        assert_eq!(how.encoding, Encoding::Big5, "{cell}");
        if how.doubt.is_some() {
            assert!(cell.chars().count() < MIN_EVIDENCE, "{cell}");
        }
    }
}

/// Writes `text` through an [`Encoder`] in pieces of `size` bytes (cutting characters).
fn encoded_in_pieces(text: &str, encoding: Encoding, size: usize) -> Result<Vec<u8>, Unencodable> {
    let mut out = Vec::new();
    let mut encoder = Encoder::new(&mut out, encoding).expect("to memory");
    for piece in text.as_bytes().chunks(size) {
        std::io::Write::write_all(&mut encoder, piece).expect("to memory");
    }
    encoder.finish()?;
    Ok(out)
}

#[test]
fn text_encoded_a_piece_at_a_time_is_the_text_encoded_whole() {
    // Big5 lacks the simplified 区, 编 and 码: refused, naming the first and counting them
    let lacking = format!("{TRADITIONAL}R9,广安区\n\"跨\n行\",编码,区\n");
    for text in [SIMPLIFIED, TRADITIONAL, lacking.as_str(), ""] {
        for encoding in [Encoding::Utf8, Encoding::Gb18030, Encoding::Big5] {
            let whole = encode(text, encoding);
            for size in [1, 2, 5, 64, 1 << 16] {
                assert_eq!(
                    encoded_in_pieces(text, encoding, size),
                    whole,
                    "{encoding:?} in pieces of {size}"
                );
            }
        }
    }
    let refused = encode(&lacking, Encoding::Big5).expect_err("Big5 lacks them");
    assert_eq!(
        (refused.first, refused.line, refused.distinct),
        ('区', 5, 3)
    );
}
