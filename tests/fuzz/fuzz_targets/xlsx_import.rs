//! The XLSX importer: any bytes as a workbook, then its tables turned into records.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yibiao::i18n::Lang;
use yibiao::io::progress::Control;
use yibiao::io::{table, xlsx};
use yibiao::model::Catalog;

fuzz_target!(
    init: {
        // `xlsx::read` catches panics inside the XLSX reader (calamine) and reports the file
        // as unreadable, which is the behaviour under test; libFuzzer's hook would abort on
        // them before the catch. A panic anywhere else still aborts the input.
        std::panic::set_hook(Box::new(|_| {}));
    },
    |data: &[u8]| {
        if let Ok(tables) = xlsx::read(data, "fuzz.xlsx", None, None, Lang::En, &Control::none()) {
            let _ = table::records(&tables, &Catalog::default(), Lang::En);
        }
    }
);
