use super::*;
use crate::model::{ElementOption, Share, Status};

fn option(code: &str, label: &str) -> ElementOption {
    ElementOption {
        code: code.into(),
        label: label.into(),
        parent: None,
        kind: None,
    }
}

fn child(code: &str, label: &str, parent: &str) -> ElementOption {
    ElementOption {
        parent: Some(parent.into()),
        ..option(code, label)
    }
}

fn typed(code: &str, label: &str, kind: Option<ElementKind>) -> ElementOption {
    ElementOption {
        kind,
        ..option(code, label)
    }
}

fn element(kind: ElementKind, options: Vec<ElementOption>, pattern: Option<&str>) -> Element {
    Element {
        code: "DE00001".into(),
        name: "测试".into(),
        synonyms: Default::default(),
        kind,
        definition: Default::default(),
        pattern: pattern.map(Into::into),
        options: options.into(),
        parent: None,
        unit: None,
        source_agency: None,
        share: Share::Open,
        security_level: 1,
        status: Status::Draft,
        version: 0,
    }
}

fn zh(r: Result<(), Rejection>) -> String {
    r.expect_err("should be rejected").message(Lang::Zh)
}

fn en(r: Result<(), Rejection>) -> String {
    r.expect_err("should be rejected").message(Lang::En)
}

fn sexes() -> Vec<ElementOption> {
    vec![option("1", "男"), option("2", "女"), option("9", "未说明")]
}

fn regions() -> Vec<ElementOption> {
    vec![
        option("510000", "四川省"),
        child("511600", "广安市", "510000"),
        child("511602", "广安区", "511600"),
        child("510100", "成都市", "510000"),
        child("510104", "锦江区", "510100"),
        option("110000", "北京市"),
    ]
}

fn id_types() -> Vec<ElementOption> {
    vec![
        typed("111", "居民身份证", Some(ElementKind::CnId)),
        typed("516", "港澳居民来往内地通行证", Some(ElementKind::Text)),
        typed("HK", "香港身份证", Some(ElementKind::HkId)),
        typed("TW", "台湾身份证", Some(ElementKind::TwId)),
        typed("414", "普通护照", Some(ElementKind::PassportOther)),
        typed("990", "其他证件", None),
    ]
}

#[test]
fn published_vectors_by_kind() {
    use ElementKind as K;
    for (kind, value) in [
        (K::CnId, "11010519491231002X"),
        (K::CnId, "44011320141005001X"),
        (K::Uscc, "92141127MA0KD1Y64A"),
        (K::HkId, "G123456A"),
        (K::HkId, "AB9876543"),
        (K::HkId, "A123456(3)"),
        (K::TwId, "A123456789"),
        (K::TwId, "A120229780"),
    ] {
        assert_eq!(validate_kind(kind, value), Ok(()), "{kind:?} {value}");
    }
    for (kind, value, why) in [
        (K::CnId, "36042619910102009X", "校验位应为 3，而不是 X"),
        (K::Uscc, "91110000600037341N", "校验位应为 L，而不是 N"),
        (K::HkId, "C5678908", "校验位应为 9，而不是 8"),
        (K::TwId, "A223456789", "校验位应为 1，而不是 9"),
        (K::TwId, "A120229781", "校验位应为 0，而不是 1"),
    ] {
        assert_eq!(zh(validate_kind(kind, value)), why, "{kind:?} {value}");
    }
    // each vector belongs to one kind only
    assert!(validate_kind(K::TwId, "G123456A").is_err());
    assert!(validate_kind(K::PassportOther, "G123456A").is_err());
    assert!(validate_kind(K::CnId, "A123456789").is_err());
}

#[test]
fn empty_and_padded_values() {
    for kind in ElementKind::ALL {
        if kind.has_options() || matches!(kind, ElementKind::Text | ElementKind::Pattern) {
            continue;
        }
        assert_eq!(zh(validate_kind(kind, "")), "值为空", "{kind:?}");
        let padded = format!(" {} ", example(kind));
        assert_eq!(
            en(validate_kind(kind, &padded)),
            "leading or trailing white space is not allowed",
            "{kind:?}"
        );
    }
    assert_eq!(validate_kind(ElementKind::Text, ""), Ok(()));
    assert_eq!(validate_kind(ElementKind::Text, " 有空格 "), Ok(()));
    let single = element(ElementKind::SingleChoice, sexes(), None);
    assert_eq!(zh(validate_element(&single, "")), "值为空");
    assert_eq!(zh(validate_element(&single, " 1")), "首尾不能有空白字符");
}

#[test]
fn kinds_that_need_the_element() {
    assert_eq!(
        zh(validate_kind(ElementKind::SingleChoice, "1")),
        "单选需要数据元的选项列表"
    );
    assert_eq!(
        en(validate_kind(ElementKind::LinkedDropdown, "1")),
        "kind linked_dropdown needs the element's options"
    );
    assert_eq!(
        zh(validate_kind(ElementKind::Pattern, "1")),
        "自定义格式需要数据元的正则表达式"
    );
}

#[test]
fn examples_are_valid() {
    for kind in ElementKind::ALL {
        let value = example(kind);
        let result = match kind {
            ElementKind::SingleChoice | ElementKind::Dropdown | ElementKind::MultiChoice => {
                let options = vec![option("01", "是"), option("02", "否")];
                validate_element(&element(kind, options, None), value)
            }
            ElementKind::IdTypeLinked => validate_element(&element(kind, id_types(), None), value),
            ElementKind::LinkedDropdown => validate_element(&element(kind, regions(), None), value),
            ElementKind::Pattern => {
                validate_element(&element(kind, Vec::new(), Some(r"[A-Z]{3}\d{3}")), value)
            }
            _ => {
                // the element route and the kind route agree
                let by_element = validate_element(&element(kind, Vec::new(), None), value);
                assert_eq!(by_element, validate_kind(kind, value));
                by_element
            }
        };
        assert_eq!(result, Ok(()), "{kind:?} example {value}");
    }
}

#[test]
fn single_choice_and_dropdown() {
    for kind in [
        ElementKind::SingleChoice,
        ElementKind::Dropdown,
        ElementKind::IdTypeLinked,
    ] {
        let e = element(kind, sexes(), None);
        assert_eq!(validate_element(&e, "1"), Ok(()));
        assert_eq!(validate_element(&e, "女"), Ok(()));
        assert_eq!(
            zh(validate_element(&e, "3")),
            "「3」不是可选项（可选：男、女、未说明）"
        );
        assert_eq!(
            en(validate_element(&e, "男,女")),
            "'男,女' is not one of the options (男, 女, 未说明)"
        );
    }
    let many: Vec<ElementOption> = (1..=12)
        .map(|i| option(&format!("{i:02}"), &format!("选项{i}")))
        .collect();
    let e = element(ElementKind::Dropdown, many, None);
    assert_eq!(
        zh(validate_element(&e, "13")),
        "「13」不是可选项（可选：选项1、选项2、选项3、选项4、选项5 等 12 项）"
    );
    // quoted values keep spaces, spell out controls and stop after 24 characters
    assert!(zh(validate_element(&e, "a b")).starts_with("「a b」"));
    assert!(zh(validate_element(&e, "a\u{1b}b")).starts_with("「aU+001Bb」"));
    assert!(
        zh(validate_element(&e, &"长".repeat(100)))
            .starts_with(&format!("「{}…」", "长".repeat(24)))
    );
    let empty = element(ElementKind::SingleChoice, Vec::new(), None);
    assert_eq!(zh(validate_element(&empty, "1")), "数据元没有可选项");
}

#[test]
fn multi_choice() {
    let e = element(ElementKind::MultiChoice, sexes(), None);
    for ok in ["1", "1,2", "1，2", "男、女", "1, 2 ,9", "女,9"] {
        assert_eq!(validate_element(&e, ok), Ok(()), "{ok}");
    }
    assert_eq!(zh(validate_element(&e, "1,1")), "选项「1」重复");
    assert_eq!(zh(validate_element(&e, "1,男")), "选项「男」重复");
    assert_eq!(
        en(validate_element(&e, "2、女")),
        "option '女' is chosen twice"
    );
    assert_eq!(zh(validate_element(&e, "1,,2")), "有空的选项（分隔符多余）");
    assert_eq!(zh(validate_element(&e, "1,")), "有空的选项（分隔符多余）");
    assert!(zh(validate_element(&e, "1;2")).starts_with("「1;2」不是可选项"));
    assert!(zh(validate_element(&e, "1,4")).starts_with("「4」不是可选项"));
}

#[test]
fn linked_dropdown() {
    let e = element(ElementKind::LinkedDropdown, regions(), None);
    for ok in [
        "510000/511600/511602",
        "510000/510100/510104",
        "510000",
        "110000",
        "510000/511600",
    ] {
        assert_eq!(validate_element(&e, ok), Ok(()), "{ok}");
    }
    assert_eq!(
        zh(validate_element(&e, "510000/510100/511602")),
        "第 3 级「511602」不属于上一级「510100」"
    );
    assert_eq!(
        en(validate_element(&e, "110000/511600")),
        "level 2: '511600' is not under '110000'"
    );
    assert_eq!(
        zh(validate_element(&e, "511600/511602")),
        "第 1 级「511600」不是第一级选项（其上级为 四川省 510000）"
    );
    assert_eq!(
        zh(validate_element(&e, "510000/999999")),
        "第 2 级「999999」不是可选项"
    );
    assert_eq!(zh(validate_element(&e, "510000//511602")), "第 2 级为空");
    assert_eq!(
        zh(validate_element(&e, "四川")),
        "第 1 级「四川」不是可选项"
    );
    assert!(validate_element(&e, &"510000/".repeat(5_000)).is_err());
}

#[test]
fn a_cascade_takes_labels_and_codes_level_by_level() {
    let mut options = regions();
    // a label that recurs under two parents is found under the one chosen above it
    options.push(child("510101", "市辖区", "510100"));
    options.push(child("511601", "市辖区", "511600"));
    let e = element(ElementKind::LinkedDropdown, options, None);
    for ok in [
        "四川省/广安市/广安区",
        "四川省/511600/广安区",
        "510000/广安市/511602",
        "四川省 / 广安市 / 广安区",
        "北京市",
        "四川省/成都市/市辖区",
        "四川省/广安市/市辖区",
    ] {
        assert_eq!(validate_element(&e, ok), Ok(()), "{ok}");
    }
    let chosen = |value: &str| -> Vec<String> {
        cascade(&e, value)
            .expect("valid")
            .iter()
            .map(|o| o.code.to_string())
            .collect()
    };
    assert_eq!(
        chosen("四川省/广安市/市辖区"),
        ["510000", "511600", "511601"]
    );
    assert_eq!(
        chosen("四川省/成都市/市辖区"),
        ["510000", "510100", "510101"]
    );
    assert_eq!(
        zh(validate_element(&e, "四川省/成都市/广安区")),
        "第 3 级「广安区」不属于上一级「成都市」"
    );
    assert_eq!(
        en(validate_element(&e, "北京市/广安市")),
        "level 2: '广安市' is not under '北京市'"
    );
    assert_eq!(
        zh(validate_element(&e, "广安市/广安区")),
        "第 1 级「广安市」不是第一级选项（其上级为 四川省 510000）"
    );
    assert_eq!(
        en(validate_element(&e, "四川省/广州市")),
        "level 2: '广州市' is not one of the options"
    );
    assert_eq!(zh(validate_element(&e, "四川省//广安区")), "第 2 级为空");
}

#[test]
fn a_trailing_slash_is_a_level_not_chosen_yet_unless_the_last_level_is_chosen() {
    let e = element(ElementKind::LinkedDropdown, regions(), None);
    // as while typing in the preview: the next level is not chosen yet
    for ok in ["四川省/", "四川省/广安市/", "510000/511600 /"] {
        assert_eq!(validate_element(&e, ok), Ok(()), "{ok}");
    }
    assert_eq!(
        normalize_element(&e, "四川省/广安市/").as_deref(),
        Ok("510000/511600")
    );
    // the tester's 四川省/广安市/广安区/: a 3-level cascade has no 4th level
    assert_eq!(
        zh(validate_element(&e, "四川省/广安市/广安区/")),
        "只有 3 级：「广安区」已是最后一级"
    );
    assert_eq!(
        en(validate_element(&e, "510000/511600/511602/999999")),
        "only 3 levels: '511602' is the last"
    );
    assert_eq!(
        zh(validate_element(&e, "北京市/东城区")),
        "只有 1 级：「北京市」已是最后一级"
    );
    assert_eq!(
        en(validate_element(&e, "北京市/")),
        "only 1 level: '北京市' is the last"
    );
    // an option found elsewhere is named as misplaced
    assert_eq!(
        zh(validate_element(&e, "四川省/广安市/广安区/锦江区")),
        "第 4 级「锦江区」不属于上一级「广安区」"
    );
    // empty elsewhere is empty
    assert_eq!(zh(validate_element(&e, "/四川省")), "第 1 级为空");
    assert_eq!(zh(validate_element(&e, "/")), "第 1 级为空");
    assert_eq!(en(validate_element(&e, "四川省//")), "level 2 is empty");
}

#[test]
fn a_misplaced_option_names_its_parent_by_label_and_code() {
    let e = element(ElementKind::LinkedDropdown, regions(), None);
    assert_eq!(
        zh(validate_element(&e, "广安区")),
        "第 1 级「广安区」不是第一级选项（其上级为 广安市 511600）"
    );
    assert_eq!(
        en(validate_element(&e, "511602")),
        "level 1: '511602' is not a top-level option (its parent is 广安市 511600)"
    );
    // a parent that is no option is named by its code
    let mut options = regions();
    options.push(child("999901", "孤儿", "999900"));
    let e = element(ElementKind::LinkedDropdown, options, None);
    assert_eq!(
        zh(validate_element(&e, "孤儿")),
        "第 1 级「孤儿」不是第一级选项（其上级为 999900）"
    );
}

#[test]
fn choices_and_cascades_are_kept_as_option_codes() {
    let regions = element(ElementKind::LinkedDropdown, regions(), None);
    for typed in [
        "四川省/广安市/广安区",
        "四川省/511600/广安区",
        "四川省 / 广安市 / 广安区",
    ] {
        assert_eq!(
            normalize_element(&regions, typed).as_deref(),
            Ok("510000/511600/511602"),
            "{typed}"
        );
    }
    assert!(matches!(
        normalize_element(&regions, "510000/511600/511602"),
        Ok(std::borrow::Cow::Borrowed(_))
    ));
    for kind in [ElementKind::SingleChoice, ElementKind::Dropdown] {
        let e = element(kind, sexes(), None);
        assert_eq!(normalize_element(&e, "女").as_deref(), Ok("2"));
        assert_eq!(normalize_element(&e, "2").as_deref(), Ok("2"));
    }
    let types = element(ElementKind::IdTypeLinked, id_types(), None);
    assert_eq!(normalize_element(&types, "香港身份证").as_deref(), Ok("HK"));
    // 多选: codes in the element's order, joined by `,`
    let multi = element(ElementKind::MultiChoice, sexes(), None);
    assert_eq!(
        normalize_element(&multi, "未说明、男").as_deref(),
        Ok("1,9")
    );
    assert_eq!(normalize_element(&multi, "2 , 1").as_deref(), Ok("1,2"));
    assert_eq!(normalize_element(&multi, "1,2").as_deref(), Ok("1,2"));
    // invalid values are refused as validate_element refuses them
    assert_eq!(
        normalize_element(&multi, "男,男").map_err(|r| r.message(Lang::Zh)),
        Err("选项「男」重复".to_string())
    );
    assert!(normalize_element(&regions, "广安区").is_err());
}

#[test]
fn a_number_in_money_counts_or_measures_is_not_negative() {
    let with_unit = |unit: &str| Element {
        unit: Some(unit.into()),
        ..element(ElementKind::Number, Vec::new(), None)
    };
    let capital = with_unit("万元");
    for ok in ["0", "-0", "-0.00", "12.5", "+3"] {
        assert_eq!(validate_element(&capital, ok), Ok(()), "{ok}");
    }
    assert_eq!(
        zh(validate_element(&capital, "-5")),
        "以「万元」计的数量不能为负数"
    );
    assert_eq!(
        en(validate_element(&capital, "-0.01")),
        "a quantity in 万元 cannot be negative"
    );
    for unit in ["人", "平方米", "米", "千克", "天", "立方米/日"] {
        assert!(validate_element(&with_unit(unit), "-1").is_err(), "{unit}");
    }
    // a temperature, a share, no unit: below zero is a value
    for unit in ["℃", "%"] {
        assert_eq!(validate_element(&with_unit(unit), "-5"), Ok(()), "{unit}");
    }
    let plain = element(ElementKind::Number, Vec::new(), None);
    assert_eq!(validate_element(&plain, "-5"), Ok(()));
    // not a number is still said first
    assert!(zh(validate_element(&capital, "-abc")).contains("不是数字"));
}

#[test]
fn pattern_element() {
    let e = element(ElementKind::Pattern, Vec::new(), Some(r"\d{4}-[A-Z]+"));
    assert_eq!(validate_element(&e, "2024-ABC"), Ok(()));
    assert!(zh(validate_element(&e, "x2024-ABC")).contains("不符合格式"));
    assert!(validate_element(&e, "2024-ABCx").is_err());
    let none = element(ElementKind::Pattern, Vec::new(), None);
    assert_eq!(
        zh(validate_element(&none, "x")),
        "数据元没有设置格式（正则表达式）"
    );
    // a kind that is not pattern ignores a stray pattern
    let mobile = element(ElementKind::Mobile, Vec::new(), Some("x"));
    assert_eq!(validate_element(&mobile, "13800138000"), Ok(()));
}

#[test]
fn a_lower_case_x_is_accepted_and_kept_upper_case() {
    let id = "11010519491231002x";
    assert_eq!(validate_kind(ElementKind::CnId, id), Ok(()));
    assert_eq!(
        normalize_kind(ElementKind::CnId, id).as_deref(),
        Ok("11010519491231002X")
    );
    let e = element(ElementKind::CnId, Vec::new(), None);
    assert_eq!(
        normalize_element(&e, id).as_deref(),
        Ok("11010519491231002X")
    );
    let types = element(ElementKind::IdTypeLinked, id_types(), None);
    assert_eq!(
        normalize_linked_id(&types, "居民身份证", id).as_deref(),
        Ok("11010519491231002X")
    );
    // only a valid 身份证号码 is respelled; other values are kept as typed
    assert!(normalize_kind(ElementKind::CnId, "11010519491231002y").is_err());
    assert_eq!(
        normalize_kind(ElementKind::Text, "abcx").as_deref(),
        Ok("abcx")
    );
    assert_eq!(
        normalize_linked_id(&types, "516", "c1234567x").as_deref(),
        Ok("c1234567x")
    );
    assert!(matches!(
        normalize_kind(ElementKind::CnId, "11010519491231002X"),
        Ok(std::borrow::Cow::Borrowed(_))
    ));
}

#[test]
fn linked_id() {
    let types = element(ElementKind::IdTypeLinked, id_types(), None);
    assert_eq!(
        validate_linked_id(&types, "111", "11010519491231002X"),
        Ok(())
    );
    assert_eq!(
        validate_linked_id(&types, "居民身份证", "11010519491231002X"),
        Ok(())
    );
    assert_eq!(validate_linked_id(&types, "HK", "A123456(3)"), Ok(()));
    assert_eq!(validate_linked_id(&types, "TW", "A123456789"), Ok(()));
    assert_eq!(validate_linked_id(&types, "414", "E12345678"), Ok(()));
    assert_eq!(validate_linked_id(&types, "516", "H12345678"), Ok(()));
    assert_eq!(
        zh(validate_linked_id(&types, "HK", "C5678908")),
        "香港身份证：校验位应为 9，而不是 8"
    );
    assert_eq!(
        en(validate_linked_id(&types, "111", "36042619910102009X")),
        "居民身份证: check character should be 3, not X"
    );
    // the number is checked by the chosen type, not by the others
    assert!(validate_linked_id(&types, "TW", "11010519491231002X").is_err());
    assert_eq!(
        zh(validate_linked_id(&types, "990", "12345")),
        "证件类型「其他证件」没有指定号码的校验类型"
    );
    assert_eq!(
        en(validate_linked_id(&types, "990", "12345")),
        "document type '其他证件' does not name the kind of its number"
    );
    assert!(
        zh(validate_linked_id(&types, "777", "12345")).starts_with("证件类型：「777」不是可选项")
    );
    assert_eq!(
        zh(validate_linked_id(&types, "111", "")),
        "居民身份证：值为空"
    );
    // an option pointing at a kind that needs options cannot validate a number
    let odd = element(
        ElementKind::IdTypeLinked,
        vec![typed("X", "怪", Some(ElementKind::SingleChoice))],
        None,
    );
    assert_eq!(
        zh(validate_linked_id(&odd, "X", "1")),
        "怪：单选需要数据元的选项列表"
    );
}

#[test]
fn rejection_renders() {
    let r = validate_kind(ElementKind::Postcode, "12345").expect_err("short");
    assert_eq!(r.to_string(), r.message(Lang::En));
    let boxed: Box<dyn std::error::Error> = Box::new(r);
    assert!(boxed.to_string().starts_with("a postcode"));
}

/// No validator panics, whatever the input.
#[test]
fn hostile_inputs() {
    let long = "x".repeat(10_000);
    let long_digits = "1".repeat(10_000);
    let long_cjk = "字".repeat(10_000);
    let hostile = [
        "",
        "\u{1b}[2J",
        "１２３",
        "\u{0}",
        "\u{feff}",
        "🙂",
        "(",
        ")",
        "(（",
        "转",
        "@",
        "/",
        "~",
        "至",
        ",",
        "-",
        "+86",
        "86",
        "E",
        "Ｅ",
        "x\u{301}",
        long.as_str(),
        long_digits.as_str(),
        long_cjk.as_str(),
    ];
    let elements = [
        element(ElementKind::SingleChoice, sexes(), None),
        element(ElementKind::MultiChoice, sexes(), None),
        element(ElementKind::LinkedDropdown, regions(), None),
        element(ElementKind::IdTypeLinked, id_types(), None),
        element(ElementKind::Pattern, Vec::new(), Some(r"\w+")),
    ];
    for value in hostile {
        for kind in ElementKind::ALL {
            let _ = validate_kind(kind, value);
            let _ = validate_element(&element(kind, Vec::new(), None), value);
        }
        for e in &elements {
            let _ = validate_element(e, value);
        }
        for chosen in ["111", "HK", "990", value] {
            let _ = validate_linked_id(&elements[3], chosen, value);
        }
        let _ = validate_number(value, Some(0.0), Some(1.0), Some(2));
    }
    // messages stay short even for huge values
    let r = validate_kind(ElementKind::Date, &long).expect_err("not a date");
    assert!(r.message(Lang::Zh).chars().count() < 120);
}

#[test]
fn a_cascade_path_above_the_last_level_is_valid_but_says_what_is_left() {
    let e = element(ElementKind::LinkedDropdown, regions(), None);
    // valid, as `yibiao validate` says, but not finished
    assert_eq!(validate_element(&e, "四川省"), Ok(()));
    assert_eq!(cascade_levels_left(&e, "四川省"), Some(2));
    assert_eq!(cascade_levels_left(&e, "510000/"), Some(2));
    assert_eq!(cascade_levels_left(&e, "四川省/广安市"), Some(1));
    assert_eq!(cascade_levels_left(&e, "四川省/广安市/广安区"), None);
    // 北京市 has nothing under it: complete at one level
    assert_eq!(cascade_levels_left(&e, "北京市"), None);
    // a rejected path has no levels left to speak of
    assert_eq!(cascade_levels_left(&e, "四川"), None);
    assert_eq!(levels_left_message(2, Lang::Zh), "还需选择下 2 级");
    assert_eq!(levels_left_message(1, Lang::En), "needs 1 more level");
    assert_eq!(levels_left_message(2, Lang::En), "needs 2 more levels");
}
