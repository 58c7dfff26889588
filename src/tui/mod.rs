//! The terminal UI. A placeholder screen until the TUI shell lands: it shows the store's
//! counts and quits on `q`; the terminal is restored on every exit path.

use crossterm::event::{self, Event, KeyCode, KeyEventKind};
use ratatui::widgets::{Block, Paragraph};

use crate::i18n::Lang;
use crate::store::{SledStore, Store};

/// Runs the TUI on an open store until the user quits.
pub fn run(store: SledStore, lang: Lang) -> anyhow::Result<()> {
    let counts = crate::engine::stats::stats(store.catalog());
    let text = lang.pick(
        format!(
            "一表 yibiao\n\n数据元 {}  事项 {}  申请表 {}  主题 {}\n\n空库可运行 `yibiao sample` 载入示例。按 q 退出。",
            counts.elements, counts.items, counts.forms, counts.bundles
        ),
        format!(
            "一表 yibiao\n\n数据元 elements {}  事项 items {}  申请表 forms {}  主题 bundles {}\n\nOn an empty store run `yibiao sample`. Press q to quit.",
            counts.elements, counts.items, counts.forms, counts.bundles
        ),
    );
    // ratatui::run restores raw mode and the alternate screen on return and on panic
    ratatui::run(|terminal| -> anyhow::Result<()> {
        loop {
            terminal.draw(|frame| {
                let block = Block::bordered().title(store.path().display().to_string());
                frame.render_widget(Paragraph::new(text.as_str()).block(block), frame.area());
            })?;
            if let Event::Key(key) = event::read()?
                && key.kind == KeyEventKind::Press
                && matches!(key.code, KeyCode::Char('q') | KeyCode::Esc)
            {
                return Ok(());
            }
        }
    })
}
