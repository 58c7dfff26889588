//! Every validator: the first byte picks a kind; the rest is the value. Kinds that need an
//! element are checked against every element of that kind in the sample catalog; for
//! `pattern` the first line is also tried as the element's regular expression.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use yibiao::engine::validate::{validate_element, validate_kind};
use yibiao::model::{Catalog, ElementKind};

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| yibiao::sample::generate(1));

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(value) = std::str::from_utf8(rest) else {
        return;
    };
    let kind = ElementKind::ALL[usize::from(pick) % ElementKind::ALL.len()];
    if let Err(rejection) = validate_kind(kind, value) {
        let _ = rejection.message(yibiao::i18n::Lang::Zh);
    }
    for element in CATALOG.elements.values().filter(|e| e.kind == kind) {
        let _ = validate_element(element, value);
    }
    if kind == ElementKind::Pattern
        && let Some((pattern, value)) = value.split_once('\n')
        && let Some(template) = CATALOG.elements.values().find(|e| e.kind == kind)
    {
        let mut element = template.clone();
        element.pattern = Some(pattern.to_string());
        let _ = validate_element(&element, value);
    }
});
