//! The interchange JSON importer: any bytes, against an empty catalog and a small one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yibiao::i18n::Lang;
use yibiao::io::json;
use yibiao::model::Catalog;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let empty = Catalog::default();
    if let Ok(records) = json::parse_import(text, &empty, Lang::En) {
        // what imports must import again on top of itself, and export
        let catalog = Catalog::from_records(records);
        let _ = json::parse_import(text, &catalog, Lang::Zh);
        let _ = json::export(&catalog);
    }
});
