//! The search query syntax (`kind:cn_id status:published 身份`), then a search with it over
//! the sample catalog.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use yibiao::engine::search::{Query, SearchIndex, search};

static INDEX: LazyLock<SearchIndex> =
    LazyLock::new(|| SearchIndex::build(&yibiao::sample::generate(1)));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(query) = Query::parse(text) {
        let _ = search(&INDEX, &query, 20);
    }
});
