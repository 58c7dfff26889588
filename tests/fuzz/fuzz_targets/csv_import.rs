//! The CSV importer: encoding detection (UTF-8 / GB18030 / Big5), then one table read as each kind
//! of table (picked by the first byte), then turned into records.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yibiao::i18n::Lang;
use yibiao::io::progress::Control;
use yibiao::io::{csv, table};
use yibiao::model::Catalog;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let tables = table::TableId::ALL;
    let id = tables[usize::from(pick) % tables.len()];
    let Ok((text, _)) = csv::decode(bytes, None, Lang::En) else {
        return;
    };
    if let Ok(raw) = csv::read_table(&text, id, "fuzz.csv", Lang::En, &Control::none()) {
        let _ = table::records(&[raw], &Catalog::default(), Lang::Zh);
    }
});
