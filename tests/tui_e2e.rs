//! End-to-end tests in a real pseudo-terminal: the built binary is started on a store seeded
//! from the fixture, driven with the default keys, and its screen read back through vt100.
//! Every wait polls the screen with a deadline; nothing sleeps a fixed time.

mod pty;

use std::time::{Duration, Instant};

use pty::{BIN, Tui, sample_store};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tui_small.json");

fn seeded_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let home = tempfile::tempdir().expect("tempdir");
    let db = home.path().join("store");
    let status = std::process::Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(FIXTURE)
        .env("HOME", home.path())
        .env_remove("YIBIAO_DB")
        .status()
        .expect("run import");
    assert!(status.success());
    assert!(
        db.join("outline.idx").exists(),
        "a command that changed the store leaves the outline for the first frame"
    );
    (home, db)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn navigate_filter_rename_save_quit_and_find_it_after_restart() {
    let (home, db) = seeded_store();
    let mut tui = Tui::start(&db, home.path());
    tui.wait_for("食品经营许可");
    tui.wait_for("浏览");
    // expand everything, move down
    tui.send("+");
    tui.wait_for("广安区建设工程规划许可证核发");
    tui.send("j");
    tui.wait_for("2/8");
    // filter to the implementation list
    tui.send("/实施清单");
    tui.wait_for("匹配 1");
    tui.send("\r");
    tui.wait_for("3/3");
    // edit: replace the name with a Chinese string and save
    tui.send("e");
    tui.wait_for("编辑 事项 SX001-01-01");
    tui.send("\u{15}餐饮服务许可（测试）");
    tui.wait_for("餐饮服务许可（测试）");
    tui.send("\u{13}");
    tui.wait_for("已保存 SX001-01-01");
    tui.send("q");
    // finish_raw waits for every byte written before the exit to be read
    let (code, _, raw) = tui.finish_raw();
    assert_eq!(code, Some(0));
    assert!(
        contains(&raw, b"\x1b[?2026h"),
        "full frames use synchronized output"
    );
    assert!(contains(&raw, b"\x1b[?1049l"), "alternate screen left");
    assert!(
        !contains(&raw, b"\x1b[2J\x1b[2J"),
        "no repeated full clears"
    );

    // restart: the change is there, in the outline the first frame is drawn from too
    let outline = std::fs::read(db.join("outline.idx")).expect("the session saved its outline");
    assert!(contains(&outline, "餐饮服务许可（测试）".as_bytes()));
    let mut tui = Tui::start(&db, home.path());
    tui.wait_for("浏览");
    tui.send("/餐饮");
    tui.wait_for("匹配 1");
    tui.wait_for("餐饮服务许可（测试）");
    tui.send("\rq");
    assert_eq!(tui.exit_code(), 0);
}

#[test]
fn sigterm_and_sighup_restore_the_terminal_and_release_the_store() {
    let (home, db) = seeded_store();
    for signal in ["-TERM", "-HUP"] {
        let mut tui = Tui::start(&db, home.path());
        tui.wait_for("食品经营许可");
        let pid = tui.pid();
        let status = std::process::Command::new("kill")
            .arg(signal)
            .arg(pid.to_string())
            .status()
            .expect("kill");
        assert!(status.success());
        assert_eq!(tui.exit_code(), 0, "{signal}");
        // the reader thread may not have read the last bytes yet when the process is reaped
        let deadline = Instant::now() + Duration::from_secs(2);
        while !contains(&tui.raw(), b"\x1b[?25h") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let raw = tui.raw();
        for (seq, what) in [
            (&b"\x1b[?1049l"[..], "alternate screen"),
            (&b"\x1b[?2004l"[..], "bracketed paste"),
            (&b"\x1b[?1000l"[..], "mouse capture"),
            (&b"\x1b[?25h"[..], "cursor"),
        ] {
            assert!(contains(&raw, seq), "{signal}: {what} not restored");
        }
    }
    // the store lock is released: the CLI can open it
    let out = std::process::Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .arg("stats")
        .env("HOME", home.path())
        .env_remove("YIBIAO_DB")
        .output()
        .expect("stats");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn empty_store_offers_the_sample_in_one_key_then_edit_and_find_it_after_restart() {
    let home = tempfile::tempdir().expect("tempdir");
    let db = home.path().join("store");
    let mut tui = Tui::start(&db, home.path());
    tui.wait_for("这个库还是空的");
    tui.send("s");
    tui.wait_for("已载入示例：新增 1372 条");
    // filter to one main item of the sample and rename it
    tui.send("/公共场所卫生许可");
    tui.wait_for("匹配");
    tui.send("\r");
    tui.send("e");
    tui.wait_for("编辑 事项");
    tui.send("\u{15}公共场所卫生许可（一表测试）");
    tui.wait_for("公共场所卫生许可（一表测试）");
    tui.send("\u{13}");
    tui.wait_for("已保存");
    tui.send("q");
    assert_eq!(tui.exit_code(), 0);
    let search_cache = db.join("search.idx");
    assert!(!search_cache.exists(), "pane 2 was not opened");

    let mut tui = Tui::start(&db, home.path());
    tui.wait_for("浏览");
    tui.send("/一表测试");
    tui.wait_for("公共场所卫生许可（一表测试）");
    // pane 2: a pinyin-initials query finds 身份证号码 first
    tui.send("\r2/sfzhm");
    tui.wait_for("24 个结果");
    tui.wait_for("DE000005 身份证号码");
    tui.send("\rq");
    assert_eq!(tui.exit_code(), 0);
    // pane 2's index, read from the search tree with nothing written since, is left for
    // the next session and for `element search`
    assert!(search_cache.exists(), "the session cached pane 2's index");

    // a session that writes after reading the index leaves no cache of it
    let mut tui = Tui::start(&db, home.path());
    tui.wait_for("浏览");
    tui.send("2/sfzhm");
    tui.wait_for("24 个结果");
    tui.send("\r1/一表测试");
    tui.wait_for("匹配");
    tui.send("\re");
    tui.wait_for("编辑 事项");
    tui.send("\u{15}公共场所卫生许可（二改）\u{13}");
    tui.wait_for("已保存");
    tui.send("q");
    assert_eq!(tui.exit_code(), 0);
    assert!(!search_cache.exists(), "the write removed the cache");
    // the CLI sees the saved name too
    let out = std::process::Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["export", "-"])
        .env("HOME", home.path())
        .env_remove("YIBIAO_DB")
        .output()
        .expect("export");
    assert!(String::from_utf8_lossy(&out.stdout).contains("公共场所卫生许可（二改）"));
}

#[test]
fn pane_4_toggles_an_answer_and_the_field_count_changes() {
    let (home, db) = sample_store();
    let mut tui = Tui::start(&db, home.path());
    tui.wait_for("浏览");
    tui.send("4");
    tui.wait_for("我要开餐馆");
    tui.send("\r");
    // nothing answered yet: only the items without a condition
    tui.wait_for("字段 54 → 35");
    // the first question (经营场所面积): under 500 m² changes nothing, 500 m² and more
    // brings in the fire-safety item
    tui.send(" ");
    tui.wait_for("已答 1/3");
    tui.send(" ");
    tui.wait_for("字段 74 → 44");
    // past its last option it is unanswered again
    tui.send(" ");
    tui.wait_for("已答 0/3");
    tui.wait_for("字段 54 → 35");
    tui.send("q");
    assert_eq!(tui.exit_code(), 0);
}

#[test]
fn pane_3_designs_a_form_by_pinyin_search_validates_an_id_and_saves_it() {
    let (home, db) = sample_store();
    let mut tui = Tui::start(&db, home.path());
    tui.wait_for("浏览");
    tui.send("3");
    tui.wait_for("申请表 1/147");
    tui.send("n");
    // the new form's item first, found by pinyin initials in the item picker
    tui.wait_for("选择所属事项");
    tui.send("spjyxkz");
    tui.wait_for("/ spjyxkz");
    tui.settle();
    tui.send("\r");
    tui.wait_for("新申请表");
    tui.wait_for("所属事项 食品经营许可证核发");
    // five fields found by pinyin initials in the element picker
    for (query, name) in [
        ("szdq", "所在地区"),
        ("xm", "姓名"),
        ("sfzhm", "身份证号码"),
        ("yddh", "移动电话"),
        ("dzyx", "电子邮箱"),
    ] {
        tui.send("a");
        tui.wait_for("添加字段");
        tui.send(query);
        tui.wait_for(&format!("/ {query}"));
        tui.settle();
        tui.send("\r");
        tui.wait_for(&format!("{name}  "));
        tui.settle();
    }
    // reorder: 电子邮箱 up above 移动电话, and make it required
    tui.send("K");
    tui.settle();
    tui.send(" ");
    tui.wait_for("* 电子邮箱");
    // the preview at 身份证号码: a wrong number shows the validator's reason
    tui.send("k");
    tui.settle();
    tui.send("l");
    tui.wait_for("预览");
    tui.send("110105194912310021");
    tui.wait_for("校验位应为 X");
    tui.send("\u{1b}");
    tui.settle();
    tui.send("\u{13}");
    tui.wait_for("已保存");
    tui.send("q");
    assert_eq!(tui.exit_code(), 0);

    let out = std::process::Command::new(BIN)
        .args(["--db"])
        .arg(&db)
        .args(["form", "show", "BD000148", "--json"])
        .env("HOME", home.path())
        .env_remove("YIBIAO_DB")
        .output()
        .expect("form show");
    assert!(out.status.success());
    let form: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let fields = form["sections"][0]["fields"].as_array().expect("fields");
    let labels: Vec<&str> = fields
        .iter()
        .map(|f| f["label"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        labels,
        ["所在地区", "姓名", "身份证号码", "电子邮箱", "移动电话"]
    );
    let required: Vec<bool> = fields
        .iter()
        .map(|f| f["required"].as_bool().unwrap_or(false))
        .collect();
    assert_eq!(required, [false, false, false, true, false]);
    assert_eq!(fields[2]["element"], "DE000005");
}

#[test]
fn the_import_dialog_imports_a_file_and_the_tree_shows_it() {
    let (home, db) = seeded_store();
    let small = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/small.json");
    let mut tui = Tui::start(&db, home.path());
    tui.wait_for("事项 8");
    // ctrl-o opens the import dialog
    tui.send("\u{f}");
    tui.wait_for("当前目录");
    tui.send(small);
    tui.wait_for("自动：json");
    tui.send("\r");
    tui.wait_for("已导入：新建 23，更新 2，未变 2");
    tui.send("\r");
    tui.wait_for("事项 14");
    tui.wait_for("M001");
    tui.send("q");
    assert_eq!(tui.exit_code(), 0);
}

#[test]
fn a_store_that_cannot_open_ends_the_loading_frame_with_the_reason() {
    // the database opens after the first frame now: its errors still reach the user, with the
    // terminal restored
    let (home, db) = seeded_store();
    {
        let raw = sled::open(db.join("db")).expect("sled");
        raw.open_tree("meta")
            .expect("meta")
            .insert("schema", &99u32.to_be_bytes())
            .expect("plant");
        raw.flush().expect("flush");
    }
    let tui = Tui::start(&db, home.path());
    let (code, screen, raw) = tui.finish_raw();
    assert_eq!(code, Some(1), "{screen}");
    assert!(contains(&raw, b"\x1b[?1049l"), "alternate screen left");
    assert!(
        screen.contains("schema version 99") && screen.contains("upgrade yibiao"),
        "{screen}"
    );
}

/// After a stretch of events (the start, a key) the TUI gives freed memory back once, when
/// the user pauses; a session left idle gives nothing back again (nor wakes up for it).
#[test]
fn freed_memory_is_given_back_once_after_each_stretch_of_work() {
    let (home, db) = seeded_store();
    let noted = home.path().join("given-back");
    let path = noted.to_str().expect("utf-8 path");
    let times = || std::fs::read_to_string(&noted).map_or(0, |text| text.lines().count());
    let mut tui = Tui::start_with(&db, home.path(), &[("YIBIAO_TEST_GIVE_BACK", path)]);
    tui.wait_for("食品经营许可");
    let deadline = Instant::now() + pty::WAIT;
    while times() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(times(), 1, "given back once the start's work is over");
    // idle: more than twice the pause, and nothing more given back
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(times(), 1, "an idle session gives nothing back again");
    tui.send("j");
    tui.wait_for("2/3");
    let deadline = Instant::now() + pty::WAIT;
    while times() == 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        times(),
        2,
        "a key's work is followed by giving back once more"
    );
    tui.send("q");
    assert_eq!(tui.exit_code(), 0);
}

#[test]
fn the_tree_works_while_the_catalog_loads_and_a_waiting_key_runs_after() {
    let (home, db) = seeded_store();
    // debug builds hold the loader back this long: the outline's tree is all there is
    let mut tui = Tui::start_with(&db, home.path(), &[("YIBIAO_TEST_LOAD_DELAY_MS", "5000")]);
    tui.wait_for("食品经营许可");
    tui.wait_for("正在载入目录");
    tui.send("+");
    tui.wait_for("广安区建设工程规划许可证核发");
    tui.send("j");
    tui.wait_for("2/8");
    // editing needs the catalog: the key waits, and runs once the catalog is in
    tui.send("e");
    tui.wait_for("1 个按键在等待目录");
    tui.wait_for("编辑 事项 SX001-01");
    // the tree's title shows again only once the editor is closed ("浏览" may still be on
    // screen from before the editor's last frame, and an Esc followed at once by q is Alt-q)
    tui.send("\x1b");
    tui.wait_for("[按层级]");
    tui.send("q");
    assert_eq!(tui.exit_code(), 0);
}

/// On demand, with the caches a store keeps (`sample` leaves the outline, the element links
/// and the search index), pane 2 searches and shows an element and its uses, edits, adds and
/// merges elements and finds the duplicates without loading the catalog.
#[test]
fn on_demand_pane_2_searches_edits_adds_merges_shows_uses_and_finds_duplicates_without_the_catalog()
{
    let (home, db) = sample_store();
    for cache in ["outline.idx", "links.idx", "search.idx"] {
        assert!(db.join(cache).exists(), "{cache}");
    }
    pty::write_config(home.path(), "load_catalog = \"on-demand\"\n");
    let mut tui = Tui::start_sized(&db, home.path(), 40, 120, &[]);
    // the store is open once pane 1 shows a record's detail
    tui.wait_for("目录未载入");
    tui.send("j");
    tui.wait_for("编码");
    tui.send("2");
    tui.send("/sfzhm\r");
    tui.wait_for("DE000005 身份证号码");
    // its detail and its uses, read from the store
    tui.wait_for("公民身份号码、证件号码");
    tui.wait_for("BD000006");
    tui.wait_for("目录未载入");
    // an edit is saved over the element's own records: the catalog stays unloaded, and
    // the new name is found
    tui.send("e");
    tui.wait_for("保存");
    tui.send("\x15");
    tui.send("居民身份证件号码");
    tui.send("\x13");
    tui.wait_for("已保存 DE000005");
    tui.send("/\x15jmsfzj\r");
    tui.wait_for("DE000005 居民身份证件号码");
    tui.wait_for("目录未载入");
    // a new element too, coded from the store's keys
    tui.send("a");
    tui.wait_for("新增 数据元 DE000625");
    tui.send("港澳台居民居住证号码");
    tui.send("\x13");
    tui.wait_for("已保存 DE000625");
    tui.send("/\x15gatjmjzz\r");
    tui.wait_for("DE000625 港澳台居民居住证号码");
    tui.wait_for("目录未载入");
    // and a merge, over the records that reference the merged element: the element kept
    // is found by the merged one's name
    tui.send("/\x15pfksl\r");
    tui.wait_for("DE000133 排放口数量");
    tui.send("m");
    tui.wait_for("将 DE000133 并入");
    tui.send("DE000070");
    tui.wait_for("接入城镇排水管网的排水口数量");
    tui.send("\r");
    tui.wait_for("确认合并数据元");
    tui.send("y");
    tui.wait_for("已合并 DE000133 到 DE000070");
    tui.send("/\x15pfksl\r");
    tui.wait_for("DE000070 排水口数量");
    tui.wait_for("目录未载入");
    // the duplicates among every element, read from the store a record at a time, the
    // pairs' elements named and compared from their records; `x` swaps the first pair
    tui.send("D");
    tui.wait_for("<- 证件号码 DE000017");
    tui.wait_for("并入 DE000017 证件号码");
    tui.send("x");
    tui.wait_for("保留 DE000017 证件号码");
    tui.wait_for("目录未载入");
    tui.send("q");
    assert_eq!(tui.exit_code(), 0);
}

#[test]
fn on_demand_the_tree_and_details_work_from_the_store_until_another_pane_loads_it() {
    let (home, db) = seeded_store();
    pty::write_config(home.path(), "load_catalog = \"on-demand\"\n");
    let mut tui = Tui::start(&db, home.path());
    tui.wait_for("目录未载入");
    tui.send("+");
    tui.send("jj");
    tui.wait_for("3/8");
    // the selected item's detail, read from the store: what it references by name, and who
    // references it as the outline knows it
    tui.wait_for("广安区市场监督管理局");
    tui.wait_for("BD001 食品经营许可申请书");
    tui.wait_for("目录未载入");
    // and a material's, with who uses it
    tui.send("]");
    tui.wait_for("SX001-01-01 广安区食品经营许可（新办）实施清单");
    tui.wait_for("目录未载入");
    // pane 3's list works from the outline and the cached lint counts, and a form opens
    // from its own records and is edited and saved over them, a new name too (the outline
    // follows); another item needs the catalog: it loads, and the key runs then
    tui.send("3");
    tui.wait_for("BD001     食品经营许可申请书");
    tui.wait_for("目录未载入");
    tui.send("\r");
    tui.wait_for("所属事项");
    tui.wait_for("目录未载入");
    // a new section, saved over the form's own records: the catalog stays unloaded
    tui.send("S");
    tui.send("补充信息\r");
    tui.wait_for("[补充信息]");
    tui.send("\x13");
    tui.wait_for("已保存");
    tui.send("k");
    tui.wait_for("目录未载入");
    tui.send("e");
    tui.send("甲\r");
    tui.wait_for("食品经营许可申请书甲");
    tui.wait_for("[未保存]");
    tui.send("\x13");
    tui.wait_gone("[未保存]");
    tui.send("\x1b");
    tui.wait_gone("所属事项");
    tui.wait_for("BD001     食品经营许可申请书甲");
    tui.wait_for("目录未载入");
    tui.send("\r");
    tui.wait_for("所属事项");
    // an import is checked against the records it touches: the dialog opens before the
    // catalog; an agency renamed is written near its records, the catalog left unloaded
    let agency = home.path().join("agency.json");
    let renamed = r#"{"format": "yibiao/1", "agencies": [{"code": "11511602MB1234567X",
        "name": "广安区市场监督管理局（新）", "region": "511602"}]}"#;
    std::fs::write(&agency, renamed).expect("write");
    tui.send("1");
    tui.send("\x0f");
    tui.wait_for("┌ 导入");
    tui.wait_for("目录未载入");
    tui.send(&agency.display().to_string());
    tui.send("\r");
    tui.wait_for("已导入：新建 0，更新 1，未变 0");
    tui.send("\r");
    tui.wait_gone("┌ 导入");
    tui.wait_for("目录未载入");
    tui.send("3");
    tui.wait_for("所属事项");
    tui.send("\x1b");
    tui.wait_gone("所属事项");
    // pane 1 as it was left (its materials), drawn from the outline the import followed
    tui.send("1");
    tui.wait_for("材料 1/2");
    tui.wait_for("目录未载入");
    tui.send("q");
    assert_eq!(tui.exit_code(), 0);
}
