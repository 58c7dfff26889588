//! End-to-end tests in a real pseudo-terminal: the built binary is started on a store seeded
//! from the fixture, driven with the default keys, and its screen read back through vt100.
//! Every wait polls the screen with a deadline; nothing sleeps a fixed time.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

const BIN: &str = env!("CARGO_BIN_EXE_yibiao");
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tui_small.json");
const WAIT: Duration = Duration::from_secs(20);

/// A running yibiao in a pty.
struct Tui {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

fn env(cmd: &mut CommandBuilder, home: &Path) {
    cmd.env("LANG", "zh_CN.UTF-8");
    cmd.env_remove("LC_ALL");
    cmd.env_remove("LC_CTYPE");
    cmd.env_remove("NO_COLOR");
    cmd.env_remove("YIBIAO_DB");
    cmd.env("TERM", "xterm-256color");
    cmd.env("HOME", home);
    cmd.env("XDG_CONFIG_HOME", home.join("config"));
}

impl Tui {
    fn start(db: &Path, home: &Path) -> Tui {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 110,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.arg("--db");
        cmd.arg(db);
        env(&mut cmd, home);
        let child = pty.slave.spawn_command(cmd).expect("spawn yibiao");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZero::new(30).expect("rows"),
            std::num::NonZero::new(110).expect("cols"),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (Arc::clone(&parser), Arc::clone(&raw));
        std::thread::spawn(move || {
            // keeps the master alive while reading
            let _master = pty.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().expect("parser").process(&buf[..n]);
                r.lock().expect("raw").extend_from_slice(&buf[..n]);
            }
        });
        Tui {
            child,
            writer,
            parser,
            raw,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("timed out waiting for {text:?}; screen:\n{}", self.screen());
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
    }

    fn exit_code(&mut self) -> u32 {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("yibiao did not exit; screen:\n{}", self.screen());
    }

    fn raw(&self) -> Vec<u8> {
        self.raw.lock().expect("raw").clone()
    }
}

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
    assert_eq!(tui.exit_code(), 0);
    let raw = tui.raw();
    assert!(
        contains(&raw, b"\x1b[?2026h"),
        "frames use synchronized output"
    );
    assert!(contains(&raw, b"\x1b[?1049l"), "alternate screen left");
    assert!(
        !contains(&raw, b"\x1b[2J\x1b[2J"),
        "no repeated full clears"
    );

    // restart: the change is there
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
        let pid = tui.child.process_id().expect("pid");
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
    // the CLI sees the saved name too
    let out = std::process::Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["export", "-"])
        .env("HOME", home.path())
        .env_remove("YIBIAO_DB")
        .output()
        .expect("export");
    assert!(String::from_utf8_lossy(&out.stdout).contains("公共场所卫生许可（一表测试）"));
}

#[test]
fn pane_4_toggles_an_answer_and_the_field_count_changes() {
    let home = tempfile::tempdir().expect("tempdir");
    let db = home.path().join("store");
    let status = std::process::Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .arg("sample")
        .env("HOME", home.path())
        .env_remove("YIBIAO_DB")
        .status()
        .expect("run sample");
    assert!(status.success());
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

impl Tui {
    /// Waits until the screen has not changed for a moment (a search has landed).
    fn settle(&self) {
        let deadline = Instant::now() + WAIT;
        let mut last = self.screen();
        let mut since = Instant::now();
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
            let now = self.screen();
            if now != last {
                last = now;
                since = Instant::now();
            } else if since.elapsed() >= Duration::from_millis(400) {
                return;
            }
        }
    }
}

#[test]
fn pane_3_designs_a_form_by_pinyin_search_validates_an_id_and_saves_it() {
    let home = tempfile::tempdir().expect("tempdir");
    let db = home.path().join("store");
    let status = std::process::Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .arg("sample")
        .env("HOME", home.path())
        .env_remove("YIBIAO_DB")
        .status()
        .expect("run sample");
    assert!(status.success());
    let mut tui = Tui::start(&db, home.path());
    tui.wait_for("浏览");
    tui.send("3");
    tui.wait_for("申请表 1/147");
    tui.send("n");
    tui.wait_for("新申请表");
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
